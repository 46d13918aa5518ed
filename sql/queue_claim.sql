-- Claims without SQL (queue_claim.hpp) where nothing could differ from the
-- claim statement, and by the statement elsewhere (REPEATABLE READ, another
-- policy on the queue, another index, a statement trigger): the same jobs,
-- oldest first, the same work index. A claim without SQL scans the jobs'
-- primary key once per queue entry it reads (of the caller's companies);
-- the statement's count depends on its plan and is not shown.
SET client_min_messages = warning;
SELECT job_control.create_access_roles();
RESET client_min_messages;
CREATE ROLE regress_claimer IN ROLE job_control_executor;
DELETE FROM job_control.jobs;
-- 24 jobs of companies 1 and 2, every fifth running, every third of the
-- other type, every fourth on data plane a1..., two created at the same time.
INSERT INTO job_control.jobs (job_id, company_id, request_source, state, type,
                              input, data_plane_id, executor, created_at)
SELECT ('40000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid, 1 + n % 2,
       jsonb_build_object('company_id', 1 + n % 2),
       CASE WHEN n % 5 = 0 THEN 'running' ELSE 'pending' END::job_control.job_state,
       CASE WHEN n % 3 = 0 THEN 'materialize-view' ELSE 'nql-forecast' END::job_control.job_type,
       jsonb_build_object('nql', 'job ' || n),
       CASE WHEN n % 4 = 0 THEN 'a1000000-0000-4000-8000-000000000000'::uuid END,
       CASE WHEN n % 5 = 0 THEN 'w0' END,
       '2026-01-01'::timestamptz + least(n, 23) * interval '1 minute'
  FROM generate_series(1, 24) AS n;
-- A stale queue entry (a running job): both paths pass over it.
INSERT INTO job_control.job_queue (job_id, company_id, created_at, type)
VALUES ('40000000-0000-4000-8000-000000000005', 2, '2026-01-01', 'nql-forecast');

-- Runs a claim; reports the jobs it returned, in order, with regress.scans
-- on the scans of the primary key it took, with regress.whole on the answers
-- whole but for updated_at (the transaction's time).
CREATE FUNCTION pg_temp.claim(call text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    scans bigint := pg_stat_get_xact_numscans('job_control.jobs_pkey'::regclass);
    claimed text;
BEGIN
    IF current_setting('regress.whole', true) = 'on' THEN
        EXECUTE format($q$SELECT string_agg((j - 'updated_at')::text, ', ' ORDER BY n)
                            FROM %s WITH ORDINALITY AS c(j, n)$q$, call) INTO claimed;
        RETURN claimed;
    END IF;
    EXECUTE format($q$SELECT coalesce(string_agg(
                   format('%%s %%s/%%s', j -> 'input' ->> 'nql', j ->> 'state', j ->> 'executor'),
                   ', ' ORDER BY n), 'none') FROM %s WITH ORDINALITY AS c(j, n)$q$, call)
       INTO claimed;
    IF current_setting('regress.scans', true) IS DISTINCT FROM 'on' THEN
        RETURN claimed;
    END IF;
    RETURN format('%s (%s scans)', claimed,
                  pg_stat_get_xact_numscans('job_control.jobs_pkey'::regclass) - scans);
END $$;
-- The same claims on either path: by the owner (no row security), then by a
-- role bound by the tenant policy, with and without a company.
CREATE FUNCTION pg_temp.claims() RETURNS SETOF text LANGUAGE plpgsql AS $f$
BEGIN
    RETURN NEXT pg_temp.claim($$job_control.job_claim('w1')$$);
    RETURN NEXT pg_temp.claim($$job_control.job_claim('w1', 2, '{materialize-view}')$$);
    RETURN NEXT pg_temp.claim($$job_control.job_claim('w2', 3, '{nql-forecast,NULL}')$$);
    RETURN NEXT pg_temp.claim(
        $$job_control.job_claim('w3', 5, NULL, 'a1000000-0000-4000-8000-000000000000')$$);
    RETURN NEXT pg_temp.claim(
        $$job_control.job_claim('w3', 5, '{nql-forecast}', 'a1000000-0000-4000-8000-000000000000')$$);
    SET LOCAL ROLE regress_claimer;
    SET LOCAL job_control.company_id = 2;
    RETURN NEXT pg_temp.claim($$job_control.job_claim('w4', 2)$$);
    SET LOCAL job_control.company_id = 3;
    RETURN NEXT pg_temp.claim($$job_control.job_claim('w4', 2)$$);
    RESET job_control.company_id;
    RETURN NEXT pg_temp.claim($$job_control.job_claim('w5', 2)$$);
    RESET ROLE;
    RETURN NEXT pg_temp.claim($$job_control.job_claim('w6', 1000)$$);
    RETURN NEXT pg_temp.claim($$job_control.job_claim('w6')$$);
END $f$;
-- The work index after the claims: queue entries of pending jobs only (the
-- stale one stays: nobody claimed it), a lease for every job claimed.
CREATE FUNCTION pg_temp.work_index() RETURNS TABLE (queued_not_pending bigint, claimed_without_lease bigint)
LANGUAGE sql AS $$
    SELECT (SELECT count(*) FROM job_control.job_queue q JOIN job_control.jobs j USING (job_id)
             WHERE j.state <> 'pending'),
           (SELECT count(*) FROM job_control.jobs j
             WHERE j.state = 'running' AND j.executor <> 'w0'
               AND NOT EXISTS (SELECT FROM job_control.job_leases l WHERE l.job_id = j.job_id))
$$;

BEGIN;
SET LOCAL regress.scans = on;
SELECT c AS without_sql FROM pg_temp.claims() AS c;
SELECT * FROM pg_temp.work_index();
ROLLBACK;
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT c AS by_the_statement FROM pg_temp.claims() AS c;
SELECT * FROM pg_temp.work_index();
ROLLBACK;
-- The answers compared whole.
SET regress.whole = on;
BEGIN;
SELECT string_agg(c, E'\n') AS direct FROM pg_temp.claims() AS c \gset
ROLLBACK;
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT string_agg(c, E'\n') AS by_sql FROM pg_temp.claims() AS c \gset
ROLLBACK;
RESET regress.whole;
SELECT length(:'direct') > 5000 AS answers, :'direct' = :'by_sql' AS same_answers;

-- The claimed job as returned is the job as stored, byte for byte.
BEGIN;
CREATE TEMP TABLE claimed ON COMMIT DROP AS
SELECT j FROM job_control.job_claim('w7', 2) AS j;
SELECT j ->> 'state' AS state, j = job_control.job_get((j ->> 'job_id')::uuid) AS as_stored
  FROM claimed;
ROLLBACK;

-- Lanes (1.4): a claim of some types, or on one data plane, reads only the
-- queue entries it may take. Behind 300 older pending jobs of another type
-- on no plane, each claim reads the entries of the jobs it takes and no more.
BEGIN;
INSERT INTO job_control.jobs (company_id, request_source, type, input, created_at)
SELECT 1, '{"company_id": 1}', 'nql-forecast', jsonb_build_object('nql', 'backlog ' || n),
       '2025-01-01'::timestamptz + n * interval '1 second'
  FROM generate_series(1, 300) AS n;
SET LOCAL regress.scans = on;
SELECT pg_temp.claim($$job_control.job_claim('w9', 2, '{materialize-view}')$$) AS one_type;
SELECT pg_temp.claim(
    $$job_control.job_claim('w9', 2, NULL, 'a1000000-0000-4000-8000-000000000000')$$) AS one_plane;
SELECT pg_temp.claim(
    $$job_control.job_claim('w9', 2, '{nql-forecast,materialize-view,nql-forecast}',
                            'a1000000-0000-4000-8000-000000000000')$$) AS types_on_a_plane;
-- A pending job given another type or plane by hand moves to its new lane.
UPDATE job_control.jobs SET type = 'materialize-view',
       data_plane_id = 'a1000000-0000-4000-8000-000000000000'
 WHERE input ->> 'nql' = 'backlog 300';
SELECT pg_temp.claim($$job_control.job_claim('w9', 1, '{materialize-view}')$$) AS moved_lane;
SELECT pg_temp.claim(
    $$job_control.job_claim('w9', 1, NULL, 'a1000000-0000-4000-8000-000000000000')$$) AS rest_of_the_plane;
SELECT count(*) AS lanes_out_of_step
  FROM job_control.job_queue AS q JOIN job_control.jobs AS j USING (job_id)
 WHERE (q.type, q.data_plane_id, q.company_id) IS DISTINCT FROM (j.type, j.data_plane_id, j.company_id);
ROLLBACK;

-- The statement (here under REPEATABLE READ) reads the lane of the one type
-- a claim on any plane names: a few entries of that lane, none of the
-- whole queue.
BEGIN ISOLATION LEVEL REPEATABLE READ;
INSERT INTO job_control.jobs (company_id, request_source, type, input, created_at)
SELECT 1, '{"company_id": 1}', 'nql-forecast', jsonb_build_object('nql', 'backlog ' || n),
       '2025-01-01'::timestamptz + n * interval '1 second'
  FROM generate_series(1, 300) AS n;
SELECT pg_stat_get_xact_tuples_returned('job_control.job_queue_type_order'::regclass) AS lane_before,
       pg_stat_get_xact_tuples_returned('job_control.job_queue_order'::regclass) AS queue_before \gset
SELECT pg_temp.claim($$job_control.job_claim('w9', 2, '{materialize-view}')$$) AS one_type_by_the_statement;
SELECT pg_stat_get_xact_tuples_returned('job_control.job_queue_type_order'::regclass) - :lane_before
         AS lane_entries_read,
       pg_stat_get_xact_tuples_returned('job_control.job_queue_order'::regclass) - :queue_before
         AS queue_entries_read;
ROLLBACK;

-- The statement claims wherever the queue or the jobs are not as the
-- extension made them, and honours what is there. Another policy on the
-- queue, for a bound role (without it, jobs 1, 2 and 3):
CREATE POLICY regress_no_second_company ON job_control.job_queue AS RESTRICTIVE
    USING (company_id <> 2);
BEGIN;
SET LOCAL ROLE regress_claimer;
SELECT pg_temp.claim($$job_control.job_claim('w8', 3)$$) AS other_queue_policy;
ROLLBACK;
DROP POLICY regress_no_second_company ON job_control.job_queue;
-- The queue's index in claim order, in another order (the oldest still come
-- first):
DROP INDEX job_control.job_queue_order;
CREATE INDEX job_queue_order ON job_control.job_queue (created_at DESC, job_id DESC);
BEGIN;
SELECT pg_temp.claim($$job_control.job_claim('w8', 3)$$) AS index_in_other_order;
ROLLBACK;
DROP INDEX job_control.job_queue_order;
CREATE INDEX job_queue_order ON job_control.job_queue (created_at, job_id);
-- A statement trigger of the DBA's on the jobs, which only a statement fires:
CREATE FUNCTION pg_temp.note_claim() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE NOTICE 'an UPDATE of the jobs'; RETURN NULL; END $$;
CREATE TRIGGER regress_note_claim AFTER UPDATE ON job_control.jobs
    FOR EACH STATEMENT EXECUTE FUNCTION pg_temp.note_claim();
BEGIN;
SELECT pg_temp.claim($$job_control.job_claim('w8', 3)$$) AS dba_trigger;
ROLLBACK;
DROP TRIGGER regress_note_claim ON job_control.jobs;
-- And without SQL again, once all is as it was.
BEGIN;
SET LOCAL regress.scans = on;
SELECT pg_temp.claim($$job_control.job_claim('w8', 3)$$) AS restored;
ROLLBACK;

DELETE FROM job_control.jobs;
DROP ROLE regress_claimer;
