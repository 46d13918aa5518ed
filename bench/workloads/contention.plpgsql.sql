\set j random(1, 16)
\set op random(1, 4)
\if :op = 1
SELECT bench.plpgsql_fail(bench.job_uuid(2, :j), 'boom', NULL);
\elif :op = 2
SELECT bench.plpgsql_complete(bench.job_uuid(2, :j), '{"rows": 1}');
\elif :op = 3
SELECT bench.plpgsql_cancel(bench.job_uuid(2, :j));
\else
SELECT bench.plpgsql_restart(bench.job_uuid(2, :j), 'executor-1');
\endif
