-- ALTER EXTENSION UPDATE from every released version keeps the jobs, and the
-- upgraded install has exactly the objects of a fresh one.
-- The extension's members, but for the row and array types that come with
-- a table or an enum (members of their own from PostgreSQL 17 on).
CREATE FUNCTION pg_temp.members() RETURNS SETOF text LANGUAGE sql AS $$
    SELECT pg_describe_object(d.classid, d.objid, d.objsubid)
      FROM pg_depend d LEFT JOIN pg_type t ON d.classid = 'pg_type'::regclass AND t.oid = d.objid
     WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
       AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'job_control')
       AND (t.oid IS NULL OR (t.typrelid = 0 AND t.typcategory <> 'A'))
$$;
CREATE TEMP TABLE fresh AS SELECT pg_temp.members() AS object;
CREATE TEMP TABLE fresh_definitions AS
SELECT p.oid::regprocedure::text AS routine, pg_get_functiondef(p.oid) AS definition
  FROM pg_proc p WHERE p.pronamespace = 'job_control'::regnamespace;
-- Definitions of triggers, indexes, policies, constraints, NOT NULL columns,
-- table options and persistence. (NOT NULL is read from the columns: from 18
-- on it is also a constraint, which earlier majors do not list.)
CREATE FUNCTION pg_temp.schema_definitions() RETURNS SETOF text LANGUAGE sql AS $$
    SELECT pg_get_triggerdef(t.oid) FROM pg_trigger t
     WHERE t.tgrelid = 'job_control.jobs'::regclass AND NOT t.tgisinternal
    UNION ALL SELECT indexdef FROM pg_indexes WHERE schemaname = 'job_control'
    UNION ALL SELECT format('%s %s %s', tablename, policyname, qual) FROM pg_policies
     WHERE schemaname = 'job_control'
    UNION ALL SELECT format('%s %s %s %s', conrelid::regclass, conname, pg_get_constraintdef(oid), convalidated)
      FROM pg_constraint WHERE connamespace = 'job_control'::regnamespace AND contype <> 'n'
    UNION ALL SELECT format('%s.%s NOT NULL', a.attrelid::regclass, a.attname) FROM pg_attribute a
     WHERE a.attrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'job_control'::regnamespace
                                                    AND relkind = 'r')
       AND a.attnotnull AND a.attnum > 0 AND NOT a.attisdropped
    UNION ALL SELECT format('%s %s %s', c.relname, c.relpersistence, c.reloptions) FROM pg_class c
     WHERE c.relnamespace = 'job_control'::regnamespace AND c.relkind IN ('r', 'v')
$$;
CREATE TEMP TABLE fresh_schema AS SELECT pg_temp.schema_definitions() AS definition;

DROP EXTENSION job_control;
CREATE EXTENSION job_control VERSION '1.0';
SELECT extversion FROM pg_extension WHERE extname = 'job_control';
SELECT job_control.job_create('nql-forecast', '{"nql": "made in 1.0"}', '{"company_id": 1}') ->> 'job_id' AS id \gset
SELECT job_control.job_start(:'id', 'worker-1') ->> 'state';
SELECT job_control.job_create('nql-forecast', '{"nql": "pending since 1.0"}', '{"company_id": 1}') ->> 'job_id' AS waiting \gset
-- Deferred notifications need the queue of 1.3: refused, nothing changes.
SET job_control.notify = deferred;
SELECT job_control.job_fail(:'id', 'not yet') ->> 'state';
RESET job_control.notify;
SELECT state FROM job_control.jobs WHERE job_id = :'id';
-- Claims and the reaper read the work index of 1.2: before it they say so,
-- with the update to run, and change nothing.
ALTER EXTENSION job_control UPDATE TO '1.1';
SELECT job_control.job_claim('worker-2');
SELECT job_control.job_reap_stale('1 microsecond');
SELECT input ->> 'nql' AS nql, state, executor FROM job_control.jobs ORDER BY created_at;
-- 1.3's queue has no lanes: the library writes its entries as 1.3 did, and
-- a claim of one type walks the whole queue.
ALTER EXTENSION job_control UPDATE TO '1.3';
SELECT job_control.job_create('materialize-view', '{"nql": "view since 1.3", "dataset_id": 1}', '{"company_id": 1}') ->> 'state';
SELECT job_control.job_create('materialize-view', '{"nql": "second view since 1.3", "dataset_id": 2}', '{"company_id": 1}') ->> 'state';
SELECT job_control.job_complete((j ->> 'job_id')::uuid) -> 'input' ->> 'nql' AS claimed_and_done_in_1_3
  FROM job_control.job_claim('worker-9', 1, '{materialize-view}') AS j;
ALTER EXTENSION job_control UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'job_control';
-- The update gave every queue entry its job's lane; a claim of one type
-- then reads its own.
SELECT q.type, q.data_plane_id IS NULL AS no_plane, j.input ->> 'nql' AS nql
  FROM job_control.job_queue AS q JOIN job_control.jobs AS j USING (job_id)
 ORDER BY q.created_at;
SELECT job_control.job_complete((j ->> 'job_id')::uuid) -> 'input' ->> 'nql' AS claimed_and_done
  FROM job_control.job_claim('worker-9', 1, '{materialize-view}') AS j;

-- Same objects, same routine definitions.
SELECT pg_temp.members() EXCEPT SELECT object FROM fresh;
SELECT object FROM fresh EXCEPT SELECT pg_temp.members();
SELECT routine FROM fresh_definitions f
 WHERE f.definition IS DISTINCT FROM
       (SELECT pg_get_functiondef(p.oid) FROM pg_proc p
         WHERE p.pronamespace = 'job_control'::regnamespace AND p.oid::regprocedure::text = f.routine);
SELECT count(*) AS objects FROM fresh;
(SELECT pg_temp.schema_definitions() EXCEPT SELECT definition FROM fresh_schema)
UNION ALL
(SELECT definition FROM fresh_schema EXCEPT SELECT pg_temp.schema_definitions());
SELECT count(*) AS schema_definitions FROM fresh_schema;

-- The jobs made under 1.0 live on, and the later functions work on them:
-- the upgrade put the pending one in the queue and the running one in the
-- leases.
SELECT job_control.job_heartbeat(:'id', 'worker-1') ->> 'state';
SELECT j -> 'input' ->> 'nql' FROM job_control.job_claim('worker-2') AS j;
SELECT j -> 'input' ->> 'nql' AS reaped, j ->> 'state' AS state
  FROM job_control.job_reap_stale('1 microsecond') AS j ORDER BY 1;
SELECT r ->> 'outcome' FROM job_control.job_reschedule(:'id', true) AS r;
SELECT j -> 'input' ->> 'nql' FROM job_control.job_claim('worker-3') AS j;
