-- Transitions move the job without SQL (job_move.hpp) where nothing could
-- differ from the guarded UPDATE, and by the UPDATE elsewhere (here forced
-- by REPEATABLE READ, a trigger, a rule). Both give the same job, the same
-- history and the same errors, and every guarantee of the table holds.
DELETE FROM job_control.jobs;
DELETE FROM job_control.job_transitions;
SET job_control.history = on;
\set direct 30000000-0000-4000-8000-000000000001
\set by_sql 30000000-0000-4000-8000-000000000002
INSERT INTO job_control.jobs (job_id, company_id, request_source, type, input)
VALUES (:'direct', 1, '{"company_id": 1}', 'nql-forecast', '{"nql": "q"}'),
       (:'by_sql', 1, '{"company_id": 1}', 'nql-forecast', '{"nql": "q"}');

-- One job through each path, the same calls: start, heartbeat, cancel,
-- acknowledge, reschedule, start, fail, forced reschedule, start, complete.
CREATE FUNCTION pg_temp.lifecycle(id uuid) RETURNS SETOF jsonb LANGUAGE plpgsql AS $$
BEGIN
  RETURN NEXT job_control.job_start(id, 'w1');
  RETURN NEXT job_control.job_heartbeat(id, 'w1');
  RETURN NEXT job_control.job_cancel(id);
  RETURN NEXT job_control.job_acknowledge_cancel(id);
  RETURN NEXT job_control.job_reschedule(id, true) -> 'job';
  RETURN NEXT job_control.job_start(id, 'w2');
  RETURN NEXT job_control.job_fail(id, 'boom', '{"code": 7}', 'w2');
  RETURN NEXT job_control.job_reschedule(id, true) -> 'job';
  RETURN NEXT job_control.job_start(id, 'w3');
  RETURN NEXT job_control.job_complete(id, '{"rows": 3}', 'w3');
END $$;
CREATE TEMP TABLE answers AS
SELECT 'direct' AS path, n, j FROM pg_temp.lifecycle(:'direct') WITH ORDINALITY AS a(j, n);
BEGIN ISOLATION LEVEL REPEATABLE READ;
INSERT INTO answers
SELECT 'by_sql', n, j FROM pg_temp.lifecycle(:'by_sql') WITH ORDINALITY AS a(j, n);
COMMIT;
-- The answers without what differs by nature (id, times).
CREATE FUNCTION pg_temp.shape(j jsonb) RETURNS jsonb LANGUAGE sql AS $$
  SELECT j - 'job_id' - 'created_at' - 'updated_at' - 'completed_at'
           || jsonb_build_object('failures', (SELECT coalesce(jsonb_agg(f - 'timestamp'), '[]')
                                                FROM jsonb_array_elements(j -> 'failures') AS f),
                                 'completed', j ->> 'completed_at' IS NOT NULL)
$$;
SELECT n, pg_temp.shape(d.j) ->> 'state' AS state,
       pg_temp.shape(d.j) = pg_temp.shape(s.j) AS same_answer
  FROM answers d JOIN answers s USING (n)
 WHERE d.path = 'direct' AND s.path = 'by_sql' ORDER BY n;
SELECT count(*) AS rows_per_path, count(DISTINCT (from_state, to_state, executor)) AS distinct_moves
  FROM job_control.job_transitions GROUP BY job_id ORDER BY job_id;
SELECT (SELECT array_agg(to_state ORDER BY transitioned_at) FROM job_control.job_transitions WHERE job_id = :'direct')
     = (SELECT array_agg(to_state ORDER BY transitioned_at) FROM job_control.job_transitions WHERE job_id = :'by_sql')
       AS same_history;

-- Errors are the same too, and change nothing.
\set VERBOSITY terse
SELECT job_control.job_start(:'direct', 'w4');
SELECT job_control.job_fail(:'direct', 'late', NULL, 'someone-else');
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT job_control.job_start(:'by_sql', 'w4');
ROLLBACK;
\set VERBOSITY default

-- A failures history that outgrows a page is stored out of line (TOAST)
-- and read back whole.
SELECT count(*) AS failed_again FROM generate_series(1, 12) AS i,
  LATERAL (SELECT job_control.job_reschedule(:'direct', true),
                  job_control.job_fail(:'direct', 'again ' || i,
                                       jsonb_build_object('detail',
                                         (SELECT string_agg(md5(i || '.' || k), '')
                                            FROM generate_series(1, 32) AS k)))) AS calls;
SELECT jsonb_array_length(failures) AS failures,
       failures -> -1 ->> 'message' AS last,
       pg_column_size(failures) > 4000 AS stored_large
  FROM job_control.jobs WHERE job_id = :'direct';

-- A CHECK constraint a DBA adds holds for the moves, as it stands: its
-- function redefined, or the constraint dropped, the next move sees it.
CREATE FUNCTION regress_allowed_worker(executor text) RETURNS boolean
  LANGUAGE sql IMMUTABLE AS $$ SELECT executor IS DISTINCT FROM 'bad' $$;
ALTER TABLE job_control.jobs ADD CONSTRAINT regress_allowed_worker
  CHECK (regress_allowed_worker(executor));
