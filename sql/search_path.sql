-- search_path safety: look-alike functions, operators and tables in public,
-- searched before pg_catalog, change nothing the extension does.
CREATE SCHEMA hostile;
CREATE FUNCTION hostile.hijacked(uuid, uuid) RETURNS boolean LANGUAGE sql
    AS $$ SELECT true $$;
CREATE OPERATOR hostile.= (LEFTARG = uuid, RIGHTARG = uuid, FUNCTION = hostile.hijacked);
CREATE FUNCTION hostile.jsonb_hijacked(jsonb, jsonb) RETURNS jsonb LANGUAGE sql
    AS $$ SELECT '{"hijacked": true}'::jsonb $$;
CREATE OPERATOR hostile.|| (LEFTARG = jsonb, RIGHTARG = jsonb, FUNCTION = hostile.jsonb_hijacked);
CREATE FUNCTION hostile.count(anyelement) RETURNS bigint LANGUAGE sql AS $$ SELECT 42::bigint $$;
CREATE FUNCTION hostile.now() RETURNS timestamptz LANGUAGE sql AS $$ SELECT '2000-01-01'::timestamptz $$;
CREATE TABLE hostile.jobs (job_id uuid, state text);
CREATE FUNCTION hostile.unnest(anyarray) RETURNS SETOF anyelement LANGUAGE sql AS $$ SELECT NULL $$;
SET search_path = hostile, pg_catalog, public;

SELECT job_control.job_create('nql-forecast', '{"nql": "a"}', '{"company_id": 1}') ->> 'job_id' AS a \gset
SELECT job_control.job_create('nql-forecast', '{"nql": "b"}', '{"company_id": 1}') ->> 'job_id' AS b \gset
-- The hijacked "=" would match every job; the extension's statements use
-- OPERATOR(pg_catalog.=), so exactly one job moves.
SELECT job_control.job_start(:'a', 'w') ->> 'state';
SELECT job_control.job_get(:'b') ->> 'state' AS b_untouched;
SELECT jsonb_array_length(job_control.job_fail(:'a', 'boom') -> 'failures') AS one_failure;
SELECT count(*) AS batch FROM job_control.job_fail_many(ARRAY[:'a', :'b']::uuid[], 'x');
SELECT (job_control.job_list() ->> 'total_records')::int >= 2 AS listed;
SELECT count(*) AS reaped FROM job_control.job_reap_stale('1 hour');
SELECT job_control.job_prune_batch('1 day');
SELECT r ->> 'outcome' FROM job_control.job_reschedule(:'a') AS r;
-- A plain UPDATE through the trigger and the policies is unaffected too.
UPDATE job_control.jobs SET executor = 'dba' WHERE job_id OPERATOR(pg_catalog.=) :'b';
SELECT count(*) FILTER (WHERE executor OPERATOR(pg_catalog.=) 'dba') AS by_dba FROM job_control.jobs;
-- No function of the extension is SECURITY DEFINER.
SELECT count(*) AS security_definer FROM pg_catalog.pg_proc
 WHERE pronamespace OPERATOR(pg_catalog.=) 'job_control'::regnamespace AND prosecdef;
RESET search_path;
DROP SCHEMA hostile CASCADE;
DELETE FROM job_control.jobs;
