-- The history row is written without SQL while job_transitions is as the
-- extension created it, and by an INSERT statement otherwise. Both must
-- give the same rows and every guarantee of the table.
DELETE FROM job_control.jobs;
DELETE FROM job_control.job_transitions;
SET job_control.history = on;
\set id 88888888-8888-8888-8888-888888888888
INSERT INTO job_control.jobs (job_id, company_id, request_source, type, input)
VALUES (:'id', 3, '{"company_id": 3}', 'nql-forecast', '{"nql": "q"}');
SELECT job_control.job_start(:'id', 'worker-1') ->> 'state';
SELECT job_control.job_fail(:'id', 'boom') ->> 'state';
SELECT from_state, to_state, role = current_user AS by_caller, executor,
       company_id, transitioned_at IS NOT NULL AS stamped
  FROM job_control.job_transitions ORDER BY transitioned_at;

-- Every index has an entry for every row (amcheck reads the heap), and the
-- primary key is found by an index scan.
CREATE EXTENSION amcheck;
SELECT bt_index_check('job_control.job_transitions_pkey', true);
SET enable_seqscan = off;
SET enable_bitmapscan = off;
SELECT count(*) AS by_primary_key FROM job_control.job_transitions
 WHERE job_id = :'id' AND transitioned_at >= '-infinity';
RESET enable_seqscan;
RESET enable_bitmapscan;
SELECT count(*) AS by_brin FROM job_control.job_transitions
 WHERE transitioned_at > now() - interval '1 hour';

-- The primary key is checked. A job restored with a last change in the
-- future (triggers off, as a replica applies rows) changes next one
-- microsecond later; a history row already there makes the change fail,
-- and nothing of it stays.
\set future 99999999-9999-9999-9999-999999999999
SET session_replication_role = replica;
INSERT INTO job_control.jobs (job_id, company_id, request_source, type, input,
                              created_at, updated_at)
VALUES (:'future', 3, '{"company_id": 3}', 'nql-forecast', '{"nql": "q"}',
        '2999-01-01', '2999-01-01');
RESET session_replication_role;
INSERT INTO job_control.job_transitions
VALUES (:'future', 3, 'pending', 'running', '2999-01-01 00:00:00.000001', 'someone', 'x');
\set VERBOSITY terse
SELECT job_control.job_start(:'future', 'worker-2');
\set VERBOSITY default
SELECT state, executor, updated_at FROM job_control.jobs WHERE job_id = :'future';
SELECT count(*) FROM job_control.job_transitions WHERE job_id = :'future';
DELETE FROM job_control.jobs WHERE job_id = :'future';
DELETE FROM job_control.job_transitions WHERE job_id = :'future';

-- A CHECK constraint a DBA adds holds for the rows the extension writes.
BEGIN;
ALTER TABLE job_control.job_transitions
  ADD CONSTRAINT no_worker_3 CHECK (executor IS DISTINCT FROM 'worker-3');
SELECT job_control.job_reschedule(:'id', true) ->> 'outcome';
SAVEPOINT before_start;
\set VERBOSITY terse
SELECT job_control.job_start(:'id', 'worker-3');
\set VERBOSITY default
ROLLBACK TO before_start;
SELECT job_control.job_start(:'id', 'worker-4') ->> 'state';
ROLLBACK;

-- A trigger on the history fires for every row the extension writes (the
-- row is then written with SQL); once dropped, rows are written as before.
CREATE FUNCTION pg_temp.show_history_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE NOTICE 'history row: % -> %', NEW.from_state, NEW.to_state;
  RETURN NEW;
END $$;
CREATE TRIGGER show_history_row AFTER INSERT ON job_control.job_transitions
  FOR EACH ROW EXECUTE FUNCTION pg_temp.show_history_row();
SELECT job_control.job_reschedule(:'id', true) ->> 'outcome';
DROP TRIGGER show_history_row ON job_control.job_transitions;
SELECT job_control.job_start(:'id', 'worker-5') ->> 'state';

-- A column a DBA adds gets its default (the row is written with SQL).
BEGIN;
ALTER TABLE job_control.job_transitions ADD COLUMN note text DEFAULT 'added';
SELECT job_control.job_complete(:'id') ->> 'state';
SELECT from_state, to_state, executor, note FROM job_control.job_transitions
 ORDER BY transitioned_at DESC LIMIT 1;
ROLLBACK;

-- After the rollback the table is as created again, and so are its rows.
SELECT job_control.job_complete(:'id') ->> 'state';
SELECT from_state, to_state, executor FROM job_control.job_transitions
 ORDER BY transitioned_at DESC LIMIT 1;
SELECT bt_index_check('job_control.job_transitions_pkey', true);
SELECT count(*) AS history_rows FROM job_control.job_transitions;

DROP EXTENSION amcheck;
RESET job_control.history;
DELETE FROM job_control.jobs;
DELETE FROM job_control.job_transitions;
