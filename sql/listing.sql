-- job_list: the page object of the Jobs API, filters, order, paging.
DELETE FROM job_control.jobs;
INSERT INTO job_control.jobs (job_id, company_id, request_source, state, type, input,
                              data_plane_id, created_at, updated_at, completed_at)
SELECT ('00000000-0000-0000-0000-' || lpad(n::text, 12, '0'))::uuid, 1, '{"company_id": 1}',
       (ARRAY['pending', 'running', 'failed']::job_control.job_state[])[n % 3 + 1],
       (ARRAY['nql-forecast', 'materialize-view']::job_control.job_type[])[n % 2 + 1],
       jsonb_build_object('nql', 'q' || n, 'dataset_id', n % 4),
       CASE WHEN n % 5 = 0 THEN '22222222-2222-2222-2222-222222222222'::uuid END,
       '2026-01-01'::timestamptz + n * interval '1 minute',
       '2026-01-02'::timestamptz - n * interval '1 minute',
       CASE WHEN n % 3 = 2 THEN '2026-01-03'::timestamptz END
  FROM generate_series(1, 12) AS n;

CREATE FUNCTION pg_temp.page(result jsonb) RETURNS text LANGUAGE sql AS $$
    SELECT format('page %s of %s, %s records: %s', result ->> 'current_page',
                  result ->> 'total_pages', result ->> 'total_records',
                  (SELECT string_agg(r -> 'input' ->> 'nql', ' ' ORDER BY o)
                     FROM jsonb_array_elements(result -> 'records') WITH ORDINALITY AS e(r, o)))
$$;

SELECT jsonb_object_keys(job_control.job_list()) AS key ORDER BY 1;
SELECT pg_temp.page(job_control.job_list());
SELECT pg_temp.page(job_control.job_list(page_size => 5));
SELECT pg_temp.page(job_control.job_list(page_size => 5, page => 3));
SELECT pg_temp.page(job_control.job_list(page_size => 5, page => 4));
SELECT pg_temp.page(job_control.job_list(order_by => 'updated_at', direction => 'asc', page_size => 4));
SELECT pg_temp.page(job_control.job_list(direction => 'ASC', page_size => 4));
SELECT pg_temp.page(job_control.job_list(state => 'running'));
SELECT pg_temp.page(job_control.job_list(type => 'materialize-view', state => 'failed'));
SELECT pg_temp.page(job_control.job_list(data_plane_id => '22222222-2222-2222-2222-222222222222'));
SELECT pg_temp.page(job_control.job_list(dataset_id => 3));
SELECT pg_temp.page(job_control.job_list(dataset_id => 3, state => 'pending', type => 'nql-forecast'));
-- Pages never overlap and cover everything, also when created_at ties.
INSERT INTO job_control.jobs (company_id, request_source, type, input, created_at)
SELECT 1, '{"company_id": 1}', 'nql-forecast', jsonb_build_object('nql', 'tie' || n), '2026-06-01'
  FROM generate_series(1, 7) AS n;
SELECT count(*) AS listed, count(DISTINCT r ->> 'job_id') AS distinct_jobs
  FROM generate_series(1, 7) AS p,
       jsonb_array_elements(job_control.job_list(page => p, page_size => 3) -> 'records') AS r;
-- Errors.
\set VERBOSITY terse
SELECT job_control.job_list(page_size => 501);
SELECT job_control.job_list(page_size => 0);
SELECT job_control.job_list(page => 0);
SELECT job_control.job_list(order_by => 'state');
SELECT job_control.job_list(direction => 'sideways');
SELECT job_control.job_list(page => NULL);
\set VERBOSITY default
DELETE FROM job_control.jobs;
