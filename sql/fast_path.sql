-- The no-op fast path (job_peek.hpp): a call that will not move the job is
-- answered from the row read through the primary key, with exactly the
-- outcome of the SQL path. Which path answered shows in the scans of the
-- primary key: one for the fast path, two (the UPDATE, then the SELECT) for
-- the SQL path.
SET client_min_messages = warning;
SELECT job_control.create_access_roles();
RESET client_min_messages;
DELETE FROM job_control.jobs;
\set one 20000000-0000-4000-8000-000000000001
\set two 20000000-0000-4000-8000-000000000002
INSERT INTO job_control.jobs (job_id, company_id, request_source, state, type, input, executor)
VALUES (:'one', 1, '{"company_id": 1}', 'failed', 'nql-forecast', '{"nql": "company one"}', 'w1'),
       (:'two', 2, '{"company_id": 2}', 'completed', 'nql-forecast', '{"nql": "company two"}', 'w2');

-- Runs `call` and reports its outcome (the state, or the SQLSTATE and the
-- message) and how many scans of the primary key it took.
CREATE FUNCTION pg_temp.answer(call text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    scans bigint := pg_stat_get_xact_numscans('job_control.jobs_pkey'::regclass);
    outcome text;
BEGIN
    BEGIN
        EXECUTE call INTO outcome;
        outcome := coalesce(outcome::jsonb ->> 'state', outcome);
    EXCEPTION WHEN OTHERS THEN
        outcome := SQLSTATE || ': ' || SQLERRM;
    END;
    RETURN format('%s (%s scans)', outcome,
                  pg_stat_get_xact_numscans('job_control.jobs_pkey'::regclass) - scans);
END $$;
CREATE FUNCTION pg_temp.noop_calls(id uuid) RETURNS TABLE (call text, answer text)
LANGUAGE sql AS $$
    SELECT c, pg_temp.answer(format(c, id)) FROM unnest(ARRAY[
        'SELECT job_control.job_fail(%L, ''late'')',
        'SELECT job_control.job_fail(%L, ''late'', NULL, ''w1'')',
        'SELECT job_control.job_complete(%L)',
        'SELECT job_control.job_cancel(%L)',
        'SELECT job_control.job_acknowledge_cancel(%L)',
        'SELECT job_control.job_start(%L, ''w9'')',
        'SELECT job_control.job_heartbeat(%L, ''w1'')',
        'SELECT job_control.job_reschedule(%L) -> ''job''']) AS c
$$;

-- The owner: the fast path answers no-ops and errors alike.
SELECT * FROM pg_temp.noop_calls(:'one');
-- The same answers from the SQL path, for a role bound by row security that
-- is not the extension's own tenant policy alone.
CREATE POLICY regress_extra ON job_control.jobs AS RESTRICTIVE USING (true);
CREATE ROLE regress_fast_admin IN ROLE job_control_admin;
SET ROLE regress_fast_admin;
SELECT * FROM pg_temp.noop_calls(:'one');
RESET ROLE;
DROP POLICY regress_extra ON job_control.jobs;
-- With the extension's policy only, the fast path serves the bound role,
-- applying the policy: without a company, with its own, with another.
SET ROLE regress_fast_admin;
SELECT pg_temp.answer(format('SELECT job_control.job_fail(%L, ''late'')', :'one')) AS no_company;
SET job_control.company_id = 1;
SELECT pg_temp.answer(format('SELECT job_control.job_fail(%L, ''late'')', :'one')) AS own_company;
SET job_control.company_id = 2;
SELECT pg_temp.answer(format('SELECT job_control.job_fail(%L, ''late'')', :'one')) AS other_company;
RESET job_control.company_id;
-- row_security off: the SQL path raises, as for any query under a policy.
SET row_security = off;
SELECT pg_temp.answer(format('SELECT job_control.job_fail(%L, ''late'')', :'one')) AS row_security_off;
RESET row_security;
RESET ROLE;
-- A read-only transaction refuses the UPDATE, no-op or not.
BEGIN READ ONLY;
SELECT pg_temp.answer(format('SELECT job_control.job_fail(%L, ''late'')', :'one')) AS read_only;
ROLLBACK;
-- Without the UPDATE privilege the SQL path raises 42501, no-op or not.
CREATE ROLE regress_fast_reader IN ROLE job_control_reader;
GRANT EXECUTE ON FUNCTION job_control.job_fail(uuid, text, jsonb, text) TO regress_fast_reader;
SET ROLE regress_fast_reader;
SELECT pg_temp.answer(format('SELECT job_control.job_fail(%L, ''late'')', :'one')) AS reader;
RESET ROLE;

-- The fast path answers with the job as stored, byte for byte.
SELECT job_control.job_fail(:'one', 'late') = job_control.job_get(:'one') AS same_job;
-- It sees what an earlier call of the same statement changed: the forced
-- reschedule makes the job pending, so the fail moves it.
SELECT job_control.job_reschedule(:'one', true) ->> 'outcome' AS outcome,
       job_control.job_fail(:'one', 'again') ->> 'state' AS state;

-- Once an operation has moved jobs four times in a row, the backend starts
-- its calls with the move (job_move.hpp), whose first read also answers a
-- no-op: one scan as well (on the SQL path, the UPDATE and the SELECT: two).
-- After a no-op, it starts with the fast path again.
INSERT INTO job_control.jobs (company_id, request_source, state, type, input, executor)
SELECT 1, '{"company_id": 1}', 'running', 'nql-forecast', '{"nql": "worker"}', 'w1'
  FROM generate_series(1, 4);
SELECT count(*) AS moved FROM job_control.jobs j, job_control.job_fail(j.job_id, 'lost') AS f
 WHERE j.input ->> 'nql' = 'worker' AND f ->> 'state' = 'failed';
SELECT pg_temp.answer(format('SELECT job_control.job_fail(%L, ''late'')', :'one')) AS after_moves,
       pg_temp.answer(format('SELECT job_control.job_fail(%L, ''late'')', :'one')) AS after_a_noop;

DROP OWNED BY regress_fast_admin, regress_fast_reader;
DROP ROLE regress_fast_admin, regress_fast_reader;
DELETE FROM job_control.jobs;
