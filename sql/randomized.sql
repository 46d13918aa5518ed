-- A randomized run (fixed seed): thousands of calls of every function with
-- random, partly hostile arguments on a small set of jobs. Every call either
-- succeeds per the spec or fails with a spec SQLSTATE, and the table's
-- invariants hold afterwards.
SELECT setseed(0.20261128);
SET job_control.history = on;
CREATE TEMP TABLE outcomes (sqlstate text, calls int DEFAULT 1);
CREATE FUNCTION pg_temp.pick(choices text[]) RETURNS text LANGUAGE sql
    RETURN choices[1 + floor(random() * array_length(choices, 1))::int];

DO $$
DECLARE
    ids uuid[] := '{}';
    id uuid;
    call text;
    executor text;
    new_state text;
BEGIN
    FOR i IN 1..3000 LOOP
        IF cardinality(ids) = 0 OR random() < 0.08 THEN
            call := 'create';
        ELSE
            call := pg_temp.pick(ARRAY['start', 'claim', 'complete', 'fail', 'cancel', 'acknowledge',
                                       'heartbeat', 'reschedule', 'force', 'fail_many', 'reap', 'get',
                                       'list', 'update']);
        END IF;
        id := CASE WHEN random() < 0.03 THEN gen_random_uuid()
                   WHEN random() < 0.02 THEN NULL
                   ELSE ids[1 + floor(random() * greatest(cardinality(ids), 1))::int] END;
        executor := pg_temp.pick(ARRAY['w1', 'w2', '', ' ', NULL, repeat('x', 300)]);
        BEGIN
            CASE call
            WHEN 'create' THEN
                ids := ids || (job_control.job_create(
                    pg_temp.pick(ARRAY['nql-forecast', 'materialize-view'])::job_control.job_type,
                    pg_temp.pick(ARRAY['{"nql": "q"}', '{"nql": "q", "dataset_id": 7}', '{"nql": ""}',
                                       '[]', '{"nql": 1}', '{"nql": "q", "dataset_id": 1.5}'])::jsonb,
                    pg_temp.pick(ARRAY['{"company_id": 1}', '{"company_id": 2, "user_id": 3}',
                                       '{"company_id": "1"}', '{}', '"x"'])::jsonb,
                    pg_temp.pick(ARRAY[NULL, 'k1', 'k2', ' ']))->>'job_id')::uuid;
            WHEN 'start' THEN PERFORM job_control.job_start(id, executor);
            WHEN 'claim' THEN PERFORM job_control.job_claim(coalesce(executor, 'w1'), 1 + floor(random() * 3)::int);
            WHEN 'complete' THEN
                PERFORM job_control.job_complete(id, pg_temp.pick(ARRAY[NULL, '{"rows": 1}', '[1]', 'null'])::jsonb,
                                                 CASE WHEN random() < 0.5 THEN executor END);
            WHEN 'fail' THEN
                PERFORM job_control.job_fail(id, pg_temp.pick(ARRAY['boom', '', NULL, repeat('é', 5000)]),
                                             pg_temp.pick(ARRAY[NULL, '1', '{"a": [1, 2]}', '"s"'])::jsonb,
                                             CASE WHEN random() < 0.5 THEN executor END);
            WHEN 'cancel' THEN PERFORM job_control.job_cancel(id);
            WHEN 'acknowledge' THEN PERFORM job_control.job_acknowledge_cancel(id);
            WHEN 'heartbeat' THEN PERFORM job_control.job_heartbeat(id, executor);
            WHEN 'reschedule' THEN PERFORM job_control.job_reschedule(id);
            WHEN 'force' THEN PERFORM job_control.job_reschedule(id, true);
            WHEN 'fail_many' THEN PERFORM job_control.job_fail_many(ARRAY[id, ids[1]], 'batch');
            WHEN 'reap' THEN PERFORM job_control.job_reap_stale('1 millisecond');
            WHEN 'get' THEN PERFORM job_control.job_get(id);
            WHEN 'list' THEN
                PERFORM job_control.job_list(page => 1 + floor(random() * 3)::int,
                                             page_size => pg_temp.pick(ARRAY['1', '50', '500', '0', '501'])::int);
            WHEN 'update' THEN
                new_state := pg_temp.pick(ARRAY['pending', 'running', 'completed', 'failed', 'cancelled', 'pending_cancellation']);
                UPDATE job_control.jobs SET state = new_state::job_control.job_state WHERE job_id = id;
            END CASE;
            INSERT INTO outcomes VALUES ('ok');
        EXCEPTION WHEN OTHERS THEN
            INSERT INTO outcomes VALUES (SQLSTATE);
        END;
    END LOOP;
END $$;

-- Only the spec's SQLSTATEs (and PostgreSQL's own for a bad enum label or
-- JSON) occurred.
SELECT sqlstate IN ('ok', 'P0002', '22004', '22023', '55000', '42501', '54000', '22P02', '23514')
       AS allowed, count(*) > 0 AS seen
  FROM outcomes GROUP BY 1 ORDER BY 1;
SELECT sqlstate FROM outcomes
 WHERE sqlstate NOT IN ('ok', 'P0002', '22004', '22023', '55000', '42501', '54000', '22P02', '23514')
 GROUP BY 1;
SELECT count(DISTINCT sqlstate) >= 5 AS varied, count(*) AS calls FROM outcomes;

-- The invariants.
SELECT count(*) > 10 AS has_jobs FROM job_control.jobs;
SELECT count(*) AS broken_terminal_rule FROM job_control.jobs
 WHERE (state IN ('completed', 'cancelled', 'failed')) <> (completed_at IS NOT NULL);
SELECT count(*) AS broken_tenant_rule FROM job_control.jobs
 WHERE company_id <> (request_source ->> 'company_id')::bigint;
SELECT count(*) AS broken_timestamps FROM job_control.jobs
 WHERE updated_at < created_at OR completed_at < created_at OR completed_at > updated_at;
SELECT count(*) AS bad_failures FROM job_control.jobs j
 WHERE jsonb_typeof(failures) <> 'array'
    OR EXISTS (SELECT FROM jsonb_array_elements(j.failures) f
                WHERE NOT (f ?& ARRAY['message', 'value', 'timestamp'])
                   OR octet_length(f ->> 'message') > 8192 OR btrim(f ->> 'message') = '');
-- The history agrees with the jobs: each job's last recorded state is its state.
SELECT count(*) AS history_mismatch FROM job_control.jobs j
 WHERE state <> (SELECT to_state FROM job_control.job_transitions t
                  WHERE t.job_id = j.job_id ORDER BY transitioned_at DESC LIMIT 1);
SELECT count(*) AS duplicate_keys FROM (
    SELECT company_id, idempotency_key FROM job_control.jobs WHERE idempotency_key IS NOT NULL
     GROUP BY 1, 2 HAVING count(*) > 1) d;
RESET job_control.history;
DELETE FROM job_control.jobs;
DELETE FROM job_control.job_transitions;
