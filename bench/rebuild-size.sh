#!/usr/bin/env bash
# Rebuild at real sizes: generates a signed apko repository of ~SIZE MB of installed files (bench RepoGen: many
# packages, small text files and large binaries), then times `bitproof build` of it under a small and a large heap,
# against the limit baseline measured in the same run (gunzip+sha256 of every package, pigz -5 of the layer tar).
# Prints wall time, peak RSS and exit code per heap, and the ratio to the baseline. Asserts nothing.
# Usage: bench/rebuild-size.sh [SIZE_MB ...]   (default: 100 300)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
./bitproof --version >/dev/null
./mvnw -B -q -o -pl core test-compile
cp_file=$(mktemp)
./mvnw -B -q -o -pl core org.apache.maven.plugins:maven-dependency-plugin:3.9.0:build-classpath -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test >/dev/null
cp="core/target/test-classes:core/target/classes:$(cat "$cp_file")"
rm -f "$cp_file"
work=$(mktemp -d "${TMPDIR:-/tmp}/bitproof-rebuild-size.XXXXXX")
trap 'rm -rf "$work"' EXIT

# runs "$@", prints "<seconds> <peak RSS MiB> <exit code>"
measure() {
  local rc=0
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/cmd.out" 2>"$work/cmd.err" || rc=$?
  read -r secs kib < <(tail -1 "$work/time") || true
  [ "$rc" = 0 ] || grep -v '^\s*at ' "$work/cmd.err" | tail -2 | sed 's/^/    /' >&2
  echo "$secs $((kib / 1024)) $rc"
}

for size in "${@:-100 300}"; do
  for s in $size; do
    dir="$work/repo$s"
    cfg=$(java -cp "$cp" dev.bitproof.rebuild.RepoGen "$dir" "$s")
    apks=$(du -sm "$dir/repo" | cut -f1)
    echo "== ${s} MB of files ($(ls "$dir/repo/x86_64" | grep -c '\.apk$') packages, ${apks} MB of .apk)"
    mkdir -p "$dir/out-big" "$dir/out-small"
    read -r t_big rss_big rc_big < <(measure java -Xmx3g -jar cli/target/bitproof.jar build --source-date-epoch 0 --no-cache --sbom-path "$dir/out-big" "$cfg" bench "$dir/out-big")
    # the baseline: read every package byte once (gunzip + sha256) and compress the layer once (pigz -5)
    layer=$(ls -S "$dir/out-big/blobs/sha256" | head -1)
    gunzip -c <"$dir/out-big/blobs/sha256/$layer" >"$work/layer.tar"
    read -r t_read _ _ < <(measure sh -c "for f in '$dir'/repo/x86_64/*.apk; do gunzip -c <\"\$f\" 2>/dev/null | sha256sum >/dev/null; done")
    read -r t_pigz _ _ < <(measure sh -c "pigz -5 -c <'$work/layer.tar' >/dev/null")
    rm -f "$work/layer.tar"
    base=$(echo "$t_read + $t_pigz" | bc)
    read -r t_small rss_small rc_small < <(measure java -Xmx256m -jar cli/target/bitproof.jar build --source-date-epoch 0 --no-cache --sbom-path "$dir/out-small" "$cfg" bench "$dir/out-small")
    printf '  baseline (gunzip+sha256 %ss, pigz -5 %ss): %ss\n' "$t_read" "$t_pigz" "$base"
    printf '  build -Xmx3g:   %6ss  %5s MiB peak RSS  exit %s  %sx baseline\n' "$t_big" "$rss_big" "$rc_big" "$(echo "scale=2; $t_big / $base" | bc)"
    printf '  build -Xmx256m: %6ss  %5s MiB peak RSS  exit %s  %sx baseline\n' "$t_small" "$rss_small" "$rc_small" "$(echo "scale=2; $t_small / $base" | bc)"
    rm -rf "$dir"
  done
done
