-- The invariants of job_control's tables, checked after the race and crash
-- tests: each row names a job that breaks one (none must). Every job's
-- history is one unbroken chain of the state table's moves ending in its
-- state, with one failure entry per move to failed; the work index holds
-- exactly the pending jobs, and a lease for every working job.
--
-- With -v same_state_updates=true (runs with heartbeats, or reschedules of
-- pending jobs: updates that keep the state and write no history row) a
-- job's updated_at may be later than its last move, in a state such an
-- update keeps; otherwise it must be exactly its last move's time.
\if :{?same_state_updates}
\else
\set same_state_updates false
\endif
WITH history AS (
  SELECT t.*, lag(to_state) OVER w AS previous, row_number() OVER w AS n,
         count(*) OVER (PARTITION BY job_id) AS rows
    FROM job_control.job_transitions t
  WINDOW w AS (PARTITION BY job_id ORDER BY transitioned_at)
)
SELECT 'broken chain: ' || job_id FROM history
 WHERE n > 1 AND from_state IS DISTINCT FROM previous
UNION ALL
SELECT 'not a move of the state table: ' || from_state || ' -> ' || to_state
  FROM history
 WHERE n > 1 AND (from_state, to_state) NOT IN (
       ('pending', 'running'), ('pending', 'cancelled'), ('pending', 'failed'),
       ('running', 'pending_cancellation'), ('running', 'failed'),
       ('running', 'completed'), ('running', 'pending'),
       ('pending_cancellation', 'cancelled'), ('pending_cancellation', 'failed'),
       ('pending_cancellation', 'completed'), ('pending_cancellation', 'pending'),
       ('failed', 'pending'), ('cancelled', 'pending'), ('completed', 'pending'))
UNION ALL
SELECT 'last move is not the state: ' || j.job_id
  FROM job_control.jobs j JOIN history h ON h.job_id = j.job_id AND h.n = h.rows
 WHERE h.to_state <> j.state
    OR (h.transitioned_at <> j.updated_at
        AND NOT (:same_state_updates AND h.transitioned_at < j.updated_at
                 AND j.state IN ('pending', 'running', 'pending_cancellation')))
UNION ALL
SELECT 'failures and moves to failed differ: ' || j.job_id
  FROM job_control.jobs j
 WHERE jsonb_array_length(j.failures) <> (SELECT count(*) FROM job_control.job_transitions t
                                          WHERE t.job_id = j.job_id AND t.to_state = 'failed')
UNION ALL
SELECT 'queue is not the pending jobs: ' || coalesce(j.job_id, q.job_id)
  FROM (SELECT job_id FROM job_control.jobs WHERE state = 'pending') j
  FULL JOIN job_control.job_queue q USING (job_id)
 WHERE j.job_id IS NULL OR q.job_id IS NULL
UNION ALL
SELECT 'working job without a lease: ' || job_id FROM job_control.jobs
 WHERE state IN ('running', 'pending_cancellation')
   AND job_id NOT IN (SELECT job_id FROM job_control.job_leases);
