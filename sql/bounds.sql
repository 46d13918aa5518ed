-- Bounded input: an oversized failure message is cut at a character
-- boundary with a marker, an oversized diagnostic is replaced by a marker
-- with its size (the failure is never lost); an oversized input or result is
-- refused with 54000. Hostile values get clear errors.
-- The settings exist once the library is loaded (or preloaded).
LOAD 'job_control';
SHOW job_control.max_message_bytes;
SHOW job_control.max_diagnostic_bytes;
SHOW job_control.max_result_bytes;
SHOW job_control.max_input_bytes;
SET job_control.max_message_bytes = 100;
SET job_control.max_diagnostic_bytes = 200;
SET job_control.max_result_bytes = 300;
SET job_control.max_input_bytes = 300;

SELECT job_control.job_create('nql-forecast', '{"nql": "q"}', '{"company_id": 1}') ->> 'job_id' AS id \gset
-- 60 two-byte characters and 60 ASCII letters: cut inside the multi-byte run.
SELECT f ->> 'message' AS message, octet_length(f ->> 'message') AS bytes, f -> 'value' AS value
  FROM (SELECT job_control.job_fail(:'id', repeat('é', 60) || repeat('x', 60),
                                    jsonb_build_object('trace', repeat('frame ', 100))) -> 'failures' -> 0) AS s(f);
SELECT job_control.job_create('nql-forecast', '{"nql": "q"}', '{"company_id": 1}') ->> 'job_id' AS id2 \gset
SELECT f ->> 'message' AS message, f -> 'value' AS value
  FROM (SELECT job_control.job_fail(:'id2', 'fits', '{"small": true}') -> 'failures' -> 0) AS s(f);

\set VERBOSITY terse
SELECT job_control.job_create('nql-forecast', jsonb_build_object('nql', repeat('q', 400)), '{"company_id": 1}');
SELECT job_control.job_create('nql-forecast', '{"nql": "q"}', jsonb_build_object('company_id', 1, 'pad', repeat('p', 400)));
SELECT job_control.job_create('nql-forecast', '{"nql": "q"}', '{"company_id": 1}') ->> 'job_id' AS id3 \gset
SELECT job_control.job_start(:'id3', 'w') ->> 'state';
SELECT job_control.job_complete(:'id3', jsonb_build_object('rows', repeat('r', 400)));
SELECT job_control.job_get(:'id3') ->> 'state' AS still;
-- (PostgreSQL's message of the range differs between majors: its SQLSTATE)
\set VERBOSITY sqlstate
SET job_control.max_message_bytes = 10;
\set VERBOSITY terse
-- Hostile values on a running job: NUL bytes, invalid UTF-8, NaN, deep
-- nesting are refused by PostgreSQL's own input functions, before the call;
-- the job stays running.
SELECT job_control.job_fail(:'id3', E'nul\u0000byte');
SELECT job_control.job_fail(:'id3', 'diag', '{"bad": "\u0000"}');
SELECT job_control.job_fail(:'id3', convert_from('\xc328'::bytea, 'UTF8'));
SELECT job_control.job_fail(:'id3', 'nan', '{"x": NaN}');
SELECT job_control.job_fail(:'id3', 'deep', repeat('[', 100000)::jsonb);
\set VERBOSITY default
SELECT job_control.job_get(:'id3') ->> 'state' AS after_hostile;
-- A NaN that reaches jsonb at all is a string, stored as given.
SELECT job_control.job_fail(:'id3', 'nan as text', to_jsonb('NaN'::numeric)) -> 'failures' -> 0 -> 'value' AS stored;
RESET ALL;
DELETE FROM job_control.jobs;
