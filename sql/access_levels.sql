-- The four access levels of job_control.create_access_roles(): each works
-- for a role granted only that level, and everything else raises 42501 and
-- changes nothing.
SELECT job_control.create_access_roles();
-- Again: idempotent (PostgreSQL's notices of memberships already granted,
-- worded differently from 16 on, are left out).
SET client_min_messages = warning;
SELECT job_control.create_access_roles();
RESET client_min_messages;
CREATE ROLE regress_reader IN ROLE job_control_reader;
CREATE ROLE regress_writer IN ROLE job_control_writer;
CREATE ROLE regress_executor IN ROLE job_control_executor;
CREATE ROLE regress_admin IN ROLE job_control_admin;

-- Each level gets its own jobs: level L, slot S -> 0000000L-...-00000000000S,
-- on data plane L.
CREATE FUNCTION pg_temp.id(level int, slot int) RETURNS uuid LANGUAGE sql IMMUTABLE
    RETURN format('%s-0000-4000-8000-%s', lpad(level::text, 8, '0'), lpad(slot::text, 12, '0'))::uuid;
INSERT INTO job_control.jobs (job_id, company_id, request_source, type, input, state, executor, data_plane_id)
SELECT pg_temp.id(l, s), 1, '{"company_id": 1}', 'nql-forecast', '{"nql": "q"}',
       (ARRAY['pending', 'pending', 'running', 'running', 'pending', 'pending_cancellation',
              'failed', 'failed', 'running'])[s]::job_control.job_state,
       CASE WHEN s IN (3, 4, 6, 9) THEN 'w' END,
       CASE WHEN s = 2 THEN pg_temp.id(l, 0) END
  FROM generate_series(1, 4) AS l, generate_series(1, 9) AS s;

CREATE FUNCTION pg_temp.attempt_as(role text, statement text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    before text := (SELECT string_agg(j::text, ',' ORDER BY job_id) FROM job_control.jobs j);
BEGIN
    BEGIN
        EXECUTE format('SET ROLE %I', role);
        EXECUTE statement;
        RESET ROLE;
        RETURN 'ok';
    EXCEPTION WHEN OTHERS THEN
        IF SQLSTATE = '42501' AND (SELECT string_agg(j::text, ',' ORDER BY job_id) FROM job_control.jobs j)
                                  IS DISTINCT FROM before THEN
            RETURN '42501 after a change!';
        END IF;
        RETURN SQLSTATE;
    END;
END $$;

CREATE TEMP TABLE calls (n int, call text);
INSERT INTO calls VALUES
    (1, 'SELECT job_control.job_get(pg_temp.id(%1$s, 1))'),
    (2, 'SELECT job_control.job_list()'),
    (3, 'SELECT count(*) FROM job_control.jobs'),
    (4, 'SELECT count(*) FROM job_control.job_stats'),
    (5, 'SELECT count(*) FROM job_control.job_transitions'),
    (6, 'SELECT job_control.job_create(''nql-forecast'', ''{"nql": "q"}'', ''{"company_id": 1}'')'),
    (7, 'SELECT job_control.job_start(pg_temp.id(%1$s, 1), ''w'')'),
    (8, 'SELECT job_control.job_claim(''w'', 1, NULL, pg_temp.id(%1$s, 0))'),
    (9, 'SELECT job_control.job_heartbeat(pg_temp.id(%1$s, 3), ''w'')'),
    (10, 'SELECT job_control.job_complete(pg_temp.id(%1$s, 3), NULL, ''w'')'),
    (11, 'SELECT job_control.job_fail(pg_temp.id(%1$s, 4), ''boom'', NULL, ''w'')'),
    (12, 'SELECT job_control.job_cancel(pg_temp.id(%1$s, 5))'),
    (13, 'SELECT job_control.job_acknowledge_cancel(pg_temp.id(%1$s, 6))'),
    (14, 'SELECT job_control.job_reschedule(pg_temp.id(%1$s, 7))'),
    (15, 'SELECT job_control.job_fail_many(ARRAY[pg_temp.id(%1$s, 9)], ''batch'')'),
    (16, 'SELECT job_control.job_reschedule(pg_temp.id(%1$s, 8), true)'),
    (17, 'SELECT job_control.job_reap_stale(''1 hour'')'),
    (18, 'SELECT job_control.job_prune_batch(''3650 days'')'),
    (19, 'DELETE FROM job_control.jobs WHERE false'),
    (20, 'SET job_control.history = on');

SELECT regexp_replace(c.call, '\(.*', '') AS call,
       pg_temp.attempt_as('regress_reader', format(c.call, 1)) AS reader,
       pg_temp.attempt_as('regress_writer', format(c.call, 2)) AS writer,
       pg_temp.attempt_as('regress_executor', format(c.call, 3)) AS executor,
       pg_temp.attempt_as('regress_admin', format(c.call, 4)) AS admin
  FROM calls c ORDER BY c.n;
RESET job_control.history;

-- The pruning procedure: administrators only.
SET ROLE regress_writer;
CALL job_control.job_prune('3650 days');
SET ROLE regress_admin;
CALL job_control.job_prune('3650 days');
RESET ROLE;

DELETE FROM job_control.jobs;
DROP OWNED BY regress_reader, regress_writer, regress_executor, regress_admin,
              job_control_reader, job_control_writer, job_control_executor, job_control_admin;
DROP ROLE regress_reader, regress_writer, regress_executor, regress_admin,
          job_control_reader, job_control_writer, job_control_executor, job_control_admin;
