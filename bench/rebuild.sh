#!/usr/bin/env bash
# Rebuild benchmark: wall time per step and peak heap for apko's golden config and a synthetic 50-package
# config. Prints figures; asserts nothing. Usage: bench/rebuild.sh [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -o -pl core test-compile
cp_file=$(mktemp)
./mvnw -B -q -pl core org.apache.maven.plugins:maven-dependency-plugin:3.9.0:build-classpath -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test >/dev/null
java -Xmx2g -Dbitproof.shared="$PWD/../shared" -cp "core/target/test-classes:core/target/classes:$(cat "$cp_file")" \
  dev.bitproof.rebuild.RebuildBench "${1:-5}"
rm -f "$cp_file"
