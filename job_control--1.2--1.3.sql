-- job_control 1.2 -> 1.3: deferred notifications. With
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
