#!/usr/bin/env bash
# Real sizes, one table: per SIZE_MB, generates a signed apko repository shaped like a real image (bench RepoGen:
# many packages, small text files and large binaries), builds it, and times every command that reads the image
# against a baseline measured in the same run on the same bytes. Each command runs once under -Xmx$HEAP (default
# 256m), then the smallest -Xmx it succeeds with is bisected over $HEAPS. Prints wall seconds, peak RSS (MiB),
# exit code, the baseline's seconds and the ratios (command / baseline: < 1 is faster), of wall time and of CPU time
# (user + system: on a shared machine the CPU ratio is the steadier figure). Asserts nothing.
#
#   build            baseline: gunzip+sha256 of every .apk + pigz -5 of the layer tar (the hardware limit)
#   verify           baseline: build's + gunzip+sha256 of the published layer
#   compare recomp   two images, same files, every layer compressed again;  baseline: umoci unpack x2 + diff -r
#   compare few      the same with 3 files changed;  baselines: umoci unpack x2 + diff -r, diffoscope on the tars
#   sbom check       the build's SPDX against the image;  baseline: gunzip+sha256 of the layer
#   copy oci->archive baseline: skopeo copy, same source and destination kind
# Then one `deb verify` line (bookworm's InRelease + Packages.xz + debs from ../shared/data/deb, when present) and a
# multi-arch line (x86_64 + aarch64, the first size per arch).
#
# Usage: bench/sizes.sh [SIZE_MB ...]   (default: 100 300 1000)
# Env: HEAP=256m  HEAPS="64 96 128 192 256" (MiB; empty skips the bisection)  BISECT_MAX_MB=1000 (no bisection above)
#      EXTRAS=0 leaves out the multi-arch and deb verify lines
# The machine's load matters: ratios are measured in the same run, absolute seconds are not comparable across runs.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
heap="${HEAP:-256m}"
heaps="${HEAPS-64 96 128 192 256}"
bisect_max="${BISECT_MAX_MB:-1000}"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100 300 1000)

./bitproof --version >/dev/null
./mvnw -B -q -o -pl core test-compile
cp_file=$(mktemp)
./mvnw -B -q -o -pl core org.apache.maven.plugins:maven-dependency-plugin:3.9.0:build-classpath -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test >/dev/null
deps=$(cat "$cp_file")
rm -f "$cp_file"
work=$(mktemp -d "${TMPDIR:-/tmp}/bitproof-sizes.XXXXXX")
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
# a copy of the jar, with its own class-data sharing archive as the launcher makes one: the run measures one build
# even if the sources change meanwhile (the launcher would rebuild the jar mid-run)
jar="$work/bitproof.jar"
cp "$root/cli/target/bitproof.jar" "$jar"
mkdir -p "$work/gen-classes"
cp -r core/target/test-classes core/target/classes "$work/gen-classes/"
cp="$work/gen-classes/test-classes:$work/gen-classes/classes:$deps"
java -XX:ArchiveClassesAtExit="$work/bitproof.jsa" -Xlog:cds=off -Xlog:cds+dynamic=off -jar "$jar" --help >/dev/null 2>&1 || true
have() { command -v "$1" >/dev/null; }

# runs "$@"; sets T (wall seconds), C (CPU seconds, user + system), R (peak RSS MiB), X (exit code)
measure() {
  X=0
  # through bash, so "$@" may be one of the functions below (exported); %M is the largest process's peak RSS
  /usr/bin/time -f "%e %U %S %M" -o "$work/time" bash -c '"$@"' _ "$@" >"$work/cmd.out" 2>"$work/cmd.err" || X=$?
  read -r T u sy kib < <(tail -1 "$work/time") || true
  C=$(echo "$u + $sy" | bc)
  R=$((kib / 1024))
}
# bitproof as the launcher runs it (with the class-data sharing archive) under -Xmx$1
bp() { java -XX:SharedArchiveFile="$work/bitproof.jsa" -Xshare:auto -Xlog:cds=off -Xlog:cds+dynamic=off -Xmx"$1" -jar "$jar" "${@:2}"; }
export work jar
export -f bp

