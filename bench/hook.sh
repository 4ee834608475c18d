#!/usr/bin/env bash
# The registry hook under load (loopback only, bounded). Usage: bench/hook.sh [EVENTS] [PUSHES] [KILLS]
#   1. baseline: GET /healthz EVENTS times (the server alone), then EVENTS distinct push events POSTed 16 at once:
#      events/s stored-and-acknowledged on SQLite (and on PostgreSQL when .ci/postgres.sh's cluster answers),
#      ratio to the baseline, the hook's peak RSS (VmHWM) after the burst.
#   2. soak: Debian's docker-registry notifying the hook; PUSHES distinct small images pushed 8 at once while the
#      hook is killed with SIGKILL KILLS times and restarted on the same port; then: pushed, verified, lost,
#      duplicated, push-to-result p50/p99, peak RSS over the hook processes.
#   3. the same with two replicas on PostgreSQL (.ci/postgres.sh's cluster), the registry notifying both, one of
#      them killed KILLS times (lease 5 s: its running job goes to the other replica).
# Needs docker-registry and a JDK; builds the jar through ./bitproof.
set -euo pipefail
cd "$(dirname "$0")/.."
events="${1:-1000}"; pushes="${2:-200}"; kills="${3:-3}"
work="$(mktemp -d /tmp/bitproof-hook-bench.XXXXXX)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
./bitproof --version >/dev/null
javac -d "$work/cls" bench/HookLoad.java
load() { java -cp "$work/cls" HookLoad "$@"; }
peak=0
note_rss() { local kb; kb=$(awk '/VmHWM/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0); [ "${kb:-0}" -gt "$peak" ] && peak=$kb; true; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

start_registry() { # DIR PORT URL…   (the registry notifies every URL)
  local dir="$1" regport="$2"; shift 2
  mkdir -p "$dir"
  { echo "version: 0.1"; echo "log: {level: error, accesslog: {disabled: true}}"
    echo "storage: {filesystem: {rootdirectory: $dir/storage}}"; echo "http: {addr: \"127.0.0.1:$regport\", secret: bench}"
    echo "notifications:"; echo "  endpoints:"
    local i=0; for u in "$@"; do echo "    - {name: hook$i, url: \"$u\", timeout: 5s, threshold: 3, backoff: 1s}"; i=$((i+1)); done
  } > "$dir/config.yml"
  docker-registry serve "$dir/config.yml" >"$dir/log" 2>&1 & pids+=($!); disown $! 2>/dev/null || true
  for _ in $(seq 1 600); do curl -s -o /dev/null "http://127.0.0.1:$regport/v2/" && return 0; sleep 0.05; done
  echo "registry did not start:"; cat "$dir/log"; exit 1
}

start_hook() { # STATE PORT REGISTRY extra…   (sets hook_pid, hook_port)
  local state="$1" port="$2" reg="$3"; shift 3
  rm -f "$state.port"
  java -Xmx512m -jar cli/target/bitproof.jar hook serve --listen "127.0.0.1:$port" --port-file "$state.port" \
    --state "$state" --registry "$reg" --insecure --workers 2 "$@" 2>>"$state.log" &
  hook_pid=$!; pids+=("$hook_pid"); disown "$hook_pid" 2>/dev/null || true
  for _ in $(seq 1 6000); do
    [ -f "$state.port" ] && break
    kill -0 "$hook_pid" 2>/dev/null || { echo "hook did not start:"; cat "$state.log"; exit 1; }
    sleep 0.05
  done
  hook_port=$(cat "$state.port")
}

echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1)"
echo "== 1. ingest: $events events, 16 at once (registry unreachable: each job fails fast, --max-attempts 1)"
start_hook "$work/ingest" 0 127.0.0.1:1 --max-attempts 1
base=$(load healthz "http://127.0.0.1:$hook_port" "$events" 16); echo "$base"
sqlite=$(load events "http://127.0.0.1:$hook_port" "$events" 16); echo "sqlite $sqlite"
note_rss "$hook_pid"; echo "sqlite hook peak RSS after the burst: $((peak / 1024)) MiB (-Xmx512m)"
kill -9 "$hook_pid"
awk -v a="$base" -v b="$sqlite" 'BEGIN { split(a, x, "= "); split(b, y, "= "); printf "ratio events/s : healthz/s = %.2f\n", y[2] / x[2] }'
if command -v pg_isready >/dev/null || ls /usr/lib/postgresql/*/bin/pg_isready >/dev/null 2>&1; then
  pgdb="hookbench$RANDOM$RANDOM"
  if psql -h 127.0.0.1 -p 55432 -U postgres -qc "CREATE DATABASE $pgdb" >/dev/null 2>&1; then
    peak=0
    start_hook "$work/ingest-pg" 0 127.0.0.1:1 --max-attempts 1 --database "jdbc:postgresql://127.0.0.1:55432/$pgdb?user=postgres"
    echo "postgresql $(load events "http://127.0.0.1:$hook_port" "$events" 16)"
    note_rss "$hook_pid"; echo "postgresql hook peak RSS after the burst: $((peak / 1024)) MiB"
    kill -9 "$hook_pid"
  else
    echo "postgresql: skipped (no cluster on 127.0.0.1:55432; .ci/postgres.sh start)"
  fi
fi

echo "== 2. soak: $pushes pushes through docker-registry, $kills kill -9 of the hook"
command -v docker-registry >/dev/null || { echo "soak skipped: docker-registry is not installed"; exit 0; }
peak=0
# the hook must know the registry's address and the registry the hook's: the hook binds port 0 first and is told the
# registry's port, a port picked here (docker-registry cannot report one it picked itself)
regport=$(free_port)
start_hook "$work/soak" 0 "127.0.0.1:$regport"
port="$hook_port"
start_registry "$work/reg" "$regport" "http://127.0.0.1:$port/events"
load push "127.0.0.1:$regport" bench/soak "$pushes" 8 "$work/pushed" & pusher=$!
for k in $(seq 1 "$kills"); do
  sleep 2
  note_rss "$hook_pid"; kill -9 "$hook_pid"; while kill -0 "$hook_pid" 2>/dev/null; do sleep 0.05; done
  echo "killed the hook (kill $k), restarting on port $port"
  start_hook "$work/soak" "$port" "127.0.0.1:$regport"
done
wait "$pusher"
load await "http://127.0.0.1:$port" "$work/pushed" 900
note_rss "$hook_pid"
echo "soak hook peak RSS (max over its processes): $((peak / 1024)) MiB (-Xmx512m)"

echo "== 3. soak on PostgreSQL: two replicas, $pushes pushes, $kills kill -9 of replica A"
pgdb="hooksoak$RANDOM$RANDOM"
if ! psql -h 127.0.0.1 -p 55432 -U postgres -qc "CREATE DATABASE $pgdb" >/dev/null 2>&1; then
  echo "skipped: no PostgreSQL on 127.0.0.1:55432 (.ci/postgres.sh start)"; exit 0
fi
db="jdbc:postgresql://127.0.0.1:55432/$pgdb?user=postgres"
peak=0
regport=$(free_port)
start_hook "$work/pg-b" 0 "127.0.0.1:$regport" --database "$db" --lease-seconds 5; pid_b=$hook_pid; port_b=$hook_port
start_hook "$work/pg-a" 0 "127.0.0.1:$regport" --database "$db" --lease-seconds 5; port_a=$hook_port
start_registry "$work/reg-pg" "$regport" "http://127.0.0.1:$port_a/events" "http://127.0.0.1:$port_b/events"
load push "127.0.0.1:$regport" bench/soak-pg "$pushes" 8 "$work/pushed-pg" & pusher=$!
for k in $(seq 1 "$kills"); do
  sleep 2
  note_rss "$hook_pid"; kill -9 "$hook_pid"; while kill -0 "$hook_pid" 2>/dev/null; do sleep 0.05; done
  echo "killed replica A (kill $k), restarting on port $port_a"
  start_hook "$work/pg-a" "$port_a" "127.0.0.1:$regport" --database "$db" --lease-seconds 5
done
wait "$pusher"
load await "http://127.0.0.1:$port_b" "$work/pushed-pg" 900
note_rss "$hook_pid"; note_rss "$pid_b"
echo "replica counts: A $(curl -s "http://127.0.0.1:$port_a/metrics" | awk '/^bitproof_hook_jobs_total/ {s+=$2} END {print s+0}') (since its last restart), B $(curl -s "http://127.0.0.1:$port_b/metrics" | awk '/^bitproof_hook_jobs_total/ {s+=$2} END {print s+0}')"
echo "postgresql soak peak RSS (max over the replicas' processes): $((peak / 1024)) MiB (-Xmx512m)"
