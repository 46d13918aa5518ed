#!/usr/bin/env bash
# pg_dump/pg_restore round trip: a database holding jobs in every state, and
# their transition history, comes back identical, timestamps included, and
# the restored jobs still work.
# Needs a running server (PGHOST, PGPORT, PGUSER) and the extension installed.
set -euo pipefail

src=jc_dump_src dst=jc_dump_dst
work=$(mktemp -d)
trap 'rm -rf "$work"; dropdb --if-exists $src 2>/dev/null; dropdb --if-exists $dst 2>/dev/null' EXIT
psql_q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

dropdb --if-exists $src 2>/dev/null; dropdb --if-exists $dst 2>/dev/null
createdb $src
psql_q -d $src <<'SQL' >/dev/null
CREATE EXTENSION job_control;
SET job_control.history = on;
CREATE FUNCTION pg_temp.new_job(n int) RETURNS uuid LANGUAGE sql AS $$
    SELECT (job_control.job_create('materialize-view',
                jsonb_build_object('nql', 'SELECT ' || n, 'dataset_id', 6404),
                jsonb_build_object('type', 'api_user', 'company_id', n % 3 + 1, 'user_id', 1248),
                'key-' || n) ->> 'job_id')::uuid
$$;
SELECT pg_temp.new_job(1);                                                  -- pending
SELECT job_control.job_start(pg_temp.new_job(2), 'worker-2');               -- running
SELECT job_control.job_cancel((job_control.job_start(pg_temp.new_job(3), 'worker-3') ->> 'job_id')::uuid);
SELECT job_control.job_complete((job_control.job_start(pg_temp.new_job(4), 'worker-4') ->> 'job_id')::uuid,
           '{"dataset_id": 6404, "snapshot_id": 739881302291276700}');
SELECT job_control.job_cancel(pg_temp.new_job(5));                          -- cancelled
SELECT job_control.job_fail(pg_temp.new_job(6), 'disk full', '{"free": 0}'); -- failed
-- A row bulk-loaded with its own timestamps.
INSERT INTO job_control.jobs (job_id, company_id, request_source, state, type, input,
                              created_at, updated_at, completed_at)
VALUES ('99999999-9999-9999-9999-999999999999', 1, '{"company_id": 1}', 'failed',
        'nql-forecast', '{"nql": "q"}', '2020-01-01 00:00:00.000001+00',
        '2020-01-01 00:00:00.000002+00', '2020-01-01 00:00:00.000003+00');
SQL

snapshot() {
    psql_q -d "$1" -At -c "SET TimeZone = 'UTC'" -c \
        "SELECT j::text, job_control.job_get(j.job_id)::text FROM job_control.jobs j ORDER BY job_id" -c \
        "SELECT t::text FROM job_control.job_transitions t ORDER BY job_id, transitioned_at"
}
snapshot $src >"$work/before"
jobs=$(psql_q -d $src -At -c "SELECT count(*) FROM job_control.jobs")
transitions=$(psql_q -d $src -At -c "SELECT count(*) FROM job_control.job_transitions")
[ "$jobs" -eq 7 ] || { echo "expected 7 jobs in the source database, found $jobs"; exit 1; }
[ "$transitions" -gt 6 ] || { echo "expected the history of the source jobs, found $transitions rows"; exit 1; }
psql_q -d $src -At -c "SELECT string_agg(DISTINCT state::text, ',' ORDER BY state::text) FROM job_control.jobs" \
    | grep -qx 'cancelled,completed,failed,pending,pending_cancellation,running' \
    || { echo "the source database lacks a state"; exit 1; }

pg_dump -Fc -d $src -f "$work/dump"
createdb $dst
pg_restore -d $dst --exit-on-error "$work/dump"
snapshot $dst >"$work/after"

if ! diff -u "$work/before" "$work/after"; then
    echo "dump_restore: restored jobs differ"
    exit 1
fi
# The work index is not dumped: the restore rebuilt it through the trigger.
work_index() {
    psql_q -d "$1" -At -c \
        "SELECT (SELECT string_agg(job_id::text, ',' ORDER BY job_id) FROM job_control.job_queue)
                || ' / ' || (SELECT string_agg(job_id::text, ',' ORDER BY job_id) FROM job_control.job_leases)"
}
expected_index=$(psql_q -d $dst -At -c \
    "SELECT (SELECT string_agg(job_id::text, ',' ORDER BY job_id) FROM job_control.jobs WHERE state = 'pending')
            || ' / ' || (SELECT string_agg(job_id::text, ',' ORDER BY job_id) FROM job_control.jobs
                          WHERE state IN ('running', 'pending_cancellation'))")
[ "$(work_index $dst)" = "$expected_index" ] \
    || { echo "dump_restore: work index after restore: $(work_index $dst), expected $expected_index"; exit 1; }
claimed=$(psql_q -d $dst -At -c "SELECT count(*) FROM job_control.job_claim('worker-after-restore')")
[ "$claimed" = 1 ] || { echo "dump_restore: claimed $claimed pending jobs after restore, expected 1"; exit 1; }
# The restored database is live: its running job can still fail.
state=$(psql_q -d $dst -At -c \
    "SELECT job_control.job_fail(job_id, 'after restore') ->> 'state' FROM job_control.jobs
      WHERE state = 'running' AND executor <> 'worker-after-restore'")
[ "$state" = failed ] || { echo "dump_restore: restored running job did not fail: $state"; exit 1; }
echo "dump_restore: 7 jobs in 6 states and $transitions history rows restored identically; work index rebuilt"
