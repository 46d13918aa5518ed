\set t random(1, 10000)
UPDATE bench.limit_jobs SET state = 'failed', failures = failures || jsonb_build_array(jsonb_build_object('message', 'late report', 'value', '{"exit_code": 1}'::jsonb, 'timestamp', now())), updated_at = now(), completed_at = now() WHERE job_id = bench.job_uuid(1, :t) AND state IN ('pending', 'running', 'pending_cancellation') RETURNING to_jsonb(limit_jobs.*);
