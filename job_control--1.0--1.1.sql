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
-- History is append-only and arrives in time order: a BRIN index finds old
-- rows for pruning at almost no cost per insert (a btree would add an index
-- entry to every transition).
CREATE INDEX IF NOT EXISTS job_transitions_transitioned_at
    ON job_control.job_transitions USING brin (transitioned_at);
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

-- Tenancy: a session that sets job_control.company_id sees and changes only
-- that company's jobs (and history); other jobs do not exist for it. Without
-- the setting, a role sees what its privileges allow. Row-level security
-- binds every non-owner role, through the functions and through plain SQL.
CREATE OR REPLACE FUNCTION job_control.current_company() RETURNS bigint
    LANGUAGE c STABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'job_current_company';

ALTER TABLE job_control.jobs ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS jobs_tenant ON job_control.jobs;
CREATE POLICY jobs_tenant ON job_control.jobs
    USING (job_control.current_company() IS NULL
           OR company_id OPERATOR(pg_catalog.=) job_control.current_company())
    WITH CHECK (job_control.current_company() IS NULL
                OR company_id OPERATOR(pg_catalog.=) job_control.current_company());

ALTER TABLE job_control.job_transitions ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS job_transitions_tenant ON job_control.job_transitions;
CREATE POLICY job_transitions_tenant ON job_control.job_transitions
    USING (job_control.current_company() IS NULL
           OR company_id OPERATOR(pg_catalog.=) job_control.current_company());

-- Access levels as group roles: reader, writer (every transition), executor
-- (claim, heartbeat, start, complete, fail, acknowledge a cancellation) and
-- admin (all of them, plus reaping, forced reschedules, pruning, DELETE and
-- the settings). Creates the roles that do not exist and grants each its
-- level in this database; run it again after an upgrade. Needs a role that
-- may create roles and grant on the extension's objects (a superuser).
CREATE OR REPLACE FUNCTION job_control.create_access_roles() RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    level text;
BEGIN
    FOREACH level IN ARRAY ARRAY['reader', 'writer', 'executor', 'admin'] LOOP
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'job_control_' || level) THEN
            EXECUTE format('CREATE ROLE %I NOLOGIN', 'job_control_' || level);
        END IF;
    END LOOP;

    GRANT USAGE ON SCHEMA job_control TO job_control_reader;
    GRANT SELECT ON job_control.jobs, job_control.job_transitions, job_control.job_stats
        TO job_control_reader;
    GRANT EXECUTE ON FUNCTION
        job_control.job_get(uuid),
        job_control.job_list(job_control.job_state, job_control.job_type, uuid, bigint, text, text, integer, integer)
        TO job_control_reader;

    GRANT job_control_reader TO job_control_writer;
    GRANT INSERT, UPDATE ON job_control.jobs TO job_control_writer;
    GRANT EXECUTE ON FUNCTION
        job_control.job_create(job_control.job_type, jsonb, jsonb, text, uuid, uuid, job_control.execution_cluster),
        job_control.job_start(uuid, text),
        job_control.job_complete(uuid, jsonb, text),
        job_control.job_fail(uuid, text, jsonb, text),
        job_control.job_cancel(uuid),
        job_control.job_acknowledge_cancel(uuid),
        job_control.job_reschedule(uuid, boolean),
        job_control.job_fail_many(uuid[], text, jsonb)
        TO job_control_writer;

    GRANT job_control_reader TO job_control_executor;
    GRANT UPDATE ON job_control.jobs TO job_control_executor;
    GRANT EXECUTE ON FUNCTION
        job_control.job_claim(text, integer, job_control.job_type[], uuid),
        job_control.job_heartbeat(uuid, text),
        job_control.job_start(uuid, text),
        job_control.job_complete(uuid, jsonb, text),
        job_control.job_fail(uuid, text, jsonb, text),
        job_control.job_acknowledge_cancel(uuid)
        TO job_control_executor;

    GRANT job_control_writer, job_control_executor TO job_control_admin;
    GRANT DELETE ON job_control.jobs, job_control.job_transitions TO job_control_admin;
    GRANT EXECUTE ON FUNCTION
        job_control.job_reap_stale(interval),
        job_control.job_prune_batch(interval, integer)
        TO job_control_admin;
    GRANT EXECUTE ON PROCEDURE job_control.job_prune(interval, integer, bigint, bigint)
        TO job_control_admin;
    GRANT SET ON PARAMETER job_control.history, job_control.notify,
        job_control.max_message_bytes, job_control.max_diagnostic_bytes,
        job_control.max_result_bytes, job_control.max_input_bytes
        TO job_control_admin;
END $$;

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA job_control FROM PUBLIC;
REVOKE ALL ON ALL PROCEDURES IN SCHEMA job_control FROM PUBLIC;
-- The policies call current_company() as the querying role.
GRANT EXECUTE ON FUNCTION job_control.current_company() TO PUBLIC;
