#!/usr/bin/env bash
# The job lifecycle end to end: installs what is missing, builds and installs
# the extension, starts a throwaway PostgreSQL, creates a job, starts it,
# fails it with a diagnostic, shows that a second fail is a no-op, and stops
# the cluster.
#
#   scripts/demo.sh            on PostgreSQL 15, Debian 12's own
#   scripts/demo.sh --pg 17    on 17 (or 18), in a Debian root made once per
#                              machine (scripts/pg_root.sh; needs root)
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/pg_select.sh
select_pg scripts/demo.sh "$@"
[ -n "${JOB_CONTROL_IN_ROOT:-}" ] || scripts/install-deps.sh
. scripts/pg_major.sh
scripts/build.sh
. scripts/cluster.sh
# 15 and 16 count transitions for monitoring only with the library preloaded.
if [ "$PG_MAJOR" -lt 17 ]; then cluster_start shared_preload_libraries=job_control; else cluster_start; fi

psql -X -q -v ON_ERROR_STOP=1 <<'SQL'
\pset footer off
CREATE EXTENSION job_control;

\echo '== job_create: a pending materialize-view job'
SELECT job_control.job_create(
           'materialize-view',
           '{"nql": "CREATE MATERIALIZED VIEW \"sampleNQL\" AS SELECT 1", "dataset_id": 6404, "stats_enabled": true}',
           '{"type": "api_user", "company_id": 1, "user_id": 1248}',
           idempotency_key => 'demo-2026-11-28') AS job \gset
SELECT (:'job'::jsonb ->> 'job_id') AS id \gset
SELECT jsonb_pretty(:'job'::jsonb) AS created;

\echo '== job_start: an executor takes it'
SELECT jsonb_pretty(job_control.job_start(:'id', 'executor-eu-1')) AS running;

\echo '== job_fail: the executor reports a failure with a diagnostic'
SELECT jsonb_pretty(job_control.job_fail(:'id', 'Snapshot upload failed',
           '{"exit_code": 137, "stage": "upload", "snapshot_id": 739881302291276700}',
           executor => 'executor-eu-1')) AS failed;

\echo '== job_fail again: a terminal job is not changed (no write, same updated_at, one failure)'
SELECT updated_at AS updated_before FROM job_control.jobs WHERE job_id = :'id' \gset
SELECT job_control.job_fail(:'id', 'a late second report') ->> 'state' AS state,
       jsonb_array_length(job_control.job_get(:'id') -> 'failures') AS failures,
       (SELECT updated_at = :'updated_before' FROM job_control.jobs WHERE job_id = :'id') AS updated_at_unchanged;

\echo '== job_start on the failed job: refused with SQLSTATE 55000'
\set VERBOSITY verbose
\set ON_ERROR_STOP 0
SELECT job_control.job_start(:'id', 'executor-eu-2');
\set VERBOSITY default
\set ON_ERROR_STOP 1

\echo '== executors at work: 40 forecasts, 25 claimed and completed, 3 claimed, one fails'
SELECT count(*) AS created FROM (
    SELECT job_control.job_create('nql-forecast', jsonb_build_object('nql', 'forecast ' || n),
                                  '{"company_id": 1}') FROM generate_series(1, 40) AS n) AS c;
SELECT count(job_control.job_complete((j ->> 'job_id')::uuid, '{"rows": 1}')) AS completed
  FROM job_control.job_claim('executor-eu-1', 25, '{nql-forecast}') AS j;
SELECT (array_agg(j ->> 'job_id'))[1] AS failing FROM job_control.job_claim('executor-eu-2', 3) AS j \gset
SELECT job_control.job_fail(:'failing', 'Warehouse timed out after 600 s') ->> 'state' AS state;

\echo '== the page for psql users: SELECT * FROM job_control.job_monitor() \\watch 2'
\echo '   (rates cover the last minute''s whole 10-second periods: 0 in a demo of seconds)'
SELECT * FROM job_control.job_monitor();
SQL
echo "demo finished; the throwaway cluster is stopped"
