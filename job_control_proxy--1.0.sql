-- job_control_proxy 1.0: the job_control API on a proxy database. Each
-- function has the name, arguments and answer of job_control's; PL/Proxy runs
-- it on the partition server that holds the job (every partition runs
-- job_control, unchanged) and passes the answer, or the error with its
-- SQLSTATE, back.
--
-- Placement: a company's jobs live on partition hashint8(company_id) & (N-1)
-- of N partitions (a power of two); job_control gives every job an id whose
-- first 16 bits are hashint8(company_id) & 0xFFFF, so a call naming an id is
-- routed from the id alone. The cluster is the foreign server "job_control"
-- (FOREIGN DATA WRAPPER plproxy, options p0, p1, ...).
--
-- Tenancy: PL/Proxy carries no settings, so each routed call passes the
-- proxy session's job_control.company_id and the partition binds the call
-- to it (set_config(..., is_local) in the same statement, which PL/Proxy runs
-- as its own transaction, so the binding never outlives the call).

\echo Use "CREATE EXTENSION job_control_proxy" to load this file. \quit

CREATE SCHEMA job_control;
COMMENT ON SCHEMA job_control IS
    'The job_control API, routed to the partitions by job_control_proxy.';
CREATE SCHEMA job_control_proxy;
COMMENT ON SCHEMA job_control_proxy IS
    'job_control_proxy''s routing and its PL/Proxy functions (not called directly).';

-- The API's types, as job_control defines them: PL/Proxy sends a value with
-- its type's name, which the partitions resolve to job_control's own type.
CREATE TYPE job_control.job_type AS ENUM ('nql-forecast', 'materialize-view');
CREATE TYPE job_control.job_state AS ENUM (
    'pending', 'running', 'pending_cancellation', 'completed', 'cancelled', 'failed');
CREATE TYPE job_control.execution_cluster AS ENUM ('dedicated', 'shared');

------------------------------------------------------------------------------
-- Routing
------------------------------------------------------------------------------

-- The advisory lock that a resize (tools/job_control_grow) holds exclusively
-- while jobs move between partitions; every routed call holds it shared for
-- its transaction, so a resize waits for the calls in flight and the calls
-- that come meanwhile fail at once, changing nothing.
CREATE FUNCTION job_control_proxy.resize_lock_key() RETURNS bigint
    LANGUAGE sql IMMUTABLE AS 'SELECT 7265424001';

-- Admits a routed call (or refuses it during a resize) and returns `hash`,
-- the value PL/Proxy maps to partition hash & (N-1).
--
-- The routing functions run on every call: they name everything with its
-- schema (no SET search_path, which would cost a settings change per call),
-- so no search_path can redirect them. PL/Proxy calls a RUN ON function as
-- "SELECT * FROM f(...)", where a SQL function would be planned again on
-- every call: they are PL/pgSQL, whose plans last the session.
CREATE FUNCTION job_control_proxy.route(hash integer) RETURNS integer
LANGUAGE plpgsql AS $$
BEGIN
    -- The key of job_control_proxy.resize_lock_key(), written out: the
    -- function call would be folded again whenever the plan is made.
    IF NOT pg_catalog.pg_try_advisory_xact_lock_shared(7265424001) THEN
        RAISE EXCEPTION 'job_control is being resized: jobs are moving between partitions'
            USING ERRCODE = 'object_in_use',
                  HINT = 'Nothing was changed; retry the call when the resize is over.';
    END IF;
    RETURN COALESCE(hash, 0);
END $$;

-- The partition of a job: its id's first 16 bits (job_control's placement).
-- A NULL id goes to any partition, which raises job_control's own error.
CREATE FUNCTION job_control_proxy.id_partition(id uuid) RETURNS integer
LANGUAGE plpgsql AS $$
BEGIN
    RETURN job_control_proxy.route(
        pg_catalog.get_byte(pg_catalog.uuid_send(id), 0) OPERATOR(pg_catalog.*) 256
        OPERATOR(pg_catalog.+) pg_catalog.get_byte(pg_catalog.uuid_send(id), 1));
END $$;

-- A company id as job_control reads it: an integer, in range, else NULL.
CREATE FUNCTION job_control_proxy.as_company(value text) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN value OPERATOR(pg_catalog.~) '^-?[0-9]{1,19}$' THEN
                CASE WHEN CAST(value AS pg_catalog.numeric)
                          OPERATOR(pg_catalog.>=) -9223372036854775808
                      AND CAST(value AS pg_catalog.numeric)
                          OPERATOR(pg_catalog.<=) 9223372036854775807
                     THEN CAST(value AS pg_catalog.int8) END END
