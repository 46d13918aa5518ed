-- Nothing is granted to PUBLIC; reading and writing are separate grants.
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

CREATE ROLE regress_job_nobody;
CREATE ROLE regress_job_reader;
CREATE ROLE regress_job_writer;
-- The README's grants.
GRANT USAGE ON SCHEMA job_control TO regress_job_reader, regress_job_writer, regress_job_nobody;
GRANT SELECT ON job_control.jobs TO regress_job_reader;
GRANT EXECUTE ON FUNCTION job_control.job_get(uuid) TO regress_job_reader;
GRANT regress_job_reader TO regress_job_writer;
GRANT INSERT, UPDATE ON job_control.jobs TO regress_job_writer;
GRANT EXECUTE ON FUNCTION
    job_control.job_create(job_control.job_type, jsonb, jsonb, text, uuid, uuid, job_control.execution_cluster),
    job_control.job_start(uuid, text),
    job_control.job_complete(uuid, jsonb, text),
    job_control.job_fail(uuid, text, jsonb, text),
    job_control.job_cancel(uuid),
    job_control.job_acknowledge_cancel(uuid)
    TO regress_job_writer;

-- Without EXECUTE (nothing is granted to PUBLIC): 42501.
SET ROLE regress_job_nobody;
SELECT pg_temp.attempt(format('SELECT job_control.job_get(%L)', :'id'));
SELECT pg_temp.attempt(format('SELECT job_control.job_fail(%L, ''boom'')', :'id'));
SELECT pg_temp.attempt('SELECT * FROM job_control.jobs');
RESET ROLE;

-- A reader reads, and cannot change a job by function or by UPDATE.
SET ROLE regress_job_reader;
SELECT job_control.job_get(:'id') ->> 'state' AS reader_sees;
SELECT pg_temp.attempt(format('SELECT job_control.job_fail(%L, ''boom'')', :'id'));
SELECT pg_temp.attempt(format('UPDATE job_control.jobs SET state = ''failed'' WHERE job_id = %L', :'id'));
RESET ROLE;
SELECT state FROM job_control.jobs WHERE job_id = :'id';

SET ROLE regress_job_writer;
SELECT job_control.job_start(:'id', 'worker-1') ->> 'state' AS writer_started;
SELECT job_control.job_fail(:'id', 'boom') ->> 'state' AS writer_failed;
SELECT job_control.job_create('nql-forecast', '{"nql": "q"}', '{"company_id": 1}') ->> 'state' AS writer_created;
RESET ROLE;

DROP OWNED BY regress_job_nobody, regress_job_reader, regress_job_writer;
DROP ROLE regress_job_nobody, regress_job_reader, regress_job_writer;
