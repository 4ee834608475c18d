#!/usr/bin/env bash
# bitproof copy against skopeo copy, side by side in one run, on the same images, every direction:
# oci <-> oci-archive, oci <-> docker-archive, oci <-> docker:// (a local docker-registry), oci -> oci.
# Usage: bench/transport.sh [SIZES_MB] [RUNS]   e.g. bench/transport.sh "100 300" 3   (defaults "100 300", 3)
# Images: bench/make-images.py (4 gzip layers of pseudo-random files, ~SIZE MB). Each step runs RUNS times
# alternating bitproof and skopeo; the median wall time and CPU time (user+sys of the client process; the registry's
# own work is not counted) are printed with the ratios bitproof/skopeo, and the peak RSS (max over the runs). Wall time includes the JVM start. Registry pushes go to a fresh repository every run, so
# nothing is skipped. Needs docker-registry, skopeo, curl, python3; uses .ci/registry.sh's plain registry on
# 127.0.0.1:5000 (starts it if needed) unless BENCH_REGISTRY names another. BITPROOF=... overrides the command (default: ./bitproof).
set -euo pipefail
cd "$(dirname "$0")/.."
sizes="${1:-100 300}"
runs="${2:-3}"
work="$(mktemp -d /tmp/bitproof-bench-transport.XXXXXX)"
started=""
# BENCH_REGISTRY=host:port: a plain-http registry of your own (the shared 127.0.0.1:5000 one may be stopped by
# another run halfway through); it must already answer
reg="${BENCH_REGISTRY:-127.0.0.1:5000}"
if [ -z "${BENCH_REGISTRY:-}" ] && ! curl -s -o /dev/null -m 2 "http://$reg/v2/"; then started=1; .ci/registry.sh start >/dev/null 2>&1 || true; fi
trap 'rm -rf "$work"; [ -z "$started" ] || .ci/registry.sh stop' EXIT
./bitproof --version >/dev/null   # builds the jar (and its CDS archive) first if the sources changed
bp=(${BITPROOF:-./bitproof})
sk=(skopeo --insecure-policy)

# one timed run: prints "seconds peak_rss_kb cpu_seconds"; fails the script when the command fails
timed() {
  local out="$work/time.$$"
  if ! /usr/bin/time -f '%e %M %U %S' -o "$out" "$@" >/dev/null 2>"$work/stderr"; then
    echo "FAILED: $*" >&2; cat "$work/stderr" >&2; exit 1
  fi
  tail -1 "$out" | awk '{print $1, $2, $3 + $4}'
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# step LABEL SETUP -- BITPROOF-ARGS -- SKOPEO-ARGS ; SETUP is eval'd before every run (cleans the destination);
# @N@ in an argument is replaced by the run number (fresh registry repositories)
step() {
  local label="$1" setup="$2"; shift 2
  [ "$1" = "--" ] && shift
  local b=() s=()
  while [ "$1" != "--" ]; do b+=("$1"); shift; done; shift
  s=("$@")
  : > "$work/bt"; : > "$work/st"; : > "$work/br"; : > "$work/sr"; : > "$work/bc"; : > "$work/sc"
  for i in $(seq 1 "$runs"); do
    eval "$setup"
    # shellcheck disable=SC2001
    read -r t r c < <(timed "${bp[@]}" copy --quiet "${b[@]//@N@/bp$i}"); echo "$t" >> "$work/bt"; echo "$r" >> "$work/br"; echo "$c" >> "$work/bc"
    eval "$setup"
    # skopeo remembers where it saw each blob (blob-info cache) and mounts it from there instead of uploading; a
    # cold cache makes each run push what bitproof pushes (the registry -> registry step mounts from the source)
    rm -f /var/lib/containers/cache/blob-info-cache-v1.boltdb "${XDG_DATA_HOME:-$HOME/.local/share}/containers/cache/blob-info-cache-v1.boltdb"
    read -r t r c < <(timed "${sk[@]}" copy -q "${s[@]//@N@/sk$i}"); echo "$t" >> "$work/st"; echo "$r" >> "$work/sr"; echo "$c" >> "$work/sc"
  done
  local bt st br sr bc sc
  bt=$(median < "$work/bt"); st=$(median < "$work/st"); bc=$(median < "$work/bc"); sc=$(median < "$work/sc")
  br=$(sort -n "$work/br" | tail -1); sr=$(sort -n "$work/sr" | tail -1)
  awk -v l="$label" -v bt="$bt" -v st="$st" -v br="$br" -v sr="$sr" -v bc="$bc" -v sc="$sc" 'BEGIN {
    printf "%-30s %6.2f s %6.2f s  %5.2fx   %5.2f s %5.2f s  %5.2fx  %5.0f MB %4.0f MB\n", l, bt, st, bt / st, bc, sc, bc / sc, br / 1024, sr / 1024 }'
}

