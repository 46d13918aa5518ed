#!/usr/bin/env bash
# A long run (not in CI): memory and size over time.
#
#   test/soak.sh [minutes]        (default 10; the figures every minute)
#   SOAK_RATE=800 test/soak.sh 30 (the steady mix's transactions a second)
#
# On a throwaway cluster with autovacuum on:
#   - one backend (pgbench, 1 client) makes every call in turn on its own
#     jobs, as fast as it can: create, get, start, heartbeat, cancel,
#     heartbeat, acknowledge, forced reschedule, start, complete, a late
#     fail (no-op), fail_many (no-op), and a claim and completion of
#     another job, and one round in a hundred a list (whose total_records
#     counts the table); it samples its own memory
#     (pg_backend_memory_contexts) about every 5,000 rounds;
#   - two clients make a steady mix at SOAK_RATE transactions a second:
#     create a job, or claim one and complete it;
#   - every minute, finished jobs older than 5 minutes are pruned and the
#     reaper runs (which also clears finished jobs' leases), as a DBA would
#     from pg_cron, and the script prints: the calls the backend
#     made, its memory, the sizes of the jobs table and of the work index's
#     tables with their indexes, and a claim's latency (200 claims and
#     completions of a probe's own jobs).
# Memory should be flat after warm-up, sizes bounded, the latency flat.
set -euo pipefail
cd "$(dirname "$0")/.."

minutes=${1:-10}
rate=${SOAK_RATE:-600}
export PGPORT=${SOAK_PGPORT:-54359}
. scripts/pg_major.sh
scripts/build.sh
cmake -S . -B build >/dev/null && cmake --build build -j"$(nproc)" >/dev/null
. scripts/cluster.sh
cluster_start autovacuum=on autovacuum_naptime=10s log_min_messages=log
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"; cluster_stop' EXIT
db=jc_soak
createdb $db
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d $db "$@"; }
q -c "CREATE EXTENSION job_control" \
  -c "CREATE TABLE soak_memory (at timestamptz, rounds bigint, bytes bigint)" \
  -c "CREATE SEQUENCE soak_rounds"

# The data planes keep the three workloads' claims apart.
backend_plane=00000000-0000-4000-8000-00000000000b
mix_plane=00000000-0000-4000-8000-00000000000c
probe_plane=00000000-0000-4000-8000-00000000000d
cat >"$work/backend.sql" <<SQL
\\set sample random(1, 5000)
SELECT job_control.job_create('nql-forecast', '{"nql": "soak"}', '{"company_id": 1}') ->> 'job_id' AS id \\gset
SELECT job_control.job_get(:id) IS NOT NULL;
SELECT job_control.job_start(:id, 'w1') IS NOT NULL;
SELECT job_control.job_heartbeat(:id, 'w1') IS NOT NULL;
SELECT job_control.job_cancel(:id) IS NOT NULL;
SELECT job_control.job_heartbeat(:id, 'w1') IS NOT NULL;
SELECT job_control.job_acknowledge_cancel(:id) IS NOT NULL;
SELECT job_control.job_reschedule(:id, true) IS NOT NULL;
SELECT job_control.job_start(:id, 'w1') IS NOT NULL;
SELECT job_control.job_complete(:id, '{"rows": 1}', 'w1') IS NOT NULL;
SELECT job_control.job_fail(:id, 'late') IS NOT NULL;
SELECT count(*) FROM job_control.job_fail_many(ARRAY[:id]::uuid[], 'late');
\if :sample <= 50
SELECT job_control.job_list(page_size => 5) IS NOT NULL;
\endif
SELECT job_control.job_create('materialize-view', '{"nql": "soak", "dataset_id": 1}', '{"company_id": 1}',
                              data_plane_id => '$backend_plane') IS NOT NULL;
SELECT count(job_control.job_complete((j ->> 'job_id')::uuid, NULL, 'w2'))
  FROM job_control.job_claim('w2', 1, NULL, '$backend_plane') AS j;
SELECT nextval('soak_rounds');
\\if :sample = 1
INSERT INTO soak_memory SELECT clock_timestamp(), currval('soak_rounds'), sum(total_bytes)
  FROM pg_backend_memory_contexts;
