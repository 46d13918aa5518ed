-- job_control 1.0: the job table, its trigger and the lifecycle functions.
\echo Use "CREATE EXTENSION job_control" to load this file. \quit

CREATE SCHEMA job_control;

CREATE TYPE job_control.job_state AS ENUM (
    'pending', 'running', 'pending_cancellation', 'completed', 'cancelled', 'failed'
);
CREATE TYPE job_control.job_type AS ENUM ('nql-forecast', 'materialize-view');
CREATE TYPE job_control.execution_cluster AS ENUM ('dedicated', 'shared');

CREATE TABLE job_control.jobs (
    job_id            uuid NOT NULL DEFAULT pg_catalog.gen_random_uuid(),
    -- The tenant, a real column (distribution key when scaled out), kept equal
    -- to request_source->>'company_id'.
    company_id        bigint NOT NULL,
    data_plane_id     uuid,
    request_source    jsonb NOT NULL,
    state             job_control.job_state NOT NULL DEFAULT 'pending',
    type              job_control.job_type NOT NULL,
    input             jsonb NOT NULL,
    executor          text,
    failures          jsonb NOT NULL DEFAULT '[]',
    idempotency_key   text,
    result            jsonb,
    -- Kept by the trigger jobs_maintain.
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    completed_at      timestamptz,
    compute_pool_id   uuid,
    execution_cluster job_control.execution_cluster NOT NULL DEFAULT 'shared',
    CONSTRAINT jobs_pkey PRIMARY KEY (job_id),
    CONSTRAINT jobs_company_id_matches_request_source
        CHECK (company_id = (request_source ->> 'company_id')::bigint),
    CONSTRAINT jobs_completed_at_iff_terminal
        CHECK ((state IN ('completed', 'cancelled', 'failed')) = (completed_at IS NOT NULL)),
    CONSTRAINT jobs_failures_is_array CHECK (jsonb_typeof(failures) = 'array')
);

COMMENT ON TABLE job_control.jobs IS
    'One row a job. Timestamps are kept by the trigger jobs_maintain, which also refuses state changes outside the job state table.';

-- One job per (company, idempotency key); includes the tenant column.
CREATE UNIQUE INDEX jobs_company_id_idempotency_key
    ON job_control.jobs (company_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;

-- pg_dump dumps the jobs (and pg_restore restores them, timestamps included).
SELECT pg_catalog.pg_extension_config_dump('job_control.jobs', '');

CREATE FUNCTION job_control.jobs_maintain() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'jobs_maintain';

CREATE TRIGGER jobs_maintain
    BEFORE INSERT OR UPDATE ON job_control.jobs
    FOR EACH ROW EXECUTE FUNCTION job_control.jobs_maintain();

-- Lifecycle functions. Not STRICT: a NULL id or message is an error (22004),
-- not a silent NULL.
CREATE FUNCTION job_control.job_create(
    type job_control.job_type,
    input jsonb,
    request_source jsonb,
    idempotency_key text DEFAULT NULL,
    data_plane_id uuid DEFAULT NULL,
    compute_pool_id uuid DEFAULT NULL,
    execution_cluster job_control.execution_cluster DEFAULT 'shared'
) RETURNS jsonb LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'job_create';

CREATE FUNCTION job_control.job_get(id uuid) RETURNS jsonb
    LANGUAGE c STABLE AS 'MODULE_PATHNAME', 'job_get';

CREATE FUNCTION job_control.job_start(id uuid, executor text) RETURNS jsonb
    LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'job_start';

CREATE FUNCTION job_control.job_complete(id uuid, result jsonb DEFAULT NULL,
                                         executor text DEFAULT NULL) RETURNS jsonb
    LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'job_complete';

CREATE FUNCTION job_control.job_fail(id uuid, message text, diagnostic jsonb DEFAULT NULL,
                                     executor text DEFAULT NULL) RETURNS jsonb
    LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'job_fail';

CREATE FUNCTION job_control.job_cancel(id uuid) RETURNS jsonb
    LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'job_cancel';

CREATE FUNCTION job_control.job_acknowledge_cancel(id uuid) RETURNS jsonb
    LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'job_acknowledge_cancel';

-- Nothing is granted to PUBLIC; the README shows the grants for readers,
-- writers and executors.
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA job_control FROM PUBLIC;
