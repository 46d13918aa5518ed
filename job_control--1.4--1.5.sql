-- job_control 1.4 -> 1.5: monitoring that does not read the jobs table.
--
-- Gauges come from the work index (the pending queue and the leases), whose
-- size follows the jobs waiting and working, not the jobs kept; counts of
-- what happened come from counters in shared memory that every change of
-- state adds to when its transaction commits (totals since the server
-- started, and rates over the last minute). Neither needs the history.
-- Idempotent: every statement may run again on an install that has it.
\echo Use "ALTER EXTENSION job_control UPDATE TO '1.5'" to load this file. \quit

-- The counters count every company: a session bound to one
-- (job_control.company_id) gets 42501. Nothing is counted on 15 and 16
-- unless the server preloads the library (shared_preload_libraries): then
-- job_counters_since() is NULL and the other two return no rows.
CREATE OR REPLACE FUNCTION job_control.job_event_counts()
    RETURNS TABLE (type job_control.job_type, event text, total bigint,
                   per_second double precision)
    LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'job_event_counts';
COMMENT ON FUNCTION job_control.job_event_counts() IS
    'What happened to jobs since counting started, by type and event (created, claimed, started, cancel_requested, completed, failed, cancelled, rescheduled): the total, and per second over the last minute.';

CREATE OR REPLACE FUNCTION job_control.job_recent_failures()
    RETURNS TABLE (job_id uuid, type job_control.job_type, failed_at timestamptz)
    LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'job_recent_failures';
COMMENT ON FUNCTION job_control.job_recent_failures() IS
    'The last ten jobs that failed since counting started, newest first.';

CREATE OR REPLACE FUNCTION job_control.job_counters_since() RETURNS timestamptz
    LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'job_counters_since';
COMMENT ON FUNCTION job_control.job_counters_since() IS
    'When counting started (the server''s start, or its first count after it); NULL when nothing is counted (15 and 16 without shared_preload_libraries).';

