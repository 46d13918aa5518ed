-- The job_control API through job_control_proxy, on two partition servers:
-- placement, the lifecycle, job_control's errors and SQLSTATEs coming back
-- across the hop, the fan-out calls, tenancy and the access levels.
SET client_min_messages = warning;
\set VERBOSITY terse
CREATE ROLE app_reader IN ROLE job_control_reader;
CREATE ROLE app_writer IN ROLE job_control_writer;
CREATE ROLE app_executor IN ROLE job_control_executor;
CREATE ROLE app_admin IN ROLE job_control_admin;

SELECT partition, connection ~ '^host=127\.0\.0\.1 port=[0-9]+ dbname=postgres' AS libpq
  FROM job_control.partition_connections();
-- route() writes the resize lock's key out (a call would be folded again at
-- every planning): it must be the key the resize tool takes.
SELECT position(job_control_proxy.resize_lock_key()::text IN prosrc) > 0 AS route_takes_the_key
  FROM pg_proc WHERE oid = 'job_control_proxy.route'::regproc;

-- Placement: company c's jobs live on partition hashint8(c) & 1, and the id
-- carries the company's bucket, so later calls find the job from its id.
SELECT c AS company, hashint8(c) & 1 AS partition,
       (get_byte(uuid_send(id), 0) * 256 + get_byte(uuid_send(id), 1)) & 1 AS id_partition,
       job_control.job_get(id) ->> 'state' AS found
  FROM generate_series(1, 8) AS c,
       LATERAL (SELECT (job_control.job_create('nql-forecast', jsonb_build_object('nql', 'q' || c),
                                               jsonb_build_object('company_id', c))
                        ->> 'job_id')::uuid AS id) AS made;

-- Idempotency keys stay on the company's partition.
SELECT job_control.job_create('materialize-view', '{"nql": "m", "dataset_id": 7}',
                              '{"company_id": 3}', 'key-1') ->> 'job_id' AS keyed \gset
SELECT job_control.job_create('materialize-view', '{"nql": "m", "dataset_id": 7}',
                              '{"company_id": 3}', 'key-1') ->> 'job_id' = :'keyed' AS same_job;

-- The lifecycle, on a job of each partition (company 1: p0, company 3: p1).
SELECT job_control.job_create('nql-forecast', '{"nql": "a"}', '{"company_id": 1}') ->> 'job_id' AS a,
       job_control.job_create('nql-forecast', '{"nql": "b"}', '{"company_id": 3}') ->> 'job_id' AS b \gset
SELECT job_control.job_start(:'a', 'w1') ->> 'state' AS a, job_control.job_start(:'b', 'w2') ->> 'state' AS b;
SELECT job_control.job_heartbeat(:'a', 'w1') ->> 'state' AS heartbeat;
SELECT job_control.job_complete(:'a', '{"rows": 3}', 'w1')
       - '{job_id,created_at,updated_at,completed_at}'::text[] AS completed;
SELECT (job_control.job_fail(:'b', 'out of memory', '{"code": 137}', 'w2') -> 'failures' -> 0)
       - 'timestamp' AS failure;
SELECT job_control.job_fail(:'a', 'too late') ->> 'state' AS terminal_fail_is_a_no_op;
SELECT job_control.job_create('nql-forecast', '{"nql": "c"}', '{"company_id": 3}') ->> 'job_id' AS c \gset
SELECT job_control.job_start(:'c', 'w3') ->> 'state' AS started,
       job_control.job_cancel(:'c') ->> 'state' AS cancel,
       job_control.job_heartbeat(:'c', 'w3') ->> 'state' AS heartbeat,
       job_control.job_acknowledge_cancel(:'c') ->> 'state' AS acknowledged;
SELECT job_control.job_reschedule(:'c') ->> 'outcome' AS plain,
       job_control.job_reschedule(:'c', true) -> 'job' ->> 'state' AS forced;

-- job_control's errors and SQLSTATEs, across the hop.
SELECT job_control.job_get('00000000-0000-4000-8000-000000000000');
SELECT job_control.job_get('00010000-0000-4000-8000-000000000000');
\set VERBOSITY sqlstate
SELECT job_control.job_start(:'a', 'w1');
SELECT job_control.job_complete(:'c', NULL, 'someone-else');
SELECT job_control.job_get(NULL);
SELECT job_control.job_fail(:'c', '  ');
SELECT job_control.job_create('nql-forecast', '{"nql": ""}', '{"company_id": 1}');
SELECT job_control.job_create('nql-forecast', '{"nql": "x"}', '{"company_id": "one"}');
SELECT job_control.job_create('nql-forecast', '{"nql": "x"}', '{"company_id": 1.5}');
SELECT job_control.job_create('nql-forecast', '{"nql": "x"}', NULL);
SELECT job_control.job_complete(:'a', '[1]');
SELECT job_control.job_list(order_by => 'name');
SELECT job_control.job_list(page_size => 501);
SELECT job_control.job_claim(NULL);
SELECT job_control.job_claim('w', 0);
\set VERBOSITY terse