# smallest -Xmx (of $heaps, MiB) the command succeeds with (exit 0 or 1: 1 is a finding, not a failure); "-" if none
minheap() {
  local -a hs=($heaps)
  local lo=0 hi=$((${#hs[@]} - 1)) best="-"
  [ ${#hs[@]} -gt 0 ] || { echo "n/a"; return; }
  while [ "$lo" -le "$hi" ]; do
    local mid=$(((lo + hi) / 2)) rc=0
    "$@" "${hs[$mid]}m" >/dev/null 2>&1 || rc=$?
    if [ "$rc" = 0 ] || [ "$rc" = 1 ]; then best="${hs[$mid]}m"; hi=$((mid - 1)); else lo=$((mid + 1)); fi
  done
  echo "$best"
}

ratio() { if [[ "$2" == ">"* ]]; then echo "<$(ratio "$1" "${2#>}")"; return; fi
  if [ "$2" = "-" ] || [ -z "$2" ] || [ "$(echo "$2 == 0" | bc)" = 1 ]; then echo "-"; else printf '%.2f' "$(echo "scale=3; $1 / $2" | bc)"; fi; }
row() { # label wall cpu rss exit base-label base-wall base-cpu minheap
  printf '  %-20s %7s %7s %7s %4s | %-34s %7s %7s | %6s %6s | %s\n' "$1" "$2" "$3" "$4" "$5" "$6" "$7" "$8" \
    "$(ratio "$2" "$7")" "$(ratio "$3" "$8")" "$9"
}
header() {
  printf '  %-20s %7s %7s %7s %4s | %-34s %7s %7s | %6s %6s | %s\n' command "wall s" "CPU s" "RSS MiB" exit \
    baseline "wall s" "CPU s" "wall x" "CPU x" "min -Xmx"
}
sum() { echo "$@" | tr ' ' '+' | bc; }

# the baseline's reading of inputs: gunzip+sha256 of every package of DIR's repository
read_apks() { for f in "$1"/repo/*/*.apk; do gunzip -c <"$f" 2>/dev/null | sha256sum >/dev/null; done; }
export -f read_apks

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(java -version 2>&1 | head -1); -Xmx$heap"
for s in "${sizes[@]}"; do
  dir="$work/s$s"
  mkdir -p "$dir"
  cfg=$(java -cp "$cp" dev.bitproof.rebuild.RepoGen "$dir/gen" "$s")
  echo
  echo "== ${s} MB of files: $(ls "$dir/gen/repo/x86_64" | grep -c '\.apk$') packages, $(du -sm "$dir/gen/repo" | cut -f1) MB of .apk"
  out="$dir/out"; mkdir -p "$out"
  measure bp "$heap" build --source-date-epoch 0 --no-cache --sbom-path "$out" "$cfg" bench "$out"; b=($T $C $R $X)
  [ "$X" = 0 ] || { tail -3 "$work/cmd.err"; continue; }
  layer=$(ls -S "$out/blobs/sha256" | head -1)
  echo "   image: layer $(du -m "$out/blobs/sha256/$layer" | cut -f1) MB compressed"
  pigz -dc <"$out/blobs/sha256/$layer" >"$dir/layer.tar"
  python3 bench/oci-variant.py "$out" "$dir/recomp" 0
  python3 bench/oci-variant.py "$out" "$dir/few" 3

  # baselines
  measure read_apks "$dir/gen"; t_apks=$T; c_apks=$C
  measure sh -c "pigz -5 -c <'$dir/layer.tar' >/dev/null"; t_pigz=$T; c_pigz=$C
  measure sh -c "gunzip -c <'$out/blobs/sha256/$layer' | sha256sum >/dev/null"; t_layer=$T; c_layer=$C
  t_build=$(sum "$t_apks" "$t_pigz"); t_verify=$(sum "$t_apks" "$t_pigz" "$t_layer")
  c_build=$(sum "$c_apks" "$c_pigz"); c_verify=$(sum "$c_apks" "$c_pigz" "$c_layer")
  # the build's image with a tag (umoci unpacks tags only), blobs hard-linked
  mkdir -p "$dir/orig"; cp -al "$out/blobs" "$dir/orig/"; cp "$out/oci-layout" "$dir/orig/"
  python3 -c 'import json,sys; i=json.load(open(sys.argv[1])); [m.setdefault("annotations", {}).update({"org.opencontainers.image.ref.name": "bench"}) for m in i["manifests"]]; json.dump(i, open(sys.argv[2], "w"))' "$out/index.json" "$dir/orig/index.json"
  umoci_diff() {
    rm -rf "$dir/ua" "$dir/ub"
    umoci unpack --rootless --image "$dir/orig:bench" "$dir/ua" >/dev/null && umoci unpack --rootless --image "$1:bench" "$dir/ub" >/dev/null \
      && { diff -r "$dir/ua/rootfs" "$dir/ub/rootfs" >/dev/null || true; }
  }
  export dir out; export -f umoci_diff
  t_umoci_r="-"; t_umoci_f="-"; t_dfs="-"; c_umoci_r="-"; c_umoci_f="-"; c_dfs="-"
  if have umoci; then
    measure umoci_diff "$dir/recomp"; t_umoci_r=$T; c_umoci_r=$C
    measure umoci_diff "$dir/few"; t_umoci_f=$T; c_umoci_f=$C
    chmod -R u+w "$dir/ua" "$dir/ub" 2>/dev/null || true; rm -rf "$dir/ua" "$dir/ub"
  fi
  if have diffoscope; then
    few_layer=$(ls -S "$dir/few/blobs/sha256" | head -1)
    pigz -dc <"$dir/few/blobs/sha256/$few_layer" >"$dir/few.tar"
    # diffoscope unpacks and diffs every file in Python: minutes per 100 MB, so it is stopped after $DIFFOSCOPE_MAX s
    measure timeout "${DIFFOSCOPE_MAX:-600}" diffoscope --no-progress --text "$dir/diffoscope.txt" "$dir/layer.tar" "$dir/few.tar"
    t_dfs=$T; c_dfs=$C
    [ "$X" != 124 ] || { t_dfs=">$T"; c_dfs=">$C"; }
    rm -f "$dir/few.tar" "$dir/diffoscope.txt"
  fi
  t_skopeo="-"; c_skopeo="-"
  if have skopeo; then
    measure skopeo copy --quiet "oci:$out" "oci-archive:$dir/skopeo.tar"; t_skopeo=$T; c_skopeo=$C
    rm -f "$dir/skopeo.tar"
  fi

  # the commands
  measure bp "$heap" verify --source-date-epoch 0 --no-cache --image "oci:$out" "$cfg"; v=($T $C $R $X)
  measure bp "$heap" compare "oci:$out" "oci:$dir/recomp"; cr=($T $C $R $X)
  measure bp "$heap" compare "oci:$out" "oci:$dir/few"; cf=($T $C $R $X)
  grep -c 'FILE_CHANGED' "$work/cmd.out" | grep -qx 3 || echo "   (compare few: expected 3 FILE_CHANGED findings, got $(grep -c FILE_CHANGED "$work/cmd.out"))"
  measure bp "$heap" sbom check --sbom "$out/sbom-x86_64.spdx.json" "oci:$out"; sc=($T $C $R $X)
  measure bp "$heap" copy "oci:$out" "oci-archive:$dir/bp.tar"; cp_=($T $C $R $X)
  rm -f "$dir/bp.tar"

  mh_build="n/a"; mh_verify="n/a"; mh_cr="n/a"; mh_cf="n/a"; mh_sc="n/a"; mh_cp="n/a"
  if [ "$s" -le "$bisect_max" ] && [ -n "$heaps" ]; then
    mb() { rm -rf "$dir/o2"; mkdir -p "$dir/o2"; bp "$1" build --source-date-epoch 0 --no-cache "$cfg" bench "$dir/o2"; }
    mh_build=$(minheap mb); rm -rf "$dir/o2"
    mv_() { bp "$1" verify --source-date-epoch 0 --no-cache --image "oci:$out" "$cfg"; }
    mh_verify=$(minheap mv_)
    mcr() { bp "$1" compare "oci:$out" "oci:$dir/recomp"; }
    mh_cr=$(minheap mcr)
    mcf() { bp "$1" compare "oci:$out" "oci:$dir/few"; }
    mh_cf=$(minheap mcf)
    msc() { bp "$1" sbom check --sbom "$out/sbom-x86_64.spdx.json" "oci:$out"; }
    mh_sc=$(minheap msc)
    mcp() { rm -f "$dir/bp.tar"; bp "$1" copy "oci:$out" "oci-archive:$dir/bp.tar"; }
    mh_cp=$(minheap mcp); rm -f "$dir/bp.tar"
  fi

  header
  row build "${b[@]}" "gunzip+sha256 apks, pigz -5 layer" "$t_build" "$c_build" "$mh_build"
  row verify "${v[@]}" "build's + gunzip+sha256 layer" "$t_verify" "$c_verify" "$mh_verify"
  row "compare recompressed" "${cr[@]}" "umoci unpack x2 + diff -r" "$t_umoci_r" "$c_umoci_r" "$mh_cr"
  row "compare 3 files" "${cf[@]}" "umoci unpack x2 + diff -r" "$t_umoci_f" "$c_umoci_f" "$mh_cf"
  row "" "${cf[@]}" "diffoscope on the layer tars" "$t_dfs" "$c_dfs" ""
  row "sbom check" "${sc[@]}" "gunzip+sha256 layer" "$t_layer" "$c_layer" "$mh_sc"
  row "copy oci->archive" "${cp_[@]}" "skopeo copy" "$t_skopeo" "$c_skopeo" "$mh_cp"
  have umoci || echo "  (umoci not installed: apt-get install umoci)"
  have diffoscope || echo "  (diffoscope not installed: apt-get install diffoscope-minimal)"
  have skopeo || echo "  (skopeo not installed: apt-get install skopeo)"
  chmod -R u+w "$dir" 2>/dev/null || true; rm -rf "$dir"
done

[ "${EXTRAS:-1}" = 1 ] || exit 0
# multi-arch: two archs of the first size each
s=${sizes[0]}
dir="$work/multi"
mkdir -p "$dir/out"
cfg=$(java -cp "$cp" dev.bitproof.rebuild.RepoGen "$dir/gen" "$s" x86_64,aarch64)
echo
echo "== multi-arch: x86_64 + aarch64, ${s} MB of files each"
measure bp "$heap" build --source-date-epoch 0 --no-cache "$cfg" bench "$dir/out"; b=($T $C $R $X)
measure bp "$heap" verify --source-date-epoch 0 --no-cache --image "oci:$dir/out" "$cfg"; v=($T $C $R $X)
measure read_apks "$dir/gen"; t_apks=$T; c_apks=$C
t_pigz=0; t_layer=0; c_pigz=0; c_layer=0
for l in $(ls -S "$dir/out/blobs/sha256" | head -2); do
  pigz -dc <"$dir/out/blobs/sha256/$l" >"$dir/layer.tar"
  measure sh -c "pigz -5 -c <'$dir/layer.tar' >/dev/null"; t_pigz=$(sum "$t_pigz" "$T"); c_pigz=$(sum "$c_pigz" "$C")
  measure sh -c "gunzip -c <'$dir/out/blobs/sha256/$l' | sha256sum >/dev/null"; t_layer=$(sum "$t_layer" "$T"); c_layer=$(sum "$c_layer" "$C")
done
rm -f "$dir/layer.tar"
header
row build "${b[@]}" "gunzip+sha256 apks, pigz -5 layers" "$(sum "$t_apks" "$t_pigz")" "$(sum "$c_apks" "$c_pigz")" ""
row verify "${v[@]}" "build's + gunzip+sha256 layers" "$(sum "$t_apks" "$t_pigz" "$t_layer")" "$(sum "$c_apks" "$c_pigz" "$c_layer")" ""
rm -rf "$dir"

# deb verify on bookworm's real index
data="${BITPROOF_SHARED:-../shared}/data/deb"
echo
if [ -d "$data" ]; then
  debs=("$data"/debs/*.deb)
  pk="$data/packages/bookworm_main_binary-amd64_Packages.xz"
  echo "== deb verify: bookworm InRelease + Packages.xz ($(stat -c %s "$pk") B, $(xz -dc "$pk" | grep -c '^Package:') stanzas) + ${#debs[@]} debs"
  dv() { bp "$1" deb verify --now 2026-11-29T12:00:00Z --keyring "$data/keyrings/debian-archive-keyring.gpg" \
    --release "$data/release/bookworm_InRelease" --packages "$pk" "$data"/debs/*.deb; }
  export data pk; export -f dv
  measure dv "$heap"; d=($T $C $R $X)
  measure bash -c "gpgv --keyring '$data/keyrings/debian-archive-keyring.gpg' '$data/release/bookworm_InRelease' 2>/dev/null; xz -dc '$pk' | sha256sum >/dev/null; sha256sum '$pk' ${debs[*]} >/dev/null"
  mh=$(minheap dv)
  header
  row "deb verify" "${d[@]}" "gpgv + xz -dc|sha256sum + sha256sum" "$T" "$C" "$mh"
else
  echo "== deb verify: $data is absent, skipped"
fi
