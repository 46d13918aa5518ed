-- Tenant isolation: with job_control.company_id set, a session sees, lists,
-- claims and changes only its company's jobs; other jobs behave as missing
-- (P0002); creating a job for another company raises 42501. The policies
-- also bind plain SQL on the table.
SELECT job_control.create_access_roles();
CREATE ROLE regress_tenant_app IN ROLE job_control_admin;
\set a 10000000-0000-4000-8000-00000000000a
\set b 10000000-0000-4000-8000-00000000000b
INSERT INTO job_control.jobs (job_id, company_id, request_source, type, input)
VALUES (:'a', 1, '{"company_id": 1}', 'nql-forecast', '{"nql": "company one"}'),
       (:'b', 2, '{"company_id": 2}', 'nql-forecast', '{"nql": "company two"}');
CREATE FUNCTION pg_temp.attempt(statement text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE statement;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

SET ROLE regress_tenant_app;
SHOW job_control.company_id;
-- Without the setting: everything the role may see.
SELECT input ->> 'nql' AS nql FROM job_control.jobs ORDER BY 1;
SET job_control.company_id = 1;
SELECT input ->> 'nql' AS nql FROM job_control.jobs ORDER BY 1;
SELECT job_control.current_company();
SELECT job_control.job_get(:'a') ->> 'state' AS own_job;
SELECT pg_temp.attempt(format('SELECT job_control.job_get(%L)', :'b'));
SELECT pg_temp.attempt(format('SELECT job_control.job_fail(%L, ''x'')', :'b'));
SELECT pg_temp.attempt(format('SELECT job_control.job_cancel(%L)', :'b'));
SELECT pg_temp.attempt(format('SELECT job_control.job_reschedule(%L, true)', :'b'));
SELECT pg_temp.attempt(format('SELECT job_control.job_fail_many(ARRAY[%L, %L]::uuid[], ''x'')', :'a', :'b'));
SELECT (job_control.job_list() ->> 'total_records') AS listed;
SELECT j -> 'input' ->> 'nql' AS claimed FROM job_control.job_claim('w', 10) AS j;
SELECT pg_temp.attempt('SELECT job_control.job_create(''nql-forecast'', ''{"nql": "q"}'', ''{"company_id": 2}'')');
SELECT job_control.job_create('nql-forecast', '{"nql": "own new"}', '{"company_id": 1}') ->> 'state' AS created_own;
-- Plain SQL is bound too.
UPDATE job_control.jobs SET executor = 'sneaky' WHERE job_id = :'b';
SELECT pg_temp.attempt(format('UPDATE job_control.jobs SET company_id = 2, request_source = ''{"company_id": 2}'' WHERE job_id = %L', :'a'));
SELECT pg_temp.attempt('INSERT INTO job_control.jobs (company_id, request_source, type, input) VALUES (2, ''{"company_id": 2}'', ''nql-forecast'', ''{"nql": "q"}'')');
DELETE FROM job_control.jobs WHERE job_id = :'b';
SELECT sum(jobs) AS jobs_in_stats FROM job_control.job_stats;
-- The setting takes integers only.
SET job_control.company_id = 'one';
RESET job_control.company_id;
RESET ROLE;

-- Company 2's job is untouched.
SELECT state, executor, failures FROM job_control.jobs WHERE job_id = :'b';

DELETE FROM job_control.jobs;
DROP OWNED BY regress_tenant_app, job_control_reader, job_control_writer, job_control_executor, job_control_admin;
DROP ROLE regress_tenant_app, job_control_reader, job_control_writer, job_control_executor, job_control_admin;
