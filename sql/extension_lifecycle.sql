-- DROP EXTENSION removes everything; CREATE EXTENSION again works in the same
-- session (the kept plans are re-planned against the new objects).
SELECT job_control.job_create('nql-forecast', '{"nql": "q"}', '{"company_id": 1}') ->> 'state' AS before_drop;
DROP EXTENSION job_control;
SELECT count(*) AS schemas_left FROM pg_namespace WHERE nspname = 'job_control';
SELECT count(*) AS types_left FROM pg_type WHERE typname IN ('job_state', 'job_type', 'execution_cluster');
CREATE EXTENSION job_control;
SELECT count(*) AS jobs_after_recreate FROM job_control.jobs;
SELECT job_control.job_create('nql-forecast', '{"nql": "q"}', '{"company_id": 1}') ->> 'job_id' AS id \gset
SELECT job_control.job_start(:'id', 'w') ->> 'state';
SELECT job_control.job_fail(:'id', 'boom') ->> 'state';
SELECT job_control.job_get(:'id') ->> 'state';
-- The jobs table is dumped with the extension.
SELECT extconfig::regclass[] FROM pg_extension WHERE extname = 'job_control';
