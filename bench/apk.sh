#!/usr/bin/env bash
# APK/APKINDEX throughput: bitproof's read+verify against `gzip -dc | sha256sum` on the same bytes, same run.
# Needs ../shared/data (the real Alpine index and the largest shared APKs). Prints figures; asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
data="${BITPROOF_SHARED:-../shared}/data/apk"
[ -d "$data" ] || { echo "bench/apk.sh: $data not found (../shared is absent)" >&2; exit 3; }
./mvnw -B -q -o -pl core test-compile org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath -Dmdep.outputFile=target/bench.cp >/dev/null 2>&1 \
  || ./mvnw -B -q -pl core test-compile org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath -Dmdep.outputFile=target/bench.cp >&2
cp="core/target/test-classes:core/target/classes:$(cat core/target/bench.cp)"
index="$data/apko/pkg/apk/apk/testdata/alpine-316/APKINDEX.tar.gz"
mapfile -t apks < <(find "$data" -name '*.apk' -printf '%s %p\n' | sort -rn | head -4 | cut -d' ' -f2-)

echo "== baseline: gzip -dc | sha256sum (best of 5, wall time incl. process start)"
for f in "$index" "${apks[@]}"; do
  size=$(stat -c %s "$f")
  best=999999
  for i in 1 2 3 4 5; do
    s=$(date +%s%N); gzip -dc < "$f" 2>/dev/null | sha256sum > /dev/null; e=$(date +%s%N)
    ms=$(( (e - s) / 1000000 )); [ "$ms" -lt "$best" ] && best=$ms
  done
  [ "$best" -lt 1 ] && best=1
  awk -v n="$(basename "$f")" -v s="$size" -v ms="$best" 'BEGIN{printf "%s: %d bytes, %d ms = %.1f MB/s compressed\n", n, s, ms, s/(ms/1000)/1e6}'
done
echo "== bitproof (in-process, warm JVM): split streams exactly, hash, parse, verify signatures/datahash/per-file SHA-1"
java -cp "$cp" dev.bitproof.apk.ApkBench "$data/derived/keys" "$index" "${apks[@]}"
