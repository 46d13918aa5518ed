-- The trigger keeps the timestamps and the state table against hand-written
-- SQL; the CHECK constraints hold the row invariants.
-- Jobs with known ids, so that error messages are stable.
\set id 66666666-6666-6666-6666-666666666666
\set p 77777777-7777-7777-7777-777777777777
INSERT INTO job_control.jobs (job_id, company_id, request_source, type, input)
VALUES (:'id', 1, '{"company_id": 1}', 'nql-forecast', '{"nql": "q"}'),
       (:'p', 1, '{"company_id": 1}', 'nql-forecast', '{"nql": "q"}');

-- updated_at and created_at cannot be set by hand; updated_at moves forward.
SELECT created_at AS created, updated_at AS updated FROM job_control.jobs WHERE job_id = :'id' \gset
UPDATE job_control.jobs
   SET created_at = '2001-01-01', updated_at = '2001-01-01', completed_at = '2001-01-01'
 WHERE job_id = :'id';
SELECT created_at = :'created' AS created_kept,
       updated_at > :'updated' AS updated_moved_forward,
       completed_at IS NULL AS completed_at_still_null
  FROM job_control.jobs WHERE job_id = :'id';

-- updated_at strictly increases, also for several changes in one transaction.
BEGIN;
CREATE TEMP TABLE seen (n int, updated_at timestamptz);
INSERT INTO seen SELECT 0, updated_at FROM job_control.jobs WHERE job_id = :'id';
UPDATE job_control.jobs SET executor = 'a' WHERE job_id = :'id';
INSERT INTO seen SELECT 1, updated_at FROM job_control.jobs WHERE job_id = :'id';
UPDATE job_control.jobs SET executor = 'b' WHERE job_id = :'id';
INSERT INTO seen SELECT 2, updated_at FROM job_control.jobs WHERE job_id = :'id';
SELECT job_control.job_start(:'id', 'c') ->> 'state';
INSERT INTO seen SELECT 3, updated_at FROM job_control.jobs WHERE job_id = :'id';
SELECT bool_and(updated_at > prev) AS strictly_increasing
  FROM (SELECT updated_at, lag(updated_at) OVER (ORDER BY n) AS prev FROM seen) s
 WHERE prev IS NOT NULL;
COMMIT;

-- completed_at is set exactly when the job enters a terminal state, even by
-- a direct UPDATE, and then never changes.
UPDATE job_control.jobs SET state = 'failed' WHERE job_id = :'id';
SELECT completed_at = updated_at AS completed_when_failed FROM job_control.jobs WHERE job_id = :'id';
SELECT completed_at AS completed FROM job_control.jobs WHERE job_id = :'id' \gset
UPDATE job_control.jobs SET completed_at = now() + interval '1 day', result = '{"note": "fixed by DBA"}' WHERE job_id = :'id';
SELECT completed_at = :'completed' AS completed_at_kept FROM job_control.jobs WHERE job_id = :'id';

-- Moves outside the state table are refused (55000) and change nothing.
\set VERBOSITY default
UPDATE job_control.jobs SET state = 'running' WHERE job_id = :'id';
UPDATE job_control.jobs SET state = 'pending' WHERE job_id = :'id';
UPDATE job_control.jobs SET state = 'completed' WHERE job_id = :'p';
UPDATE job_control.jobs SET state = 'pending_cancellation' WHERE job_id = :'p';
SELECT state FROM job_control.jobs WHERE job_id IN (:'id', :'p') ORDER BY job_id;
-- A bulk UPDATE is refused whole.
\set VERBOSITY terse
SELECT string_agg(state::text, ',' ORDER BY job_id) AS states_before FROM job_control.jobs \gset
DO $$
BEGIN
    UPDATE job_control.jobs SET state = 'running';
EXCEPTION WHEN object_not_in_prerequisite_state THEN
    RAISE NOTICE 'bulk update refused: %', SQLSTATE;
END $$;
SELECT string_agg(state::text, ',' ORDER BY job_id) = :'states_before' AS states_unchanged
  FROM job_control.jobs;

-- INSERT keeps supplied timestamps (pg_restore, bulk loads) and fills the
-- missing ones.
INSERT INTO job_control.jobs (job_id, company_id, request_source, state, type, input,
                              failures, created_at, updated_at, completed_at)
VALUES ('44444444-4444-4444-4444-444444444444', 7, '{"company_id": 7}', 'failed',
        'nql-forecast', '{"nql": "q"}', '[{"message": "m", "value": null, "timestamp": "2020-01-01T00:00:00.000000+00:00"}]',
        '2020-01-01 00:00:00+00', '2020-01-01 00:00:01+00', '2020-01-01 00:00:02+00');
SELECT job_control.job_get('44444444-4444-4444-4444-444444444444') - 'job_id' - 'input' - 'request_source';
INSERT INTO job_control.jobs (job_id, company_id, request_source, state, type, input, created_at)
VALUES ('55555555-5555-5555-5555-555555555555', 7, '{"company_id": 7}', 'cancelled',
        'nql-forecast', '{"nql": "q"}', '2021-06-01 12:00:00+00');
SELECT created_at, updated_at, completed_at FROM job_control.jobs
 WHERE job_id = '55555555-5555-5555-5555-555555555555';

-- The CHECK constraints: terminal <=> completed_at, tenant column matches the
-- request source (terse: the failing row has clock times); and the trigger's
-- check that failures is an array (23514 too).
INSERT INTO job_control.jobs (company_id, request_source, state, type, input, completed_at)
VALUES (7, '{"company_id": 7}', 'running', 'nql-forecast', '{"nql": "q"}', now());
INSERT INTO job_control.jobs (company_id, request_source, type, input)
VALUES (8, '{"company_id": 7}', 'nql-forecast', '{"nql": "q"}');
-- The checks are C functions (1.3) with the meaning of the SQL expressions
-- they replace: company_id = (request_source ->> 'company_id')::bigint, so a
-- company id written as a string matches, one that is no integer is refused
-- by bigint's input (22P02), and a request source without one passes.
INSERT INTO job_control.jobs (company_id, request_source, type, input)
VALUES (7, '{"company_id": "7"}', 'nql-forecast', '{"nql": "string id"}');
INSERT INTO job_control.jobs (company_id, request_source, type, input)
VALUES (7, '{"company_id": "seven"}', 'nql-forecast', '{"nql": "q"}');
INSERT INTO job_control.jobs (company_id, request_source, type, input)
VALUES (7, '{"type": "api_user"}', 'nql-forecast', '{"nql": "no company id"}');
SELECT input ->> 'nql' AS accepted FROM job_control.jobs
 WHERE input ->> 'nql' IN ('string id', 'no company id') ORDER BY 1;
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
 WHERE conrelid = 'job_control.jobs'::regclass AND contype = 'c' ORDER BY 1;
UPDATE job_control.jobs SET failures = '{}' WHERE job_id = :'p';
UPDATE job_control.jobs SET failures = '"x"' WHERE job_id = :'p';
INSERT INTO job_control.jobs (company_id, request_source, type, input, failures)
VALUES (7, '{"company_id": 7}', 'nql-forecast', '{"nql": "q"}', 'null');
