// The claim without SQL: what claim_statement() (job_store.hpp) does, done
// with the executor's own routines, as job_move.hpp does for one job. The
// queue's index is walked oldest first under a fresh snapshot; each entry
// the caller may see leads through the jobs' primary key to its job, which,
// if it is pending and passes the filters, is locked FOR UPDATE SKIP LOCKED
// (a job another transaction holds is passed over; a newer version is
// followed and judged again, as EvalPlanQual does), until `max_jobs` jobs
// are locked. The locked jobs are then moved to running for the executor,
// each by move_locked (trigger, constraints, indexes as an UPDATE), and
// returned oldest first. The statement's executor start-up and shut-down,
// two thirds of a claim's work, are gone.
//
// Taken where job_move.hpp takes its path, and only if the caller may read
// the queue with at most the extension's own policy on it
// (job_queue_readers) and the queue's index in claim order is the
// extension's; otherwise the call runs the statement.
#pragma once

#include "postgres_headers.hpp"

#include "job_row.hpp"

namespace jc::pg {

struct ClaimRequest {
  Datum executor;  // text
  int max_jobs;
  // The values a job's type may have, of type type_of_types (the statement
  // is run when that is not the type of the column); nullptr: any type.
  const Datum* types;
  int type_count;
  Oid type_of_types;
  bool any_data_plane;
  Datum data_plane;  // uuid, unless any_data_plane
};

// The claimed jobs, oldest first, as rows of the jobs table.
struct ClaimedJobs {
  HeapTuple* rows;
  int count;
  TupleDesc desc;
  const int* attnums;  // JobAttnums::job_columns

  JobRow row(int i) const { return JobRow{rows[i], desc, 0, attnums}; }
};

// Claims as described above, allocating in CurrentMemoryContext, on an
// install that has the queue (from 1.2; job_claim checks). Returns false,
// having locked and written nothing, when the call must run the statement.
// A guarded body.
bool claim_directly(const ClaimRequest& request, ClaimedJobs* claimed);

}  // namespace jc::pg
