#!/usr/bin/env bash
# Benchmark: what the nested-format explanation costs `bitproof compare` on content that does NOT differ.
# Files between 64 KiB and 1 MiB whose name or magic bytes say "nested format" (here: named *.gz) are held in memory
# while their layer streams, so a differing one can be explained; identical ones are released when paired.
# Baseline in the same run: the same images with the files named *.bin (not held). A/C: every layer blob differs
# (compressed at another level), so every file of every layer is streamed; one file differs (not a real gzip:
# explained as far as its bytes allow).
# Usage: bench/compare-nested.sh [SIZE_MB=200] [LAYERS=4] [FILES_PER_LAYER=300] [HEAP=64m]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
size="${1:-200}"; layers="${2:-4}"; files="${3:-300}"; heap="${4:-64m}"
work="$(mktemp -d /tmp/bitproof-bench-nested-XXXXXX)"
trap 'rm -rf "$work"' EXIT
jar="$here/cli/target/bitproof.jar"
[ -f "$jar" ] || (cd "$here" && ./mvnw -B -q -o -DskipTests package >&2)
python3 "$here/bench/make-images.py" "$work/bin" "$size" "$layers" "$files" .bin >&2
python3 "$here/bench/make-images.py" "$work/gz" "$size" "$layers" "$files" .gz >&2

measure() { # label command...
  local label="$1"; shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/out" 2>"$work/err" || true
  tail -1 "$work/time" | awk -v l="$label" '{printf "%-40s %8.2f s %9.1f MiB peak RSS\n", l, $1, $2 / 1024}' | tee -a "$work/figures"
}

echo "images: 2 x ${size} MB, ${layers} layers x ${files} files of $(( size * 1024 * 1024 / (layers * files) / 1024 )) KiB, all layers read"
measure "baseline: files *.bin (not held)" java -Xmx"$heap" -jar "$jar" compare "oci:$work/bin/A" "oci:$work/bin/C" --format json
measure "files *.gz (held up to 1 MiB)" java -Xmx"$heap" -jar "$jar" compare "oci:$work/gz/A" "oci:$work/gz/C" --format json
grep -c '"code" : "FILE_CHANGED"' "$work/out" >&2 || true
awk 'NR==1{b=$(NF-5)} NR==2{printf "ratio (held / baseline wall): %.2f\n", $(NF-5)/b}' "$work/figures"
