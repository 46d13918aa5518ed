-- The jsonb the functions return, and the failures array a fail writes, are
-- built by job_control's binary writer (src/core/jsonb_binary.cpp), which
-- copies nested values as bytes instead of unpacking and re-encoding them.
-- They must be byte for byte what PostgreSQL's own encoder writes:
-- j::text::jsonb is PostgreSQL's encoding of the same value, and record image
-- equality (record_image_eq, the *= operator) compares the stored bytes.
SELECT setseed(0.1128);
CREATE FUNCTION pg_temp.same_bytes(j jsonb) RETURNS boolean LANGUAGE sql
    RETURN record_image_eq(ROW(j), ROW(j::text::jsonb));

-- Random JSON of every kind: strings of odd and even lengths (multibyte
-- too), numbers whose stored size varies (so the padding before what
-- follows does), booleans, nulls, and arrays and objects whose children
-- cross jsonb's 32-entry offset stride.
CREATE FUNCTION pg_temp.random_json(depth int) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    kind int := floor(random() * (CASE WHEN depth > 0 THEN 9 ELSE 6 END))::int;
    n int;
    out jsonb;
BEGIN
    CASE kind
    WHEN 0 THEN RETURN to_jsonb(repeat(substr('abcdéfg', 1 + floor(random() * 7)::int, 1),
                                       floor(random() * 12)::int));
    WHEN 1 THEN RETURN to_jsonb(floor(random() * 1000)::int - 500);
    WHEN 2 THEN RETURN to_jsonb(round((random() * 10 ^ floor(random() * 30))::numeric, floor(random() * 8)::int));
    WHEN 3 THEN RETURN to_jsonb(random() < 0.5);
    WHEN 4 THEN RETURN 'null'::jsonb;
    WHEN 5 THEN RETURN to_jsonb(md5(random()::text));
    WHEN 6, 7 THEN
        n := CASE WHEN random() < 0.2 THEN 30 + floor(random() * 40)::int ELSE floor(random() * 6)::int END;
        out := '{}';
        FOR i IN 1..n LOOP
            out := out || jsonb_build_object(repeat('k', 1 + floor(random() * 3)::int) || i,
                                             pg_temp.random_json(depth - 1));
        END LOOP;
        RETURN out;
    ELSE
        n := CASE WHEN random() < 0.2 THEN 30 + floor(random() * 40)::int ELSE floor(random() * 6)::int END;
        out := '[]';
        FOR i IN 1..n LOOP
            out := out || jsonb_build_array(pg_temp.random_json(depth - 1));
        END LOOP;
        RETURN out;
    END CASE;
END $$;

-- Every call's answer, kept to compare.
CREATE TEMP TABLE answers (call text, answer jsonb);
DO $$
DECLARE
    id uuid;
    input jsonb;
BEGIN
    FOR j IN 1..60 LOOP
        input := jsonb_build_object('nql', 'q' || j, 'extra', pg_temp.random_json(3));
        IF random() < 0.5 THEN input := input || jsonb_build_object('dataset_id', j); END IF;
        INSERT INTO answers SELECT 'create', job_control.job_create(
            'nql-forecast', input,
            jsonb_build_object('company_id', 1 + j % 3, 'origin', pg_temp.random_json(2)),
            CASE WHEN j % 2 = 0 THEN 'key-' || j END) RETURNING (answer->>'job_id')::uuid INTO id;
        INSERT INTO answers VALUES ('start', job_control.job_start(id, 'w' || j));
        -- Up to 70 failures (two offset strides), each with a random
        -- diagnostic: scalar roots, numbers, nested containers.
        FOR f IN 1..(CASE WHEN j % 10 = 0 THEN 70 ELSE floor(random() * 4)::int END) LOOP
            INSERT INTO answers VALUES ('fail', job_control.job_fail(
                id, 'm' || repeat('.', f % 7), CASE WHEN random() < 0.2 THEN NULL ELSE pg_temp.random_json(2) END));
            INSERT INTO answers VALUES ('reschedule', job_control.job_reschedule(id, true));
            INSERT INTO answers VALUES ('start', job_control.job_start(id, 'w' || j));
        END LOOP;
        CASE j % 3
        WHEN 0 THEN INSERT INTO answers VALUES ('complete', job_control.job_complete(
                        id, jsonb_build_object('rows', j, 'detail', pg_temp.random_json(3))));
        WHEN 1 THEN INSERT INTO answers VALUES ('fail', job_control.job_fail(id, 'last', pg_temp.random_json(3)));
        ELSE INSERT INTO answers VALUES ('cancel', job_control.job_cancel(id));
        END CASE;
        -- The no-op answers the job as it stands.
        INSERT INTO answers VALUES ('fail (no-op)', job_control.job_fail(id, 'late', '1.5'));
        INSERT INTO answers VALUES ('get', job_control.job_get(id));
    END LOOP;
