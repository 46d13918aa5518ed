-- Operations for DBAs: the transition history, its settings, the job_stats
-- view and pruning.
DELETE FROM job_control.jobs;
DELETE FROM job_control.job_transitions;
-- The settings exist once the library is loaded (or preloaded).
LOAD 'job_control';
SHOW job_control.history;
SHOW job_control.notify;

-- With history on, every state change is recorded with the role and the
-- executor; changes that keep the state (a heartbeat) are not.
SET job_control.history = on;
CREATE ROLE regress_job_ops_writer;
GRANT USAGE ON SCHEMA job_control TO regress_job_ops_writer;
GRANT SELECT, INSERT, UPDATE ON job_control.jobs TO regress_job_ops_writer;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA job_control TO regress_job_ops_writer;
SET ROLE regress_job_ops_writer;
SELECT job_control.job_create('nql-forecast', '{"nql": "q"}', '{"company_id": 5}') ->> 'job_id' AS id \gset
SELECT count(*) FROM job_control.job_claim('worker-1');
SELECT job_control.job_heartbeat(:'id', 'worker-1') ->> 'state';
SELECT job_control.job_fail(:'id', 'boom') ->> 'state';
-- The writer has no right on the history table itself.
SELECT count(*) FROM job_control.job_transitions;
RESET ROLE;
SELECT from_state, to_state, role, executor, company_id,
       transitioned_at = (SELECT max(updated_at) FROM job_control.jobs) AS last_is_updated_at
  FROM job_control.job_transitions ORDER BY transitioned_at;
-- Direct UPDATEs that change the state are recorded too, other changes not;
-- only superusers change the settings.
SELECT job_control.job_create('nql-forecast', '{"nql": "by hand"}', '{"company_id": 5}') ->> 'job_id' AS manual \gset
UPDATE job_control.jobs SET executor = 'dba' WHERE job_id = :'manual';
UPDATE job_control.jobs SET state = 'cancelled' WHERE job_id = :'manual';
SELECT from_state, to_state, role, executor FROM job_control.job_transitions
 WHERE job_id = :'manual' ORDER BY transitioned_at;
SET ROLE regress_job_ops_writer;
SET job_control.history = off;
RESET ROLE;
SET job_control.history = off;
SELECT job_control.job_create('nql-forecast', '{"nql": "q"}', '{"company_id": 5}') IS NOT NULL;
SELECT count(*) AS transitions_after_off FROM job_control.job_transitions;
SET job_control.no_such_setting = 1;

-- job_stats: counts by state and type, with the age of the oldest live job.
SELECT state, type, jobs, oldest_age IS NOT NULL AS has_age
  FROM job_control.job_stats ORDER BY state, type;

-- Pruning removes finished jobs and history older than the given age, in
-- batches; live jobs and recent rows stay.
INSERT INTO job_control.jobs (company_id, request_source, state, type, input, created_at, updated_at, completed_at)
SELECT 6, '{"company_id": 6}', 'completed', 'nql-forecast', '{"nql": "old"}',
       now() - interval '40 days', now() - interval '40 days', now() - interval '40 days'
  FROM generate_series(1, 25);
INSERT INTO job_control.jobs (company_id, request_source, state, type, input, created_at)
VALUES (6, '{"company_id": 6}', 'pending', 'nql-forecast', '{"nql": "old but live"}', now() - interval '40 days');
INSERT INTO job_control.job_transitions (job_id, company_id, from_state, to_state, transitioned_at, role)
SELECT gen_random_uuid(), 6, 'running', 'completed', now() - interval '40 days', 'someone'
  FROM generate_series(1, 7);
SELECT job_control.job_prune_batch('30 days', 10);
CALL job_control.job_prune('30 days', 10);
SELECT state, count(*) FROM job_control.jobs GROUP BY state ORDER BY state;
SELECT count(*) AS transitions_left FROM job_control.job_transitions;
\set VERBOSITY terse
SELECT job_control.job_prune_batch('0 days');
SELECT job_control.job_prune_batch('1 day', 0);
\set VERBOSITY default

DROP OWNED BY regress_job_ops_writer;
DROP ROLE regress_job_ops_writer;
DELETE FROM job_control.jobs;
DELETE FROM job_control.job_transitions;
