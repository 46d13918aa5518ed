-- The lifecycle of a job through the functions, with what each call records.
CREATE FUNCTION pg_temp.stable(job jsonb) RETURNS jsonb LANGUAGE sql AS $$
    SELECT job - 'job_id' - 'created_at' - 'updated_at' - 'completed_at'
           || jsonb_build_object('failures',
                  (SELECT coalesce(jsonb_agg(f - 'timestamp'), '[]')
                     FROM jsonb_array_elements(job -> 'failures') f))
$$;

SELECT job_control.job_create('materialize-view',
           '{"nql": "SELECT 1", "dataset_id": 6404, "stats_enabled": true}',
           '{"type": "api_user", "company_id": 1, "user_id": 1248}') ->> 'job_id' AS id \gset

SELECT pg_temp.stable(job_control.job_get(:'id'));
SELECT pg_temp.stable(job_control.job_start(:'id', 'executor-7'));
SELECT pg_temp.stable(job_control.job_fail(:'id', 'executor lost its lease',
                                           '{"exit_code": 137, "oom": true}'));
-- A second fail is a no-op: same job, one failure entry.
SELECT job_control.job_fail(:'id', 'again') = job_control.job_get(:'id') AS second_fail_is_noop;

-- Completing with a result; JSON null as result means no result.
SELECT job_control.job_create('nql-forecast', '{"nql": "SELECT 2"}', '{"company_id": 1}') ->> 'job_id' AS id2 \gset
SELECT job_control.job_start(:'id2', 'executor-8') ->> 'state';
SELECT pg_temp.stable(job_control.job_complete(:'id2',
           '{"dataset_id": 6404, "snapshot_id": 739881302291276700, "recalculation_id": "abf9a2ec-426b-4751-bd16-fcb435061925"}'));

SELECT job_control.job_create('nql-forecast', '{"nql": "SELECT 3"}', '{"company_id": 1}') ->> 'job_id' AS id3 \gset
SELECT job_control.job_start(:'id3', 'executor-9') ->> 'state';
SELECT job_control.job_complete(:'id3', 'null') -> 'result' AS json_null_result;

-- Cancellation of a running job goes through pending_cancellation; it can
-- still complete or fail before the executor acknowledges.
SELECT job_control.job_create('nql-forecast', '{"nql": "SELECT 4"}', '{"company_id": 1}') ->> 'job_id' AS id4 \gset
SELECT job_control.job_start(:'id4', 'executor-1') ->> 'state';
SELECT job_control.job_cancel(:'id4') ->> 'state';
SELECT job_control.job_cancel(:'id4') ->> 'state' AS cancel_again;
SELECT job_control.job_acknowledge_cancel(:'id4') ->> 'state';
SELECT (job_control.job_get(:'id4') ->> 'completed_at') IS NOT NULL AS has_completed_at;

-- Optional create arguments are stored and returned.
SELECT pg_temp.stable(job_control.job_create('nql-forecast', '{"nql": "SELECT 5"}',
           '{"company_id": 2}', 'key-5',
           '11111111-1111-1111-1111-111111111111',
           '22222222-2222-2222-2222-222222222222', 'dedicated'));

-- The table behind it, as a DBA sees it.
SELECT state, type, executor, company_id, jsonb_array_length(failures) AS failures,
       completed_at IS NOT NULL AS finished
  FROM job_control.jobs ORDER BY created_at;
