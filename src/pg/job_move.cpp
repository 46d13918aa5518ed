#include "job_move.hpp"

extern "C" {
#include "access/genam.h"
#include "access/relscan.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_trigger.h"
#include "executor/executor.h"
#include "utils/fmgroids.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
}

#include "caller_access.hpp"
#include "catalog_cache.hpp"

namespace jc::pg {

namespace {

// Whether an UPDATE of the jobs table would do anything besides what
// ExecSimpleRelationUpdate does: apply a rule, route to a partition, fire a
// trigger other than the extension's BEFORE ROW jobs_maintain.
bool needs_sql(Relation jobs) {
  const Form_pg_class c = jobs->rd_rel;
  if (c->relkind != RELKIND_RELATION || c->relispartition ||
      jobs->rd_rules != nullptr) {
    return true;
  }
  const TriggerDesc* triggers = jobs->trigdesc;
  if (triggers == nullptr) return false;
  for (int i = 0; i < triggers->numtriggers; ++i) {
    const Trigger& t = triggers->triggers[i];
    const bool fires_on_update = TRIGGER_FOR_UPDATE(t.tgtype);
    const bool ours = std::string_view(t.tgname) == "jobs_maintain" &&
                      TRIGGER_FOR_ROW(t.tgtype) &&
                      TRIGGER_FOR_BEFORE(t.tgtype) && t.tgnattr == 0 &&
                      t.tgqual == nullptr;
    if (fires_on_update && !ours) return true;
  }
  return false;
}

// The guard of the SQL path's UPDATE, checked on one version of the row.
struct Guard {
  Operation op;
  Datum id;
  const std::string_view* fence;
  Access access;
};

bool passes(const Guard& g, TupleTableSlot* slot, const JobAttnums& cols) {
  bool is_null;
  const Datum id = slot_getattr(slot, cols.job_id, &is_null);
  if (is_null || !DatumGetBool(DirectFunctionCall2(uuid_eq, id, g.id)) ||
      !visible_to(g.access, slot_getattr(slot, cols.company_id, &is_null))) {
    return false;
  }
  const JobState state =
      enum_job_state(slot_getattr(slot, cols.state, &is_null));
  if (g.fence != nullptr) {
    const Datum executor = slot_getattr(slot, cols.executor, &is_null);
    if (is_null) return false;
    text* t = DatumGetTextPP(executor);
    if (std::string_view(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)) != *g.fence) {
      return false;
    }
  }
  return decide(g.op, state).effect == Effect::kMove;
}

// The new version as the SQL path's SET list makes it from `old`.
HeapTuple new_version(TupleTableSlot* old, TupleDesc desc,
                      const JobAttnums& cols, Operation op, Datum value,
                      bool value_null) {
  bool is_null;
  const JobState from = enum_job_state(slot_getattr(old, cols.state, &is_null));
  int attnums[3] = {cols.state, 0, 0};
  Datum values[3] = {ObjectIdGetDatum(job_state_value(decide(op, from).target)),
                     value, Datum(0)};
  bool nulls[3] = {false, value_null, true};
  int count = 1;
  switch (op) {
    case Operation::kStart:
      attnums[count++] = cols.executor;
      break;
    case Operation::kComplete:
      attnums[count++] = cols.job_columns[kColResult];
      break;
    case Operation::kFail: {
      // failures || $2: NULL if either is (jsonb_concat is strict).
      const Datum failures = slot_getattr(old, cols.failures, &is_null);
      nulls[1] = is_null || value_null;
      values[1] = nulls[1] ? Datum(0)
                           : DirectFunctionCall2(jsonb_concat, failures, value);
      attnums[count++] = cols.failures;
      break;
    }
    case Operation::kReschedule:
    case Operation::kForceReschedule:
      attnums[count++] = cols.executor;
      attnums[count++] = cols.job_columns[kColResult];
      nulls[1] = true;
      break;
    case Operation::kCancel:
    case Operation::kAcknowledgeCancel:
    case Operation::kHeartbeat:
      break;
  }
  bool should_free;
  HeapTuple tuple = ExecFetchSlotHeapTuple(old, false, &should_free);
  return heap_modify_tuple_by_cols(tuple, desc, count, attnums, values, nulls);
}

// Writes `next` over the locked version `locked` as ExecUpdate would, BEFORE
// ROW trigger included; returns the version written (the trigger's).
HeapTuple update_row(Relation jobs, Snapshot snapshot, TupleTableSlot* locked,
                     HeapTuple next) {
  TupleTableSlot* slot =
      MakeSingleTupleTableSlot(RelationGetDescr(jobs), &TTSOpsHeapTuple);
  ExecStoreHeapTuple(next, slot, false);
  EState* estate = CreateExecutorState();
  estate->es_snapshot = snapshot;
  estate->es_output_cid = GetCurrentCommandId(true);
  ResultRelInfo* target = makeNode(ResultRelInfo);
  InitResultRelInfo(target, jobs, 0, nullptr, 0);
  ExecOpenIndices(target, false);
  EPQState epq;  // unused: the row is locked, no newer version can appear
  EvalPlanQualInit(&epq, estate, nullptr, NIL, -1);
  PushActiveSnapshot(snapshot);
  ExecSimpleRelationUpdate(target, estate, &epq, locked, slot);
  PopActiveSnapshot();
  HeapTuple written = ExecCopySlotHeapTuple(slot);
  EvalPlanQualEnd(&epq);
  ExecCloseIndices(target);
  ExecResetTupleTable(estate->es_tupleTable, false);
  FreeExecutorState(estate);
  ExecDropSingleTupleTableSlot(slot);
  return written;
}

// The job as found (or moved), copied out of the buffer it was read from.
void settle(Move& m, HeapTuple tuple, TupleDesc desc, const JobAttnums& cols) {
  m.found = true;
  m.row = JobRow{tuple, desc, 0, cols.job_columns};
  m.state = row_state(m.row);
  m.has_executor = row_executor(m.row, &m.executor);
}

}  // namespace

