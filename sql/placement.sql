-- A job's id carries its company's bucket, so job_control_proxy routes any
-- call naming the id to the partition that holds the company's jobs: an RFC
-- 9562 uuid of version 8, variant 10, whose first 16 bits are the low 16
-- bits of hashint8(company_id) (src/core/job_placement.hpp).
BEGIN;
CREATE TEMP TABLE made AS
SELECT c AS company_id, (j OPERATOR(pg_catalog.->>) 'job_id')::uuid AS job_id
  FROM unnest(ARRAY[1, 2, 3, 42, -7, 0, 9223372036854775807,
                    -9223372036854775808]::bigint[]
              || ARRAY(SELECT g::bigint * 7919 FROM generate_series(1, 200) g)) AS c,
       job_control.job_create('nql-forecast', '{"nql": "x"}',
                              jsonb_build_object('company_id', c)) AS j;
SELECT count(*) AS jobs,
       count(DISTINCT job_id) AS distinct_ids,
       bool_and(substr(job_id::text, 15, 1) = '8') AS version_8,
       bool_and(substr(job_id::text, 20, 1) IN ('8', '9', 'a', 'b')) AS variant_10,
       bool_and(get_byte(uuid_send(job_id), 0) * 256 + get_byte(uuid_send(job_id), 1)
                = (hashint8(company_id) & 65535)) AS carries_bucket
  FROM made;
-- The rest is random: fifty jobs of one company share their first 16 bits
-- and nothing else.
SELECT count(DISTINCT left(id, 4)) AS buckets,
       count(DISTINCT substr(id, 5)) AS distinct_tails
  FROM (SELECT job_control.job_create('nql-forecast', '{"nql": "x"}', '{"company_id": 42}')
               OPERATOR(pg_catalog.->>) 'job_id' AS id
          FROM generate_series(1, 50)) s;
ROLLBACK;
