-- job_control 1.3 -> 1.4: claims of some types, or of one data plane, find
-- their jobs without stepping over the other pending jobs.
--
-- The pending queue was one line, oldest first: a claim for one type read
-- every older pending job of the other types first (300 ms a claim behind
-- 100,000 of them). Each queue entry now carries its job's type and data
-- plane, and two more indexes keep one line per type and one per data plane
-- and type, oldest first; a claim reads the lines it may take from, merged
-- by age. Idempotent: every statement may run again on an install that has
-- it.
\echo Use "ALTER EXTENSION job_control UPDATE TO '1.4'" to load this file. \quit

ALTER TABLE job_control.job_queue
    ADD COLUMN IF NOT EXISTS type job_control.job_type,
    ADD COLUMN IF NOT EXISTS data_plane_id uuid;
UPDATE job_control.job_queue AS q
   SET type = j.type, data_plane_id = j.data_plane_id
  FROM job_control.jobs AS j
 WHERE j.job_id = q.job_id AND q.type IS NULL;
-- An entry without a job (none should exist: the trigger removes it with
-- its job) has no type to take.
DELETE FROM job_control.job_queue WHERE type IS NULL;
ALTER TABLE job_control.job_queue ALTER COLUMN type SET NOT NULL;

CREATE INDEX IF NOT EXISTS job_queue_type_order
    ON job_control.job_queue (type, created_at, job_id);
CREATE INDEX IF NOT EXISTS job_queue_plane_order
    ON job_control.job_queue (data_plane_id, type, created_at, job_id);
COMMENT ON TABLE job_control.job_queue IS
    'The pending jobs, kept by the trigger on job_control.jobs; claims read it oldest first, by type and data plane.';
