#!/usr/bin/env bash
# SBOM check throughput and memory on a hostile-size SBOM: N CycloneDX components (default 100000) checked
# against apko's golden image, and SPDX/CycloneDX generation on the golden image. Prints wall time and peak RSS.
# CPU seconds are the figure to compare: wall time on a shared 2-core machine depends on its load.
# Needs ../shared (apko golden layout). Usage: bench/sbom.sh [N]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
n="${1:-100000}"
golden="$here/../shared/data/apk/apko/internal/cli/testdata/golden"
[ -d "$golden" ] || { echo "bench/sbom.sh: $golden is missing (../shared absent)" >&2; exit 3; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
awk -v n="$n" 'BEGIN {
  printf "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"version\":1,\"components\":["
  for (i = 0; i < n; i++) {
    printf "%s{\"type\":\"library\",\"bom-ref\":\"c%d\",\"name\":\"p%d\",\"version\":\"1.0-r0\",\"purl\":\"pkg:apk/wolfi/p%d@1.0-r0?arch=x86_64\",\"hashes\":[{\"alg\":\"SHA-256\",\"content\":\"%064d\"}]}", (i ? "," : ""), i, i, i, i
  }
  printf "]}\n"
}' > "$work/big.cdx.json"
echo "SBOM: $n components, $(stat -c %s "$work/big.cdx.json") bytes"
"$here/bitproof" --version >/dev/null 2>&1 || true   # build the jar once, outside the timings
measure() {
  local label="$1"; shift
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f "$label: %e s wall, %U s user + %S s sys CPU, %M KiB peak RSS" "$@" >/dev/null 2>"$work/err" || true
    tail -1 "$work/err"
  else
    local s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; echo "$label: $(echo "$(date +%s.%N) - $s" | bc) s wall"
  fi
}
measure "check $n-component SBOM vs golden amd64 (exit 1 expected: none installed)" \
  "$here/bitproof" sbom check "oci:$golden" --platform linux/amd64 --sbom "$work/big.cdx.json" --format json
measure "check apko golden SBOMs (3 documents)" \
  "$here/bitproof" sbom check "oci:$golden" --sbom "$golden/sboms/sbom-index.spdx.json" \
  --sbom "$golden/sboms/sbom-x86_64.spdx.json" --sbom "$golden/sboms/sbom-aarch64.spdx.json"
measure "generate apko-style SPDX (2 archs + index)" \
  "$here/bitproof" sbom generate "oci:$golden" --format spdx --name golden:latest --output "$work/gen"
measure "generate CycloneDX 1.6 (arm64)" "$here/bitproof" sbom generate "oci:$golden" --format cyclonedx --platform linux/arm64
deb="$here/../shared/data/deb"
if [ -f "$deb/rootfs/distroless-like-statusd.tar.xz" ]; then
  # the language pass streams the rootfs a second time: compare with the same check on the plain tar
  xz -dc "$deb/rootfs/distroless-like-statusd.tar.xz" > "$work/rootfs.tar"
  measure "check --rootfs Debian layer (xz) vs cdxgen's gzipped SBOM" \
    "$here/bitproof" sbom check --rootfs "$deb/rootfs/distroless-like-statusd.tar.xz" --sbom "$deb/sbom/sbom-distroless-like.cdx.json.gz"
  measure "check --rootfs Debian layer (plain tar, baseline for the xz run)" \
    "$here/bitproof" sbom check --rootfs "$work/rootfs.tar" --sbom "$deb/sbom/sbom-distroless-like.cdx.json.gz"
fi
