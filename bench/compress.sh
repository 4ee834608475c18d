#!/usr/bin/env bash
# Throughput of bitproof's apko-exact gzip (dev.bitproof.compress) vs java.util.zip level 5, gzip -5, pigz -5
# and, when Go and Debian's klauspost packages are installed, the Go original (whose bytes must equal ours).
# Usage: bench/compress.sh [tar]   (default: a ~100 MB tar of this machine's /usr files, made in /tmp)
set -euo pipefail
cd "$(dirname "$0")/.."
TAR=${1:-/tmp/bitproof-bench.tar}
WORK=$(mktemp -d /tmp/bitproof-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

if [ ! -f "$TAR" ]; then
  # Real content, as layers hold it: shared libraries, docs, data files; about 100 MB.
  find /usr/lib/x86_64-linux-gnu /usr/share/doc /usr/share/perl /usr/share/i18n -type f -printf '%s\t%p\n' 2>/dev/null \
    | sort -t "$(printf '\t')" -k2 > "$WORK/all" || true
  awk -F '\t' -v max=$((100*1000*1000)) '$1 <= 8000000 { t += $1; if (t > max) exit; print $2 }' "$WORK/all" > "$WORK/files"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf "$TAR" -T "$WORK/files" 2>/dev/null
fi
MB=$(stat -c %s "$TAR" | awk '{ printf "%.1f", $1 / 1e6 }')

./mvnw -B -q -o -pl core test-compile >&2
java -cp core/target/classes:core/target/test-classes dev.bitproof.compress.CompressBench "$TAR" "$WORK/ours.gz"

timed() { # label, command...
  local label=$1; shift
  local t0 t1
  t0=$(date +%s.%N); "$@" < "$TAR" > "$WORK/out.gz"; t1=$(date +%s.%N)
  awk -v l="$label" -v mb="$MB" -v t0="$t0" -v t1="$t1" -v sz="$(stat -c %s "$WORK/out.gz")" \
    'BEGIN { d = t1 - t0; printf "%-36s %8.1f MB/s  %6.2f s  ratio %.3f\n", l, mb / d, d, sz / (mb * 1e6) }'
}
timed "gzip -5, 1 thread" gzip -5 -c
if command -v pigz >/dev/null; then
  timed "pigz -5, $(nproc) threads" pigz -5 -p "$(nproc)" -c
else
  echo "pigz not installed (apt-get install pigz)"
fi

if command -v go >/dev/null && [ -d /usr/share/gocode/src/github.com/klauspost/pgzip ]; then
  mkdir -p "$WORK/src/kref"
  cat > "$WORK/src/kref/main.go" <<'GO'
package main

import (
	"io"
	"os"

	gzip "github.com/klauspost/pgzip"
)

func main() {
	w := gzip.NewWriter(os.Stdout)
	if _, err := io.Copy(w, os.Stdin); err != nil {
		panic(err)
	}
	if err := w.Close(); err != nil {
		panic(err)
	}
}
GO
  (cd "$WORK/src/kref" && GOPATH="$WORK:/usr/share/gocode" GO111MODULE=off GOCACHE="$WORK/gocache" go build -o "$WORK/kref" .)
  timed "Go klauspost/pgzip, $(nproc) threads" "$WORK/kref"
  if cmp -s "$WORK/out.gz" "$WORK/ours.gz"; then
    echo "bytes: ours (v1.15.10-v1.18.1 rule) == Go klauspost/pgzip 1.15.12 ($(sha256sum < "$WORK/ours.gz" | cut -c1-16)…)"
  else
    echo "bytes: ours != Go klauspost/pgzip: $(cmp "$WORK/out.gz" "$WORK/ours.gz" | head -1)"
    exit 1
  fi
else
  echo "Go reference not available (apt-get install golang-go golang-github-klauspost-pgzip-dev)"
fi