\\endif
SQL
cat >"$work/mix.sql" <<SQL
\\set op random(1, 2)
\\if :op = 1
SELECT job_control.job_create('nql-forecast', '{"nql": "mix"}', '{"company_id": 2}',
                              data_plane_id => '$mix_plane') IS NOT NULL;
\\else
SELECT count(job_control.job_complete((j ->> 'job_id')::uuid, NULL, 'mix'))
  FROM job_control.job_claim('mix', 1, NULL, '$mix_plane') AS j;
\\endif
SQL
cat >"$work/probe.sql" <<SQL
SELECT count(job_control.job_complete((j ->> 'job_id')::uuid, NULL, 'probe'))
  FROM job_control.job_claim('probe', 1, NULL, '$probe_plane') AS j;
SQL

seconds=$((minutes * 60))
"$PG_BINDIR/pgbench" -n -M prepared -c 1 -T "$seconds" -f "$work/backend.sql" $db >"$work/backend.log" 2>&1 &
backend=$!
"$PG_BINDIR/pgbench" -n -M prepared -c 2 -j 2 -R "$rate" -T "$seconds" -f "$work/mix.sql" $db >"$work/mix.log" 2>&1 &
mix=$!

size() {  # size <table>: the table with its indexes and TOAST, in kB
    q -c "SELECT pg_total_relation_size('job_control.$1') / 1024"
}
# SOAK_TICK (60) seconds between the DBA's jobs and the figures.
tick=${SOAK_TICK:-60}
printf '%6s %12s %14s %10s %10s %10s %10s %12s\n' tick rounds backend_bytes jobs_kB queue_kB leases_kB dead_jobs claim_ms
# Each tick at its time from the start, however long the last one's work
# took (pruning a minute's finished jobs can take tens of seconds).
started=$(date +%s)
for minute in $(seq $((seconds / tick))); do
    wait_for=$((started + minute * tick - $(date +%s)))
    [ "$wait_for" -le 0 ] || sleep "$wait_for"
    q -c "CALL job_control.job_prune('5 minutes')" \
      -c "SELECT count(*) FROM job_control.job_reap_stale('10 minutes')" >/dev/null
    q -c "INSERT INTO job_control.jobs (company_id, request_source, type, input, data_plane_id)
          SELECT 3, '{\"company_id\": 3}', 'nql-forecast', '{\"nql\": \"probe\"}', '$probe_plane'
            FROM generate_series(1, 200)"
    claim_ms=$("$PG_BINDIR/pgbench" -n -M prepared -c 1 -t 200 -f "$work/probe.sql" $db 2>&1 \
        | sed -n 's/^latency average = \([0-9.]*\) ms/\1/p')
    rounds= bytes=
    read -r rounds bytes < <(q -F' ' -c "SELECT rounds, bytes FROM soak_memory ORDER BY at DESC LIMIT 1") || true
    dead=$(q -c "SELECT n_dead_tup FROM pg_stat_user_tables WHERE relid = 'job_control.jobs'::regclass")
    printf '%6s %12s %14s %10s %10s %10s %10s %12s\n' "$minute" "${rounds:--}" "${bytes:--}" \
        "$(size jobs)" "$(size job_queue)" "$(size job_leases)" "$dead" "$claim_ms"
done
wait $backend || { echo "soak: the backend's run failed:"; grep -E 'error|ERROR|DETAIL|abort' "$work/backend.log" | head; exit 1; }
wait $mix || { echo "soak: the mix failed:"; grep -E 'error|ERROR|DETAIL|abort' "$work/mix.log" | head; exit 1; }
echo "backend: $(grep -E '^number of transactions actually processed' "$work/backend.log"), 16 calls each"
echo "mix: $(grep -E '^number of transactions actually processed' "$work/mix.log")"
echo "backend memory, first and last samples (rounds, bytes):"
q -F' ' -c "(SELECT rounds, bytes FROM soak_memory ORDER BY at LIMIT 3)
            UNION ALL (SELECT rounds, bytes FROM soak_memory ORDER BY at DESC LIMIT 3)"
