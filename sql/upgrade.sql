-- ALTER EXTENSION UPDATE from every released version keeps the jobs, and the
-- upgraded install has exactly the objects of a fresh one.
CREATE TEMP TABLE fresh AS
SELECT pg_describe_object(classid, objid, objsubid) AS object
  FROM pg_depend
 WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
   AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'job_control');
CREATE TEMP TABLE fresh_definitions AS
SELECT p.oid::regprocedure::text AS routine, pg_get_functiondef(p.oid) AS definition
  FROM pg_proc p WHERE p.pronamespace = 'job_control'::regnamespace;

DROP EXTENSION job_control;
CREATE EXTENSION job_control VERSION '1.0';
SELECT extversion FROM pg_extension WHERE extname = 'job_control';
SELECT job_control.job_create('nql-forecast', '{"nql": "made in 1.0"}', '{"company_id": 1}') ->> 'job_id' AS id \gset
SELECT job_control.job_start(:'id', 'worker-1') ->> 'state';
ALTER EXTENSION job_control UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'job_control';

-- Same objects, same routine definitions.
SELECT pg_describe_object(classid, objid, objsubid) AS object
  FROM pg_depend
 WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
   AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'job_control')
EXCEPT SELECT object FROM fresh;
SELECT object FROM fresh
EXCEPT
SELECT pg_describe_object(classid, objid, objsubid)
  FROM pg_depend
 WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
   AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'job_control');
SELECT routine FROM fresh_definitions f
 WHERE f.definition IS DISTINCT FROM
       (SELECT pg_get_functiondef(p.oid) FROM pg_proc p
         WHERE p.pronamespace = 'job_control'::regnamespace AND p.oid::regprocedure::text = f.routine);
SELECT count(*) AS objects FROM fresh;

-- The job made under 1.0 lives on, and the 1.1 functions work on it.
SELECT job_control.job_heartbeat(:'id', 'worker-1') ->> 'state';
SELECT r ->> 'outcome' FROM job_control.job_reschedule(:'id') AS r;
SELECT j -> 'input' ->> 'nql' FROM job_control.job_claim('worker-2') AS j;
