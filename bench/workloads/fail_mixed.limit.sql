-- Half the calls fail a running job, half report late on a finished one,
-- at random: the worst case for a backend that expects each call to do
-- what the previous one did.
\set coin random(0, 1)
\if :coin = 0
\set n :n + 1
UPDATE bench.limit_jobs SET state = 'failed', failures = failures || jsonb_build_array(jsonb_build_object('message', 'executor lost its lease', 'value', '{"exit_code": 137, "stage": "upload"}'::jsonb, 'timestamp', now())), updated_at = now(), completed_at = now() WHERE job_id = bench.job_uuid(:run * 16 + 8 + :client_id, :n) AND state IN ('pending', 'running', 'pending_cancellation') RETURNING to_jsonb(limit_jobs.*);
\else
\set t random(1, 10000)
UPDATE bench.limit_jobs SET state = 'failed', failures = failures || jsonb_build_array(jsonb_build_object('message', 'late report', 'value', '{"exit_code": 1}'::jsonb, 'timestamp', now())), updated_at = now(), completed_at = now() WHERE job_id = bench.job_uuid(1, :t) AND state IN ('pending', 'running', 'pending_cancellation') RETURNING to_jsonb(limit_jobs.*);
\endif
