-- The benchmark's contenders, side by side on the same table shape:
--   job_control  the extension (job_control.jobs)
--   limit        one prepared UPDATE ... RETURNING to_jsonb(...) on a plain
--                table with no trigger: nothing that fails a job on such a
--                table can do less work (bench.limit_jobs)
--   plpgsql      what a team would write without the extension: a PL/pgSQL
--                trigger for timestamps and guards, SELECT ... FOR UPDATE
--                then UPDATE (bench.plpgsql_jobs)
CREATE EXTENSION job_control;
CREATE SCHEMA bench;

-- Every contender runs as the same application role, as a deployment would:
-- not the table owner, so job_control's row security (the tenant policy)
-- and privilege checks are paid for as in production. It is an admin
-- (contention's restart is a forced reschedule, which needs admin rights).
SELECT job_control.create_access_roles();
CREATE ROLE bench_app LOGIN IN ROLE job_control_admin;
GRANT USAGE ON SCHEMA bench TO bench_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA bench GRANT ALL ON TABLES TO bench_app;

-- Job ids the pgbench scripts can compute: (pool, n) -> uuid.
CREATE FUNCTION bench.job_uuid(pool integer, n integer) RETURNS uuid
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN (lpad(to_hex(pool), 8, '0') || '-0000-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid;

-- An NQL text of about 1 KB, as in the Jobs API's example.
CREATE FUNCTION bench.nql(n integer) RETURNS text LANGUAGE sql IMMUTABLE
    RETURN 'CREATE MATERIALIZED VIEW "v' || n || '" AS WITH OrderedData AS (SELECT '
           || repeat('"mobile_id_unique_identifier"."value" AS mobile_id, "timestamp_object"."day", ', 12)
           || 'FROM "company_data"."6402")';

CREATE TABLE bench.limit_jobs (LIKE job_control.jobs INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
ALTER TABLE bench.limit_jobs ADD PRIMARY KEY (job_id);
CREATE UNIQUE INDEX ON bench.limit_jobs (company_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX ON bench.limit_jobs (state);

CREATE TABLE bench.plpgsql_jobs (LIKE job_control.jobs INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
ALTER TABLE bench.plpgsql_jobs ADD PRIMARY KEY (job_id);
CREATE UNIQUE INDEX ON bench.plpgsql_jobs (company_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX ON bench.plpgsql_jobs (state);

-- Seeds `count` jobs numbered 1..count in `pool` into every contender's table.
CREATE PROCEDURE bench.seed(pool integer, count integer, seeded_state job_control.job_state,
                            small_input boolean DEFAULT false)
LANGUAGE plpgsql AS $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['job_control.jobs', 'bench.limit_jobs', 'bench.plpgsql_jobs'] LOOP
        EXECUTE format($f$
            INSERT INTO %s (job_id, company_id, request_source, state, type, input, executor,
                            created_at, updated_at, completed_at)
            SELECT bench.job_uuid(%s, n), n %% 50, jsonb_build_object('type', 'api_user', 'company_id', n %% 50, 'user_id', 1248),
                   %L, 'materialize-view',
                   jsonb_build_object('nql', CASE WHEN %L THEN 'SELECT 1' ELSE bench.nql(n) END,
                                      'dataset_id', 6404, 'stats_enabled', true),
                   CASE WHEN %L IN ('running', 'pending_cancellation', 'completed') THEN 'executor-' || n %% 8 END,
                   clock_timestamp(), clock_timestamp(),
                   CASE WHEN %L IN ('completed', 'cancelled', 'failed') THEN clock_timestamp() END
              FROM generate_series(1, %s) AS n$f$,
            t, pool, seeded_state, small_input, seeded_state, seeded_state, count);
    END LOOP;
END $$;

-- The PL/pgSQL implementation of the same spec.
CREATE FUNCTION bench.plpgsql_maintain() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        NEW.created_at := coalesce(NEW.created_at, clock_timestamp());
        NEW.updated_at := coalesce(NEW.updated_at, NEW.created_at);
        IF NEW.state IN ('completed', 'cancelled', 'failed') THEN
            NEW.completed_at := coalesce(NEW.completed_at, NEW.updated_at);
        END IF;
        RETURN NEW;
    END IF;
    IF NEW.state <> OLD.state AND NOT (
           (OLD.state = 'pending' AND NEW.state IN ('running', 'cancelled', 'failed'))
        OR (OLD.state = 'running' AND NEW.state IN ('completed', 'failed', 'pending_cancellation', 'pending'))
        OR (OLD.state = 'pending_cancellation' AND NEW.state IN ('completed', 'failed', 'cancelled', 'pending'))
        OR (NEW.state = 'pending' AND current_setting('bench.force', true) = 'on')) THEN
        RAISE EXCEPTION 'cannot move job "%" from % to %', OLD.job_id, OLD.state, NEW.state
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    NEW.created_at := OLD.created_at;
    NEW.updated_at := greatest(clock_timestamp(), OLD.updated_at + interval '1 microsecond');
    NEW.completed_at := CASE WHEN NEW.state IN ('completed', 'cancelled', 'failed')
                             THEN coalesce(OLD.completed_at, NEW.updated_at) END;
    RETURN NEW;
END $$;
CREATE TRIGGER plpgsql_maintain BEFORE INSERT OR UPDATE ON bench.plpgsql_jobs
    FOR EACH ROW EXECUTE FUNCTION bench.plpgsql_maintain();

CREATE FUNCTION bench.iso(t timestamptz) RETURNS text LANGUAGE sql IMMUTABLE
    RETURN to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"');

CREATE FUNCTION bench.plpgsql_json(j bench.plpgsql_jobs) RETURNS jsonb LANGUAGE sql STABLE
    RETURN jsonb_build_object(
        'job_id', j.job_id, 'data_plane_id', j.data_plane_id, 'request_source', j.request_source,
        'state', j.state, 'type', j.type, 'input', j.input, 'executor', j.executor,
        'failures', j.failures, 'idempotency_key', j.idempotency_key, 'result', j.result,
        'created_at', bench.iso(j.created_at), 'updated_at', bench.iso(j.updated_at),
        'completed_at', bench.iso(j.completed_at), 'compute_pool_id', j.compute_pool_id,
        'execution_cluster', j.execution_cluster);

-- Locks the job, then moves it if `allowed` holds for its state; a terminal
-- job is returned unchanged.
CREATE FUNCTION bench.plpgsql_move(p_id uuid, p_target job_control.job_state,
                                   p_allowed job_control.job_state[],
                                   p_entry jsonb DEFAULT NULL, p_result jsonb DEFAULT NULL,
                                   p_executor text DEFAULT NULL)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    j bench.plpgsql_jobs;
BEGIN
    IF p_id IS NULL THEN
        RAISE EXCEPTION 'job id must not be null' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    SELECT * INTO j FROM bench.plpgsql_jobs WHERE job_id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'job "%" does not exist', p_id USING ERRCODE = 'no_data_found';
    END IF;
    IF j.state = ANY (p_allowed) THEN
        UPDATE bench.plpgsql_jobs
           SET state = CASE WHEN p_target = 'cancelled' AND j.state = 'running'
                            THEN 'pending_cancellation' ELSE p_target END,
               failures = CASE WHEN p_entry IS NULL THEN failures ELSE failures || p_entry END,
               result = coalesce(p_result, result),
               executor = coalesce(p_executor, executor)
         WHERE job_id = p_id RETURNING * INTO j;
    ELSIF j.state NOT IN ('completed', 'cancelled', 'failed') AND p_target <> 'cancelled' THEN
        RAISE EXCEPTION 'cannot move job "%": it is %', p_id, j.state
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    RETURN bench.plpgsql_json(j);
END $$;

CREATE FUNCTION bench.plpgsql_fail(p_id uuid, p_message text, p_diagnostic jsonb)
RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN
    IF p_message IS NULL OR btrim(p_message) = '' THEN
        RAISE EXCEPTION 'failure message must not be blank' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN bench.plpgsql_move(p_id, 'failed', '{pending,running,pending_cancellation}',
        jsonb_build_array(jsonb_build_object('message', p_message, 'value', p_diagnostic,
                                             'timestamp', bench.iso(clock_timestamp()))));
END $$;

CREATE FUNCTION bench.plpgsql_complete(p_id uuid, p_result jsonb) RETURNS jsonb LANGUAGE plpgsql
    AS $$ BEGIN RETURN bench.plpgsql_move(p_id, 'completed', '{running,pending_cancellation}', NULL, p_result); END $$;

CREATE FUNCTION bench.plpgsql_cancel(p_id uuid) RETURNS jsonb LANGUAGE plpgsql
    AS $$ BEGIN RETURN bench.plpgsql_move(p_id, 'cancelled', '{pending,running}'); END $$;

CREATE FUNCTION bench.plpgsql_restart(p_id uuid, p_executor text) RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('bench.force', 'on', true);
    UPDATE bench.plpgsql_jobs SET state = 'pending', executor = NULL, result = NULL WHERE job_id = p_id;
    PERFORM set_config('bench.force', 'off', true);
    RETURN bench.plpgsql_move(p_id, 'running', '{pending}', NULL, NULL, p_executor);
END $$;

CREATE FUNCTION bench.plpgsql_claim(p_executor text) RETURNS SETOF jsonb LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY
    UPDATE bench.plpgsql_jobs j SET state = 'running', executor = p_executor
     WHERE job_id = (SELECT job_id FROM bench.plpgsql_jobs WHERE state = 'pending'
                      ORDER BY created_at, job_id LIMIT 1 FOR UPDATE SKIP LOCKED)
    RETURNING bench.plpgsql_json(j);
END $$;
-- A team would index its queue; LIMIT keeps exactly the indexes above and
-- claims any pending job (no order), the least a claim can do.
CREATE INDEX ON bench.plpgsql_jobs (created_at, job_id) WHERE state = 'pending';
