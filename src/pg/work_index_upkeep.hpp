// Keeps the work index (job_control.job_queue and job_control.job_leases,
// see work_index.hpp) in step with the jobs table. Called by the triggers
// inside their guarded bodies; writes as the jobs table's owner.
#pragma once

#include "postgres_headers.hpp"

#include "work_index.hpp"

namespace jc::pg {

// What the queue keeps of a job: its key, its tenant, its age and its lane
// (type and data plane, from 1.4).
struct IndexedJob {
  Datum job_id;
  Datum company_id;
  Datum created_at;
  Datum type;
  Datum data_plane_id;
  bool has_data_plane;

  // Whether `other` (the same job) sits elsewhere in the queue.
  bool lane_differs(const IndexedJob& other) const;
};

// Prepares the statements' SQL; call outside guarded bodies.
void prepare_work_index();

void apply_work_index_change(const WorkIndexChange& change,
                             const IndexedJob& job, Oid owner);

// A deleted job leaves the queue (if `queued`) and the leases.
void forget_job(Datum job_id, bool queued, Oid owner);

// TRUNCATE of the jobs: empties the work index.
void clear_work_index(Oid owner);

}  // namespace jc::pg
