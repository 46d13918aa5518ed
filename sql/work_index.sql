-- The work index: job_queue holds exactly the pending jobs, job_leases at
-- least the running and pending_cancellation ones; transitions that finish a
-- job touch no index of the jobs table (HOT updates).
SET client_min_messages = warning;
SELECT job_control.create_access_roles();
RESET client_min_messages;
DELETE FROM job_control.jobs;
CREATE FUNCTION pg_temp.new_job(key text DEFAULT NULL) RETURNS uuid LANGUAGE plpgsql AS $$
BEGIN
    RETURN (job_control.job_create('nql-forecast', '{"nql": "q"}', '{"company_id": 1}', key) ->> 'job_id')::uuid;
END $$;
-- The invariant, checked after every step below.
CREATE FUNCTION pg_temp.check_index() RETURNS text LANGUAGE sql AS $$
    SELECT format('queued %s of %s pending (%s others); leases cover %s of %s working, %s stale',
        (SELECT count(*) FROM job_control.job_queue q JOIN job_control.jobs j USING (job_id)
          WHERE j.state = 'pending' AND q.created_at = j.created_at AND q.company_id = j.company_id),
        (SELECT count(*) FROM job_control.jobs WHERE state = 'pending'),
        (SELECT count(*) FROM job_control.job_queue q
          WHERE NOT EXISTS (SELECT FROM job_control.jobs j WHERE j.job_id = q.job_id AND j.state = 'pending')),
        (SELECT count(*) FROM job_control.job_leases l JOIN job_control.jobs j USING (job_id)
          WHERE j.state IN ('running', 'pending_cancellation')),
        (SELECT count(*) FROM job_control.jobs WHERE state IN ('running', 'pending_cancellation')),
        (SELECT count(*) FROM job_control.job_leases l
          WHERE NOT EXISTS (SELECT FROM job_control.jobs j WHERE j.job_id = l.job_id
                              AND j.state IN ('running', 'pending_cancellation'))))
$$;

SELECT pg_temp.new_job() AS a, pg_temp.new_job() AS b, pg_temp.new_job() AS c,
       pg_temp.new_job() AS d \gset
SELECT pg_temp.check_index() AS created;
SELECT count(*) AS claimed FROM job_control.job_claim('worker-1', 2);
SELECT pg_temp.check_index() AS after_claim;
SELECT job_control.job_start(:'c', 'worker-2') ->> 'state' AS started;
SELECT job_control.job_cancel(:'d') ->> 'state' AS cancelled_pending;
SELECT pg_temp.check_index() AS after_start_and_cancel;
SELECT job_control.job_cancel(:'c') ->> 'state' AS cancel_requested;
SELECT job_control.job_fail(:'a', 'boom') ->> 'state' AS failed;
-- A finished job keeps its lease entry until the reaper clears it.
SELECT pg_temp.check_index() AS after_fail;
SELECT (job_control.job_reschedule(:'b') -> 'job' ->> 'state') AS rescheduled;
SELECT (job_control.job_reschedule(:'a', true) -> 'job' ->> 'state') AS forced_back;
SELECT pg_temp.check_index() AS after_reschedules;
SELECT count(*) AS reaped FROM job_control.job_reap_stale('1 hour');
SELECT pg_temp.check_index() AS after_reaper_cleanup;
SELECT count(*) AS claimed_again FROM job_control.job_claim('worker-3', 5);
SELECT job_control.job_acknowledge_cancel(:'c') ->> 'state' AS acknowledged;
SELECT pg_temp.check_index() AS after_second_claim;

