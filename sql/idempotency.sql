-- A second create with the same (company_id, idempotency_key) returns the
-- existing job and inserts nothing; another company has its own key space.
SELECT job_control.job_create('nql-forecast', '{"nql": "first"}', '{"company_id": 1}', 'nightly-2026-11-28') AS first \gset
SELECT job_control.job_create('nql-forecast', '{"nql": "second"}', '{"company_id": 1}', 'nightly-2026-11-28') AS second \gset
SELECT :'first'::jsonb = :'second'::jsonb AS same_job,
       :'second'::jsonb -> 'input' ->> 'nql' AS kept_input;
SELECT count(*) FROM job_control.jobs WHERE idempotency_key = 'nightly-2026-11-28';

-- Also when the job has moved on: the key still names it.
SELECT job_control.job_fail((:'first'::jsonb ->> 'job_id')::uuid, 'boom') ->> 'state';
SELECT job_control.job_create('nql-forecast', '{"nql": "third"}', '{"company_id": 1}', 'nightly-2026-11-28') ->> 'state' AS state_of_existing;

SELECT job_control.job_create('nql-forecast', '{"nql": "other"}', '{"company_id": 2}', 'nightly-2026-11-28') AS other \gset
SELECT :'other'::jsonb ->> 'job_id' <> :'first'::jsonb ->> 'job_id' AS other_company_gets_its_own_job;
SELECT company_id, count(*) FROM job_control.jobs
 WHERE idempotency_key = 'nightly-2026-11-28' GROUP BY company_id ORDER BY company_id;

-- Without a key, every create is a new job.
SELECT job_control.job_create('nql-forecast', '{"nql": "q"}', '{"company_id": 3}') ->> 'job_id'
    <> job_control.job_create('nql-forecast', '{"nql": "q"}', '{"company_id": 3}') ->> 'job_id' AS distinct_without_key;
