-- Every row of the spec's error table: the SQLSTATE, the message, and that
-- the database is unchanged afterwards.
CREATE FUNCTION pg_temp.err(call text, id uuid DEFAULT NULL) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    before text := (SELECT string_agg(j::text, ',' ORDER BY job_id) FROM job_control.jobs j);
    msg text;
    hint text;
BEGIN
    EXECUTE format('SELECT job_control.%s', call) USING id;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, hint = PG_EXCEPTION_HINT;
    IF (SELECT string_agg(j::text, ',' ORDER BY job_id) FROM job_control.jobs j)
       IS DISTINCT FROM before THEN
        RETURN 'the failed call changed the table!';
    END IF;
    RETURN SQLSTATE || ': ' || CASE WHEN id IS NULL THEN msg ELSE replace(msg, id::text, '<id>') END
           || CASE WHEN hint <> '' THEN ' (hint: ' || hint || ')' ELSE '' END;
END $$;

SELECT job_control.job_create('nql-forecast', '{"nql": "SELECT 1"}', '{"company_id": 1}') ->> 'job_id' AS pending \gset
SELECT job_control.job_create('nql-forecast', '{"nql": "SELECT 1"}', '{"company_id": 1}') ->> 'job_id' AS running \gset
SELECT job_control.job_start(:'running', 'worker-1') IS NOT NULL;

-- P0002: no such job.
SELECT pg_temp.err('job_get($1)', '00000000-0000-0000-0000-000000000000');
SELECT pg_temp.err('job_fail($1, ''boom'')', '00000000-0000-0000-0000-000000000000');
SELECT pg_temp.err('job_start($1, ''w'')', '00000000-0000-0000-0000-000000000000');
SELECT pg_temp.err('job_complete($1)', '00000000-0000-0000-0000-000000000000');
SELECT pg_temp.err('job_cancel($1)', '00000000-0000-0000-0000-000000000000');
SELECT pg_temp.err('job_acknowledge_cancel($1)', '00000000-0000-0000-0000-000000000000');

-- 22004: NULL arguments.
SELECT pg_temp.err('job_get(NULL)');
SELECT pg_temp.err('job_fail(NULL, ''boom'')');
SELECT pg_temp.err('job_fail($1, NULL)', :'running');
SELECT pg_temp.err('job_start($1, NULL)', :'pending');
SELECT pg_temp.err('job_cancel(NULL)');
SELECT pg_temp.err('job_create(NULL, ''{"nql": "q"}'', ''{"company_id": 1}'')');
SELECT pg_temp.err('job_create(''nql-forecast'', NULL, ''{"company_id": 1}'')');
SELECT pg_temp.err('job_create(''nql-forecast'', ''{"nql": "q"}'', NULL)');
SELECT pg_temp.err('job_create(''nql-forecast'', ''{"nql": "q"}'', ''{"company_id": 1}'', NULL, NULL, NULL, NULL)');

-- 22023: blank or malformed arguments.
SELECT pg_temp.err('job_fail($1, '''')', :'running');
SELECT pg_temp.err('job_fail($1, E'' \t\n'')', :'running');
SELECT pg_temp.err('job_start($1, ''  '')', :'pending');
SELECT pg_temp.err('job_complete($1, ''[1, 2]'')', :'running');
SELECT pg_temp.err('job_complete($1, ''"done"'')', :'running');
SELECT pg_temp.err('job_fail($1, ''boom'', NULL, '''')', :'running');
SELECT pg_temp.err('job_create(''nql-forecast'', ''[]'', ''{"company_id": 1}'')');
SELECT pg_temp.err('job_create(''nql-forecast'', ''{"nql": ""}'', ''{"company_id": 1}'')');
SELECT pg_temp.err('job_create(''nql-forecast'', ''{"nql": 7}'', ''{"company_id": 1}'')');
SELECT pg_temp.err('job_create(''materialize-view'', ''{"nql": "q"}'', ''{"company_id": 1}'')');
SELECT pg_temp.err('job_create(''materialize-view'', ''{"nql": "q", "dataset_id": 1.5}'', ''{"company_id": 1}'')');
SELECT pg_temp.err('job_create(''nql-forecast'', ''{"nql": "q"}'', ''{"user_id": 1}'')');
SELECT pg_temp.err('job_create(''nql-forecast'', ''{"nql": "q"}'', ''{"company_id": "1"}'')');
SELECT pg_temp.err('job_create(''nql-forecast'', ''{"nql": "q"}'', ''{"company_id": 99999999999999999999}'')');
SELECT pg_temp.err('job_create(''nql-forecast'', ''{"nql": "q"}'', ''"company 1"'')');
SELECT pg_temp.err('job_create(''nql-forecast'', ''{"nql": "q"}'', ''{"company_id": 1}'', '' '')');
SELECT pg_temp.err(format('job_create(''nql-forecast'', ''{"nql": "q"}'', ''{"company_id": 1}'', %L)', repeat('k', 256)));
-- An unknown job type is refused by PostgreSQL's own enum input (22P02).
SELECT pg_temp.err('job_create(''nql_forecast'', ''{"nql": "q"}'', ''{"company_id": 1}'')');

-- 55000: not allowed from the current state; the message names that state.
SELECT pg_temp.err('job_complete($1)', :'pending');
SELECT pg_temp.err('job_acknowledge_cancel($1)', :'pending');
SELECT pg_temp.err('job_acknowledge_cancel($1)', :'running');
SELECT pg_temp.err('job_start($1, ''w'')', :'running');
-- 55000: fencing, a stale executor.
SELECT pg_temp.err('job_fail($1, ''boom'', NULL, ''worker-2'')', :'running');
SELECT pg_temp.err('job_complete($1, NULL, ''worker-2'')', :'running');

-- Nothing above changed either job.
SELECT job_control.job_get(:'pending') ->> 'state' AS pending_is,
       job_control.job_get(:'running') ->> 'state' AS running_is,
       jsonb_array_length(job_control.job_get(:'running') -> 'failures') AS failures;
