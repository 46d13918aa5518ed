#!/usr/bin/env bash
# Eight clients race fails, cancellations, completions and restarts (a
# forced reschedule and a start in one statement) on the same 16 jobs, with the history on;
# then every job's history must be one unbroken chain of moves of the state
# table ending in the job's state, with one failure entry per move to
# failed, the work index must hold exactly the pending jobs, and
# pg_amcheck --heapallindexed must find every table and index consistent. A lost
# update, a move out of order or a skipped re-check under the row lock
# breaks one of these. Needs a running server (pgbench from PG_BINDIR).
set -euo pipefail
cd "$(dirname "$0")/.."

db=jc_race
CLIENTS=${CLIENTS:-8}
TRANSACTIONS=${TRANSACTIONS:-1500}
PG_BINDIR=${PG_BINDIR:-$("${PG_CONFIG:-pg_config}" --bindir)}
script=$(mktemp)
trap 'rm -f "$script"; dropdb --if-exists $db 2>/dev/null' EXIT
dropdb --if-exists $db 2>/dev/null
createdb $db
psql -X -q -v ON_ERROR_STOP=1 -d $db <<'SQL' >/dev/null
CREATE EXTENSION job_control;
ALTER DATABASE jc_race SET job_control.history = on;
SQL
psql -X -q -v ON_ERROR_STOP=1 -d $db <<'SQL' >/dev/null
CREATE FUNCTION race_job(n int) RETURNS uuid LANGUAGE sql IMMUTABLE
  AS $$ SELECT ('00000007-0000-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid $$;
INSERT INTO job_control.jobs (job_id, company_id, request_source, type, input)
SELECT race_job(n), 1, '{"company_id": 1}', 'nql-forecast', '{"nql": "race"}'
  FROM generate_series(1, 16) AS n;
SELECT job_control.job_start(race_job(n), 'w0') FROM generate_series(1, 16) AS n;
SQL
cat >"$script" <<'SQL'
\set n random(1, 16)
\set op random(1, 4)
\if :op = 1
SELECT job_control.job_fail(race_job(:n), 'lost', '{"client": 1}') ->> 'state';
\elif :op = 2
SELECT job_control.job_cancel(race_job(:n)) ->> 'state';
\elif :op = 3
SELECT job_control.job_complete(race_job(:n), '{"rows": 1}') ->> 'state';
\else
SELECT job_control.job_start((job_control.job_reschedule(race_job(:n), true) -> 'job' ->> 'job_id')::uuid, 'w' || :client_id) ->> 'state';
\endif
SQL
"$PG_BINDIR/pgbench" -n -M prepared -c "$CLIENTS" -j 2 -t "$TRANSACTIONS" -f "$script" $db >/dev/null

# Each check returns the jobs that break it; all must be empty.
broken=$(psql -X -At -v ON_ERROR_STOP=1 -d $db <<'SQL'
WITH history AS (
  SELECT t.*, lag(to_state) OVER w AS previous, row_number() OVER w AS n,
         count(*) OVER (PARTITION BY job_id) AS rows
    FROM job_control.job_transitions t
  WINDOW w AS (PARTITION BY job_id ORDER BY transitioned_at)
)
SELECT 'broken chain: ' || job_id FROM history
 WHERE n > 1 AND from_state IS DISTINCT FROM previous
UNION ALL
SELECT 'not a move of the state table: ' || from_state || ' -> ' || to_state
  FROM history
 WHERE n > 1 AND (from_state, to_state) NOT IN (
       ('pending', 'running'), ('pending', 'cancelled'), ('pending', 'failed'),
       ('running', 'pending_cancellation'), ('running', 'failed'),
       ('running', 'completed'), ('running', 'pending'),
       ('pending_cancellation', 'cancelled'), ('pending_cancellation', 'failed'),
       ('pending_cancellation', 'completed'), ('pending_cancellation', 'pending'),
       ('failed', 'pending'), ('cancelled', 'pending'), ('completed', 'pending'))
UNION ALL
SELECT 'last move is not the state: ' || j.job_id
  FROM job_control.jobs j JOIN history h ON h.job_id = j.job_id AND h.n = h.rows
 WHERE h.to_state <> j.state OR h.transitioned_at <> j.updated_at
UNION ALL
SELECT 'failures and moves to failed differ: ' || j.job_id
  FROM job_control.jobs j
 WHERE jsonb_array_length(j.failures) <> (SELECT count(*) FROM job_control.job_transitions t
                                          WHERE t.job_id = j.job_id AND t.to_state = 'failed')
UNION ALL
SELECT 'queue is not the pending jobs: ' || coalesce(j.job_id, q.job_id)
  FROM (SELECT job_id FROM job_control.jobs WHERE state = 'pending') j
  FULL JOIN job_control.job_queue q USING (job_id)
 WHERE j.job_id IS NULL OR q.job_id IS NULL
UNION ALL
SELECT 'working job without a lease: ' || job_id FROM job_control.jobs
 WHERE state IN ('running', 'pending_cancellation')
   AND job_id NOT IN (SELECT job_id FROM job_control.job_leases);
SQL
)
if [ -n "$broken" ]; then
    echo "race_test: $broken"
    exit 1
fi
# The calls without SQL write heap tuples and index entries themselves:
# every table of the extension and its indexes must be consistent, every
# heap tuple found in every index (amcheck, contrib).
if ! amcheck=$("$PG_BINDIR/pg_amcheck" --install-missing --schema=job_control \
        --heapallindexed --parent-check --rootdescend -d $db 2>&1); then
    echo "race_test: pg_amcheck found corruption: $amcheck"
    exit 1
fi
summary=$(psql -X -At -d $db -c "
    SELECT count(*) || ' moves (' || string_agg(DISTINCT to_state::text, ', ' ORDER BY to_state::text) || ')'
      FROM job_control.job_transitions")
echo "race_test: $CLIENTS clients x $TRANSACTIONS calls on 16 jobs: $summary, every chain unbroken, amcheck clean"
