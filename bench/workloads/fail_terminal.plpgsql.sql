\set t random(1, 10000)
SELECT bench.plpgsql_fail(bench.job_uuid(1, :t), 'late report', '{"exit_code": 1}');
