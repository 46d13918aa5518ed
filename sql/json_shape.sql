-- The returned object: exactly the spec's keys and JSON types, timestamps in
-- UTC whatever the session's TimeZone, integers exact.
SELECT job_control.job_create('materialize-view',
           '{"nql": "SELECT 1", "dataset_id": 6404, "compiled_sql": "SELECT `t`.`x`", "stats_enabled": true}',
           '{"type": "api_user", "company_id": 1, "user_id": 1248}',
           'shape-1', '33333333-3333-3333-3333-333333333333') ->> 'job_id' AS id \gset
SELECT job_control.job_start(:'id', 'executor-1') IS NOT NULL;
SELECT job_control.job_complete(:'id',
           '{"dataset_id": 6404, "snapshot_id": 739881302291276700, "recalculation_id": "abf9a2ec-426b-4751-bd16-fcb435061925"}') AS job \gset

SELECT key, jsonb_typeof(value) AS json_type
  FROM jsonb_each(:'job'::jsonb) ORDER BY key;

-- Timestamps: ISO 8601, UTC, microseconds, explicit offset; equal to the
-- table's values.
SELECT key, value #>> '{}' ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$' AS iso_utc
  FROM jsonb_each(:'job'::jsonb) WHERE key LIKE '%\_at' ORDER BY key;
SELECT (:'job'::jsonb ->> 'created_at')::timestamptz = created_at AS created_matches,
       (:'job'::jsonb ->> 'updated_at')::timestamptz = updated_at AS updated_matches,
       (:'job'::jsonb ->> 'completed_at')::timestamptz = completed_at AS completed_matches
  FROM job_control.jobs WHERE job_id = :'id';

-- The same job reads the same in any TimeZone.
SET TimeZone = 'America/New_York';
SELECT job_control.job_get(:'id') = :'job'::jsonb AS same_in_new_york;
SET TimeZone = 'Asia/Kathmandu';
SELECT job_control.job_get(:'id') = :'job'::jsonb AS same_in_kathmandu;
RESET TimeZone;

-- Big integers round-trip exactly, as numbers.
SELECT :'job'::jsonb -> 'result' -> 'snapshot_id' AS snapshot_id,
       (:'job'::jsonb -> 'result' ->> 'snapshot_id')::numeric = 739881302291276700 AS exact;
SELECT job_control.job_create('nql-forecast', '{"nql": "q", "big": 123456789012345678901234567890.000001}',
           '{"company_id": 9223372036854775807}') -> 'input' -> 'big' AS huge_number_kept;

-- The seed's full NQL text and request source come back as given.
SELECT :'job'::jsonb -> 'input' ->> 'compiled_sql' AS compiled_sql,
       :'job'::jsonb -> 'request_source' AS request_source,
       :'job'::jsonb ->> 'data_plane_id' AS data_plane_id,
       :'job'::jsonb ->> 'execution_cluster' AS execution_cluster;

-- failures entries are {"message", "value", "timestamp"}; the diagnostic is
-- kept as given, scalar or structured.
SELECT job_control.job_create('nql-forecast', '{"nql": "q"}', '{"company_id": 1}') ->> 'job_id' AS f \gset
SELECT entry - 'timestamp' AS entry, jsonb_typeof(entry -> 'timestamp') AS timestamp_type
  FROM jsonb_array_elements(job_control.job_fail(:'f', 'quota exceeded', '42') -> 'failures') entry;
SELECT job_control.job_create('nql-forecast', '{"nql": "q"}', '{"company_id": 1}') ->> 'job_id' AS g \gset
SELECT job_control.job_fail(:'g', 'bad plan', '{"plan": [1, {"a": null}], "retryable": false}') -> 'failures' -> 0 -> 'value' AS structured;
