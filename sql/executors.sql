-- Executors: claim, heartbeat, fencing, the lease reaper, reschedule and
-- batch fail.
CREATE FUNCTION pg_temp.err(statement text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE statement;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || regexp_replace(SQLERRM, '[0-9a-f]{8}-[0-9a-f-]{27}', '<id>', 'g');
END $$;
CREATE FUNCTION pg_temp.new_job(nql text, type job_control.job_type DEFAULT 'nql-forecast',
                                plane uuid DEFAULT NULL) RETURNS uuid LANGUAGE plpgsql AS $$
BEGIN
    RETURN (job_control.job_create(type, jsonb_build_object('nql', nql, 'dataset_id', 1),
                                   '{"company_id": 1}', data_plane_id => plane) ->> 'job_id')::uuid;
END $$;

DELETE FROM job_control.jobs;
SELECT pg_temp.new_job('first') AS first, pg_temp.new_job('second') AS second,
       pg_temp.new_job('third', 'materialize-view') AS third,
       pg_temp.new_job('fourth', plane => '11111111-1111-1111-1111-111111111111') AS fourth,
       pg_temp.new_job('fifth') AS fifth \gset

-- Oldest pending first; claimed jobs are running, held by the executor, with
-- a fresh lease (updated_at).
SELECT j ->> 'state' AS state, j -> 'input' ->> 'nql' AS nql, j ->> 'executor' AS executor,
       (j ->> 'updated_at')::timestamptz > (j ->> 'created_at')::timestamptz AS fresh_lease
  FROM job_control.job_claim('worker-a', 2) AS j;
-- Filters: by type, by data plane.
SELECT j -> 'input' ->> 'nql' AS nql FROM job_control.job_claim('worker-b', 5, ARRAY['materialize-view']::job_control.job_type[]) AS j;
SELECT j -> 'input' ->> 'nql' AS nql FROM job_control.job_claim('worker-b', 5, NULL, '11111111-1111-1111-1111-111111111111') AS j;
SELECT j -> 'input' ->> 'nql' AS nql FROM job_control.job_claim('worker-c', 5) AS j;
SELECT count(*) AS nothing_left FROM job_control.job_claim('worker-c', 5);
-- Claim arguments.
SELECT pg_temp.err('SELECT job_control.job_claim(NULL)');
SELECT pg_temp.err('SELECT job_control.job_claim('' '')');
SELECT pg_temp.err('SELECT job_control.job_claim(''w'', 0)');
SELECT pg_temp.err('SELECT job_control.job_claim(''w'', 1001)');
SELECT pg_temp.err('SELECT job_control.job_claim(''w'', NULL)');
SELECT pg_temp.err('SELECT job_control.job_claim(''w'', 1, ''{}'')');

-- Heartbeat: the holder renews its lease and learns of a cancellation; a
-- finished job is returned as it is, so the worker stops.
SELECT updated_at AS before FROM job_control.jobs WHERE job_id = :'first' \gset
SELECT job_control.job_heartbeat(:'first', 'worker-a') ->> 'state' AS state;
SELECT updated_at > :'before' AS lease_renewed FROM job_control.jobs WHERE job_id = :'first';
SELECT job_control.job_cancel(:'second') ->> 'state';
SELECT job_control.job_heartbeat(:'second', 'worker-a') ->> 'state' AS told_to_stop;
SELECT pg_temp.err(format('SELECT job_control.job_heartbeat(%L, ''worker-z'')', :'first'));
SELECT pg_temp.err(format('SELECT job_control.job_heartbeat(%L, NULL)', :'first'));
SELECT pg_temp.new_job('pending one') AS pending \gset
SELECT pg_temp.err(format('SELECT job_control.job_heartbeat(%L, ''worker-a'')', :'pending'));
SELECT job_control.job_complete(:'fifth', '{}', 'worker-c') ->> 'state';
SELECT job_control.job_heartbeat(:'fifth', 'worker-c') ->> 'state' AS finished_job;

-- The reaper fails running and pending_cancellation jobs whose lease is
-- older than the given age, naming the executor and its last heartbeat;
-- fresh leases are kept.
SELECT count(*) AS reaped_with_fresh_leases FROM job_control.job_reap_stale('1 hour');
SELECT pg_sleep(0.5);
SELECT job_control.job_heartbeat(:'first', 'worker-a') ->> 'state' AS first_heartbeats;
SELECT j -> 'input' ->> 'nql' AS nql, j ->> 'state' AS state,
       j -> 'failures' -> -1 -> 'value' ->> 'executor' AS diagnostic_executor,
       (j -> 'failures' -> -1 -> 'value' ->> 'last_heartbeat')::timestamptz < now() AS has_last_heartbeat,
       j -> 'failures' -> -1 ->> 'message' LIKE 'lease expired: executor "' || (j ->> 'executor') || '" sent no heartbeat since %' AS message_names_them
  FROM job_control.job_reap_stale('250 milliseconds') AS j ORDER BY 1;
SELECT job_control.job_get(:'first') ->> 'state' AS first_still;
SELECT pg_temp.err('SELECT job_control.job_reap_stale(NULL)');
SELECT pg_temp.err('SELECT job_control.job_reap_stale(''0'')');
SELECT pg_temp.err('SELECT job_control.job_reap_stale(''-1 minute'')');

-- Reschedule: a live job goes back to pending without executor; a finished
-- one is skipped unless forced, and keeps its failures when forced.
SELECT r ->> 'outcome' AS outcome, r -> 'job' ->> 'state' AS state, r -> 'job' ->> 'executor' AS executor
  FROM job_control.job_reschedule(:'first') AS r;
SELECT r ->> 'outcome' AS outcome, r -> 'job' ->> 'state' AS state
  FROM job_control.job_reschedule(:'second') AS r;
SELECT job_control.job_reschedule(:'second') -> 'job' = job_control.job_get(:'second') AS skipped_job_unchanged;
SELECT r ->> 'outcome' AS outcome, r -> 'job' ->> 'state' AS state,
       jsonb_array_length(r -> 'job' -> 'failures') AS failures_kept,
       r -> 'job' -> 'completed_at' AS completed_at, r -> 'job' -> 'result' AS result
  FROM job_control.job_reschedule(:'second', force => true) AS r;
SELECT r ->> 'outcome' AS outcome, r -> 'job' ->> 'state' AS state
  FROM job_control.job_reschedule(:'fifth', true) AS r;
SELECT pg_temp.err('SELECT job_control.job_reschedule(NULL)');
SELECT pg_temp.err(format('SELECT job_control.job_reschedule(%L, NULL)', :'first'));
-- A forced reschedule is the only way out: the same move by hand is refused.
SELECT job_control.job_fail(:'fifth', 'again') ->> 'state';
SELECT pg_temp.err(format('UPDATE job_control.jobs SET state = ''pending'' WHERE job_id = %L', :'fifth'));

-- Fencing after a reschedule and a new claim: the old executor cannot touch
-- the job any more, the new one can.
SELECT j ->> 'executor' AS new_holder FROM job_control.job_claim('worker-new', 1) AS j;
SELECT pg_temp.err(format('SELECT job_control.job_fail(%L, ''stale'', NULL, ''worker-a'')', :'first'));
SELECT pg_temp.err(format('SELECT job_control.job_complete(%L, NULL, ''worker-a'')', :'first'));
SELECT job_control.job_heartbeat(:'first', 'worker-new') ->> 'state' AS new_holder_heartbeats;

-- Batch fail: same semantics per job, results in the order given, each job
-- once; a terminal job is returned unchanged.
SELECT pg_temp.new_job('batch one') AS b1, pg_temp.new_job('batch two') AS b2 \gset
SELECT job_control.job_start(:'b2', 'worker-x') ->> 'state';
SELECT j -> 'input' ->> 'nql' AS nql, j ->> 'state' AS state, jsonb_array_length(j -> 'failures') AS failures
  FROM job_control.job_fail_many(ARRAY[:'b2', :'b1', :'fifth', :'b2']::uuid[], 'data plane lost', '{"plane": "eu-1"}') AS j;
SELECT (job_control.job_get(:'b1') -> 'failures' -> 0) - 'timestamp' AS recorded;
-- An unknown id fails the whole batch (P0002) and changes nothing.
SELECT pg_temp.new_job('batch three') AS b3 \gset
SELECT pg_temp.err(format('SELECT job_control.job_fail_many(ARRAY[%L, %L]::uuid[], ''x'')', :'b3', '00000000-0000-0000-0000-000000000000'));
SELECT job_control.job_get(:'b3') ->> 'state' AS b3_untouched;
SELECT pg_temp.err('SELECT job_control.job_fail_many(NULL, ''x'')');
SELECT pg_temp.err(format('SELECT job_control.job_fail_many(ARRAY[%L, NULL]::uuid[], ''x'')', :'b3'));
SELECT pg_temp.err(format('SELECT job_control.job_fail_many(ARRAY[%L]::uuid[], '' '')', :'b3'));
SELECT count(*) AS empty_batch FROM job_control.job_fail_many('{}', 'x');

DELETE FROM job_control.jobs;
