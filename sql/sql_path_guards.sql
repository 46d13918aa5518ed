-- The calls without SQL (job_peek, job_move, queue_claim, direct_write) hand
-- the call to SQL whenever anything about the table, its policies, triggers,
-- keys or the caller differs from what they were written for, so that every
-- answer is the SQL statement's. One case per way a review found them to
-- differ; each answered wrongly (or crashed) before its guard.
SET client_min_messages = warning;
SELECT job_control.create_access_roles();
RESET client_min_messages;
DELETE FROM job_control.jobs;
\set one 40000000-0000-4000-8000-000000000001
\set two 40000000-0000-4000-8000-000000000002
\set three 40000000-0000-4000-8000-000000000003
INSERT INTO job_control.jobs (job_id, company_id, request_source, state, type, input, executor)
VALUES (:'one', 1, '{"company_id": 1}', 'running', 'nql-forecast', '{"nql": "one"}', 'w1'),
       (:'two', 2, '{"company_id": 2}', 'pending', 'nql-forecast', '{"nql": "two"}', NULL),
       (:'three', 1, '{"company_id": 1}', 'failed', 'nql-forecast', '{"nql": "three"}', 'w1');
CREATE FUNCTION pg_temp.attempt(statement text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    outcome text;
BEGIN
    EXECUTE statement INTO outcome;
    RETURN coalesce(outcome::jsonb ->> 'state', outcome);
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
-- Scans of the primary key a call took: a no-op answered without SQL reads
-- it once, the SQL path twice (the UPDATE, then the SELECT).
CREATE FUNCTION pg_temp.noop_scans(id uuid) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    scans bigint := pg_stat_get_xact_numscans('job_control.jobs_pkey'::regclass);
BEGIN
    RETURN format('%s (%s scans)', pg_temp.attempt(format('SELECT job_control.job_fail(%L, ''late'')', id)),
                  pg_stat_get_xact_numscans('job_control.jobs_pkey'::regclass) - scans);
END $$;
-- The table is small enough for a sequential scan once analyzed or
-- rewritten: the SQL path is kept on the key.
SET enable_seqscan = off;

-- 1. The session's company binds the table's owner (a superuser here), whom
-- row security exempts, on both paths: other companies' jobs are missing.
SET job_control.company_id = 2;
SELECT pg_temp.attempt(format('SELECT job_control.job_get(%L)', :'one')) AS get_other;
SELECT pg_temp.attempt(format('SELECT job_control.job_fail(%L, ''x'')', :'one')) AS fail_other;
SELECT pg_temp.attempt(format('SELECT job_control.job_fail(%L, ''x'')', :'three')) AS noop_other;
SELECT pg_temp.attempt(format('SELECT job_control.job_heartbeat(%L, ''w1'')', :'one')) AS heartbeat_other;
SELECT pg_temp.attempt(format('SELECT job_control.job_fail_many(ARRAY[%L]::uuid[], ''x'')', :'one')) AS fail_many_other;
SELECT job_control.job_list() ->> 'total_records' AS listed;
BEGIN ISOLATION LEVEL REPEATABLE READ;  -- the SQL path
SELECT pg_temp.attempt(format('SELECT job_control.job_fail(%L, ''x'')', :'one')) AS fail_other_by_sql;
SELECT pg_temp.attempt(format('SELECT job_control.job_fail(%L, ''x'')', :'three')) AS noop_other_by_sql;
COMMIT;
SELECT count(*) AS reaped_other FROM job_control.job_reap_stale('1 microsecond');
SELECT j ->> 'job_id' = :'two' AS claimed_own FROM job_control.job_claim('w2', 10) AS j;
SELECT job_id, state FROM job_control.jobs ORDER BY job_id;
RESET job_control.company_id;

-- 2. A primary key that is not the extension's (here on two columns), and
-- then none: the key is not probed, every call runs its statements.
ALTER TABLE job_control.jobs DROP CONSTRAINT jobs_pkey;
ALTER TABLE job_control.jobs ADD CONSTRAINT jobs_pkey PRIMARY KEY (company_id, job_id);
SELECT pg_temp.attempt(format('SELECT job_control.job_get(%L)', :'one')) AS get_two_column_key;
SELECT pg_temp.attempt(format('SELECT job_control.job_fail(%L, ''late'')', :'three')) AS noop_two_column_key;
SELECT pg_temp.attempt(format('SELECT job_control.job_heartbeat(%L, ''w1'')', :'one')) AS heartbeat_two_column_key;
ALTER TABLE job_control.jobs DROP CONSTRAINT jobs_pkey;
SELECT pg_temp.attempt(format('SELECT job_control.job_fail(%L, ''late'')', :'three')) AS noop_no_key;
SELECT pg_temp.attempt(format('SELECT job_control.job_heartbeat(%L, ''w1'')', :'one')) AS heartbeat_no_key;
ALTER TABLE job_control.jobs ADD CONSTRAINT jobs_pkey PRIMARY KEY (job_id);
SELECT pg_temp.noop_scans(:'three') AS noop_key_restored;

-- 3. An inheritance child: a statement on the jobs table reads it too.
CREATE TABLE regress_jobs_child () INHERITS (job_control.jobs);
\set child 40000000-0000-4000-8000-0000000000c1
INSERT INTO regress_jobs_child (job_id, company_id, request_source, state, type, input, executor,
                                created_at, updated_at, completed_at)
VALUES (:'child', 1, '{"company_id": 1}', 'failed', 'nql-forecast', '{"nql": "child"}', 'w1',
        now(), now(), now());
SELECT pg_temp.attempt(format('SELECT job_control.job_get(%L)', :'child')) AS get_in_child;
SELECT pg_temp.attempt(format('SELECT job_control.job_fail(%L, ''late'')', :'child')) AS noop_in_child;
SELECT pg_temp.attempt(format('SELECT job_control.job_start(%L, ''w9'')', :'child')) AS rejected_in_child;
DROP TABLE regress_jobs_child;
-- PostgreSQL clears the parent's flag of children lazily, by ANALYZE; until
-- then calls keep to SQL.
SELECT pg_temp.noop_scans(:'three') AS noop_child_dropped;
ANALYZE job_control.jobs;
SELECT pg_temp.noop_scans(:'three') AS noop_after_analyze;

-- 4. Another table access method (the heap's own handler under another
-- name): the heap's routines are not used on it.
CREATE ACCESS METHOD regress_heap TYPE TABLE HANDLER heap_tableam_handler;
ALTER TABLE job_control.jobs SET ACCESS METHOD regress_heap;
SELECT pg_temp.noop_scans(:'three') AS noop_other_access_method;
ALTER TABLE job_control.jobs SET ACCESS METHOD heap;
DROP ACCESS METHOD regress_heap;
SELECT pg_temp.noop_scans(:'three') AS noop_heap_again;

-- 5. A statement trigger on UPDATE fires on every call, a no-op's included,
-- as the SQL path's UPDATE fires it even when it moves nothing.
CREATE TABLE regress_update_statements (n int);
CREATE FUNCTION pg_temp.count_statement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO regress_update_statements VALUES (1);
    RETURN NULL;
END $$;
CREATE TRIGGER regress_count_updates AFTER UPDATE ON job_control.jobs
    FOR EACH STATEMENT EXECUTE FUNCTION pg_temp.count_statement();
SELECT pg_temp.attempt(format('SELECT job_control.job_fail(%L, ''late'')', :'three'))
  FROM generate_series(1, 6);
SELECT count(*) AS statements_fired FROM regress_update_statements;
DROP TRIGGER regress_count_updates ON job_control.jobs;
DROP TABLE regress_update_statements;

-- 6. The tenant policy with another WITH CHECK: a move's new version must
-- pass it, for a role that row security binds (42501 from the UPDATE).
CREATE ROLE regress_guard_writer IN ROLE job_control_writer;
ALTER POLICY jobs_tenant ON job_control.jobs WITH CHECK (company_id OPERATOR(pg_catalog.<>) 1);
SET ROLE regress_guard_writer;
SELECT pg_temp.attempt(format('SELECT job_control.job_fail(%L, ''x'')', :'one')) AS fail_checked;
RESET ROLE;
ALTER POLICY jobs_tenant ON job_control.jobs
    WITH CHECK (job_control.current_company() IS NULL
                OR company_id OPERATOR(pg_catalog.=) job_control.current_company());
SELECT state FROM job_control.jobs WHERE job_id = :'one';

-- 7. A CHECK that calls a function: preparing it checks EXECUTE for the
-- role that runs the move, on every role a pooled backend serves, not only
-- the first.
CREATE FUNCTION regress_executor_ok(executor text) RETURNS boolean
    LANGUAGE sql IMMUTABLE AS $$ SELECT executor IS DISTINCT FROM 'forbidden' $$;
REVOKE EXECUTE ON FUNCTION regress_executor_ok(text) FROM PUBLIC;
ALTER TABLE job_control.jobs ADD CONSTRAINT regress_executor_check
    CHECK (regress_executor_ok(executor)) NOT VALID;
\set four 40000000-0000-4000-8000-000000000004
\set five 40000000-0000-4000-8000-000000000005
INSERT INTO job_control.jobs (job_id, company_id, request_source, type, input)
VALUES (:'four', 1, '{"company_id": 1}', 'nql-forecast', '{"nql": "four"}'),
       (:'five', 1, '{"company_id": 1}', 'nql-forecast', '{"nql": "five"}');
SELECT pg_temp.attempt(format('SELECT job_control.job_start(%L, ''w4'')', :'four')) AS owner_moves;
SET ROLE regress_guard_writer;
SELECT pg_temp.attempt(format('SELECT job_control.job_start(%L, ''w5'')', :'five')) AS writer_without_execute;
RESET ROLE;
ALTER TABLE job_control.jobs DROP CONSTRAINT regress_executor_check;
DROP FUNCTION regress_executor_ok(text);
SELECT job_id, state FROM job_control.jobs WHERE job_id IN (:'four', :'five') ORDER BY job_id;
DROP ROLE regress_guard_writer;
DELETE FROM job_control.jobs;