-- Failing or completing a running job is a HOT update (no index entry).
SELECT pg_temp.new_job() AS e \gset
BEGIN;
SELECT job_control.job_start(:'e', 'worker-4') ->> 'state';
-- (The counters include this backend's not yet reported earlier updates.)
SELECT pg_stat_get_xact_tuples_updated('job_control.jobs'::regclass) AS updates_before,
       pg_stat_get_xact_tuples_hot_updated('job_control.jobs'::regclass) AS hot_before \gset
SELECT job_control.job_heartbeat(:'e', 'worker-4') ->> 'state';
SELECT job_control.job_fail(:'e', 'boom', NULL, 'worker-4') ->> 'state';
SELECT pg_stat_get_xact_tuples_updated('job_control.jobs'::regclass) - :updates_before AS updates,
       pg_stat_get_xact_tuples_hot_updated('job_control.jobs'::regclass) - :hot_before AS hot_updates;
COMMIT;

-- A create skipped for its idempotency key adds no queue entry and no
-- history row.
SET job_control.history = on;
SELECT pg_temp.new_job('same-key') = pg_temp.new_job('same-key') AS same_job;
SELECT count(*) AS history_rows FROM job_control.job_transitions t JOIN job_control.jobs j USING (job_id)
 WHERE j.idempotency_key = 'same-key';
RESET job_control.history;
SELECT pg_temp.check_index() AS after_idempotent_create;

-- Deleting jobs takes them out of the work index; so does TRUNCATE.
DELETE FROM job_control.jobs WHERE state IN ('pending', 'running');
SELECT pg_temp.check_index() AS after_delete;
SELECT pg_temp.new_job() AS f \gset
SELECT count(*) AS claimed FROM job_control.job_claim('worker-5');
TRUNCATE job_control.jobs;
SELECT (SELECT count(*) FROM job_control.job_queue) AS queue,
       (SELECT count(*) FROM job_control.job_leases) AS leases;

-- A bulk load (as a restore does) fills the work index through the trigger.
INSERT INTO job_control.jobs (company_id, request_source, state, type, input, executor,
                              created_at, updated_at, completed_at)
SELECT 1, '{"company_id": 1}', s::job_control.job_state, 'nql-forecast', '{"nql": "q"}',
       CASE WHEN s IN ('running', 'pending_cancellation') THEN 'w' END,
       '2020-01-01', '2020-01-02', CASE WHEN s IN ('completed', 'failed', 'cancelled') THEN timestamptz '2020-01-03' END
  FROM unnest('{pending,running,pending_cancellation,completed,failed,cancelled}'::text[]) AS s,
       generate_series(1, 3);
SELECT pg_temp.check_index() AS after_bulk_load;

-- The claim reads the queue, so its cost does not grow with the number of
-- finished jobs: the plan of the claim's pick (a generic plan, as the kept
-- one is) walks the queue in order and visits only the jobs it finds there.
INSERT INTO job_control.jobs (company_id, request_source, state, type, input)
SELECT 1, '{"company_id": 1}', CASE WHEN n % 10 = 0 THEN 'pending' ELSE 'failed' END::job_control.job_state,
       'nql-forecast', '{"nql": "old"}'
  FROM generate_series(1, 20000) AS n;
ANALYZE job_control.jobs, job_control.job_queue;
SET plan_cache_mode = force_generic_plan;
PREPARE pick(integer) AS
SELECT j.job_id FROM job_control.job_queue AS q
  JOIN job_control.jobs AS j ON j.job_id = q.job_id
 WHERE j.state = 'pending'
 ORDER BY q.created_at, q.job_id LIMIT $1 FOR UPDATE OF j SKIP LOCKED;
EXPLAIN (COSTS OFF) EXECUTE pick(1);
RESET plan_cache_mode;
-- The same holds for a role bound by row security, whose filters make the
-- planner underestimate the queue (job_claim plans it so that the queue's
-- index is walked in order): claiming one job of the 2000 pending reads one
-- queue entry, not the whole queue.
CREATE ROLE regress_work_index_executor IN ROLE job_control_admin;
SET ROLE regress_work_index_executor;
BEGIN;
-- (Entries read: by a sequential scan of the queue, or through its index.)
SELECT pg_stat_get_xact_tuples_returned('job_control.job_queue'::regclass)
     + pg_stat_get_xact_tuples_returned('job_control.job_queue_order'::regclass) AS read_before \gset
SELECT count(*) AS claimed FROM job_control.job_claim('worker-rls');
SELECT pg_stat_get_xact_tuples_returned('job_control.job_queue'::regclass)
     + pg_stat_get_xact_tuples_returned('job_control.job_queue_order'::regclass) - :read_before AS queue_entries_read;
ROLLBACK;
RESET ROLE;
DROP ROLE regress_work_index_executor;

