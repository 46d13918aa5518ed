-- Every cell of the spec's state table, for every lifecycle function.
-- A cell shows the state after the call, "(no-op)" when the call returned the
-- job unchanged, or the error's SQLSTATE; no-ops and errors must leave the row
-- untouched: the same row version (ctid) and no row lock (xmax).
CREATE FUNCTION pg_temp.job_in(wanted text) RETURNS uuid LANGUAGE plpgsql AS $$
DECLARE
    id uuid := (job_control.job_create('nql-forecast', '{"nql": "SELECT 1"}',
                                       '{"company_id": 1}') ->> 'job_id')::uuid;
BEGIN
    IF wanted IN ('running', 'pending_cancellation', 'completed') THEN
        PERFORM job_control.job_start(id, 'worker-1');
    END IF;
    CASE wanted
        WHEN 'pending_cancellation' THEN PERFORM job_control.job_cancel(id);
        WHEN 'completed' THEN PERFORM job_control.job_complete(id, '{"rows": 1}');
        WHEN 'cancelled' THEN PERFORM job_control.job_cancel(id);
        WHEN 'failed' THEN PERFORM job_control.job_fail(id, 'first failure');
        ELSE NULL;
    END CASE;
    RETURN id;
END $$;

-- One job per cell, created in its own transaction; the calls then run in a
-- later transaction, so a row lock or a new row version would show in the
-- row's xmax or ctid.
CREATE TEMP TABLE cells AS
SELECT c.call, s.state AS from_state, pg_temp.job_in(s.state) AS id
  FROM unnest(ARRAY['job_fail($1, ''boom'')', 'job_complete($1)', 'job_cancel($1)',
                    'job_acknowledge_cancel($1)', 'job_start($1, ''worker-2'')']) WITH ORDINALITY AS c(call, n),
       unnest(ARRAY['pending', 'running', 'pending_cancellation',
                    'completed', 'cancelled', 'failed']) WITH ORDINALITY AS s(state, m);
ALTER TABLE cells ADD before jsonb, ADD before_ctid tid, ADD before_xmax text, ADD outcome text;
UPDATE cells SET before = job_control.job_get(id),
                 before_ctid = (SELECT ctid FROM job_control.jobs WHERE job_id = id),
                 before_xmax = (SELECT xmax::text FROM job_control.jobs WHERE job_id = id);

CREATE FUNCTION pg_temp.apply(call text, id uuid) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    before jsonb := job_control.job_get(id);
    after jsonb;
BEGIN
    EXECUTE format('SELECT job_control.%s', call) INTO after USING id;
    IF after = before THEN RETURN '(no-op)'; END IF;
    IF after <> job_control.job_get(id) THEN
        RETURN 'returned job differs from the stored one!';
    END IF;
    RETURN after ->> 'state';
EXCEPTION WHEN OTHERS THEN
    RETURN 'error ' || SQLSTATE;
END $$;

UPDATE cells SET outcome = pg_temp.apply(call, id);

-- Errors and no-ops left the row exactly as it was: same version, no lock.
SELECT CASE WHEN outcome LIKE 'error%' THEN 'error' ELSE outcome END AS outcome,
       count(*) AS cells,
       bool_and(j.ctid = c.before_ctid) AS same_version,
       bool_and(j.xmax::text = c.before_xmax) AS no_lock,
       bool_and(job_control.job_get(id) = c.before) AS unchanged
  FROM cells c JOIN job_control.jobs j ON j.job_id = c.id
 WHERE outcome LIKE 'error%' OR outcome = '(no-op)'
 GROUP BY 1 ORDER BY 1;

SELECT from_state AS "from",
       max(outcome) FILTER (WHERE call LIKE 'job_fail%') AS fail,
       max(outcome) FILTER (WHERE call LIKE 'job_complete%') AS complete,
       max(outcome) FILTER (WHERE call LIKE 'job_cancel%') AS cancel,
       max(outcome) FILTER (WHERE call LIKE 'job_acknowledge_cancel%') AS acknowledge_cancel,
       max(outcome) FILTER (WHERE call LIKE 'job_start%') AS start
  FROM cells
 GROUP BY from_state
 ORDER BY array_position(ARRAY['pending', 'running', 'pending_cancellation',
                               'completed', 'cancelled', 'failed'], from_state);

-- A failed job keeps exactly one failure entry after another fail.
SELECT jsonb_array_length(job_control.job_fail(pg_temp.job_in('failed'), 'second') -> 'failures');

-- The fencing executor: the holder may fail or complete its job; anyone else
-- (or anyone, once the job has no executor) gets 55000 and changes nothing.
SELECT pg_temp.apply('job_fail($1, ''boom'', NULL, ''worker-1'')', pg_temp.job_in('running')) AS holder_fails,
       pg_temp.apply('job_complete($1, NULL, ''worker-1'')', pg_temp.job_in('running')) AS holder_completes,
       pg_temp.apply('job_fail($1, ''boom'', NULL, ''worker-9'')', pg_temp.job_in('running')) AS other_fails,
       pg_temp.apply('job_complete($1, NULL, ''worker-9'')', pg_temp.job_in('running')) AS other_completes,
       pg_temp.apply('job_fail($1, ''boom'', NULL, ''worker-1'')', pg_temp.job_in('pending')) AS fail_unclaimed,
       pg_temp.apply('job_fail($1, ''boom'', NULL, ''worker-1'')', pg_temp.job_in('completed')) AS holder_on_terminal,
       pg_temp.apply('job_fail($1, ''boom'', NULL, ''worker-9'')', pg_temp.job_in('completed')) AS other_on_terminal;
