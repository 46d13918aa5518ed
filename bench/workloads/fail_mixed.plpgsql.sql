-- Half the calls fail a running job, half report late on a finished one,
-- at random: the worst case for a backend that expects each call to do
-- what the previous one did.
\set coin random(0, 1)
\if :coin = 0
\set n :n + 1
SELECT bench.plpgsql_fail(bench.job_uuid(:run * 16 + 8 + :client_id, :n), 'executor lost its lease', '{"exit_code": 137, "stage": "upload"}');
\else
\set t random(1, 10000)
SELECT bench.plpgsql_fail(bench.job_uuid(1, :t), 'late report', '{"exit_code": 1}');
\endif
