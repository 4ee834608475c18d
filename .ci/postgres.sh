#!/usr/bin/env bash
# Starts/stops a throwaway PostgreSQL cluster (Debian's postgresql package) for the hook's replica tests:
#   127.0.0.1:55432, user postgres, trust auth on loopback only, data in ${BITPROOF_PG_DIR:-/tmp/bitproof-ci-postgres}.
# Tests find it at BITPROOF_PG_URL (default jdbc:postgresql://127.0.0.1:55432/postgres?user=postgres) and create
# a database of their own in it. Usage: .ci/postgres.sh start|stop|status
set -euo pipefail
dir="${BITPROOF_PG_DIR:-/tmp/bitproof-ci-postgres}"
port="${BITPROOF_PG_PORT:-55432}"
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "${1:-}" in
  start)
    if [ -z "$bin" ]; then echo "postgres: postgresql is not installed; its tests will skip" >&2; exit 0; fi
    if "$bin/pg_isready" -q -h 127.0.0.1 -p "$port"; then echo "postgres: already up on 127.0.0.1:$port" >&2; exit 0; fi
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      as_pg "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    # the socket directory is the cluster's own (no /var/run/postgresql needed); TCP on loopback for JDBC
    as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 120 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=200 -c fsync=on" start >&2 \
      || { cat "$dir/server.log" >&2; exit 1; }
    echo "postgres: up on 127.0.0.1:$port" >&2
    ;;
  stop)
    [ -n "$bin" ] && [ -f "$dir/data/postmaster.pid" ] && as_pg "$bin/pg_ctl" -D "$dir/data" -m fast stop >&2 || true
    ;;
  status)
    [ -n "$bin" ] && "$bin/pg_isready" -h 127.0.0.1 -p "$port" || echo "postgres: down"
    ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2;;
esac
