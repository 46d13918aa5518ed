#!/usr/bin/env bash
# The libpq example worker (tools/job_worker.cpp) drains a queue: every
# pending job ends completed or failed, held by the worker, with its result or
# its failure recorded. Needs a running server and build/job_worker.
set -euo pipefail
cd "$(dirname "$0")/.."

db=jc_worker
trap 'dropdb --if-exists $db 2>/dev/null' EXIT
dropdb --if-exists $db 2>/dev/null
createdb $db
psql -X -q -v ON_ERROR_STOP=1 -d $db <<'SQL' >/dev/null
CREATE EXTENSION job_control;
SELECT job_control.job_create('nql-forecast', '{"nql": "SELECT 1"}', '{"company_id": 1}');
SELECT job_control.job_create('materialize-view', '{"nql": "SELECT 2", "dataset_id": 6404}', '{"company_id": 1}');
SELECT job_control.job_create('nql-forecast', '{"nql": "SELECT 3", "simulate_failure": true}', '{"company_id": 2}');
SQL
PGDATABASE=$db build/job_worker --executor worker-test --drain --max-jobs 2

outcome=$(psql -X -At -d $db -c "
    SELECT string_agg(format('%s:%s:%s:%s', input ->> 'nql', state, executor,
                             coalesce(result ->> 'rows', failures -> 0 ->> 'message')),
                      ' ' ORDER BY input ->> 'nql')
      FROM job_control.jobs")
expected='SELECT 1:completed:worker-test:42 SELECT 2:completed:worker-test:42 SELECT 3:failed:worker-test:simulated failure'
if [ "$outcome" != "$expected" ]; then
    echo "worker_test: got      $outcome"
    echo "worker_test: expected $expected"
    exit 1
fi
echo "worker_test: the libpq worker drained 3 jobs (2 completed, 1 failed)"