SELECT job_control.job_reschedule(:'direct', true) ->> 'outcome';
\set VERBOSITY terse
SELECT job_control.job_start(:'direct', 'bad');
\set VERBOSITY default
SELECT state, executor FROM job_control.jobs WHERE job_id = :'direct';
CREATE OR REPLACE FUNCTION regress_allowed_worker(executor text) RETURNS boolean
  LANGUAGE sql IMMUTABLE AS $$ SELECT executor IS DISTINCT FROM 'worse' $$;
SELECT job_control.job_start(:'direct', 'bad') ->> 'executor';
SELECT job_control.job_reschedule(:'direct') ->> 'outcome';
\set VERBOSITY terse
SELECT job_control.job_start(:'direct', 'worse');
\set VERBOSITY default
ALTER TABLE job_control.jobs DROP CONSTRAINT regress_allowed_worker;
SELECT job_control.job_start(:'direct', 'worse') ->> 'executor';
SELECT job_control.job_reschedule(:'direct') ->> 'outcome';
DROP FUNCTION regress_allowed_worker(text);

-- An index on a column the moves change gets an entry for every version.
CREATE EXTENSION amcheck;
CREATE INDEX regress_jobs_state ON job_control.jobs (state, executor);
SELECT job_control.job_start(:'direct', 'w5') ->> 'state';
SELECT job_control.job_fail(:'direct', 'index') ->> 'state';
SELECT bt_index_check('job_control.regress_jobs_state'::regclass, true);
SET enable_seqscan = off;
SELECT count(*) AS found_by_index FROM job_control.jobs
 WHERE state = 'failed' AND executor = 'w5';
RESET enable_seqscan;
DROP INDEX job_control.regress_jobs_state;
DROP EXTENSION amcheck;

-- Triggers a DBA adds on UPDATE fire (the move is then made by the UPDATE):
-- row and statement, before and after.
CREATE FUNCTION pg_temp.show_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_LEVEL = 'ROW' THEN
    RAISE NOTICE '% % row: % -> %', TG_WHEN, TG_OP, OLD.state, NEW.state;
    RETURN NEW;
  END IF;
  RAISE NOTICE '% % statement', TG_WHEN, TG_OP;
  RETURN NULL;
END $$;
CREATE TRIGGER regress_after_row AFTER UPDATE ON job_control.jobs
  FOR EACH ROW EXECUTE FUNCTION pg_temp.show_update();
SELECT job_control.job_reschedule(:'direct', true) ->> 'outcome';
DROP TRIGGER regress_after_row ON job_control.jobs;
CREATE TRIGGER regress_statement BEFORE UPDATE ON job_control.jobs
  FOR EACH STATEMENT EXECUTE FUNCTION pg_temp.show_update();
SELECT job_control.job_start(:'direct', 'w6') ->> 'state';
DROP TRIGGER regress_statement ON job_control.jobs;
CREATE TRIGGER regress_before_row BEFORE UPDATE ON job_control.jobs
  FOR EACH ROW EXECUTE FUNCTION pg_temp.show_update();
SELECT job_control.job_heartbeat(:'direct', 'w6') ->> 'state';
DROP TRIGGER regress_before_row ON job_control.jobs;
-- A rule on UPDATE applies.
CREATE TABLE regress_updates (job_id uuid);
CREATE RULE regress_log AS ON UPDATE TO job_control.jobs
  DO ALSO INSERT INTO regress_updates VALUES (NEW.job_id);
SELECT job_control.job_complete(:'direct') ->> 'state';
SELECT count(*) AS logged_by_rule FROM regress_updates;
DROP RULE regress_log ON job_control.jobs;
DROP TABLE regress_updates;

-- Without the trigger and the rule, moves are made without SQL again: the
-- history shows every move above, once.
SELECT job_control.job_reschedule(:'direct', true) ->> 'outcome';
SELECT from_state, to_state, executor FROM job_control.job_transitions
 WHERE job_id = :'direct' ORDER BY transitioned_at DESC LIMIT 6;

-- A column a DBA adds with a default is not stored in the rows written
-- before (PostgreSQL keeps the default in the catalog): a move keeps it.
ALTER TABLE job_control.jobs ADD COLUMN regress_note text NOT NULL DEFAULT 'kept';
SELECT job_control.job_start(:'direct', 'w8') ->> 'state';
SELECT job_control.job_fail(:'direct', 'with a note') ->> 'state';
SELECT state, regress_note FROM job_control.jobs WHERE job_id = :'direct';
ALTER TABLE job_control.jobs DROP COLUMN regress_note;
SELECT job_control.job_reschedule(:'direct', true) ->> 'outcome';

-- A generated column a DBA adds on a column the moves change is computed
-- again by every move.
ALTER TABLE job_control.jobs
  ADD COLUMN regress_running boolean GENERATED ALWAYS AS (state = 'running') STORED;
SELECT job_control.job_start(:'direct', 'w9') ->> 'state';
SELECT state, regress_running FROM job_control.jobs WHERE job_id = :'direct';
ALTER TABLE job_control.jobs DROP COLUMN regress_running;
SELECT job_control.job_reschedule(:'direct') ->> 'outcome';

-- In a read-only transaction a move is refused as the UPDATE refuses it.
BEGIN READ ONLY;
\set VERBOSITY terse
SELECT job_control.job_start(:'direct', 'w7');
\set VERBOSITY default
ROLLBACK;

RESET job_control.history;
DELETE FROM job_control.jobs;
DELETE FROM job_control.job_transitions;
