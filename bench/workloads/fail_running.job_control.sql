\set n :n + 1
SELECT job_control.job_fail(bench.job_uuid(:run * 16 + :client_id, :n), 'executor lost its lease', '{"exit_code": 137, "stage": "upload"}');
