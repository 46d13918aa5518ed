#include "job_peek.hpp"

extern "C" {
#include "access/table.h"
#include "access/tableam.h"
#include "executor/tuptable.h"
#include "utils/rel.h"
}

#include "caller_access.hpp"
#include "catalog_cache.hpp"
#include "job_row.hpp"
#include "key_lookup.hpp"

namespace jc::pg {

namespace {

// Reads the job into `peek`; builds its jsonb if `op` leaves it as it is.
void read_job(Relation jobs, Relation primary_key, Datum id, Operation op,
              const std::string_view* fence, Access access, Peek* peek) {
  // As a statement sees it: another call in the same SELECT list may have
  // changed it.
  const KeyLookup lookup = begin_key_lookup(jobs, primary_key, id);
  TupleTableSlot* slot = lookup.row;
  const JobAttnums& attnums = job_attnums(jobs);
  bool is_null;
  // A job of another company does not exist for a tenant session.
  if (lookup.found &&
      visible_to(access, slot_getattr(slot, attnums.company_id, &is_null))) {
    bool should_free;
    const JobRow row{ExecFetchSlotHeapTuple(slot, false, &should_free),
                     RelationGetDescr(jobs), 0, attnums.job_columns};
    peek->found = true;
    peek->state = row_state(row);
    std::string_view executor;
    peek->has_executor = row_executor(row, &executor);
    if (peek->has_executor) {
      peek->executor =
          pnstrdup(executor.data(), static_cast<Size>(executor.size()));
    }
    const bool fence_holds =
        fence == nullptr || (peek->has_executor && executor == *fence);
    if (fence_holds && decide(op, peek->state).effect == Effect::kNoOp) {
      peek->job = JsonbPGetDatum(job_to_jsonb(row));
    }
  }
  end_key_lookup(lookup);
}

}  // namespace

Peek peek_job(Datum id, Operation op, const std::string_view* fence) {
  Peek peek{};
  // Locks as a SELECT takes them.
  const OpenJobs jobs = open_jobs(AccessShareLock);
  if (jobs.table == nullptr) return peek;
  // The SQL path's UPDATE fires statement triggers and rules even when it
  // moves nothing: any but the extension's trigger on UPDATE, every time.
  if (!jobs.facts.updates_plainly) {
    close_jobs(jobs);
    return peek;
  }
  peek.usable = true;
  read_job(jobs.table, jobs.primary_key, id, op, fence, jobs.access, &peek);
  close_jobs(jobs);
  return peek;
}

}  // namespace jc::pg
