-- Monitoring without reading the jobs table (1.5): counters of what happened
-- (totals and rates, counted when a transaction commits), the last failures,
-- gauges from the work index, and the page for \watch.
-- (expected/monitoring_1.out: 15 and 16 without the library preloaded, where
-- nothing is counted.)
CREATE TEMP TABLE counted_before AS
SELECT type, event, total FROM job_control.job_event_counts();
CREATE FUNCTION pg_temp.happened() RETURNS TABLE (type job_control.job_type, event text, n bigint)
LANGUAGE sql AS $$
    SELECT e.type, e.event, e.total - coalesce(b.total, 0)
      FROM job_control.job_event_counts() AS e
      LEFT JOIN counted_before AS b ON b.type IS NOT DISTINCT FROM e.type AND b.event = e.event
     WHERE e.total - coalesce(b.total, 0) <> 0
     ORDER BY 1, 2
$$;
SELECT job_control.job_counters_since() <= now() AS counting;

-- A lifecycle of company 7001: every event once or more.
SET job_control.company_id = 7001;
SELECT job_control.job_create('nql-forecast', '{"nql": "m1"}', '{"company_id": 7001}') ->> 'job_id' AS done \gset
SELECT job_control.job_create('nql-forecast', '{"nql": "m2"}', '{"company_id": 7001}') ->> 'job_id' AS failing \gset
SELECT job_control.job_create('nql-forecast', '{"nql": "m3"}', '{"company_id": 7001}') ->> 'job_id' AS waiting \gset
SELECT job_control.job_create('materialize-view', '{"nql": "m4", "dataset_id": 1}', '{"company_id": 7001}') ->> 'job_id' AS dropped \gset
SELECT job_control.job_start(:'done', 'w1') ->> 'state';
SELECT job_control.job_complete(:'done') ->> 'state';
SELECT count(*) AS claimed FROM job_control.job_claim('w2', 1, '{nql-forecast}') AS j
 WHERE j ->> 'job_id' = :'failing';
SELECT job_control.job_fail(:'failing', 'warehouse timed out') ->> 'state';
SELECT job_control.job_cancel(:'dropped') ->> 'state';
SELECT job_control.job_fail(:'failing', 'a no-op counts nothing') ->> 'state';
-- Rolled back: counted nowhere; a rolled-back savepoint takes its counts.
BEGIN;
SELECT job_control.job_start(:'waiting', 'w3') ->> 'state';
ROLLBACK;
BEGIN;
SAVEPOINT a;
SELECT job_control.job_create('nql-forecast', '{"nql": "gone"}', '{"company_id": 7001}') ->> 'state';
ROLLBACK TO a;
SELECT (job_control.job_reschedule(:'failing', true) -> 'job' ->> 'state') AS rescheduled;
COMMIT;

-- Gauges: as the session's company, from the queue and the leases.
SELECT job_control.job_start(:'waiting', 'w3') ->> 'state';
SELECT type, pending, running, pending_cancellation, stale,
       oldest_pending_seconds >= 0 AS aged, oldest_working_seconds >= 0 AS working_aged
  FROM job_control.job_metrics();
SELECT type, stale FROM job_control.job_metrics('0 seconds') WHERE stale > 0;

-- The counters count every company: a bound session may not read them.
SELECT job_control.job_event_counts();
SELECT job_control.job_recent_failures();
SELECT job_control.job_notifier_backlog();
RESET job_control.company_id;

SELECT * FROM pg_temp.happened();
SELECT bool_and(per_second >= 0) AS rates_defined FROM job_control.job_event_counts();
SELECT job_id = :'failing' AS newest_failure, type FROM job_control.job_recent_failures() LIMIT 1;
SELECT job_control.job_notifier_backlog() >= 0 AS backlog_read;

-- The page for \watch: a header, a line a type, the last failures with
-- their messages.
SELECT line ~ '^job_control at .*, counting since ' AS header
  FROM job_control.job_monitor() AS line LIMIT 1;
SELECT regexp_replace(line, '\s+', ' ', 'g') AS columns
  FROM job_control.job_monitor() AS line OFFSET 1 LIMIT 1;
SELECT count(*) AS type_lines FROM job_control.job_monitor() AS line
 WHERE line ~ '^(nql-forecast|materialize-view) ';
SELECT count(*) AS our_failure FROM job_control.job_monitor() AS line
 WHERE line LIKE '%' || :'failing' || '  warehouse timed out';

-- A reader may read all of it. (Roles other suites made may exist:
-- PostgreSQL's notices of memberships already granted are left out.)
SET client_min_messages = warning;
SELECT job_control.create_access_roles();
RESET client_min_messages;
CREATE ROLE regress_monitor IN ROLE job_control_reader;
SET ROLE regress_monitor;
SELECT count(*) > 0 AS metrics FROM job_control.job_metrics();
SELECT count(*) > 0 AS counts FROM job_control.job_event_counts();
SELECT count(*) > 2 AS page FROM job_control.job_monitor();
RESET ROLE;
DELETE FROM job_control.jobs WHERE company_id = 7001;
DROP OWNED BY regress_monitor, job_control_reader, job_control_writer, job_control_executor, job_control_admin;
DROP ROLE regress_monitor, job_control_reader, job_control_writer, job_control_executor, job_control_admin;
