#!/usr/bin/env bash
# Benchmark: `bitproof compare` of two ~SIZE_MB multi-layer images that differ in one file, against the baseline
# `umoci unpack` of both + `diff -r` (Debian's umoci and diffutils), in the same run. Prints wall time and peak RSS.
# A/B differ in one file of the last layer (the other layers share digests, so compare reads one layer pair);
# A/C have the same contents as A/B but every layer compressed differently, so compare streams every layer.
# Usage: bench/compare.sh [SIZE_MB=100] [LAYERS=4] [FILES_PER_LAYER=2000] [HEAP=64m]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
size="${1:-100}"; layers="${2:-4}"; files="${3:-2000}"; heap="${4:-64m}"
work="$(mktemp -d /tmp/bitproof-bench-XXXXXX)"
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
command -v umoci >/dev/null || { echo "umoci is missing (apt-get install umoci)" >&2; exit 3; }
jar="$here/cli/target/bitproof.jar"
[ -f "$jar" ] || (cd "$here" && ./mvnw -B -q -o -DskipTests package >&2)

python3 "$here/bench/make-images.py" "$work" "$size" "$layers" "$files" >&2
du -sh "$work/A" "$work/B" "$work/C" >&2

measure() { # label command...
  local label="$1"; shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/out" 2>"$work/err" || true
  # time prints "Command exited with non-zero status N" first when it did; the figures are on the last line
  tail -1 "$work/time" | awk -v l="$label" '{printf "%-34s %8.2f s %9.1f MiB peak RSS\n", l, $1, $2 / 1024}'

}

echo "images: 2 x ${size} MB, ${layers} layers x ${files} files, one byte of one file differs"
measure "bitproof compare (-Xmx$heap)" java -Xmx"$heap" -jar "$jar" compare "oci:$work/A" "oci:$work/B" --format json
grep -o '"subject" : "linux/amd64 layer [0-9]* layer[0-9]*/file[0-9]*.bin"' "$work/out" >&2 || { echo "bitproof did not name the file" >&2; cat "$work/err" >&2; }
measure "bitproof compare, all layers read" java -Xmx"$heap" -jar "$jar" compare "oci:$work/A" "oci:$work/C" --format json
grep -o '"subject" : "linux/amd64 layer [0-9]* layer[0-9]*/file[0-9]*.bin"' "$work/out" >&2 || { echo "bitproof did not name the file" >&2; cat "$work/err" >&2; }
cat > "$work/baseline.sh" <<SH
set -e
umoci unpack --rootless --image "$work/A:bench" "$work/ua" >/dev/null
umoci unpack --rootless --image "$work/C:bench" "$work/ub" >/dev/null
diff -r "$work/ua/rootfs" "$work/ub/rootfs" || true
SH
measure "umoci unpack x2 + diff -r" bash "$work/baseline.sh"
cat "$work/out" >&2
