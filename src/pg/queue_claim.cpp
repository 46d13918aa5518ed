#include "queue_claim.hpp"

extern "C" {
#include "access/genam.h"
#include "access/relscan.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "utils/fmgroids.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
}

#include <algorithm>
#include <cstring>

#include "call_support.hpp"
#include "caller_access.hpp"
#include "job_move.hpp"
#include "pg_compat.hpp"
#include "queue_walk.hpp"

namespace jc::pg {

namespace {

// The queue opened as the statement reads it, with the caller's view of it
// under row security; `table` is nullptr when the call must run the
// statement.
struct OpenQueue {
  Relation table;
  Access access;
  QueueRelation facts;
};

OpenQueue open_queue() {
  OpenQueue open{};
  Relation table = table_open(queue_relation().table, AccessShareLock);
  // Locked: invalidations queued before the lock (a policy, an index) apply.
  const QueueRelation facts = queue_relation();
  const Access access =
      row_security_access(facts.table, facts.only_reader_policy);
  if (RelationGetRelid(table) != facts.table ||
      !OidIsValid(facts.order_index) || access == Access::kSqlPathNeeded ||
      pg_class_aclcheck(facts.table, GetUserId(), ACL_SELECT) != ACLCHECK_OK) {
    table_close(table, NoLock);
    return open;
  }
  open.table = table;
  open.access = access;
  open.facts = facts;
  return open;
}

void close_queue(const OpenQueue& queue) { table_close(queue.table, NoLock); }

// The claim statement's conditions on a version of job `id`: the job (not
// another id after a hand-made change), visible to the caller, pending, of
// one of the types, on the data plane.
bool claimable(const ClaimRequest& r, Access access, TupleTableSlot* job,
               const JobAttnums& cols, Datum id) {
  bool is_null;
  const Datum job_id = slot_getattr(job, cols.job_id, &is_null);
  if (is_null || !same_uuid(job_id, id)) return false;
  const Datum company = slot_getattr(job, cols.company_id, &is_null);
  if (is_null || !visible_to(access, company)) return false;
  const Datum state = slot_getattr(job, cols.state, &is_null);
  if (is_null || enum_job_state(state) != JobState::kPending) return false;
  if (r.types != nullptr) {
    const Datum type = slot_getattr(job, cols.job_columns[kColType], &is_null);
    if (is_null || std::none_of(r.types, r.types + r.type_count,
                                [&](Datum t) { return t == type; })) {
      return false;
    }
  }
  if (!r.any_data_plane) {
    const Datum plane =
        slot_getattr(job, cols.job_columns[kColDataPlaneId], &is_null);
    if (is_null || !same_uuid(plane, r.data_plane)) return false;
  }
  return true;
}

// Walks the queue (queue_walk.hpp) and locks up to max_jobs claimable jobs,
// skipping those another transaction holds; returns how many it locked,
// each newest version in its own slot of `locked`.
int lock_oldest(const ClaimRequest& r, const OpenJobs& jobs,
                const OpenQueue& queue, Snapshot snapshot,
                TupleTableSlot** locked) {
  const JobAttnums& cols = job_attnums(jobs.table);
  QueueWalk entries = begin_queue_walk(queue.table, queue.facts, r, snapshot);
  IndexScanDesc lookup =
      compat::index_begin_scan(jobs.table, jobs.primary_key, snapshot, 1);
  TupleTableSlot* seen = table_slot_create(jobs.table, nullptr);
  int count = 0;
  TupleTableSlot* entry;
  while (count < r.max_jobs && (entry = next_queue_entry(entries)) != nullptr) {
    CHECK_FOR_INTERRUPTS();
    bool is_null;
    if (!visible_to(queue.access,
                    slot_getattr(entry, queue.facts.company_id, &is_null))) {
      continue;
    }
    const Datum id = slot_getattr(entry, queue.facts.job_id, &is_null);
    ScanKeyData key;
    ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_UUID_EQ, id);
    index_rescan(lookup, &key, 1, nullptr, 0);
    if (!index_getnext_slot(lookup, ForwardScanDirection, seen) ||
        !claimable(r, jobs.access, seen, cols, id)) {
      continue;
    }
    TupleTableSlot* slot = table_slot_create(jobs.table, nullptr);
    TM_FailureData failure;
    // As LockRows: a job locked by another transaction is skipped, and so
    // is one deleted or changed by this very command; a newer version is
    // locked and judged again.
    const TM_Result lock = table_tuple_lock(
        jobs.table, &seen->tts_tid, snapshot, slot, GetCurrentCommandId(true),
        LockTupleExclusive, LockWaitSkip, TUPLE_LOCK_FLAG_FIND_LAST_VERSION,
        &failure);
    if (lock == TM_Ok && claimable(r, jobs.access, slot, cols, id)) {
      locked[count++] = slot;
    } else {
      ExecDropSingleTupleTableSlot(slot);
    }
  }
  ExecDropSingleTupleTableSlot(seen);
  index_endscan(lookup);
  end_queue_walk(entries);
  return count;
}

struct ClaimOrder {
  ClaimPlace place;
  HeapTuple row;
};

// The statement's ORDER BY created_at, job_id, of the rows written.
void sort_oldest_first(ClaimedJobs& claimed, const JobAttnums& cols) {
  auto* order = static_cast<ClaimOrder*>(
      palloc(sizeof(ClaimOrder) * static_cast<Size>(claimed.count)));
  for (int i = 0; i < claimed.count; ++i) {
    bool is_null;
    HeapTuple row = claimed.rows[i];
    order[i].place = {
        DatumGetTimestampTz(
            heap_getattr(row, cols.created_at, claimed.desc, &is_null)),
        *DatumGetUUIDP(heap_getattr(row, cols.job_id, claimed.desc, &is_null))};
    order[i].row = row;
  }
  std::sort(order, order + claimed.count,
            [](const ClaimOrder& a, const ClaimOrder& b) {
              return claims_before(a.place, b.place);
            });
  for (int i = 0; i < claimed.count; ++i) claimed.rows[i] = order[i].row;
  pfree(order);
}

}  // namespace

