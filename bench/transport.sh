#!/usr/bin/env bash
# Copy throughput of bitproof's transports against skopeo, on one image with a single large random layer.
# Usage: bench/transport.sh [SIZE_MIB]   (default 256). Needs docker-registry, skopeo, curl, openssl; uses
# .ci/registry.sh's plain registry on 127.0.0.1:5000 (starts it if needed). Prints seconds and MB/s per step;
# each bitproof step includes a JVM start (about 0.5 s on a quiet machine).
set -euo pipefail
cd "$(dirname "$0")/.."
size_mib="${1:-256}"
work="$(mktemp -d /tmp/bitproof-bench.XXXXXX)"
started=""
if ! curl -s -o /dev/null -m 2 http://127.0.0.1:5000/v2/; then started=1; .ci/registry.sh start >/dev/null 2>&1 || true; fi
trap 'rm -rf "$work"; [ -z "$started" ] || .ci/registry.sh stop' EXIT
./bitproof --version >/dev/null   # builds the jar first if the sources changed
bp() { java -jar cli/target/bitproof.jar "$@"; }

# the image: one random (incompressible) layer, OCI layout with a tagged manifest
mkdir -p "$work/src/blobs/sha256"
head -c "$((size_mib * 1024 * 1024))" /dev/urandom > "$work/layer"
ld=$(sha256sum "$work/layer" | cut -c1-64); ls=$(stat -c%s "$work/layer")
mv "$work/layer" "$work/src/blobs/sha256/$ld"
printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' "$ld" > "$work/cfg"
cd_=$(sha256sum "$work/cfg" | cut -c1-64); cs=$(stat -c%s "$work/cfg"); mv "$work/cfg" "$work/src/blobs/sha256/$cd_"
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' \
  "$cd_" "$cs" "$ld" "$ls" > "$work/m"
md=$(sha256sum "$work/m" | cut -c1-64); ms=$(stat -c%s "$work/m"); mv "$work/m" "$work/src/blobs/sha256/$md"
echo '{"imageLayoutVersion":"1.0.0"}' > "$work/src/oci-layout"
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"v1"}}]}' "$md" "$ms" > "$work/src/index.json"

repo="127.0.0.1:5000/bench/r$RANDOM$RANDOM"
mb=$(( ls / 1000000 ))
step() { # label, command...  prints wall time, CPU time (user+sys, all threads) and MB/s on the wall time
  local label="$1"; shift
  local t; t=$( { TIMEFORMAT='%R %U %S'; time "$@" >/dev/null 2>&1; } 2>&1 | tail -1)
  awk -v l="$label" -v t="$t" -v mb="$mb" 'BEGIN { split(t, x, " "); s=x[1]; c=x[2]+x[3];
    if (l ~ /inspect/) printf "%-40s wall %6.2f s  cpu %6.2f s\n", l, s, c;
    else printf "%-40s wall %6.2f s  cpu %6.2f s  %7.1f MB/s\n", l, s, c, mb/s }'
}
echo "layer: $ls bytes (random), machine: $(nproc) cores, $(java -version 2>&1 | head -1)"
step "bitproof copy oci -> registry"          bp copy --quiet --insecure "oci:$work/src:v1" "docker://$repo/a:v1"
step "skopeo copy oci -> registry"            skopeo copy --dest-tls-verify=false "oci:$work/src:v1" "docker://$repo/b:v1"
step "bitproof copy registry -> oci"          bp copy --quiet --insecure "docker://$repo/a:v1" "oci:$work/back-bp:v1"
step "skopeo copy registry -> oci"            skopeo copy --src-tls-verify=false "docker://$repo/b:v1" "oci:$work/back-sk:v1"
step "bitproof copy oci -> oci-archive"       bp copy --quiet "oci:$work/src:v1" "oci-archive:$work/a.tar:v1"
step "bitproof copy oci -> docker-archive"    bp copy --quiet "oci:$work/src:v1" "docker-archive:$work/d.tar:bench:v1"
step "bitproof inspect registry (no layer)"   bp inspect --insecure "docker://$repo/a:v1"
cmp "$work/src/blobs/sha256/$ld" "$work/back-bp/blobs/sha256/$ld" && echo "round trip: layer bytes identical"
