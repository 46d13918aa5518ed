// The move of a job without SQL: what the guarded UPDATE of the SQL path
// (job_store.hpp, transition_statement) does, done with the executor's own
// routines instead of a statement: the job is found through the primary key
// under a fresh snapshot, as the statement would take; only if the call
// moves it, its newest version is locked (the tuple lock that UPDATE takes,
// waiting for a concurrent writer, then following the row to its newest
// version) and the guard checked again on that version, as EvalPlanQual
// does; then ExecSimpleRelationUpdate (the single-row update logical
// replication applies rows with) fires the BEFORE ROW trigger, checks the
// constraints, writes the new version and its index entries. No plan to
// revalidate, no executor to start and end: a third of a call's work.
//
// Used only where nothing else could differ from the SQL path: READ
// COMMITTED (under REPEATABLE READ and SERIALIZABLE the statement's
// serialization checks and predicate locks decide), a transaction that may
// write, the caller holding the SELECT and UPDATE privileges the UPDATE
// checks, no row security but the extension's tenant policy (applied as it
// says, to the old and the new version), a plain table whose only UPDATE
// trigger is the extension's jobs_maintain (no rules, no statement or AFTER
// triggers, no partitions). Otherwise the call takes the SQL path.
#pragma once

#include "postgres_headers.hpp"

#include <string_view>

#include "job_row.hpp"
#include "job_state.hpp"

namespace jc::pg {

// One try at a transition, on either path: the job moved (`row` is its new
// version), was found and stayed (`row` as it stands), or was not found.
struct Attempt {
  bool moved;
  bool found;
  JobRow row;
  JobState state;  // of `row`, with its executor: what the state table reads
  bool has_executor;
  std::string_view executor;
};

// Records `row` (which must outlive `attempt`) as the job found; a guarded
// body.
void found_job(Attempt& attempt, const JobRow& row);

// Registers the invalidation callbacks of the prepared CHECK constraints;
// called once by _PG_init.
void register_prepared_checks();

// Whether an UPDATE of `jobs` does nothing but what ExecSimpleRelationUpdate
// does: no rule, no partition, no trigger on UPDATE but the extension's
// BEFORE ROW jobs_maintain. Cached in JobsRelation.
bool updates_plainly(Relation jobs);

// Writes `op`'s new version of `locked`, the newest version of a job that
// this transaction has locked and whose guard holds, as the SQL path's
// UPDATE would (the SET list, the BEFORE ROW trigger, the constraints, the
// index entries); `value` is as for move_job. Returns the version written.
// A guarded body, for the moves of job_move and queue_claim.
HeapTuple move_locked(Relation jobs, Snapshot snapshot, TupleTableSlot* locked,
                      Operation op, Datum value, bool value_null);

// Moves job `id` by `op` with `value` ($2 of the SQL path: the executor of
// a start, the result of a completion, the failure entry of a fail), if
// `fence` (the executor that must hold the job, or nullptr) holds. A
// guarded body; the row is allocated in CurrentMemoryContext. Returns false,
// having written nothing, when the call must take the SQL path.
bool move_job(Operation op, Datum id, Datum value, bool value_null,
              const std::string_view* fence, Attempt* attempt);

}  // namespace jc::pg