-- Anyone who may read the jobs may read the work index (claims read the
-- queue as the caller); a role that may not sees nothing; nobody writes it.
CREATE ROLE regress_work_index_reader;
CREATE ROLE regress_work_index_stranger;
GRANT USAGE ON SCHEMA job_control TO regress_work_index_reader, regress_work_index_stranger;
GRANT SELECT ON job_control.jobs TO regress_work_index_reader;
SET ROLE regress_work_index_reader;
SELECT count(*) AS queue_seen_by_reader FROM job_control.job_queue;
SET job_control.company_id = 2;
SELECT count(*) AS queue_seen_by_other_company FROM job_control.job_queue;
RESET job_control.company_id;
\set VERBOSITY terse
DELETE FROM job_control.job_queue;
\set VERBOSITY default
SET ROLE regress_work_index_stranger;
SELECT count(*) AS queue_seen_by_stranger FROM job_control.job_queue;
RESET ROLE;
DROP OWNED BY regress_work_index_reader, regress_work_index_stranger;
DROP ROLE regress_work_index_reader, regress_work_index_stranger;

-- Entries are written without SQL (direct_write.hpp): after creates, claims,
-- restarts and deletes, every index of the work index has an entry for
-- every row (amcheck reads the heap) and the invariant holds.
CREATE EXTENSION amcheck;
SELECT count(pg_temp.new_job()) AS created FROM generate_series(1, 40);
SELECT count(*) AS claimed FROM job_control.job_claim('worker-9', 25);
SELECT count(job_control.job_reschedule(job_id, true)) AS restarted
  FROM (SELECT job_id FROM job_control.jobs WHERE executor = 'worker-9'
         ORDER BY job_id LIMIT 10) AS ten;
SELECT count(*) AS claimed_again FROM job_control.job_claim('worker-9', 5);
DELETE FROM job_control.jobs WHERE job_id IN
  (SELECT job_id FROM job_control.jobs WHERE state = 'running' ORDER BY job_id LIMIT 6);
DELETE FROM job_control.jobs WHERE job_id IN
  (SELECT job_id FROM job_control.jobs j WHERE state = 'pending'
      AND NOT EXISTS (SELECT FROM job_control.job_leases l WHERE l.job_id = j.job_id)
    ORDER BY job_id LIMIT 6);
DELETE FROM job_control.jobs WHERE job_id IN
  (SELECT job_id FROM job_control.job_leases l JOIN job_control.jobs j USING (job_id)
    WHERE j.state = 'pending' ORDER BY job_id LIMIT 2);
SELECT pg_temp.check_index() AS after_many_changes;
SELECT index, bt_index_check(index, true)
  FROM unnest(ARRAY['job_control.job_queue_pkey', 'job_control.job_queue_order',
                    'job_control.job_leases_pkey']::regclass[]) AS index;
-- An entry written with SQL is said at DEBUG1: none while the queue and the
-- leases are as the extension made them (a job created, claimed, restarted
-- and deleted)...
SET client_min_messages = debug1;
SELECT job_control.job_reschedule((j ->> 'job_id')::uuid, true) ->> 'outcome' AS restarted
  FROM job_control.job_claim('worker-9') AS j;
DELETE FROM job_control.jobs WHERE job_id = (SELECT pg_temp.new_job());
RESET client_min_messages;
-- ... and a trigger on the queue fires for every entry the extension writes
-- (then written with SQL); once dropped, entries are written as before.
CREATE FUNCTION pg_temp.show_entry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE NOTICE '% of a queue entry', TG_OP;
  RETURN NULL;
END $$;
CREATE TRIGGER show_entry AFTER INSERT OR DELETE ON job_control.job_queue
  FOR EACH ROW EXECUTE FUNCTION pg_temp.show_entry();
SET client_min_messages = debug1;
SELECT pg_temp.new_job() IS NOT NULL AS created;
SELECT count(*) AS claimed FROM job_control.job_claim('worker-9');
RESET client_min_messages;
DROP TRIGGER show_entry ON job_control.job_queue;
SELECT pg_temp.new_job() IS NOT NULL AS created;
SELECT pg_temp.check_index() AS after_the_trigger;
DROP EXTENSION amcheck;
DELETE FROM job_control.jobs;
