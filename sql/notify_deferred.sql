-- job_control.notify = deferred: a state change queues its notification in
-- job_control.job_notifications (in its own transaction, rolled back with
-- it) and the notifier, a background worker started on demand, sends it
-- after the commit. (Delivery to a listener: test/notify_test.sh.)
LOAD 'job_control';  -- defines the setting before it is set
DELETE FROM job_control.jobs;

-- The setting: off, on (at commit), deferred; the boolean spellings of
-- earlier versions still work.
SET job_control.notify = true;
SHOW job_control.notify;
SET job_control.notify = deferred;
SHOW job_control.notify;
SET job_control.notify = later;

CREATE FUNCTION pg_temp.notifier_count() RETURNS bigint LANGUAGE sql AS $$
    SELECT count(*) FROM pg_stat_activity
     WHERE backend_type = 'job_control notifier' AND datname = current_database()
$$;
-- Waits up to `seconds` for `done`; returns whether it came.
CREATE FUNCTION pg_temp.wait_for(done text, seconds int DEFAULT 30) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    ok boolean;
BEGIN
    FOR i IN 1..seconds * 10 LOOP
        EXECUTE 'SELECT ' || done INTO ok;
        IF ok THEN RETURN true; END IF;
        PERFORM pg_sleep(0.1);
        PERFORM pg_stat_clear_snapshot();
    END LOOP;
    RETURN false;
END $$;

-- Queued in the changing transaction, in order; the notifier cannot see
-- them before the commit, and a rollback takes them back.
BEGIN;
INSERT INTO job_control.jobs (job_id, company_id, request_source, type, input)
VALUES ('77000000-0000-0000-0000-000000000001', 7, '{"company_id": 7}', 'nql-forecast', '{"nql": "q"}');
SELECT job_control.job_start('77000000-0000-0000-0000-000000000001', 'worker-1') ->> 'state';
SELECT job_control.job_fail('77000000-0000-0000-0000-000000000001', 'boom') ->> 'state';
SELECT job_control.job_fail('77000000-0000-0000-0000-000000000001', 'no-op') ->> 'state';
SELECT payload FROM job_control.job_notifications ORDER BY id;
ROLLBACK;
SELECT count(*) AS queued_after_rollback FROM job_control.job_notifications;

-- While the queue is as created its rows are inserted without SQL (above);
-- with a trigger a DBA adds they are inserted by SQL, which fires it.
CREATE FUNCTION pg_temp.show_queued() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE NOTICE 'queued: %', NEW.payload::jsonb ->> 'to';
  RETURN NEW;
END $$;
CREATE TRIGGER show_queued AFTER INSERT ON job_control.job_notifications
  FOR EACH ROW EXECUTE FUNCTION pg_temp.show_queued();
BEGIN;
INSERT INTO job_control.jobs (job_id, company_id, request_source, type, input)
VALUES ('77000000-0000-0000-0000-000000000001', 7, '{"company_id": 7}', 'nql-forecast', '{"nql": "q"}');
SELECT job_control.job_start('77000000-0000-0000-0000-000000000001', 'worker-1') ->> 'state';
SELECT payload::jsonb ->> 'to' AS queued FROM job_control.job_notifications ORDER BY id;
ROLLBACK;
DROP TRIGGER show_queued ON job_control.job_notifications;

-- After the commit the notifier sends them and empties the queue; one
-- notifier serves the database.
INSERT INTO job_control.jobs (job_id, company_id, request_source, type, input)
VALUES ('77000000-0000-0000-0000-000000000001', 7, '{"company_id": 7}', 'nql-forecast', '{"nql": "q"}');
SELECT pg_temp.wait_for('(SELECT count(*) = 0 FROM job_control.job_notifications)') AS sent;
SELECT pg_temp.wait_for('pg_temp.notifier_count() = 1') AS one_notifier;

-- A writer needs no right on the queue: the trigger writes it as the owner.
-- Payloads name every company's jobs, so only the owner reads it.
CREATE ROLE regress_notify_writer;
GRANT USAGE ON SCHEMA job_control TO regress_notify_writer;
GRANT SELECT, UPDATE ON job_control.jobs TO regress_notify_writer;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA job_control TO regress_notify_writer;
SET ROLE regress_notify_writer;
SELECT job_control.job_start('77000000-0000-0000-0000-000000000001', 'worker-1') ->> 'state';
SELECT count(*) FROM job_control.job_notifications;
RESET ROLE;
SELECT pg_temp.wait_for('(SELECT count(*) = 0 FROM job_control.job_notifications)') AS sent;

-- Stopped (SIGTERM), the notifier is not restarted by PostgreSQL (which
-- would take 10 s); the next notification queued starts it again at once.
SELECT pg_terminate_backend(pid) FROM pg_stat_activity
 WHERE backend_type = 'job_control notifier' AND datname = current_database();
SELECT pg_temp.wait_for('pg_temp.notifier_count() = 0') AS stopped;
SELECT pg_sleep(1.1);  -- a backend looks for the notifier at most once a second
SELECT job_control.job_reschedule('77000000-0000-0000-0000-000000000001', true) -> 'job' ->> 'state';
SELECT pg_temp.wait_for('pg_temp.notifier_count() = 1', 5) AS restarted;
SELECT pg_temp.wait_for('(SELECT count(*) = 0 FROM job_control.job_notifications)') AS sent;

-- Back to notifications at commit: nothing is queued.
SET job_control.notify = on;
SELECT job_control.job_start('77000000-0000-0000-0000-000000000001', 'worker-2') ->> 'state';
SELECT count(*) AS queued FROM job_control.job_notifications;

RESET job_control.notify;
DELETE FROM job_control.jobs;
REVOKE ALL ON SCHEMA job_control FROM regress_notify_writer;
REVOKE ALL ON job_control.jobs FROM regress_notify_writer;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA job_control FROM regress_notify_writer;
DROP ROLE regress_notify_writer;

-- The notifier stops when job_control is dropped.
SELECT pg_temp.notifier_count() AS notifiers;
DROP EXTENSION job_control;
SELECT pg_temp.wait_for('pg_temp.notifier_count() = 0') AS stopped;
CREATE EXTENSION job_control;