-- By type: the jobs waiting and working, the age of the oldest of each
-- (since it was created), and the working jobs without a heartbeat for
-- longer than stale_after (those job_reap_stale(stale_after) would fail).
-- Reads the queue and the leases (with each lease's job by its key): its
-- cost follows the backlog and the leases, which job_reap_stale clears of
-- finished jobs. As the caller: a session bound to a company
-- (job_control.company_id) sees that company's jobs, even as the owner.
CREATE OR REPLACE FUNCTION job_control.job_metrics(stale_after interval DEFAULT '5 minutes')
    RETURNS TABLE (type job_control.job_type, pending bigint, running bigint,
                   pending_cancellation bigint,
                   oldest_pending_seconds double precision,
                   oldest_working_seconds double precision, stale bigint)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    WITH waiting AS (
        SELECT q.type, count(*) AS jobs, min(q.created_at) AS oldest
          FROM job_control.job_queue AS q
         WHERE job_control.current_company() IS NULL
            OR q.company_id = job_control.current_company()
         GROUP BY q.type
    ), working AS (
        SELECT j.type,
               count(*) FILTER (WHERE j.state = 'running') AS running,
               count(*) FILTER (WHERE j.state = 'pending_cancellation') AS cancelling,
               min(j.created_at) AS oldest,
               count(*) FILTER (WHERE j.updated_at < now() - stale_after) AS stale
          FROM job_control.job_leases AS l
          JOIN job_control.jobs AS j ON j.job_id = l.job_id
         WHERE j.state IN ('running', 'pending_cancellation')
           AND (job_control.current_company() IS NULL
                OR l.company_id = job_control.current_company())
         GROUP BY j.type
    )
    SELECT t.type,
           coalesce(w.jobs, 0),
           coalesce(k.running, 0),
           coalesce(k.cancelling, 0),
           coalesce(extract(epoch FROM now() - w.oldest)::double precision, 0),
           coalesce(extract(epoch FROM now() - k.oldest)::double precision, 0),
           coalesce(k.stale, 0)
      FROM unnest(enum_range(NULL::job_control.job_type)) AS t(type)
      LEFT JOIN waiting AS w ON w.type = t.type
      LEFT JOIN working AS k ON k.type = t.type
     ORDER BY t.type
$$;

-- Notifications queued (job_control.notify = deferred) that the notifier
-- has not sent yet (the queue is the owner's: the library reads it as the
-- owner, as the trigger writes it). 42501 for a session bound to a company.
CREATE OR REPLACE FUNCTION job_control.job_notifier_backlog() RETURNS bigint
    LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'job_notifier_backlog';

-- A page for psql's \watch: SELECT * FROM job_control.job_monitor() \watch 2
CREATE OR REPLACE FUNCTION job_control.job_monitor(stale_after interval DEFAULT '5 minutes')
    RETURNS SETOF text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    since timestamptz := job_control.job_counters_since();
    m record;
    f record;
BEGIN
    RETURN NEXT format('job_control at %s, %s', to_char(now(), 'YYYY-MM-DD HH24:MI:SS'),
        CASE WHEN since IS NULL
             THEN 'not counting (add job_control to shared_preload_libraries)'
             ELSE 'counting since ' || to_char(since, 'YYYY-MM-DD HH24:MI:SS') END);
    RETURN NEXT format('%-18s %8s %8s %10s %11s %8s %8s %8s %8s %6s', 'type', 'pending',
        'running', 'cancelling', 'oldest wait', 'claim/s', 'done/s', 'failed/s',
        'cancel/s', 'stale');
    FOR m IN
        SELECT g.*, c.claimed, c.completed, c.failed, c.cancelled
          FROM job_control.job_metrics(stale_after) AS g
          LEFT JOIN (
              SELECT e.type,
                     sum(e.per_second) FILTER (WHERE e.event = 'claimed') AS claimed,
                     sum(e.per_second) FILTER (WHERE e.event = 'completed') AS completed,
                     sum(e.per_second) FILTER (WHERE e.event = 'failed') AS failed,
                     sum(e.per_second) FILTER (WHERE e.event = 'cancelled') AS cancelled
                FROM job_control.job_event_counts() AS e
               GROUP BY e.type) AS c ON c.type = g.type
         ORDER BY g.type
    LOOP
        RETURN NEXT format('%-18s %8s %8s %10s %11s %8s %8s %8s %8s %6s', m.type, m.pending,
            m.running, m.pending_cancellation,
            CASE WHEN m.pending > 0
                 THEN to_char(make_interval(secs => m.oldest_pending_seconds), 'HH24:MI:SS')
                 ELSE '-' END,
            coalesce(to_char(m.claimed, 'FM999990.0'), '-'),
            coalesce(to_char(m.completed, 'FM999990.0'), '-'),
            coalesce(to_char(m.failed, 'FM999990.0'), '-'),
            coalesce(to_char(m.cancelled, 'FM999990.0'), '-'),
            m.stale);
    END LOOP;
    RETURN NEXT 'last failures';
    FOR f IN
        SELECT r.failed_at, r.type, r.job_id,
               j.failures -> -1 ->> 'message' AS message
          FROM job_control.job_recent_failures() AS r
          LEFT JOIN job_control.jobs AS j ON j.job_id = r.job_id
    LOOP
        RETURN NEXT format('  %s  %-18s %s  %s', to_char(f.failed_at, 'HH24:MI:SS'),
            coalesce(f.type::text, '(other)'), f.job_id,
            coalesce(left(f.message, 60), '(pruned)'));
    END LOOP;
END $$;
COMMENT ON FUNCTION job_control.job_monitor(interval) IS
    'One screen for psql''s \watch: by type, the backlog, the working jobs, the oldest wait, claims and outcomes per second over the last minute, the stale working jobs; then the last failures with their messages.';

-- The access levels of 1.1 to 1.4 stay in one function; the new
-- create_access_roles() calls it and grants what this version adds.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_proc
                    WHERE proname = 'create_access_roles_1_1'
                      AND pronamespace = 'job_control'::regnamespace) THEN
        ALTER FUNCTION job_control.create_access_roles() RENAME TO create_access_roles_1_1;
    END IF;
END $$;
CREATE OR REPLACE FUNCTION job_control.create_access_roles() RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM job_control.create_access_roles_1_1();
    GRANT EXECUTE ON FUNCTION
        job_control.job_metrics(interval),
        job_control.job_event_counts(),
        job_control.job_recent_failures(),
        job_control.job_counters_since(),
        job_control.job_notifier_backlog(),
        job_control.job_monitor(interval)
        TO job_control_reader;
END $$;

REVOKE ALL ON FUNCTION job_control.create_access_roles_1_1(),
    job_control.create_access_roles(),
    job_control.job_event_counts(), job_control.job_recent_failures(),
    job_control.job_counters_since(), job_control.job_metrics(interval),
    job_control.job_notifier_backlog(), job_control.job_monitor(interval)
    FROM PUBLIC;