Move move_job(Operation op, Datum id, Datum value, bool value_null,
              const std::string_view* fence) {
  Move m{};
  if (IsolationUsesXactSnapshot()) return m;
  const JobsRelation& relation = jobs_relation();
  const Access access = caller_access(relation);
  if (access == Access::kSqlPathNeeded) return m;
  // The locks the UPDATE takes, held to the end of the transaction.
  Relation jobs = table_open(relation.table, RowExclusiveLock);
  if (needs_sql(jobs)) {
    table_close(jobs, NoLock);
    return m;
  }
  Relation primary_key = index_open(relation.primary_key, RowExclusiveLock);
  const JobAttnums& cols = job_attnums(jobs);
  TupleDesc desc = CreateTupleDescCopy(RelationGetDescr(jobs));
  const Guard guard{op, id, fence, access};
  m.usable = true;

  // As SPI does before a statement that may write: earlier changes of this
  // statement (another call in the same SELECT list) become visible.
  CommandCounterIncrement();
  Snapshot snapshot = RegisterSnapshot(GetTransactionSnapshot());
  ScanKeyData key;
  ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_UUID_EQ, id);
  IndexScanDesc scan = index_beginscan(jobs, primary_key, snapshot, 1, 0);
  index_rescan(scan, &key, 1, nullptr, 0);
  TupleTableSlot* seen = table_slot_create(jobs, nullptr);
  TupleTableSlot* locked = table_slot_create(jobs, nullptr);
  bool is_null;
  if (!index_getnext_slot(scan, ForwardScanDirection, seen) ||
      !visible_to(access, slot_getattr(seen, cols.company_id, &is_null))) {
    // not found: m.found stays false
  } else if (!passes(guard, seen, cols)) {
    settle(m, ExecCopySlotHeapTuple(seen), desc, cols);  // no lock, as UPDATE
  } else {
    TM_FailureData failure;
    const TM_Result lock = table_tuple_lock(
        jobs, &seen->tts_tid, snapshot, locked, GetCurrentCommandId(true),
        LockTupleNoKeyExclusive, LockWaitBlock,
        TUPLE_LOCK_FLAG_FIND_LAST_VERSION, &failure);
    if (lock == TM_Ok && !passes(guard, locked, cols)) {
      // Changed meanwhile: the newest version fails the guard (it stays
      // locked, as after EvalPlanQual).
      settle(m, ExecCopySlotHeapTuple(locked), desc, cols);
    } else if (lock == TM_Ok) {
      HeapTuple next = new_version(locked, desc, cols, op, value, value_null);
      settle(m, update_row(jobs, snapshot, locked, next), desc, cols);
      m.moved = true;
    } else if (lock != TM_Deleted) {
      m.usable = false;  // modified by this command: as the SQL path says
    }
  }
  ExecDropSingleTupleTableSlot(locked);
  ExecDropSingleTupleTableSlot(seen);
  index_endscan(scan);
  UnregisterSnapshot(snapshot);
  index_close(primary_key, NoLock);
  table_close(jobs, NoLock);
  return m;
}

}  // namespace jc::pg