$$;

-- The partition of a new job: its request_source's company's. A malformed
-- request_source goes to any partition, which raises job_control's error.
CREATE FUNCTION job_control_proxy.request_partition(request_source jsonb) RETURNS integer
LANGUAGE plpgsql AS $$
BEGIN
    RETURN job_control_proxy.route(pg_catalog.hashint8(job_control_proxy.as_company(
        CASE WHEN pg_catalog.jsonb_typeof(request_source OPERATOR(pg_catalog.->) 'company_id')
                  OPERATOR(pg_catalog.=) 'number'
             THEN request_source OPERATOR(pg_catalog.->>) 'company_id' END)));
END $$;

-- The proxy session's job_control.company_id ('' when unbound), passed to
-- the partitions with each call.
CREATE FUNCTION job_control_proxy.session_company() RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT COALESCE(pg_catalog.current_setting('job_control.company_id', true), '')
$$;

-- PL/Proxy reports a partition it cannot reach as XX000 with libpq's message
-- ("[db] PQconnectPoll: connection to server ... failed"); the API raises
-- it again as the connection error it is: 08001 when the connection could
-- not be made (nothing was sent), 08006 when it broke during the call (the
-- partition may or may not have done it).
CREATE FUNCTION job_control_proxy.unreachable_state(message text) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE WHEN message ~ '\] PQconnect(Start|Poll): ' OR message ~ 'connect timeout to: '
                THEN '08001'
                WHEN message ~ '\] PQ(flush|sendQuery|sendQueryParams|consumeInput): '
                THEN '08006' END
$$;