bool claim_directly(const ClaimRequest& request, ClaimedJobs* claimed) {
  if (IsolationUsesXactSnapshot()) return false;
  // The locks the statement takes: the jobs for UPDATE, the queue to read.
  const OpenJobs jobs = open_jobs(RowExclusiveLock);
  if (jobs.table == nullptr) return false;
  const JobAttnums& cols = job_attnums(jobs.table);
  const bool types_comparable =
      request.types == nullptr || TupleDescAttr(RelationGetDescr(jobs.table),
                                                cols.job_columns[kColType] - 1)
                                          ->atttypid == request.type_of_types;
  const OpenQueue queue = jobs.facts.updates_plainly && types_comparable
                              ? open_queue()
                              : OpenQueue{};
  if (queue.table == nullptr) {
    close_jobs(jobs);
    return false;
  }
  // As SPI does before a statement that may write: earlier changes of this
  // statement become visible.
  CommandCounterIncrement();
  Snapshot snapshot = RegisterSnapshot(GetTransactionSnapshot());
  auto** locked = static_cast<TupleTableSlot**>(
      palloc(sizeof(TupleTableSlot*) * static_cast<Size>(request.max_jobs)));
  const int count = lock_oldest(request, jobs, queue, snapshot, locked);
  close_queue(queue);

  ClaimedJobs& c = *claimed;
  c.rows = static_cast<HeapTuple*>(
      palloc(sizeof(HeapTuple) * static_cast<Size>(std::max(count, 1))));
  c.count = count;
  c.desc = CreateTupleDescCopy(RelationGetDescr(jobs.table));
  c.attnums = cols.job_columns;
  for (int i = 0; i < count; ++i) {
    c.rows[i] = move_locked(jobs.table, snapshot, locked[i], Operation::kStart,
                            request.executor, false);
    ExecDropSingleTupleTableSlot(locked[i]);
  }
  pfree(locked);
  sort_oldest_first(c, cols);
  UnregisterSnapshot(snapshot);
  close_jobs(jobs);
  return true;
}

}  // namespace jc::pg