echo "registry: $reg"
echo "machine: $(nproc) cores (shared with other jobs: load $(cut -d' ' -f1-3 /proc/loadavg)), $(java -version 2>&1 | head -1), $(skopeo --version)"
for size in $sizes; do
  img="$work/img$size"
  python3 bench/make-images.py "$img" "$size" 4 2000 >/dev/null
  src="$img/A"
  mb=$(du -sm --apparent-size "$src/blobs" | cut -f1)
  o="$work/out"
  echo
  echo "image: ${size} MB requested, $mb MB of blobs (4 gzip layers), median of $runs runs"
  printf "%-30s %8s %8s  %6s   %7s %7s  %6s  %8s %7s\n" "copy" "bp wall" "sk wall" "ratio" "bp cpu" "sk cpu" "ratio" "bp RSS" "sk RSS"
  # archives made once by each tool as sources for the reverse directions
  rm -rf "$o"; mkdir -p "$o"
  "${bp[@]}" copy --quiet "oci:$src:bench" "oci-archive:$work/src-oci.tar:bench" >/dev/null
  "${bp[@]}" copy --quiet "oci:$src:bench" "docker-archive:$work/src-docker.tar:bench:v1" >/dev/null
  "${sk[@]}" copy -q "oci:$src:bench" "docker-archive:$work/src-docker-sk.tar:bench:v1"
  "${sk[@]}" copy -q "oci:$src:bench" "docker://$reg/bench/src$size:v1" --dest-tls-verify=false
  clean='rm -rf "$o"; mkdir -p "$o"'
  step "oci -> oci"                 "$clean" -- "oci:$src:bench" "oci:$o/l:bench" -- "oci:$src:bench" "oci:$o/l:bench"
  step "oci -> oci-archive"         "$clean" -- "oci:$src:bench" "oci-archive:$o/a.tar:bench" -- "oci:$src:bench" "oci-archive:$o/a.tar:bench"
  step "oci-archive -> oci"         "$clean" -- "oci-archive:$work/src-oci.tar:bench" "oci:$o/l:bench" -- "oci-archive:$work/src-oci.tar:bench" "oci:$o/l:bench"
  step "oci -> docker-archive"      "$clean" -- "oci:$src:bench" "docker-archive:$o/d.tar:bench:v1" -- "oci:$src:bench" "docker-archive:$o/d.tar:bench:v1"
  step "docker-archive -> oci"      "$clean" -- "docker-archive:$work/src-docker.tar" "oci:$o/l:bench" -- "docker-archive:$work/src-docker.tar" "oci:$o/l:bench"
  step "oci -> registry"            "$clean" -- --insecure "oci:$src:bench" "docker://$reg/bench/p$size-$$-@N@:v1" \
       -- --dest-tls-verify=false "oci:$src:bench" "docker://$reg/bench/p$size-$$-@N@:v1"
  step "registry -> oci"            "$clean" -- --insecure "docker://$reg/bench/src$size:v1" "oci:$o/l:bench" \
       -- --src-tls-verify=false "docker://$reg/bench/src$size:v1" "oci:$o/l:bench"
  step "registry -> registry (mount)" "" -- --insecure "docker://$reg/bench/src$size:v1" "docker://$reg/bench/m$size-$$-@N@:v1" \
       -- --src-tls-verify=false --dest-tls-verify=false "docker://$reg/bench/src$size:v1" "docker://$reg/bench/m$size-$$-@N@:v1"
  # correctness: the layout copied back from the registry holds the source's blobs byte for byte
  rm -rf "$o"; mkdir -p "$o"
  "${bp[@]}" copy --quiet --insecure "docker://$reg/bench/p$size-$$-bp1:v1" "oci:$o/back:bench"  >/dev/null
  for f in "$src"/blobs/sha256/*; do cmp -s "$f" "$o/back/blobs/sha256/$(basename "$f")" || { echo "round trip differs: $f" >&2; exit 1; }; done
  echo "round trip oci -> registry -> oci: every blob byte-identical"
  rm -rf "$img" "$work"/src-*.tar
done
