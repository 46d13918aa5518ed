-- job_control 1.0 -> 1.1: executors and operations. Claim, heartbeat and
-- fencing, the lease reaper, reschedule, batch fail, the paged list, the
-- transition history, NOTIFY, the DBA view and pruning.
-- Idempotent: every statement may run again on an install that has it.
\echo Use "ALTER EXTENSION job_control UPDATE TO '1.1'" to load this file. \quit

-- The trigger now checks that failures is an array: a CHECK constraint is
-- re-planned by PostgreSQL on every statement, the trigger's check is not.
ALTER TABLE job_control.jobs DROP CONSTRAINT IF EXISTS jobs_failures_is_array;

-- The pending queue: claims read it oldest first, and its size does not grow
-- with the number of finished jobs.
CREATE INDEX IF NOT EXISTS jobs_pending_queue
    ON job_control.jobs (created_at, job_id) WHERE state = 'pending';

-- Leases: a running job's lease is its updated_at (start, claim, heartbeat
-- and every other change renew it).
CREATE INDEX IF NOT EXISTS jobs_leases
    ON job_control.jobs (updated_at) WHERE state IN ('running', 'pending_cancellation');

-- Pruning finds finished jobs by age.
CREATE INDEX IF NOT EXISTS jobs_completed_at
    ON job_control.jobs (completed_at) WHERE completed_at IS NOT NULL;

-- Every state change, written by the trigger when job_control.history is on.
-- transitioned_at is the job's updated_at after the change, which strictly
-- increases per job, so (job_id, transitioned_at) identifies a row.
CREATE TABLE IF NOT EXISTS job_control.job_transitions (
    job_id          uuid NOT NULL,
    company_id      bigint NOT NULL,
    from_state      job_control.job_state,       -- NULL: the job was created
    to_state        job_control.job_state NOT NULL,
    transitioned_at timestamptz NOT NULL,
    role            text NOT NULL,               -- the role that made the change
    executor        text,                        -- the job's executor after it
    CONSTRAINT job_transitions_pkey PRIMARY KEY (job_id, transitioned_at)
);
CREATE INDEX IF NOT EXISTS job_transitions_transitioned_at
    ON job_control.job_transitions (transitioned_at);
COMMENT ON TABLE job_control.job_transitions IS
    'History of job state changes, recorded while job_control.history is on.';
SELECT pg_catalog.pg_extension_config_dump('job_control.job_transitions', '');

-- Counts by state and type, with the age of the oldest job in each (for
-- pending and running jobs: how long the oldest has waited since created).
-- security_invoker: a reader sees the counts of the jobs it may see.
CREATE OR REPLACE VIEW job_control.job_stats WITH (security_invoker = true) AS
SELECT state,
       type,
       pg_catalog.count(*) AS jobs,
       pg_catalog.min(created_at) AS oldest_created_at,
       CASE WHEN state IN ('pending', 'running', 'pending_cancellation')
            THEN pg_catalog.now() - pg_catalog.min(created_at) END AS oldest_age
  FROM job_control.jobs
 GROUP BY state, type;

CREATE OR REPLACE FUNCTION job_control.job_claim(
    executor text, max_jobs integer DEFAULT 1,
    types job_control.job_type[] DEFAULT NULL, data_plane_id uuid DEFAULT NULL)
    RETURNS SETOF jsonb LANGUAGE c VOLATILE ROWS 1
    AS 'MODULE_PATHNAME', 'job_claim';

CREATE OR REPLACE FUNCTION job_control.job_heartbeat(id uuid, executor text)
    RETURNS jsonb LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'job_heartbeat';

CREATE OR REPLACE FUNCTION job_control.job_reap_stale(older_than interval)
    RETURNS SETOF jsonb LANGUAGE c VOLATILE ROWS 10
    AS 'MODULE_PATHNAME', 'job_reap_stale';

CREATE OR REPLACE FUNCTION job_control.job_reschedule(id uuid, force boolean DEFAULT false)
    RETURNS jsonb LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'job_reschedule';

CREATE OR REPLACE FUNCTION job_control.job_fail_many(
    ids uuid[], message text, diagnostic jsonb DEFAULT NULL)
    RETURNS SETOF jsonb LANGUAGE c VOLATILE ROWS 100
    AS 'MODULE_PATHNAME', 'job_fail_many';

CREATE OR REPLACE FUNCTION job_control.job_list(
    state job_control.job_state DEFAULT NULL,
    type job_control.job_type DEFAULT NULL,
    data_plane_id uuid DEFAULT NULL,
    dataset_id bigint DEFAULT NULL,
    order_by text DEFAULT 'created_at',
    direction text DEFAULT 'desc',
    page integer DEFAULT 1,
    page_size integer DEFAULT 50)
    RETURNS jsonb LANGUAGE c STABLE AS 'MODULE_PATHNAME', 'job_list';

CREATE OR REPLACE FUNCTION job_control.job_prune_batch(
    older_than interval, batch_size integer DEFAULT 1000)
    RETURNS jsonb LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'job_prune_batch';

-- Prunes finished jobs and history older than older_than, one batch per
-- transaction, so that no lock is held for long. CALL it outside a
-- transaction block. (A procedure that commits cannot pin search_path with a
-- SET clause, so every name and operator in it is schema-qualified.)
CREATE OR REPLACE PROCEDURE job_control.job_prune(
    older_than interval, batch_size integer DEFAULT 1000,
    INOUT jobs_deleted bigint DEFAULT 0, INOUT transitions_deleted bigint DEFAULT 0)
LANGUAGE plpgsql
AS $$
DECLARE
    batch jsonb;
    jobs bigint;
    transitions bigint;
BEGIN
    jobs_deleted := 0;
    transitions_deleted := 0;
    LOOP
        batch := job_control.job_prune_batch(older_than, batch_size);
        jobs := CAST(batch OPERATOR(pg_catalog.->>) 'jobs' AS pg_catalog.int8);
        transitions := CAST(batch OPERATOR(pg_catalog.->>) 'transitions' AS pg_catalog.int8);
        jobs_deleted := jobs_deleted OPERATOR(pg_catalog.+) jobs;
        transitions_deleted := transitions_deleted OPERATOR(pg_catalog.+) transitions;
        COMMIT;
        EXIT WHEN jobs OPERATOR(pg_catalog.=) 0 AND transitions OPERATOR(pg_catalog.=) 0;
    END LOOP;
END $$;

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA job_control FROM PUBLIC;
REVOKE ALL ON ALL PROCEDURES IN SCHEMA job_control FROM PUBLIC;
