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

. test/checks.sh
check_invariants $db || { echo "race_test: the invariants above are broken"; exit 1; }
check_amcheck $db || { echo "race_test: amcheck failed"; exit 1; }
summary=$(psql -X -At -d $db -c "
    SELECT count(*) || ' moves (' || string_agg(DISTINCT to_state::text, ', ' ORDER BY to_state::text) || ')'
      FROM job_control.job_transitions")
echo "race_test: $CLIENTS clients x $TRANSACTIONS calls on 16 jobs: $summary, every chain unbroken, amcheck clean"
