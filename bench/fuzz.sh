#!/usr/bin/env bash
# Long fuzz run: the same harnesses the test suite samples (ParserFuzzTest, DebFuzzTest, AttestFuzzTest; see
# core/src/test/java/dev/bitproof/testing/Fuzz.java), N mutants per target from a chosen seed. Prints, per
# target, runs / accepted / refused / findings, then the totals, runs per second and peak RSS. A finding's bytes
# are saved under core/target/fuzz-findings/; move it to core/src/test/resources/fuzz/<target>/ once fixed, so
# every later run replays it first. Usage: bench/fuzz.sh [N per target, default 200000] [seed, default 18]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-200000}"
seed="${2:-18}"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(java -version 2>&1 | head -1)"
echo "fuzz: $n mutants per target, seed $seed"
start=$(date +%s)
status=0
/usr/bin/time -v ./mvnw -B -o -pl attest -am test -Dtest='ParserFuzzTest,DebFuzzTest,AttestFuzzTest' \
  -Dsurefire.failIfNoSpecifiedTests=false -Dbitproof.fuzz.iterations="$n" -Dbitproof.fuzz.seed="$seed" \
  >"$log" 2>&1 || status=$?
end=$(date +%s)
grep '^fuzz ' "$log" | sort
runs=$(grep '^fuzz ' "$log" | awk '{s += $3} END {print s + 0}')
finds=$(grep '^fuzz ' "$log" | awk '{s += $(NF-1)} END {print s + 0}')
secs=$((end - start))
echo "total: $runs runs, $finds findings, ${secs} s wall (incl. build and JVM start), $((runs / (secs > 0 ? secs : 1))) runs/s"
echo "peak RSS: $(grep 'Maximum resident' "$log" | awk '{print $NF}') KiB (largest process: the surefire JVM)"
grep -E 'escaped|meaning-changing|hang:' "$log" | head -20 || true
exit "$status"
