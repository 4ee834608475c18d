#!/usr/bin/env bash
# CLI start-up: ./bitproof --version, --help, a command's --help and two small commands, against a cold `java -version`
# on the same machine in the same run. Usage: bench/startup.sh [RUNS] (default 15). Prints the median and minimum
# wall time, the ratio of the medians to java -version's, median CPU (user+sys) and peak RSS. The launcher builds the
# jar and its CDS archive first if the sources changed (not timed).
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-15}"
work="$(mktemp -d /tmp/bitproof-bench-startup.XXXXXX)"
trap 'rm -rf "$work"' EXIT
./bitproof --version >/dev/null
# a small image for the small commands: apko's golden layout from testdata
layout="testdata/demo/published"

measure() { # label, command... -> "median min cpu rss"
  local label="$1"; shift
  : > "$work/runs"
  for _ in $(seq 1 "$runs"); do
    /usr/bin/time -f '%e %U %S %M' -o "$work/t" "$@" >/dev/null 2>&1 || true
    tail -1 "$work/t" >> "$work/runs"
  done
  local med min cpu rss
  med=$(cut -d' ' -f1 "$work/runs" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  min=$(cut -d' ' -f1 "$work/runs" | sort -n | head -1)
  cpu=$(awk '{print $2+$3}' "$work/runs" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  rss=$(cut -d' ' -f4 "$work/runs" | sort -n | tail -1)
  echo "$label|$med|$min|$cpu|$rss"
}

echo "machine: $(nproc) cores (shared with other jobs: load $(cut -d' ' -f1-3 /proc/loadavg)), $(java -version 2>&1 | head -1); $runs runs each"
{
  measure "java -version" java -version
  measure "bitproof --version" ./bitproof --version
  measure "bitproof --help" ./bitproof --help
  measure "bitproof copy --help" ./bitproof copy --help
  measure "bitproof inspect oci:golden" ./bitproof inspect "oci:$layout"
  measure "bitproof copy golden -> oci-archive" ./bitproof copy --quiet "oci:$layout" "oci-archive:$work/g.tar"
} > "$work/table"
base=$(head -1 "$work/table" | cut -d'|' -f2)
printf "%-36s %9s %9s %8s %9s %8s\n" "command" "median" "min" "ratio" "cpu" "RSS"
awk -F'|' -v base="$base" '{ printf "%-36s %7.2f s %7.2f s %7.1fx %7.2f s %5.0f MB\n", $1, $2, $3, $2 / base, $4, $5 / 1024 }' "$work/table"
