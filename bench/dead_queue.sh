#!/usr/bin/env bash
# The latency of a claim against the number of dead queue entries at the
# head of the queue: every claim deletes its job's entry, and until VACUUM
# removes it each later claim steps over its index entry. Autovacuum is off
# on the queue so that the dead entries stay; each step claims STEP more jobs
# without measuring, then measures MEASURE claims (pgbench, 1 client, as the
# application role), and a last measurement follows a VACUUM of the queue.
#
#   bench/dead_queue.sh                  # 0 to 81,000 dead entries (about a minute)
#   STEP=10000 STEPS=5 bench/dead_queue.sh
#
# Reported in BENCHMARKS.md ("Dead queue entries"). TPS on these VMs is
# noisy; what counts is the trend within one run.
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."

STEP=${STEP:-27000}
STEPS=${STEPS:-3}
MEASURE=${MEASURE:-2000}

scripts/install-deps.sh
scripts/build.sh
. scripts/cluster.sh
cluster_start synchronous_commit=off
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
q -f bench/setup.sql
pending=$((STEP * STEPS + MEASURE * (STEPS + 2)))
q -c "ALTER TABLE job_control.job_queue SET (autovacuum_enabled = false)" \
  -c "CALL bench.seed(9, $pending, 'pending')" \
  -c "VACUUM ANALYZE"

claim_script=$CLUSTER_DIR/claim.sql
echo "SELECT job ->> 'job_id' FROM job_control.job_claim('executor-1') AS job;" >"$claim_script"
claims() {  # claims <count>: prints the average latency in ms
    pgbench -U bench_app -n -M prepared -c 1 -j 1 -t "$1" -f "$claim_script" 2>&1 \
        | sed -n 's/^latency average = \([0-9.]*\) ms/\1/p'
}
dead() { q -c "SELECT n_dead_tup FROM pg_stat_user_tables WHERE relid = 'job_control.job_queue'::regclass"; }

echo "| dead queue entries at the head | latency of a claim |"
echo "|---|---|"
for step in $(seq 0 "$STEPS"); do
    [ "$step" = 0 ] || claims "$STEP" >/dev/null
    sleep 1  # the statistics of the claims just made reach the counters
    printf '| %s | %s ms |\n' "$(dead)" "$(claims "$MEASURE")"
done
q -c "VACUUM job_control.job_queue"
printf '| after VACUUM job_control.job_queue | %s ms |\n' "$(claims "$MEASURE")"
