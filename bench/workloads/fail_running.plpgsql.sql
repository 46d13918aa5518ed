\set n :n + 1
SELECT bench.plpgsql_fail(bench.job_uuid(:run * 16 + :client_id, :n), 'executor lost its lease', '{"exit_code": 137, "stage": "upload"}');
