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
cluster_start

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
SQL
echo "demo finished; the throwaway cluster is stopped"
