-- Nothing is granted to PUBLIC but current_company(), which the policies call,
-- and the functions of the CHECK constraints, which every writer runs.
CREATE FUNCTION pg_temp.attempt(statement text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE statement;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

\set id 88888888-8888-8888-8888-888888888888
INSERT INTO job_control.jobs (job_id, company_id, request_source, type, input)
VALUES (:'id', 1, '{"company_id": 1}', 'nql-forecast', '{"nql": "q"}');

SELECT p.proname, has_function_privilege('public', p.oid, 'EXECUTE') AS public_can_execute
  FROM pg_proc p WHERE p.pronamespace = 'job_control'::regnamespace ORDER BY 1;

-- A role with no grant at all: 42501 for the functions and the table. (The
-- four access levels are checked call by call in access_levels.sql.)
CREATE ROLE regress_job_nobody;
GRANT USAGE ON SCHEMA job_control TO regress_job_nobody;
SET ROLE regress_job_nobody;
SELECT pg_temp.attempt(format('SELECT job_control.job_get(%L)', :'id'));
SELECT pg_temp.attempt(format('SELECT job_control.job_fail(%L, ''boom'')', :'id'));
SELECT pg_temp.attempt('SELECT * FROM job_control.jobs');
SELECT pg_temp.attempt(format('UPDATE job_control.jobs SET state = ''failed'' WHERE job_id = %L', :'id'));
RESET ROLE;
SELECT state FROM job_control.jobs WHERE job_id = :'id';
DROP OWNED BY regress_job_nobody;
DROP ROLE regress_job_nobody;
