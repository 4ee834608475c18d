#!/usr/bin/env bash
# Attestation throughput: sign a report into evidence + VSA, verify a bundle, decrypt a cosign key.
# Prints figures only (docs/attest.md records what was measured). Builds the CLI jar through ./bitproof if needed.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
"$here/bitproof" --version >/dev/null
exec java -cp "$here/cli/target/bitproof.jar" "$here/bench/AttestBench.java" "$here/testdata/attest/report-pass.json"
