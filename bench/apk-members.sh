#!/usr/bin/env bash
# APK data sections of many gzip members: read time against the same package with one member (same run), and the
# cost of refusing a many-member bomb at the default member limit. Prints figures; asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -o -pl core test-compile org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath -Dmdep.outputFile=target/bench.cp >/dev/null 2>&1 \
  || ./mvnw -B -q -pl core test-compile org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath -Dmdep.outputFile=target/bench.cp >&2
cp="core/target/test-classes:core/target/classes:$(cat core/target/bench.cp)"
/usr/bin/time -f "peak RSS %M KiB" java -Xmx512m -cp "$cp" dev.bitproof.apk.ApkMembersBench