END $$;

SELECT call, count(*) AS answers, count(*) FILTER (WHERE pg_temp.same_bytes(answer)) AS same_bytes
FROM answers GROUP BY call ORDER BY call;

-- The failures arrays the moves wrote (the stored column itself).
SELECT count(*) AS jobs, count(*) FILTER (WHERE pg_temp.same_bytes(failures)) AS same_bytes,
       max(jsonb_array_length(failures)) AS most_failures
FROM job_control.jobs WHERE job_id IN (SELECT (answer->>'job_id')::uuid FROM answers);

-- The answers are the jobs as they are stored.
SELECT count(*) AS differ
FROM answers a JOIN job_control.jobs j ON j.job_id = (a.answer->>'job_id')::uuid
WHERE a.call = 'get' AND (a.answer->'failures' <> j.failures OR a.answer->'input' <> j.input
                          OR a.answer->'request_source' <> j.request_source
                          OR a.answer->'result' IS DISTINCT FROM coalesce(j.result, 'null'));

-- Look-ups by key use the object's sorted keys and its offsets: every
-- member is found.
SELECT count(*) AS answers_missing_a_member FROM answers
WHERE call = 'get' AND NOT answer ?& ARRAY['type', 'input', 'state', 'job_id', 'result', 'executor',
    'failures', 'created_at', 'updated_at', 'completed_at', 'data_plane_id', 'request_source',
    'compute_pool_id', 'idempotency_key', 'execution_cluster'];

-- A page of the list, the prune's counts, a truncated diagnostic (numbers
-- built here), a reaped job's lease diagnostic.
SELECT pg_temp.same_bytes(job_control.job_list(page => p, page_size => 25)) AS same_bytes
FROM generate_series(1, 3) p;
SET job_control.max_diagnostic_bytes = 64;
SELECT pg_temp.same_bytes(f) AS same_bytes, f->-1->'value' AS value
FROM (SELECT job_control.job_fail((job_control.job_create('nql-forecast', '{"nql": "t"}', '{"company_id": 1}')->>'job_id')::uuid,
                                   'too much', to_jsonb(repeat('x', 100)))->'failures' AS f) s;
RESET job_control.max_diagnostic_bytes;
SELECT job_control.job_start((job_control.job_create('nql-forecast', '{"nql": "r"}', '{"company_id": 1}',
                                                    'reaped')->>'job_id')::uuid, 'gone') IS NOT NULL AS started;
SELECT pg_sleep(0.01);
SELECT pg_temp.same_bytes(r) AS same_bytes, r->'failures'->0->'value' ? 'last_heartbeat' AS has_heartbeat
FROM job_control.job_reap_stale('1 millisecond') r WHERE r->>'idempotency_key' = 'reaped';
SELECT pg_temp.same_bytes(p) AS same_bytes, p FROM job_control.job_prune_batch('100 years', 10) p;