-- job_fail_many: an unknown id fails nothing on any partition; known ids
-- fail on their partitions.
SELECT job_control.job_create('nql-forecast', '{"nql": "d"}', '{"company_id": 1}') ->> 'job_id' AS d \gset
SELECT job_control.job_fail_many(ARRAY[:'d', :'c', '00000000-0000-4000-8000-000000000001']::uuid[], 'batch');
SELECT job_control.job_get(:'d') ->> 'state' AS d, job_control.job_get(:'c') ->> 'state' AS c;
SELECT j ->> 'state' AS state, count(*)
  FROM job_control.job_fail_many(ARRAY[:'d', :'c']::uuid[], 'batch') AS j GROUP BY 1;
SELECT count(*) AS none FROM job_control.job_fail_many('{}', 'batch');

-- Listing across companies: one global order (created_at, then job_id), and
-- pages of 4 that are exactly the whole list, cut.
SELECT (job_control.job_list(page_size => 500) -> 'total_records')::int
       = (SELECT sum(jobs) FROM job_control.job_stats) AS totals_agree,
       job_control.job_list(page_size => 4) -> 'total_pages' AS pages_of_4;
WITH whole AS (
    SELECT r, ord FROM jsonb_array_elements(job_control.job_list(page_size => 500, direction => 'asc')
                                            -> 'records') WITH ORDINALITY AS e(r, ord)),
pages AS (
    SELECT r, p, ord FROM generate_series(1, 5) AS p,
           jsonb_array_elements(job_control.job_list(page => p, page_size => 4, direction => 'asc')
                                -> 'records') WITH ORDINALITY AS e(r, ord))
SELECT (SELECT array_agg(r ->> 'job_id' ORDER BY ord) FROM whole)
       = (SELECT array_agg(r ->> 'job_id' ORDER BY p, ord) FROM pages) AS pages_are_the_list,
       (SELECT array_agg(r ->> 'job_id' ORDER BY ord) FROM whole)
       = (SELECT array_agg(r ->> 'job_id' ORDER BY (r ->> 'created_at')::timestamptz,
                                                   (r ->> 'job_id')::uuid) FROM whole) AS ordered,
       (SELECT count(DISTINCT (get_byte(uuid_send((r ->> 'job_id')::uuid), 1) & 1)) FROM whole)
           AS partitions_listed;
SELECT (SELECT array_agg(r ->> 'job_id') FROM jsonb_array_elements(
            job_control.job_list(order_by => 'updated_at', page_size => 500) -> 'records') AS r)
       = (SELECT array_agg(r ->> 'job_id' ORDER BY (r ->> 'updated_at')::timestamptz DESC,
                                                   (r ->> 'job_id')::uuid DESC)
            FROM jsonb_array_elements(job_control.job_list(page_size => 500) -> 'records') AS r)
       AS updated_at_desc;
SELECT job_control.job_list(state => 'failed', page_size => 500) -> 'total_records' AS failed,
       job_control.job_list(type => 'materialize-view', dataset_id => 7) -> 'total_records' AS dataset_7;

SELECT state, type, jobs FROM job_control.job_stats ORDER BY state, type;

-- Tenancy: the proxy session's company binds every call on the partitions.
SET job_control.company_id = 1;
\set VERBOSITY sqlstate
SELECT job_control.job_get(:'b');
\set VERBOSITY terse
SELECT job_control.job_create('nql-forecast', '{"nql": "x"}', '{"company_id": 3}');
SELECT job_control.job_get(:'a') ->> 'state' AS own_job;
SELECT count(*) FILTER (WHERE (r -> 'request_source' ->> 'company_id')::int = 1) AS own,
       count(*) FILTER (WHERE (r -> 'request_source' ->> 'company_id')::int <> 1) AS others
  FROM jsonb_array_elements(job_control.job_list(page_size => 500) -> 'records') AS r;
SELECT state, jobs FROM job_control.job_stats ORDER BY state;
SELECT count(*) AS claimed_others FROM job_control.job_claim('tenant-worker', 100) AS j
 WHERE (j -> 'request_source' ->> 'company_id')::int <> 1;
RESET job_control.company_id;

-- Claims across partitions: every pending job, from both partitions.
SELECT count(*) AS claimed, count(DISTINCT get_byte(uuid_send((j ->> 'job_id')::uuid), 1) & 1)
       AS partitions, bool_and(j ->> 'state' = 'running') AS running
  FROM job_control.job_claim('w9', 100) AS j;
SELECT count(*) AS nothing_left FROM job_control.job_claim('w9', 100);

-- Access levels, as on a server.
SET ROLE app_reader;
SELECT job_control.job_get(:'a') ->> 'state' AS reader_reads;
SELECT job_control.job_cancel(:'c');
SELECT job_control.job_fail_many(ARRAY[:'c']::uuid[], 'no');
SET ROLE app_executor;
SELECT count(*) AS executor_claims FROM job_control.job_claim('e1', 1);
SELECT job_control.job_cancel(:'c');
SELECT job_control_proxy.job_cancel('', :'c');
SET ROLE app_writer;
SELECT job_control.job_claim('w', 1);
SELECT job_control.job_create('nql-forecast', '{"nql": "w"}', '{"company_id": 5}') ->> 'state' AS writer_creates;
SELECT job_control.job_reap_stale('1 hour');
SET ROLE app_admin;
SELECT count(*) AS reaped FROM job_control.job_reap_stale('1 millisecond');
RESET ROLE;

-- The reaper and pruning cover every partition.
SELECT job_control.job_list(state => 'running') -> 'total_records' AS still_running;
CALL job_control.job_prune('1 millisecond', 2);
SELECT state, type, jobs FROM job_control.job_stats ORDER BY state, type;
