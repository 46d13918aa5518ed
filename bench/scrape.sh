#!/usr/bin/env bash
# What a Prometheus scrape costs with few and with many finished jobs: the
# queries of monitoring/postgres_exporter.yaml, exactly as shipped, run by
# pgbench as a reader (row security on, as the exporter's role) against the
# same working set (pending and running jobs) beside SMALL and then LARGE
# finished jobs. Prints, for each size, the jobs table's size, a scrape's
# average latency and the buffers its queries touch (EXPLAIN ANALYZE).
#
#   bench/scrape.sh                          10,000 then 10,000,000 finished jobs
#   SMALL=10000 LARGE=1000000 bench/scrape.sh
#
# Reported in BENCHMARKS.md ("Scraping").
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."

SMALL=${SMALL:-10000}
LARGE=${LARGE:-10000000}
MEASURE_SECONDS=${MEASURE_SECONDS:-20}

[ -n "${JOB_CONTROL_IN_ROOT:-}" ] || scripts/install-deps.sh
. scripts/pg_major.sh
scripts/build.sh
. scripts/cluster.sh
preload=()
[ "$PG_MAJOR" -lt 17 ] && preload=(shared_preload_libraries=job_control)
cluster_start "${preload[@]}" shared_buffers=512MB max_wal_size=8GB synchronous_commit=off
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }

# The working set: 200 waiting and 50 running jobs of 10 companies.
q >/dev/null <<'SQL'
CREATE EXTENSION job_control;
SELECT job_control.create_access_roles();
CREATE ROLE bench_scraper LOGIN IN ROLE job_control_reader;
SELECT job_control.job_create('nql-forecast', '{"nql": "waiting"}', jsonb_build_object('company_id', n % 10))
  FROM generate_series(1, 250) AS n;
SELECT count(*) FROM job_control.job_claim('executor-1', 50);
SQL

# The scrape: every query of the shipped file, each ended by a semicolon.
scrape=$CLUSTER_DIR/scrape.sql
awk '/^  query: \|/ { inside = 1; next }
     inside && /^  metrics:/ { print ";"; inside = 0; next }
     inside { print }' monitoring/postgres_exporter.yaml >"$scrape"
[ "$(grep -c '^;' "$scrape")" -ge 3 ] || { echo "scrape.sh: no queries found"; exit 1; }

finished=0
add_finished() {  # add_finished <count>: finished jobs as a bulk load leaves them
    q -c "INSERT INTO job_control.jobs (company_id, request_source, state, type, input,
                                        executor, result, created_at, updated_at, completed_at)
          SELECT n % 50, jsonb_build_object('company_id', n % 50), 'completed', 'nql-forecast',
                 '{\"nql\": \"SELECT count(*) FROM devices WHERE seen > now() - interval ''1 day''\"}',
                 'executor-' || n % 8, '{\"rows\": 1}',
                 now() - interval '1 day', now() - interval '1 day', now() - interval '1 day'
            FROM generate_series(1, $1) AS n" \
      -c "VACUUM ANALYZE job_control.jobs"
    finished=$((finished + $1))
}

measure() {
    local latency buffers size
    latency=$(pgbench -U bench_scraper -n -c 1 -T "$MEASURE_SECONDS" -f "$scrape" 2>&1 \
        | sed -n 's/^latency average = \([0-9.]*\) ms/\1/p')
    buffers=$(awk 'BEGIN { RS = ";" } NF { print "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " $0 ";" }' "$scrape" \
        | psql -X -q -At -U bench_scraper \
        | grep -oE '"(Shared Hit|Shared Read) Blocks": [0-9]+' | awk '{ s += $NF } END { print s }')
    size=$(q -c "SELECT pg_size_pretty(pg_total_relation_size('job_control.jobs'))")
    printf '%12s | %10s | %10s ms | %8s\n' "$finished" "$size" "$latency" "$buffers" >&2
    echo "$latency"
}

echo "== a scrape (the queries of monitoring/postgres_exporter.yaml) as a reader, PostgreSQL $PG_MAJOR"
printf '%12s | %10s | %13s | %8s\n' "finished jobs" "jobs table" "scrape" "buffers"
add_finished "$SMALL"
small=$(measure)
add_finished $((LARGE - SMALL))
large=$(measure)
echo "scrape latency, $LARGE vs $SMALL finished jobs: $(awk -v a="$large" -v b="$small" 'BEGIN { printf "%.2fx", a / b }')"
