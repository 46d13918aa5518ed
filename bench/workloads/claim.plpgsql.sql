SELECT j ->> 'job_id' AS id FROM bench.plpgsql_claim('executor-1') AS j \gset
SELECT bench.plpgsql_complete(:id, '{"rows": 42}');
