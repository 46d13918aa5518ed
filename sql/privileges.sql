-- Nothing is granted to PUBLIC; reading and writing are separate grants.
SELECT job_control.job_create('nql-forecast', '{"nql": "q"}', '{"company_id": 1}') ->> 'job_id' AS id \gset

SELECT p.proname, has_function_privilege('public', p.oid, 'EXECUTE') AS public_can_execute
  FROM pg_proc p WHERE p.pronamespace = 'job_control'::regnamespace ORDER BY 1;

CREATE ROLE regress_job_nobody;
CREATE ROLE regress_job_reader;
CREATE ROLE regress_job_writer;
-- The README's grants.
GRANT USAGE ON SCHEMA job_control TO regress_job_reader, regress_job_writer;
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

SET ROLE regress_job_nobody;
SELECT job_control.job_get(:'id');
SELECT job_control.job_fail(:'id', 'boom');
RESET ROLE;

SET ROLE regress_job_reader;
SELECT job_control.job_get(:'id') ->> 'state' AS reader_sees;
SELECT job_control.job_fail(:'id', 'boom');
UPDATE job_control.jobs SET state = 'failed' WHERE job_id = :'id';
RESET ROLE;
SELECT state FROM job_control.jobs WHERE job_id = :'id';

SET ROLE regress_job_writer;
SELECT job_control.job_start(:'id', 'worker-1') ->> 'state' AS writer_started;
SELECT job_control.job_fail(:'id', 'boom') ->> 'state' AS writer_failed;
SELECT job_control.job_create('nql-forecast', '{"nql": "q"}', '{"company_id": 1}') ->> 'state' AS writer_created;
RESET ROLE;

DROP OWNED BY regress_job_nobody, regress_job_reader, regress_job_writer;
DROP ROLE regress_job_nobody, regress_job_reader, regress_job_writer;
