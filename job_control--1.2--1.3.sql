-- job_control 1.2 -> 1.3: deferred notifications, and cheaper CHECK
-- constraints on the jobs table.
--
-- Deferred notifications. With
-- job_control.notify = deferred, a state change queues its notification in
-- job_control.job_notifications instead of sending NOTIFY itself, and the
-- notifier (a background worker of the database, started on demand) sends
-- the queued notifications after their transactions commit, many in one
-- transaction. NOTIFY makes every committing transaction hold one lock for
-- the whole database through its commit; deferred, only the notifier does.
-- Idempotent: every statement may run again on an install that has it.
\echo Use "ALTER EXTENSION job_control UPDATE TO '1.3'" to load this file. \quit

-- Unlogged: a notification does not outlive a crash in PostgreSQL either
-- (its queue is not WAL-logged), and an unlogged insert writes no WAL. No
-- index: the notifier reads the whole table, which it keeps near empty.
CREATE UNLOGGED TABLE IF NOT EXISTS job_control.job_notifications (
    id      bigint GENERATED ALWAYS AS IDENTITY,
    payload text NOT NULL
);
-- Every row is deleted soon after it is inserted: vacuum after a fixed number
-- of changes, whatever the size.
ALTER TABLE job_control.job_notifications SET (autovacuum_vacuum_scale_factor = 0,
    autovacuum_vacuum_threshold = 1000, autovacuum_vacuum_cost_delay = 0,
    autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_insert_threshold = 1000);
-- Payloads name the jobs of every company: only the owner reads or writes
-- the table (the trigger inserts as the owner, the notifier runs as it).
REVOKE ALL ON job_control.job_notifications FROM PUBLIC;
COMMENT ON TABLE job_control.job_notifications IS
    'Notifications queued by job_control.notify = deferred until the notifier sends them; not dumped.';

-- CHECK constraints as calls of C functions. PostgreSQL reads and plans a
-- table's CHECK expressions again for every statement that writes it; these
-- two cost 13.6% of a job_fail as SQL expressions. Same names, same meaning
-- (NULL passes, as before). Existing rows already passed the same checks;
-- VALIDATE reads the table once (writes to it wait until the update ends).
CREATE OR REPLACE FUNCTION job_control.company_matches_request_source(company_id bigint, request_source jsonb)
    RETURNS boolean LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'job_company_matches_request_source';
COMMENT ON FUNCTION job_control.company_matches_request_source(bigint, jsonb) IS
    'CHECK of jobs: company_id = (request_source ->> ''company_id'')::bigint';
CREATE OR REPLACE FUNCTION job_control.completed_at_matches_state(state job_control.job_state, completed_at timestamptz)
    RETURNS boolean LANGUAGE c IMMUTABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'job_completed_at_matches_state';
COMMENT ON FUNCTION job_control.completed_at_matches_state(job_control.job_state, timestamptz) IS
    'CHECK of jobs: (state IN (''completed'', ''cancelled'', ''failed'')) = (completed_at IS NOT NULL)';
-- Every writer of jobs runs them, as the tenant policies run current_company().
GRANT EXECUTE ON FUNCTION job_control.company_matches_request_source(bigint, jsonb),
    job_control.completed_at_matches_state(job_control.job_state, timestamptz) TO PUBLIC;

ALTER TABLE job_control.jobs
    DROP CONSTRAINT IF EXISTS jobs_company_id_matches_request_source,
    DROP CONSTRAINT IF EXISTS jobs_completed_at_iff_terminal,
    ADD CONSTRAINT jobs_company_id_matches_request_source
        CHECK (job_control.company_matches_request_source(company_id, request_source)) NOT VALID,
    ADD CONSTRAINT jobs_completed_at_iff_terminal
        CHECK (job_control.completed_at_matches_state(state, completed_at)) NOT VALID;
ALTER TABLE job_control.jobs VALIDATE CONSTRAINT jobs_company_id_matches_request_source;
ALTER TABLE job_control.jobs VALIDATE CONSTRAINT jobs_completed_at_iff_terminal;
