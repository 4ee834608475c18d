#!/usr/bin/env bash
# Starts/stops Debian's docker-registry (distribution 2.8) on 127.0.0.1 for tests and manual runs:
#   plain  http://127.0.0.1:5000   no auth         (LocalRegistry.plain() finds this one)
#   basic  https://127.0.0.1:5443  htpasswd bitproof:s3cret-pass, self-signed TLS (SAN IP:127.0.0.1; use --insecure)
#   token  http://127.0.0.1:5002   bearer tokens from .ci/TokenServer.java on 127.0.0.1:5001 (anonymous: pull only;
#                                  bitproof:s3cret-pass: pull,push)
# Tests start their own basic+TLS and bearer-token registries in-JVM (LocalRegistry.basicTls()/token()).
# Usage: .ci/registry.sh start|stop|status.  State: ${BITPROOF_REGISTRY_DIR:-/tmp/bitproof-ci-registry}
set -euo pipefail
dir="${BITPROOF_REGISTRY_DIR:-/tmp/bitproof-ci-registry}"
bin="$(command -v docker-registry || true)"

answers() { # scheme host:port
  curl -ks -o /dev/null -m 2 -w '%{http_code}' "$1://$2/v2/" 2>/dev/null | grep -qE '^(200|401)$'
}

start_one() { # name port extra-yaml
  local name="$1" port="$2" extra="$3"
  local scheme=http; case "$extra" in *tls:*) scheme=https;; esac
  mkdir -p "$dir/$name/storage"
  if answers "$scheme" "127.0.0.1:$port"; then
    echo "registry: a registry already answers on $scheme://127.0.0.1:$port; using it" >&2; return 0
  fi
  if [ -f "$dir/$name/pid" ] && kill -0 "$(cat "$dir/$name/pid")" 2>/dev/null; then
    echo "registry: $name already running on $port" >&2; return 0
  fi
  cat > "$dir/$name/config.yml" <<YAML
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/$name/storage
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
  secret: bitproof-ci-$name
$extra
YAML
  "$bin" serve "$dir/$name/config.yml" >"$dir/$name/registry.log" 2>&1 &
  echo $! > "$dir/$name/pid"
  for _ in $(seq 1 100); do
    if answers "$scheme" "127.0.0.1:$port"; then echo "registry: $name on $scheme://127.0.0.1:$port" >&2; return 0; fi
    kill -0 "$(cat "$dir/$name/pid")" 2>/dev/null || { cat "$dir/$name/registry.log" >&2; return 1; }
    sleep 0.1
  done
  echo "registry: $name did not come up" >&2; return 1
}

case "${1:-}" in
  start)
    if [ -z "$bin" ]; then echo "registry: docker-registry not installed; registry tests will start none and skip" >&2; exit 0; fi
    mkdir -p "$dir/basic"
    # a failure here is not fatal: tests start their own registries when these do not answer
    start_one plain 5000 "" || echo "registry: WARNING plain registry did not start" >&2
    if command -v openssl >/dev/null && command -v htpasswd >/dev/null; then
      [ -f "$dir/basic/tls.crt" ] || openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=127.0.0.1 \
        -addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout "$dir/basic/tls.key" -out "$dir/basic/tls.crt" 2>/dev/null
      htpasswd -Bbn bitproof s3cret-pass > "$dir/basic/htpasswd"
      start_one basic 5443 "  tls:
    certificate: $dir/basic/tls.crt
    key: $dir/basic/tls.key
auth:
  htpasswd:
    realm: bitproof-basic
    path: $dir/basic/htpasswd" || echo "registry: WARNING basic registry did not start" >&2
    fi
    if command -v openssl >/dev/null && command -v java >/dev/null; then
      mkdir -p "$dir/token"
      if [ ! -f "$dir/token/token.crt" ]; then
        openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=bitproof-token-issuer \
          -keyout "$dir/token/token.key" -out "$dir/token/token.crt" 2>/dev/null
        openssl pkcs8 -topk8 -nocrypt -in "$dir/token/token.key" -out "$dir/token/token.pk8.pem"
      fi
      if ! { [ -f "$dir/tokenserver.pid" ] && kill -0 "$(cat "$dir/tokenserver.pid")" 2>/dev/null; }; then
        java "$(dirname "$0")/TokenServer.java" 5001 "$dir/token/token.pk8.pem" "$dir/token/token.crt" bitproof s3cret-pass \
          >"$dir/token/tokenserver.log" 2>&1 &
        echo $! > "$dir/tokenserver.pid"
        for _ in $(seq 1 100); do
          curl -s -o /dev/null -m 1 "http://127.0.0.1:5001/token" && break
          sleep 0.1
        done
      fi
      start_one token 5002 "auth:
  token:
    realm: http://127.0.0.1:5001/token
    service: bitproof-registry
    issuer: bitproof-token-issuer
    rootcertbundle: $dir/token/token.crt" || echo "registry: WARNING token registry did not start" >&2
    fi
    ;;
  stop)
    if [ -f "$dir/tokenserver.pid" ]; then kill "$(cat "$dir/tokenserver.pid")" 2>/dev/null || true; rm -f "$dir/tokenserver.pid"; fi
    for name in plain basic token; do
      if [ -f "$dir/$name/pid" ]; then kill "$(cat "$dir/$name/pid")" 2>/dev/null || true; rm -f "$dir/$name/pid"; fi
    done
    ;;
  status)
    answers http 127.0.0.1:5000 && echo "plain: up" || echo "plain: down"
    answers https 127.0.0.1:5443 && echo "basic: up" || echo "basic: down"
    answers http 127.0.0.1:5002 && echo "token: up" || echo "token: down"
    ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2;;
esac
