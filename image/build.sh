#!/usr/bin/env bash
# Builds bitproof's own container image reproducibly (docs/image.md): jib-core, from scratch, a jlinked Java runtime,
# bitproof's jars and classes, user 65532, no shell.
#
#   image/build.sh                      build target/image/bitproof.tar (an OCI layout tar: oci-archive:FILE)
#   image/build.sh --twice              build it twice from scratch (two jlinks, two image builds) and prove the two
#                                       are the same with `bitproof compare --require bit`
#   image/build.sh --push REF [--insecure] [--creds USER:PASS]
#                                       build and push to a registry (docker://REF)
#   image/build.sh --jdeps              also print jdeps' module list for the jars (slow: ~1 min), to check
#                                       SelfImage.MODULES against it
#   image/build.sh --no-package         reuse the jars of the last ./mvnw package
#
# SOURCE_DATE_EPOCH (creation time and every file's time) defaults to the last commit's time.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

twice=""
jdeps=""
package=1
push=()
out="target/image/bitproof.tar"
while [ $# -gt 0 ]; do
  case "$1" in
    --twice) twice=1 ;;
    --jdeps) jdeps=1 ;;
    --no-package) package="" ;;
    --push) push+=(--push "$2"); shift ;;
    --insecure) push+=(--insecure) ;;
    --creds) push+=(--creds "$2"); shift ;;
    -o|--output) out="$2"; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "image/build.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

if [ -n "$package" ]; then
  echo "image/build.sh: building the jars (./mvnw package, tests skipped)..." >&2
  ./mvnw -B -q -Dmaven.test.skip=true package >&2
fi
for f in cli/target/bitproof.jar cli/target/runtime-classpath.txt cli/target/classes; do
  [ -e "$f" ] || { echo "image/build.sh: $f is missing: run without --no-package" >&2; exit 3; }
done

if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
  SOURCE_DATE_EPOCH="$(git log -1 --format=%ct 2>/dev/null || echo 1)"
fi
export SOURCE_DATE_EPOCH
labels=(--label "org.opencontainers.image.title=bitproof"
        --label "org.opencontainers.image.version=$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' pom.xml | head -1)")
if rev="$(git rev-parse HEAD 2>/dev/null)"; then
  labels+=(--label "org.opencontainers.image.revision=$rev")
fi

if [ -n "$jdeps" ]; then
  echo "image/build.sh: jdeps on the shaded jar (compare with SelfImage.MODULES, which adds jdk.crypto.ec)..." >&2
  jdeps --print-module-deps --ignore-missing-deps --multi-release 17 cli/target/bitproof.jar
fi

self_image() {
  java -cp cli/target/bitproof.jar dev.bitproof.cli.SelfImage --classpath-file cli/target/runtime-classpath.txt \
    --classes cli/target/classes "${labels[@]}" "$@"
}

if [ "${#push[@]}" -gt 0 ]; then
  self_image "${push[@]}"
  exit 0
fi

mkdir -p "$(dirname "$out")"
if [ -z "$twice" ]; then
  self_image -o "$out"
  exit 0
fi

# twice: every step again, jlink included, into a second file; then bitproof itself compares the two
second="${out%.tar}-2.tar"
start=$(date +%s)
self_image -o "$out"
mid=$(date +%s)
self_image -o "$second"
end=$(date +%s)
echo "image/build.sh: build 1 $((mid - start)) s, build 2 $((end - mid)) s" >&2
sha256sum "$out" "$second"
java -jar cli/target/bitproof.jar compare "oci-archive:$out" "oci-archive:$second" --require bit
