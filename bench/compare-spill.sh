#!/usr/bin/env bash
# Benchmark: `bitproof compare` on two images whose ~SIZE_MB jar differs only in entry timestamps. The jar is too
# large to hold (> 1 MiB), so each side is spilled to a temp file while its layer streams and explained from the
# file at positions (central directory + local headers; no entry inflated: their stored bytes are equal).
# Baseline in the same run: the same bytes as a non-zip `app.bin` with one byte changed (not spilled: sizes and
# hashes only). Both runs under -Xmx$HEAP.
# Usage: bench/compare-spill.sh [SIZE_MB=50] [HEAP=64m]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
size="${1:-50}"; heap="${2:-64m}"
work="$(mktemp -d /tmp/bitproof-bench-spill-XXXXXX)"
trap 'rm -rf "$work"' EXIT
jar="$here/cli/target/bitproof.jar"
[ -f "$jar" ] || (cd "$here" && ./mvnw -B -q -o -DskipTests package >&2)
python3 "$here/bench/make-jar-images.py" "$work" "$size" >&2
mkdir -p "$work/tmp"

measure() { # label command...
  local label="$1"; shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/out" 2>"$work/err" || true
  tail -1 "$work/time" | awk -v l="$label" '{printf "%-44s %8.2f s %9.1f MiB peak RSS\n", l, $1, $2 / 1024}' | tee -a "$work/figures"
}

echo "images: one layer holding a ${size} MiB jar (entries of 64 KiB), A and B differ only in entry timestamps"
measure "baseline: app.bin differs (not spilled)" java -Xmx"$heap" -Djava.io.tmpdir="$work/tmp" -jar "$jar" compare "oci:$work/BIN_A" "oci:$work/BIN_B" --format json
measure "app.jar differs in timestamps (spilled)" java -Xmx"$heap" -Djava.io.tmpdir="$work/tmp" -jar "$jar" compare "oci:$work/A" "oci:$work/B" --format json
grep -o '"nested.note" : "[^"]*"' "$work/out" | head -1 || { echo "no nested.note in the output:" >&2; head -c 2000 "$work/out" >&2; }
echo "left in the temp dir: $(ls -A "$work/tmp" | wc -l) entries"
awk 'NR==1{b=$(NF-5)} NR==2{printf "ratio (spilled / baseline wall): %.2f\n", $(NF-5)/b}' "$work/figures"
