-- job_control 1.1 -> 1.2: HOT transitions. No index on the jobs table names a
-- column that a transition changes (state, updated_at, completed_at), so
-- failing, completing or cancelling a job is a heap-only-tuple update that
-- writes no index entry. Claims and the reaper find their jobs in two narrow
-- tables beside it, kept by the trigger (the work index).
-- Idempotent: every statement may run again on an install that has it.
\echo Use "ALTER EXTENSION job_control UPDATE TO '1.2'" to load this file. \quit

DROP INDEX IF EXISTS job_control.jobs_pending_queue;
DROP INDEX IF EXISTS job_control.jobs_leases;
DROP INDEX IF EXISTS job_control.jobs_completed_at;

-- created_at never changes: listing by it and pruning (a job completed before
-- a cutoff was created before it) use this index without costing HOT.
CREATE INDEX IF NOT EXISTS jobs_created_at ON job_control.jobs (created_at);

-- Room on each page for the new versions of its rows, so that updates stay
-- on the page (HOT). Applies to pages written from now on; VACUUM FULL
-- job_control.jobs applies it to existing ones.
ALTER TABLE job_control.jobs SET (fillfactor = 70);

-- The pending queue: exactly the pending jobs, oldest first.
CREATE TABLE IF NOT EXISTS job_control.job_queue (
    job_id     uuid NOT NULL,
    company_id bigint NOT NULL,
    created_at timestamptz NOT NULL,
    CONSTRAINT job_queue_pkey PRIMARY KEY (job_id)
);
CREATE INDEX IF NOT EXISTS job_queue_order
    ON job_control.job_queue (created_at, job_id);
-- A queue is small and churns: every claim leaves a dead entry at its head,
-- which later claims step over until VACUUM removes it. Vacuum it after a
-- fixed number of changes, whatever its size.
ALTER TABLE job_control.job_queue SET (autovacuum_vacuum_scale_factor = 0,
    autovacuum_vacuum_threshold = 1000, autovacuum_vacuum_cost_delay = 0);
COMMENT ON TABLE job_control.job_queue IS
    'The pending jobs, kept by the trigger on job_control.jobs; claims read it oldest first.';

-- Lease entries: every running and pending_cancellation job has one. Added
-- when a job starts working, removed lazily by job_reap_stale (and when the
-- job is deleted), so that finishing a job writes nothing but its own row.
CREATE TABLE IF NOT EXISTS job_control.job_leases (
    job_id     uuid NOT NULL,
    company_id bigint NOT NULL,
    CONSTRAINT job_leases_pkey PRIMARY KEY (job_id)
);
ALTER TABLE job_control.job_leases SET (autovacuum_vacuum_scale_factor = 0,
    autovacuum_vacuum_threshold = 1000, autovacuum_vacuum_cost_delay = 0);
COMMENT ON TABLE job_control.job_leases IS
    'Jobs that hold or held a lease, kept by the trigger on job_control.jobs; the reaper reads it.';

-- Derived from the jobs: not dumped (a restore of the jobs rebuilds them
-- through the trigger), and filled here from the jobs of an upgraded install.
INSERT INTO job_control.job_queue (job_id, company_id, created_at)
SELECT job_id, company_id, created_at FROM job_control.jobs WHERE state = 'pending'
ON CONFLICT (job_id) DO NOTHING;
INSERT INTO job_control.job_leases (job_id, company_id)
SELECT job_id, company_id FROM job_control.jobs
 WHERE state IN ('running', 'pending_cancellation')
ON CONFLICT (job_id) DO NOTHING;

-- Whoever may read the jobs may read the work index (claims read the queue
-- as the caller), with the same tenancy; nobody but the owner writes it.
-- The privilege is checked once per query (an InitPlan), not per row.
GRANT SELECT ON job_control.job_queue, job_control.job_leases TO PUBLIC;
ALTER TABLE job_control.job_queue ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS job_queue_readers ON job_control.job_queue;
CREATE POLICY job_queue_readers ON job_control.job_queue
    USING ((SELECT pg_catalog.has_table_privilege('job_control.jobs'::pg_catalog.regclass, 'SELECT'))
           AND (job_control.current_company() IS NULL
                OR company_id OPERATOR(pg_catalog.=) job_control.current_company()));
ALTER TABLE job_control.job_leases ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS job_leases_readers ON job_control.job_leases;
CREATE POLICY job_leases_readers ON job_control.job_leases
    USING ((SELECT pg_catalog.has_table_privilege('job_control.jobs'::pg_catalog.regclass, 'SELECT'))
           AND (job_control.current_company() IS NULL
                OR company_id OPERATOR(pg_catalog.=) job_control.current_company()));

-- The BEFORE trigger's argument tells the library that this install has the
-- work index (a 1.0 or 1.1 install keeps working with this library until it
-- is updated). An AFTER trigger handles what only a row that really was
-- inserted or deleted may cause: a new job enters the work index and its
-- creation is logged (an INSERT ... ON CONFLICT DO NOTHING that skips the row
-- causes neither), a deleted job leaves it.
CREATE OR REPLACE FUNCTION job_control.jobs_track() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'jobs_track';
REVOKE ALL ON FUNCTION job_control.jobs_track() FROM PUBLIC;

DROP TRIGGER IF EXISTS jobs_maintain ON job_control.jobs;
CREATE TRIGGER jobs_maintain
    BEFORE INSERT OR UPDATE ON job_control.jobs
    FOR EACH ROW EXECUTE FUNCTION job_control.jobs_maintain('work_index');
DROP TRIGGER IF EXISTS jobs_track ON job_control.jobs;
CREATE TRIGGER jobs_track
    AFTER INSERT OR DELETE ON job_control.jobs
    FOR EACH ROW EXECUTE FUNCTION job_control.jobs_track();
DROP TRIGGER IF EXISTS jobs_track_truncate ON job_control.jobs;
CREATE TRIGGER jobs_track_truncate
    AFTER TRUNCATE ON job_control.jobs
    FOR EACH STATEMENT EXECUTE FUNCTION job_control.jobs_track();
