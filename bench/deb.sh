#!/usr/bin/env bash
# Debian trust-chain benchmark: bitproof vs gpgv + `xz -dc | sha256sum` on the same real files, one run each,
# plus warm in-JVM figures (DebBench). Prints figures; asserts nothing. Needs ../shared/data/deb.
set -euo pipefail
cd "$(dirname "$0")/.."
data="${BITPROOF_SHARED:-../shared}/data/deb"
[ -d "$data" ] || { echo "bench/deb.sh: $data is absent" >&2; exit 3; }

./mvnw -B -q -o -DskipTests package >&2
./mvnw -B -q -o -pl core test-compile >&2
jar=cli/target/bitproof.jar
now=2026-11-29T12:00:00Z
debs=("$data"/debs/*.deb)

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(java -version 2>&1 | head -1)"
echo "inputs: bookworm_InRelease ($(stat -c %s "$data/release/bookworm_InRelease") B), Packages.xz ($(stat -c %s "$data/packages/bookworm_main_binary-amd64_Packages.xz") B), ${#debs[@]} debs ($(cat "${debs[@]}" | wc -c) B)"

t() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N); echo "$e - $s" | bc; }

echo
echo "== one cold run each (wall seconds) =="
bp=$(t java -jar "$jar" deb verify --now "$now" --keyring "$data/keyrings/debian-archive-keyring.gpg" \
  --release "$data/release/bookworm_InRelease" --packages "$data/packages/bookworm_main_binary-amd64_Packages.xz" "${debs[@]}")
echo "bitproof deb verify (InRelease + Packages.xz + ${#debs[@]} debs, cold JVM):  $bp"
gv=$(t gpgv --keyring "$data/keyrings/debian-archive-keyring.gpg" "$data/release/bookworm_InRelease")
xs=$(t bash -c "xz -dc '$data/packages/bookworm_main_binary-amd64_Packages.xz' | sha256sum; sha256sum '$data/packages/bookworm_main_binary-amd64_Packages.xz' ${debs[*]}")
echo "gpgv InRelease:                                                    $gv"
echo "xz -dc Packages.xz | sha256sum + sha256sum Packages.xz debs:       $xs"
echo "(the tools compute hashes only; bitproof also parses 63,440 stanzas, reads every deb's control and data tar and checks md5sums)"

echo
echo "== warm, in one JVM (DebBench) =="
java -cp "$jar:core/target/test-classes" dev.bitproof.deb.DebBench "$(dirname "$data")"
