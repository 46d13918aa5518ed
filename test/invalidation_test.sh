#!/usr/bin/env bash
# Catalog invalidations in the middle of calls. The calls without SQL cache
# what they learnt of the extension's tables (catalog_cache.hpp); PostgreSQL
# resets those caches whenever a relcache invalidation arrives, which any
# catalog lookup inside a call may process. A VACUUM or ANALYZE (autovacuum's
# too) sends one for each table it updates statistics of. Here four clients
# make every kind of call while a fifth vacuums and analyzes the extension's
# tables without a pause: every call must answer as the spec says (a call
# that read a reset cache raised "relation with OID 0 does not exist", found
# by test/soak.sh after a minute of autovacuum). Needs a running server.
set -euo pipefail
cd "$(dirname "$0")/.."

db=jc_invalidation
SECONDS_OF_LOAD=${SECONDS_OF_LOAD:-15}
PG_BINDIR=${PG_BINDIR:-$("${PG_CONFIG:-pg_config}" --bindir)}
work=$(mktemp -d)
trap 'rm -rf "$work"; dropdb --if-exists $db 2>/dev/null' EXIT
dropdb --if-exists $db 2>/dev/null
createdb $db
psql -X -q -v ON_ERROR_STOP=1 -d $db >/dev/null <<'SQL'
CREATE EXTENSION job_control;
CREATE FUNCTION client_plane(client int) RETURNS uuid LANGUAGE sql IMMUTABLE
  AS $$ SELECT ('00000000-0000-4000-8000-' || lpad(client::text, 12, '0'))::uuid $$;
SQL

# Each client claims on a data plane of its own: only its own jobs.
cat >"$work/calls.sql" <<'SQL'
SELECT job_control.job_create('nql-forecast', '{"nql": "inval"}', '{"company_id": 1}',
                              data_plane_id => client_plane(:client_id)) ->> 'job_id' AS id \gset
SELECT job_control.job_get(:id) IS NOT NULL;
SELECT job_control.job_start(:id, 'w1') IS NOT NULL;
SELECT job_control.job_heartbeat(:id, 'w1') IS NOT NULL;
SELECT job_control.job_cancel(:id) IS NOT NULL;
SELECT job_control.job_acknowledge_cancel(:id) IS NOT NULL;
SELECT job_control.job_reschedule(:id, true) IS NOT NULL;
SELECT count(job_control.job_complete((j ->> 'job_id')::uuid, NULL, 'w2'))
  FROM job_control.job_claim('w2', 1, ARRAY['nql-forecast']::job_control.job_type[], client_plane(:client_id)) AS j;
SELECT job_control.job_fail(:id, 'late') IS NOT NULL;
SELECT count(*) FROM job_control.job_fail_many(ARRAY[:id]::uuid[], 'late');
SQL
cat >"$work/maintenance.sql" <<'SQL'
VACUUM job_control.jobs;
ANALYZE job_control.job_queue;
VACUUM job_control.job_leases;
ANALYZE job_control.jobs;
SQL

"$PG_BINDIR/pgbench" -n -c 1 -T "$SECONDS_OF_LOAD" -f "$work/maintenance.sql" $db \
    >"$work/maintenance.log" 2>&1 &
maintenance=$!
status=0
"$PG_BINDIR/pgbench" -n -M prepared -c 4 -j 2 -T "$SECONDS_OF_LOAD" -f "$work/calls.sql" $db \
    >"$work/calls.log" 2>&1 || status=$?
wait $maintenance || { echo "invalidation_test: the maintenance client failed"; cat "$work/maintenance.log"; exit 1; }
if [ $status -ne 0 ] || grep -q 'error' "$work/calls.log"; then
    echo "invalidation_test: a call failed while the tables were vacuumed and analyzed:"
    grep -E 'error|ERROR' "$work/calls.log" | head -5
    exit 1
fi

. test/checks.sh
check_invariants $db || { echo "invalidation_test: the invariants above are broken"; exit 1; }
echo "invalidation_test: $(sed -n 's/^number of transactions actually processed: \([0-9]*\)$/\1/p' "$work/calls.log") rounds of 10 calls by 4 clients," \
     "$(sed -n 's/^number of transactions actually processed: \([0-9]*\)$/\1/p' "$work/maintenance.log") rounds of VACUUM and ANALYZE beside them: every call answered"
