\set j random(1, 16)
\set op random(1, 4)
\if :op = 1
UPDATE bench.limit_jobs SET state = 'failed', failures = failures || jsonb_build_array(jsonb_build_object('message', 'boom', 'value', NULL, 'timestamp', now())), updated_at = now(), completed_at = now() WHERE job_id = bench.job_uuid(2, :j) AND state IN ('pending', 'running', 'pending_cancellation') RETURNING to_jsonb(limit_jobs.*);
\elif :op = 2
UPDATE bench.limit_jobs SET state = 'completed', result = '{"rows": 1}', updated_at = now(), completed_at = now() WHERE job_id = bench.job_uuid(2, :j) AND state IN ('running', 'pending_cancellation') RETURNING to_jsonb(limit_jobs.*);
\elif :op = 3
UPDATE bench.limit_jobs SET state = CASE state WHEN 'pending' THEN 'cancelled'::job_control.job_state ELSE 'pending_cancellation' END, updated_at = now(), completed_at = CASE state WHEN 'pending' THEN now() END WHERE job_id = bench.job_uuid(2, :j) AND state IN ('pending', 'running') RETURNING to_jsonb(limit_jobs.*);
\else
UPDATE bench.limit_jobs SET state = 'running', executor = 'executor-1', result = NULL, updated_at = now(), completed_at = NULL WHERE job_id = bench.job_uuid(2, :j) RETURNING to_jsonb(limit_jobs.*);
\endif
