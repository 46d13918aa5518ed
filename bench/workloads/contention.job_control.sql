\set j random(1, 16)
\set op random(1, 4)
\if :op = 1
SELECT job_control.job_fail(bench.job_uuid(2, :j), 'boom', NULL);
\elif :op = 2
SELECT job_control.job_complete(bench.job_uuid(2, :j), '{"rows": 1}');
\elif :op = 3
SELECT job_control.job_cancel(bench.job_uuid(2, :j));
\else
SELECT job_control.job_start((job_control.job_reschedule(bench.job_uuid(2, :j), true) -> 'job' ->> 'job_id')::uuid, 'executor-1');
\endif
