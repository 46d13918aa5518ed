SELECT job ->> 'job_id' AS id FROM job_control.job_claim('executor-1') AS job \gset
SELECT job_control.job_complete(:id, '{"rows": 42}', 'executor-1');
