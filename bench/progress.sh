#!/usr/bin/env bash
# The cost of progress reporting on a stream read 512 bytes at a time (the tar readers' way): raw, Progress.NONE,
# and counted into the CLI's renderer. Prints figures only (docs/cli.md records what was measured).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
"$here/bitproof" --version >/dev/null
exec java -Xmx1g -cp "$here/cli/target/bitproof.jar" "$here/bench/ProgressBench.java"