CREATE FUNCTION job_control_proxy.raise_if_unreachable(message text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    state text := job_control_proxy.unreachable_state(message);
BEGIN
    IF state = '08001' THEN
        RAISE EXCEPTION USING ERRCODE = state, MESSAGE = message,
            HINT = 'A partition the call needs cannot be reached; nothing was done there.';
    ELSIF state = '08006' THEN
        RAISE EXCEPTION USING ERRCODE = state, MESSAGE = message,
            HINT = 'The connection to a partition broke during the call: read the job to see whether it was done.';
    END IF;
END $$;

-- The partitions of the cluster: the options p0, p1, ... of the foreign
-- server job_control.
CREATE FUNCTION job_control.partition_connections()
    RETURNS TABLE (partition integer, connection text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT substr(o.option_name, 2)::integer, o.option_value
      FROM pg_foreign_server AS s, pg_options_to_table(s.srvoptions) AS o
     WHERE s.srvname = 'job_control' AND o.option_name ~ '^p[0-9]+$'
     ORDER BY 1
$$;
COMMENT ON FUNCTION job_control.partition_connections() IS
    'The connection string of each partition (LISTEN job_control on each to hear every change).';

CREATE FUNCTION job_control_proxy.partition_count() RETURNS integer
LANGUAGE plpgsql STABLE AS $$
DECLARE
    partitions integer := (
        SELECT pg_catalog.count(*)
          FROM pg_catalog.pg_foreign_server AS s,
               pg_catalog.pg_options_to_table(s.srvoptions) AS o
         WHERE s.srvname OPERATOR(pg_catalog.=) 'job_control'
           AND o.option_name OPERATOR(pg_catalog.~) '^p[0-9]+$');
BEGIN
    IF partitions OPERATOR(pg_catalog.=) 0 THEN
        RAISE EXCEPTION 'job_control_proxy has no partitions'
            USING ERRCODE = 'undefined_object',
                  HINT = 'CREATE SERVER job_control FOREIGN DATA WRAPPER plproxy OPTIONS (p0 ''...'', p1 ''...'').';
    END IF;
    RETURN partitions;
END $$;

-- Where a call that is not about one job runs: the partition of the session's
-- company when it is bound to one, else every partition.
CREATE FUNCTION job_control_proxy.partitions_for(company text) RETURNS SETOF integer
LANGUAGE plpgsql AS $$
DECLARE
    bound bigint := job_control_proxy.as_company(company);
BEGIN
    IF bound IS NOT NULL THEN
        RETURN NEXT job_control_proxy.route(pg_catalog.hashint8(bound));
        RETURN;
    END IF;
    FOR p IN 0 .. job_control_proxy.partition_count() OPERATOR(pg_catalog.-) 1 LOOP
        RETURN NEXT job_control_proxy.route(p);
    END LOOP;
END $$;

------------------------------------------------------------------------------
-- The PL/Proxy functions: each runs one statement on the partition(s) its
-- RUN ON names, bound to the caller's company. Their first argument is the
-- company; the API below supplies it.
------------------------------------------------------------------------------

CREATE FUNCTION job_control_proxy.job_create(
    p_company text, p_type job_control.job_type, p_input jsonb, p_request_source jsonb,
    p_idempotency_key text, p_data_plane_id uuid, p_compute_pool_id uuid,
    p_execution_cluster job_control.execution_cluster) RETURNS jsonb
LANGUAGE plproxy AS $$
    CLUSTER 'job_control';
    RUN ON job_control_proxy.request_partition(p_request_source);
    SELECT job_control.job_create(p_type, p_input, p_request_source, p_idempotency_key,
                                  p_data_plane_id, p_compute_pool_id, p_execution_cluster)
      FROM pg_catalog.set_config('job_control.company_id', p_company, true);
$$;

CREATE FUNCTION job_control_proxy.job_get(p_company text, p_id uuid) RETURNS jsonb
LANGUAGE plproxy AS $$
    CLUSTER 'job_control';
    RUN ON job_control_proxy.id_partition(p_id);
    SELECT job_control.job_get(p_id)
      FROM pg_catalog.set_config('job_control.company_id', p_company, true);
$$;

CREATE FUNCTION job_control_proxy.job_start(p_company text, p_id uuid, p_executor text)
    RETURNS jsonb
LANGUAGE plproxy AS $$
    CLUSTER 'job_control';
    RUN ON job_control_proxy.id_partition(p_id);
    SELECT job_control.job_start(p_id, p_executor)
      FROM pg_catalog.set_config('job_control.company_id', p_company, true);
$$;

CREATE FUNCTION job_control_proxy.job_complete(p_company text, p_id uuid, p_result jsonb,
                                               p_executor text) RETURNS jsonb
LANGUAGE plproxy AS $$
    CLUSTER 'job_control';
    RUN ON job_control_proxy.id_partition(p_id);
    SELECT job_control.job_complete(p_id, p_result, p_executor)
      FROM pg_catalog.set_config('job_control.company_id', p_company, true);
$$;

CREATE FUNCTION job_control_proxy.job_fail(p_company text, p_id uuid, p_message text,
                                           p_diagnostic jsonb, p_executor text) RETURNS jsonb
LANGUAGE plproxy AS $$
    CLUSTER 'job_control';
    RUN ON job_control_proxy.id_partition(p_id);
    SELECT job_control.job_fail(p_id, p_message, p_diagnostic, p_executor)
      FROM pg_catalog.set_config('job_control.company_id', p_company, true);
$$;

CREATE FUNCTION job_control_proxy.job_cancel(p_company text, p_id uuid) RETURNS jsonb
LANGUAGE plproxy AS $$
    CLUSTER 'job_control';
    RUN ON job_control_proxy.id_partition(p_id);
    SELECT job_control.job_cancel(p_id)
      FROM pg_catalog.set_config('job_control.company_id', p_company, true);
$$;

CREATE FUNCTION job_control_proxy.job_acknowledge_cancel(p_company text, p_id uuid)
    RETURNS jsonb
LANGUAGE plproxy AS $$
    CLUSTER 'job_control';
    RUN ON job_control_proxy.id_partition(p_id);
    SELECT job_control.job_acknowledge_cancel(p_id)
      FROM pg_catalog.set_config('job_control.company_id', p_company, true);
$$;

CREATE FUNCTION job_control_proxy.job_heartbeat(p_company text, p_id uuid, p_executor text)
    RETURNS jsonb
LANGUAGE plproxy AS $$
    CLUSTER 'job_control';
    RUN ON job_control_proxy.id_partition(p_id);
    SELECT job_control.job_heartbeat(p_id, p_executor)
      FROM pg_catalog.set_config('job_control.company_id', p_company, true);
$$;

CREATE FUNCTION job_control_proxy.job_reschedule(p_company text, p_id uuid, p_force boolean)
    RETURNS jsonb
LANGUAGE plproxy AS $$
    CLUSTER 'job_control';
    RUN ON job_control_proxy.id_partition(p_id);
    SELECT job_control.job_reschedule(p_id, p_force)
      FROM pg_catalog.set_config('job_control.company_id', p_company, true);
$$;

-- A claim on one partition (p_partition is a value of route()).
CREATE FUNCTION job_control_proxy.job_claim(
    p_company text, p_partition integer, p_executor text, p_max_jobs integer,
    p_types job_control.job_type[], p_data_plane_id uuid) RETURNS SETOF jsonb
LANGUAGE plproxy AS $$
    CLUSTER 'job_control';
    RUN ON p_partition;
    SELECT job_control.job_claim(p_executor, p_max_jobs, p_types, p_data_plane_id)
      FROM pg_catalog.set_config('job_control.company_id', p_company, true);
$$;

-- Raises job_control's "does not exist" for the first id no partition holds
-- (for the caller); the ids go each to its own partition.
CREATE FUNCTION job_control_proxy.job_check_ids(p_company text, p_ids uuid[])
    RETURNS SETOF bigint
LANGUAGE plproxy AS $$
    CLUSTER 'job_control';
    SPLIT p_ids;
    RUN ON job_control_proxy.id_partition(p_ids);
    SELECT pg_catalog.count(job_control.job_get(id))
      FROM pg_catalog.set_config('job_control.company_id', p_company, true) AS bound,
           pg_catalog.unnest(p_ids) AS id;
$$;

CREATE FUNCTION job_control_proxy.job_fail_many(p_company text, p_ids uuid[], p_message text,
                                                p_diagnostic jsonb) RETURNS SETOF jsonb
LANGUAGE plproxy AS $$
    CLUSTER 'job_control';
    SPLIT p_ids;
    RUN ON job_control_proxy.id_partition(p_ids);
    SELECT job_control.job_fail_many(p_ids, p_message, p_diagnostic)
      FROM pg_catalog.set_config('job_control.company_id', p_company, true);
$$;

-- job_fail_many on one partition, whole (a NULL or empty array of ids).
CREATE FUNCTION job_control_proxy.job_fail_many_on(
    p_company text, p_partition integer, p_ids uuid[], p_message text, p_diagnostic jsonb)
    RETURNS SETOF jsonb
LANGUAGE plproxy AS $$
    CLUSTER 'job_control';
    RUN ON p_partition;
    SELECT job_control.job_fail_many(p_ids, p_message, p_diagnostic)
      FROM pg_catalog.set_config('job_control.company_id', p_company, true);
$$;

-- One page of job_list on one partition.
CREATE FUNCTION job_control_proxy.job_list_on(
    p_company text, p_partition integer, p_state job_control.job_state,
    p_type job_control.job_type, p_data_plane_id uuid, p_dataset_id bigint, p_order_by text,
    p_direction text, p_page integer, p_page_size integer) RETURNS jsonb
LANGUAGE plproxy AS $$
    CLUSTER 'job_control';
    RUN ON p_partition;
    SELECT job_control.job_list(p_state, p_type, p_data_plane_id, p_dataset_id, p_order_by,
                                p_direction, p_page, p_page_size)
      FROM pg_catalog.set_config('job_control.company_id', p_company, true);
$$;

-- Pages 1 to p_pages of job_list on each partition: together, each
-- partition's first p_pages * p_page_size jobs in the order asked.
CREATE FUNCTION job_control_proxy.job_list_prefix(
    p_company text, p_state job_control.job_state, p_type job_control.job_type,
    p_data_plane_id uuid, p_dataset_id bigint, p_order_by text, p_direction text,
    p_pages integer, p_page_size integer) RETURNS SETOF jsonb
LANGUAGE plproxy AS $$
    CLUSTER 'job_control';
    RUN ON job_control_proxy.partitions_for(p_company);
    SELECT job_control.job_list(p_state, p_type, p_data_plane_id, p_dataset_id, p_order_by,
                                p_direction, page, p_page_size)
      FROM pg_catalog.set_config('job_control.company_id', p_company, true) AS bound,
           pg_catalog.generate_series(1, p_pages) AS page;
$$;

CREATE FUNCTION job_control_proxy.job_reap_stale(p_company text, p_older_than interval)
    RETURNS SETOF jsonb
LANGUAGE plproxy AS $$
    CLUSTER 'job_control';
    RUN ON job_control_proxy.partitions_for(p_company);
    SELECT job_control.job_reap_stale(p_older_than)
      FROM pg_catalog.set_config('job_control.company_id', p_company, true);
$$;

CREATE FUNCTION job_control_proxy.job_prune_batch(p_company text, p_older_than interval,
                                                  p_batch_size integer) RETURNS SETOF jsonb
LANGUAGE plproxy AS $$
    CLUSTER 'job_control';
    RUN ON job_control_proxy.partitions_for(p_company);
    SELECT job_control.job_prune_batch(p_older_than, p_batch_size)
      FROM pg_catalog.set_config('job_control.company_id', p_company, true);
$$;

-- Each partition's job_stats rows. OFFSET 0 keeps the view's scan on the
-- inner side of the binding (the company is set before any row is read).
CREATE FUNCTION job_control_proxy.job_stats_on(p_company text)
    RETURNS TABLE (state job_control.job_state, type job_control.job_type, jobs bigint,
                   oldest_created_at timestamptz)
LANGUAGE plproxy AS $$
    CLUSTER 'job_control';
    RUN ON job_control_proxy.partitions_for(p_company);
    SELECT s.state, s.type, s.jobs, s.oldest_created_at
      FROM pg_catalog.set_config('job_control.company_id', p_company, true) AS bound,
           LATERAL (SELECT v.state, v.type, v.jobs, v.oldest_created_at
                      FROM job_control.job_stats AS v
                     WHERE bound IS NOT NULL OFFSET 0) AS s;
$$;

------------------------------------------------------------------------------
-- The API: job_control's functions, same names, arguments and answers.
------------------------------------------------------------------------------

CREATE FUNCTION job_control.job_create(
    type job_control.job_type, input jsonb, request_source jsonb,
    idempotency_key text DEFAULT NULL, data_plane_id uuid DEFAULT NULL,
    compute_pool_id uuid DEFAULT NULL,
    execution_cluster job_control.execution_cluster DEFAULT 'shared') RETURNS jsonb
LANGUAGE plpgsql AS $$
BEGIN
    RETURN (job_control_proxy.job_create(job_control_proxy.session_company(), type, input,
            request_source, idempotency_key, data_plane_id, compute_pool_id, execution_cluster));
EXCEPTION WHEN internal_error THEN
    PERFORM job_control_proxy.raise_if_unreachable(SQLERRM);
    RAISE;
END $$;

CREATE FUNCTION job_control.job_get(id uuid) RETURNS jsonb
LANGUAGE plpgsql AS $$
BEGIN
    RETURN (job_control_proxy.job_get(job_control_proxy.session_company(), id));
EXCEPTION WHEN internal_error THEN
    PERFORM job_control_proxy.raise_if_unreachable(SQLERRM);
    RAISE;
END $$;

CREATE FUNCTION job_control.job_start(id uuid, executor text) RETURNS jsonb
LANGUAGE plpgsql AS $$
BEGIN
    RETURN (job_control_proxy.job_start(job_control_proxy.session_company(), id, executor));
EXCEPTION WHEN internal_error THEN
    PERFORM job_control_proxy.raise_if_unreachable(SQLERRM);
    RAISE;
END $$;

CREATE FUNCTION job_control.job_complete(id uuid, result jsonb DEFAULT NULL,
                                         executor text DEFAULT NULL) RETURNS jsonb
LANGUAGE plpgsql AS $$
BEGIN
    RETURN (job_control_proxy.job_complete(job_control_proxy.session_company(), id, result,
                                              executor));
EXCEPTION WHEN internal_error THEN
    PERFORM job_control_proxy.raise_if_unreachable(SQLERRM);
    RAISE;
END $$;

CREATE FUNCTION job_control.job_fail(id uuid, message text, diagnostic jsonb DEFAULT NULL,
                                     executor text DEFAULT NULL) RETURNS jsonb
LANGUAGE plpgsql AS $$
BEGIN
    RETURN (job_control_proxy.job_fail(job_control_proxy.session_company(), id, message,
                                          diagnostic, executor));
EXCEPTION WHEN internal_error THEN
    PERFORM job_control_proxy.raise_if_unreachable(SQLERRM);
    RAISE;
END $$;

CREATE FUNCTION job_control.job_cancel(id uuid) RETURNS jsonb
LANGUAGE plpgsql AS $$
BEGIN
    RETURN (job_control_proxy.job_cancel(job_control_proxy.session_company(), id));
EXCEPTION WHEN internal_error THEN
    PERFORM job_control_proxy.raise_if_unreachable(SQLERRM);
    RAISE;
END $$;

CREATE FUNCTION job_control.job_acknowledge_cancel(id uuid) RETURNS jsonb
LANGUAGE plpgsql AS $$
BEGIN
    RETURN (job_control_proxy.job_acknowledge_cancel(job_control_proxy.session_company(), id));
EXCEPTION WHEN internal_error THEN
    PERFORM job_control_proxy.raise_if_unreachable(SQLERRM);
    RAISE;
END $$;

CREATE FUNCTION job_control.job_heartbeat(id uuid, executor text) RETURNS jsonb
LANGUAGE plpgsql AS $$
BEGIN
    RETURN (job_control_proxy.job_heartbeat(job_control_proxy.session_company(), id, executor));
EXCEPTION WHEN internal_error THEN
    PERFORM job_control_proxy.raise_if_unreachable(SQLERRM);
    RAISE;
END $$;

CREATE FUNCTION job_control.job_reschedule(id uuid, force boolean DEFAULT false)
    RETURNS jsonb
LANGUAGE plpgsql AS $$
BEGIN
    RETURN (job_control_proxy.job_reschedule(job_control_proxy.session_company(), id, force));
EXCEPTION WHEN internal_error THEN
    PERFORM job_control_proxy.raise_if_unreachable(SQLERRM);
    RAISE;
END $$;

-- Claims across partitions: up to max_jobs jobs, taken partition by
-- partition (oldest first within each), starting at a random partition so
-- that no partition's backlog waits behind another's. A partition that
-- cannot be reached is skipped with a WARNING; the call fails (08001) only
-- when none can be. A session bound to a company claims on that company's partition.
CREATE FUNCTION job_control.job_claim(
    executor text, max_jobs integer DEFAULT 1, types job_control.job_type[] DEFAULT NULL,
    data_plane_id uuid DEFAULT NULL) RETURNS SETOF jsonb
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    company text := job_control_proxy.session_company();
    partitions integer[] := ARRAY(SELECT job_control_proxy.partitions_for(company));
    start integer := floor(random() * cardinality(partitions))::integer;
    wanted integer := max_jobs;
    unreachable text[] := '{}';
    target integer;
    job jsonb;
BEGIN
    FOR i IN 0 .. cardinality(partitions) - 1 LOOP
        target := partitions[(start + i) % cardinality(partitions) + 1];
        BEGIN
            FOR job IN SELECT job_control_proxy.job_claim(company, target, executor, wanted,
                                                          types, data_plane_id) LOOP
                RETURN NEXT job;
                wanted := wanted - 1;
            END LOOP;
        EXCEPTION WHEN internal_error THEN
            IF job_control_proxy.unreachable_state(SQLERRM) IS NULL THEN
                RAISE;
            END IF;
            unreachable := unreachable || SQLERRM;
            IF cardinality(unreachable) = cardinality(partitions) THEN
                PERFORM job_control_proxy.raise_if_unreachable(SQLERRM);
            END IF;
            RAISE WARNING 'job_claim skipped a partition it could not reach'
                USING DETAIL = SQLERRM;
        END;
        EXIT WHEN wanted <= 0;
    END LOOP;
END $$;

-- Fails many jobs, each on its partition. Every id is checked first, so an
-- unknown id (P0002) fails nothing anywhere. Each partition's part is atomic;
-- the whole is not (PL/Proxy has no two-phase commit): a partition lost
-- between the check and the call leaves the others' part done.
CREATE FUNCTION job_control.job_fail_many(ids uuid[], message text,
                                          diagnostic jsonb DEFAULT NULL) RETURNS SETOF jsonb
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    company text := job_control_proxy.session_company();
BEGIN
    IF coalesce(cardinality(ids), 0) = 0 THEN
        RETURN QUERY SELECT job_control_proxy.job_fail_many_on(
            company, job_control_proxy.route(0), ids, message, diagnostic);
        RETURN;
    END IF;
    PERFORM job_control_proxy.job_check_ids(company, ids);
    RETURN QUERY SELECT job_control_proxy.job_fail_many(company, ids, message, diagnostic);
EXCEPTION WHEN internal_error THEN
    PERFORM job_control_proxy.raise_if_unreachable(SQLERRM);
    RAISE;
END $$;

-- Lists jobs. A session bound to a company lists its partition's page as is.
-- Across companies, each partition gives its first page * page_size jobs in
-- the order asked (ties broken by job_id, as job_control does), and the page
-- is that slice of their merge: the order is global and pages never overlap.
-- The cost grows with the page number (page * page_size jobs per partition).
CREATE FUNCTION job_control.job_list(
    state job_control.job_state DEFAULT NULL, type job_control.job_type DEFAULT NULL,
    data_plane_id uuid DEFAULT NULL, dataset_id bigint DEFAULT NULL,
    order_by text DEFAULT 'created_at', direction text DEFAULT 'desc',
    page integer DEFAULT 1, page_size integer DEFAULT 50) RETURNS jsonb
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    company text := job_control_proxy.session_company();
    by_updated boolean := lower(order_by) = 'updated_at';
    descending boolean := lower(direction) = 'desc';
    pages jsonb[];
    total bigint;
BEGIN
    IF job_control_proxy.as_company(company) IS NOT NULL
       OR page IS NULL OR page_size IS NULL OR page < 1 OR page_size NOT BETWEEN 1 AND 500 THEN
        -- One partition answers: exactly, or with job_control's error.
        RETURN job_control_proxy.job_list_on(
            company, (SELECT min(p) FROM job_control_proxy.partitions_for(company) AS p),
            state, type, data_plane_id, dataset_id, order_by, direction, page, page_size);
    END IF;
    pages := ARRAY(SELECT job_control_proxy.job_list_prefix(
        company, state, type, data_plane_id, dataset_id, order_by, direction, page, page_size));
    SELECT coalesce(sum((p ->> 'total_records')::bigint), 0) INTO total
      FROM unnest(pages) AS p WHERE (p ->> 'current_page')::integer = 1;
    RETURN jsonb_build_object(
        'current_page', page,
        'total_records', total,
        'total_pages', (total + page_size - 1) / page_size,
        'records', coalesce((
            SELECT jsonb_agg(r ORDER BY
                       CASE WHEN descending THEN NULL ELSE at END ASC,
                       CASE WHEN descending THEN at END DESC,
                       CASE WHEN descending THEN NULL ELSE id END ASC,
                       CASE WHEN descending THEN id END DESC)
              FROM (SELECT r, at, id
                      FROM (SELECT r,
                                   (r ->> CASE WHEN by_updated THEN 'updated_at'
                                               ELSE 'created_at' END)::timestamptz AS at,
                                   (r ->> 'job_id')::uuid AS id
                              FROM unnest(pages) AS p,
                                   jsonb_array_elements(p -> 'records') AS r) AS merged
                     ORDER BY CASE WHEN descending THEN NULL ELSE at END ASC,
                              CASE WHEN descending THEN at END DESC,
                              CASE WHEN descending THEN NULL ELSE id END ASC,
                              CASE WHEN descending THEN id END DESC
                     OFFSET (page - 1)::bigint * page_size LIMIT page_size) AS slice),
            '[]'::jsonb));
EXCEPTION WHEN internal_error THEN
    PERFORM job_control_proxy.raise_if_unreachable(SQLERRM);
    RAISE;
END $$;

CREATE FUNCTION job_control.job_reap_stale(older_than interval) RETURNS SETOF jsonb
LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY SELECT job_control_proxy.job_reap_stale(job_control_proxy.session_company(), older_than);
EXCEPTION WHEN internal_error THEN
    PERFORM job_control_proxy.raise_if_unreachable(SQLERRM);
    RAISE;
END $$;

CREATE FUNCTION job_control.job_prune_batch(older_than interval, batch_size integer DEFAULT 1000)
    RETURNS jsonb
LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$
    SELECT jsonb_build_object('jobs', coalesce(sum((b ->> 'jobs')::bigint), 0),
                              'transitions', coalesce(sum((b ->> 'transitions')::bigint), 0))
      FROM job_control_proxy.job_prune_batch(job_control_proxy.session_company(), older_than,
                                             batch_size) AS b
$$;

-- As job_control's: batches until nothing is left, each batch committed (on
-- every partition at once).
CREATE PROCEDURE job_control.job_prune(
    older_than interval, batch_size integer DEFAULT 1000,
    INOUT jobs_deleted bigint DEFAULT 0, INOUT transitions_deleted bigint DEFAULT 0)
LANGUAGE plpgsql AS $$
DECLARE
    batch jsonb;
BEGIN
    jobs_deleted := 0;
    transitions_deleted := 0;
    LOOP
        batch := job_control.job_prune_batch(older_than, batch_size);
        jobs_deleted := jobs_deleted OPERATOR(pg_catalog.+)
            CAST(batch OPERATOR(pg_catalog.->>) 'jobs' AS pg_catalog.int8);
        transitions_deleted := transitions_deleted OPERATOR(pg_catalog.+)
            CAST(batch OPERATOR(pg_catalog.->>) 'transitions' AS pg_catalog.int8);
        COMMIT;
        EXIT WHEN batch OPERATOR(pg_catalog.=) '{"jobs": 0, "transitions": 0}'::pg_catalog.jsonb;
    END LOOP;
END $$;

-- Every partition's job_stats rows, an unreachable one raised as such.
CREATE FUNCTION job_control_proxy.job_stats(p_company text)
    RETURNS TABLE (state job_control.job_state, type job_control.job_type, jobs bigint,
                   oldest_created_at timestamptz)
LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY SELECT * FROM job_control_proxy.job_stats_on(p_company);
EXCEPTION WHEN internal_error THEN
    PERFORM job_control_proxy.raise_if_unreachable(SQLERRM);
    RAISE;
END $$;

-- Counts by state and type over every partition, as job_control's view.
CREATE VIEW job_control.job_stats WITH (security_invoker = true) AS
SELECT state,
       type,
       pg_catalog.sum(jobs)::bigint AS jobs,
       pg_catalog.min(oldest_created_at) AS oldest_created_at,
       CASE WHEN state IN ('pending', 'running', 'pending_cancellation')
            THEN pg_catalog.now() - pg_catalog.min(oldest_created_at) END AS oldest_age
  FROM job_control_proxy.job_stats(job_control_proxy.session_company())
 GROUP BY state, type;

------------------------------------------------------------------------------
-- Access: the levels of job_control, with the same meaning on the proxy.
------------------------------------------------------------------------------

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA job_control, job_control_proxy FROM PUBLIC;
REVOKE ALL ON ALL PROCEDURES IN SCHEMA job_control FROM PUBLIC;
-- Routing admits or refuses a call; it reads nothing a caller could not.
GRANT USAGE ON SCHEMA job_control_proxy TO PUBLIC;
GRANT EXECUTE ON FUNCTION job_control_proxy.resize_lock_key(), job_control_proxy.route(integer),
    job_control_proxy.id_partition(uuid), job_control_proxy.as_company(text),
    job_control_proxy.request_partition(jsonb), job_control_proxy.session_company(),
    job_control_proxy.partition_count(), job_control_proxy.partitions_for(text)
    TO PUBLIC;

-- Creates the roles job_control_reader, _writer, _executor and _admin (as
-- job_control does on a server) and grants each its functions: the API's and
-- the PL/Proxy functions of the same name that they call.
CREATE FUNCTION job_control.create_access_roles() RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    level text;
    names text[];
    routine regprocedure;
BEGIN
    FOREACH level IN ARRAY ARRAY['reader', 'writer', 'executor', 'admin'] LOOP
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'job_control_' || level) THEN
            EXECUTE format('CREATE ROLE %I NOLOGIN', 'job_control_' || level);
        END IF;
    END LOOP;
    GRANT job_control_reader TO job_control_writer, job_control_executor;
    GRANT job_control_writer, job_control_executor TO job_control_admin;
    GRANT USAGE ON SCHEMA job_control TO job_control_reader;
    GRANT SELECT ON job_control.job_stats TO job_control_reader;
    -- PL/Proxy runs a call on a cluster only for a role that may use its server.
    IF EXISTS (SELECT FROM pg_foreign_server WHERE srvname = 'job_control') THEN
        GRANT USAGE ON FOREIGN SERVER job_control TO job_control_reader;
    ELSE
        RAISE WARNING 'the server job_control does not exist yet'
            USING HINT = 'Create it, then call job_control.create_access_roles() again.';
    END IF;

    FOR level, names IN VALUES
        ('reader', ARRAY['job_get', 'job_list', 'job_list_on', 'job_list_prefix', 'job_stats',
                         'job_stats_on', 'partition_connections']),
        ('writer', ARRAY['job_create', 'job_start', 'job_complete', 'job_fail', 'job_cancel',
                         'job_acknowledge_cancel', 'job_reschedule', 'job_fail_many',
                         'job_fail_many_on', 'job_check_ids']),
        ('executor', ARRAY['job_claim', 'job_heartbeat', 'job_start', 'job_complete',
                           'job_fail', 'job_acknowledge_cancel']),
        ('admin', ARRAY['job_reap_stale', 'job_prune_batch', 'job_prune'])
    LOOP
        FOR routine IN
            SELECT p.oid FROM pg_proc AS p
             WHERE p.pronamespace IN ('job_control'::regnamespace,
                                      'job_control_proxy'::regnamespace)
               AND p.proname = ANY (names)
        LOOP
            EXECUTE format('GRANT EXECUTE ON ROUTINE %s TO %I', routine, 'job_control_' || level);
        END LOOP;
    END LOOP;
END $$;
REVOKE ALL ON FUNCTION job_control.create_access_roles() FROM PUBLIC;
