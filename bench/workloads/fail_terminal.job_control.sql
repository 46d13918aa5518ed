\set t random(1, 10000)
SELECT job_control.job_fail(bench.job_uuid(1, :t), 'late report', '{"exit_code": 1}');
