// The fast path of a call that changes nothing. Most calls on a finished job
// are no-ops (a late failure report, a repeated cancel); they are answered
// from the row as stored, read through the primary key without SPI or an
// executor, under a fresh snapshot as the statement would take, so that no
// UPDATE is started only to find nothing to move.
//
// The read takes the same row-visibility and SERIALIZABLE predicate locks as
// a SELECT (the index and table access methods take them) and no row lock. It
// is used only when nothing else could differ from the SQL path
// (caller_access.hpp: the transaction may write, the caller has the SELECT
// and UPDATE privileges the UPDATE would check, and the row security that
// binds it, if any, is the extension's own tenant policy, applied here as
// the policy says; an UPDATE of the table fires no trigger or rule but the
// extension's, since the UPDATE of the SQL path fires statement triggers
// even when it moves nothing), at any isolation level. Otherwise the call
// takes the SQL path; a job to move is moved by job_move.hpp or the SQL path.
#pragma once

#include "postgres_headers.hpp"

#include <string_view>

#include "job_state.hpp"

namespace jc::pg {

struct Peek {
  bool usable;  // false: take the SQL path
  bool found;
  JobState state;
  bool has_executor;
  const char* executor;  // palloc'd, when has_executor
  Datum job;             // the job's jsonb when `op` is a no-op on it, else 0
};

// A guarded body; `fence` is the executor that must hold the job, or nullptr.
Peek peek_job(Datum id, Operation op, const std::string_view* fence);

}  // namespace jc::pg
