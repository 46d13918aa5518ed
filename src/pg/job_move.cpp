#include "job_move.hpp"

extern "C" {
#include "access/sysattr.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_language.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_trigger.h"
#include "executor/executor.h"
#include "nodes/readfuncs.h"
#include "optimizer/optimizer.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
}

#include "caller_access.hpp"
#include "call_support.hpp"
#include "catalog_cache.hpp"
#include "jsonb_build.hpp"
#include "key_lookup.hpp"
#include "pg_compat.hpp"

namespace jc::pg {

namespace {

// The extension's jobs_maintain trigger: BEFORE ROW, for every column, no
// WHEN, its C function in schema job_control.
bool is_own_maintain_trigger(const Trigger& t) {
  if (std::string_view(t.tgname) != "jobs_maintain" ||
      !TRIGGER_FOR_ROW(t.tgtype) || !TRIGGER_FOR_BEFORE(t.tgtype) ||
      t.tgnattr != 0 || t.tgqual != nullptr) {
    return false;
  }
  HeapTuple proc = SearchSysCache1(PROCOID, ObjectIdGetDatum(t.tgfoid));
  if (!HeapTupleIsValid(proc)) return false;
  const auto* f = reinterpret_cast<Form_pg_proc>(GETSTRUCT(proc));
  const bool ours = f->prolang == ClanguageId &&
                    std::string_view(NameStr(f->proname)) == "jobs_maintain" &&
                    f->pronamespace == job_control_schema();
  ReleaseSysCache(proc);
  return ours;
}

// The jobs table's CHECK constraints, prepared once per backend. The
// executor reads their stored text and plans them again for every statement
// that writes the table (ExecRelCheck), a fifth of a move's work. They are
// prepared here as ExecRelCheck prepares them (stringToNode,
// expression_planner, ExecInitExpr; a NOT ENFORCED one left out) and handed
// to it through its array of prepared checks, which it fills only when
// empty; dropped by any invalidation of the table (a constraint added,
// dropped, validated) or of a function (an inlined SQL function may change,
// EXECUTE granted or revoked). Preparing a function call checks the current
// role's EXECUTE privilege on it, so they are prepared for one role and
// prepared again when another calls (a pooled backend serves many). An
// ExprState is not re-entrant: a move nested in another (a CHECK or trigger
// function that moves a job) lets the executor prepare its own.
struct PreparedChecks {
  Oid table;  // InvalidOid: not prepared
  Oid role;   // the role they were prepared for
  ExprState** states;
  MemoryContext memory;
  int in_use;
};
PreparedChecks g_checks{InvalidOid, InvalidOid, nullptr, nullptr, 0};

void forget_checks_of(Datum, Oid relid) {
  if (relid == InvalidOid || relid == g_checks.table) {
    g_checks.table = InvalidOid;
  }
}

void forget_checks(Datum, int, uint32) { g_checks.table = InvalidOid; }

// The prepared CHECKs of `jobs`, or nullptr: then the executor prepares them.
ExprState** prepared_checks(Relation jobs) {
  const TupleConstr* constr = RelationGetDescr(jobs)->constr;
  if (g_checks.in_use > 0 || constr == nullptr || constr->num_check == 0 ||
      constr->num_check != jobs->rd_rel->relchecks ||
      compat::has_virtual_generated_columns(constr)) {
    return nullptr;  // nested, none, a catalog ExecRelCheck reports, or
                     // expressions it rewrites first
  }
  if (g_checks.table == RelationGetRelid(jobs) &&
      g_checks.role == GetUserId()) {
    return g_checks.states;
  }
  if (g_checks.memory == nullptr) {
    g_checks.memory = AllocSetContextCreate(CacheMemoryContext,
                                            "job_control CHECK constraints",
                                            ALLOCSET_SMALL_SIZES);
  } else {
    MemoryContextReset(g_checks.memory);
  }
  const MemoryContext caller = MemoryContextSwitchTo(g_checks.memory);
  auto** states = static_cast<ExprState**>(
      palloc0(sizeof(ExprState*) * static_cast<Size>(constr->num_check)));
  for (int i = 0; i < constr->num_check; ++i) {
    if (!compat::check_is_enforced(constr->check[i])) continue;
    auto* check = static_cast<Expr*>(stringToNode(constr->check[i].ccbin));
    states[i] = ExecInitExpr(expression_planner(check), nullptr);
  }
  MemoryContextSwitchTo(caller);
  g_checks.states = states;
  g_checks.table = RelationGetRelid(jobs);
  g_checks.role = GetUserId();
  return states;
}

// The guard of the SQL path's UPDATE, checked on one version of the row.
struct Guard {
  Operation op;
  Datum id;
  const std::string_view* fence;
  Access access;
};

// What the UPDATE's scan makes of a version: not the caller's job (another
// id after a hand-made change, or another company's), the job but the guard
// fails, or the job to move.
enum class Verdict { kNotTheJob, kStays, kMoves };

Verdict judge(const Guard& g, TupleTableSlot* slot, const JobAttnums& cols) {
  bool is_null;
  const Datum id = slot_getattr(slot, cols.job_id, &is_null);
  if (is_null || !same_uuid(id, g.id) ||
      !visible_to(g.access, slot_getattr(slot, cols.company_id, &is_null))) {
    return Verdict::kNotTheJob;
  }
  const JobState state =
      enum_job_state(slot_getattr(slot, cols.state, &is_null));
  if (g.fence != nullptr) {
    const Datum executor = slot_getattr(slot, cols.executor, &is_null);
    if (is_null || text_view(executor) != *g.fence) return Verdict::kStays;
  }
  return decide(g.op, state).effect == Effect::kMove ? Verdict::kMoves
                                                     : Verdict::kStays;
}

// A copy of the slot's row with every column stored, missing ones (added
// with a default after the row was written) filled in: the copy is read
// later with a descriptor that has no defaults.
HeapTuple full_copy(TupleTableSlot* slot) {
  slot_getallattrs(slot);
  return heap_form_tuple(slot->tts_tupleDescriptor, slot->tts_values,
                         slot->tts_isnull);
}

// The new version as the SQL path's SET list makes it from `old`, and the
// columns that list names (as a range table entry holds them).
HeapTuple new_version(TupleTableSlot* old, const JobAttnums& cols, Operation op,
                      Datum value, bool value_null, Bitmapset** updated) {
  bool is_null;
  const JobState from = enum_job_state(slot_getattr(old, cols.state, &is_null));
  int attnums[3] = {cols.state, 0, 0};
  const Oid target = job_state_value(decide(op, from).target);
  if (!OidIsValid(target)) elog(ERROR, "job_control: job_state is incomplete");
  Datum values[3] = {ObjectIdGetDatum(target), value, Datum(0)};
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
      values[1] = nulls[1] ? Datum(0) : jsonb_concatenated(failures, value);
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
  for (int i = 0; i < count; ++i) {
    *updated = bms_add_member(*updated,
                              attnums[i] - FirstLowInvalidHeapAttributeNumber);
  }
  // The table's own descriptor: a column added with a default after the row
  // was written is not stored in it, and only that descriptor knows the
  // default to carry into the new version.
  bool should_free;
  HeapTuple tuple = ExecFetchSlotHeapTuple(old, false, &should_free);
  return heap_modify_tuple_by_cols(tuple, old->tts_tupleDescriptor, count,
                                   attnums, values, nulls);
}

// Writes `next` over the locked version `locked` as ExecUpdate would, BEFORE
// ROW trigger included; returns the version written (the trigger's).
HeapTuple update_row(Relation jobs, Snapshot snapshot, TupleTableSlot* locked,
                     HeapTuple next, Bitmapset* updated) {
  TupleTableSlot* slot =
      MakeSingleTupleTableSlot(RelationGetDescr(jobs), &TTSOpsHeapTuple);
  ExecStoreHeapTuple(next, slot, false);
  EState* estate = CreateExecutorState();
  estate->es_snapshot = snapshot;
  estate->es_output_cid = GetCurrentCommandId(true);
  // The table as the statement's range table would hold it: the updated
  // columns decide the row lock's strength, the trigger's tg_updatedcols
  // and the index AMs' hint that a key did not change.
  compat::init_update_range_table(estate, jobs, updated);
  ResultRelInfo* target = makeNode(ResultRelInfo);
  InitResultRelInfo(target, jobs, 1, nullptr, 0);
  ExecOpenIndices(target, false);
  EPQState epq;  // unused: the row is locked, no newer version can appear
  compat::init_unused_epq(&epq, estate);
  ExprState**& checks = compat::check_constraint_exprs(target);
  checks = prepared_checks(jobs);
  const bool own_checks = checks != nullptr;
  if (own_checks) ++g_checks.in_use;
  PushActiveSnapshot(snapshot);
  PG_TRY();
  { ExecSimpleRelationUpdate(target, estate, &epq, locked, slot); }
  PG_FINALLY();
  {
    if (own_checks) --g_checks.in_use;
  }
  PG_END_TRY();
  PopActiveSnapshot();
  // Formed with every column by heap_modify_tuple_by_cols (new_version's
  // and the trigger's): a plain copy is whole.
  HeapTuple written = ExecCopySlotHeapTuple(slot);
  EvalPlanQualEnd(&epq);
  ExecCloseIndices(target);
  ExecResetTupleTable(estate->es_tupleTable, false);
  ExecCloseRangeTableRelations(estate);
  FreeExecutorState(estate);
  ExecDropSingleTupleTableSlot(slot);
  return written;
}

// The job as found (or moved), copied out of the buffer it was read from.
void settle(Attempt& a, HeapTuple tuple, TupleDesc desc,
            const JobAttnums& cols) {
  found_job(a, JobRow{tuple, desc, 0, cols.job_columns});
}

}  // namespace

void found_job(Attempt& attempt, const JobRow& row) {
  attempt.found = true;
  attempt.row = row;
  attempt.state = row_state(row);
  attempt.has_executor = row_executor(row, &attempt.executor);
}

void register_prepared_checks() {
  CacheRegisterRelcacheCallback(forget_checks_of, Datum(0));
  CacheRegisterSyscacheCallback(PROCOID, forget_checks, Datum(0));
}

HeapTuple move_locked(Relation jobs, Snapshot snapshot, TupleTableSlot* locked,
                      Operation op, Datum value, bool value_null) {
  Bitmapset* updated = nullptr;
  HeapTuple next =
      new_version(locked, job_attnums(jobs), op, value, value_null, &updated);
  return update_row(jobs, snapshot, locked, next, updated);
}

bool updates_plainly(Relation jobs) {
  const Form_pg_class c = jobs->rd_rel;
  if (c->relkind != RELKIND_RELATION || c->relispartition ||
      jobs->rd_rules != nullptr) {
    return false;
  }
  const TriggerDesc* triggers = jobs->trigdesc;
  for (int i = 0; triggers != nullptr && i < triggers->numtriggers; ++i) {
    const Trigger& t = triggers->triggers[i];
    if (TRIGGER_FOR_UPDATE(t.tgtype) && !is_own_maintain_trigger(t)) {
      return false;
    }
  }
  return true;
}

bool move_job(Operation op, Datum id, Datum value, bool value_null,
              const std::string_view* fence, Attempt* attempt) {
  if (IsolationUsesXactSnapshot()) return false;
  // The locks the UPDATE takes.
  const OpenJobs open = open_jobs(RowExclusiveLock);
  if (open.table == nullptr) return false;
  if (!open.facts.updates_plainly) {
    close_jobs(open);
    return false;
  }
  Relation jobs = open.table;
  const Access access = open.access;
  const JobAttnums& cols = job_attnums(jobs);
  TupleDesc desc = CreateTupleDescCopy(RelationGetDescr(jobs));
  const Guard guard{op, id, fence, access};
  Attempt& a = *attempt;
  a = Attempt{};
  bool usable = true;

  // As the statement finds it: another call in the same SELECT list may
  // have changed it.
  const KeyLookup lookup = begin_key_lookup(jobs, open.primary_key, id);
  const Snapshot snapshot = lookup.snapshot;
  TupleTableSlot* seen = lookup.row;
  TupleTableSlot* locked = table_slot_create(jobs, nullptr);
  const Verdict seen_verdict =
      lookup.found ? judge(guard, seen, cols) : Verdict::kNotTheJob;
  if (seen_verdict == Verdict::kStays) {
    settle(a, full_copy(seen), desc, cols);  // no lock, as UPDATE
  } else if (seen_verdict == Verdict::kMoves) {
    TM_FailureData failure;
    const TM_Result lock = table_tuple_lock(
        jobs, &seen->tts_tid, snapshot, locked, GetCurrentCommandId(true),
        LockTupleNoKeyExclusive, LockWaitBlock,
        TUPLE_LOCK_FLAG_FIND_LAST_VERSION, &failure);
    // The newest version, locked, is judged again (as by EvalPlanQual); one
    // that no longer passes stays locked, as after EvalPlanQual.
    const Verdict newest =
        lock == TM_Ok ? judge(guard, locked, cols) : Verdict::kNotTheJob;
    if (newest == Verdict::kStays) {
      settle(a, full_copy(locked), desc, cols);
    } else if (newest == Verdict::kMoves) {
      settle(a, move_locked(jobs, snapshot, locked, op, value, value_null),
             desc, cols);
      a.moved = true;
    } else if (lock != TM_Ok && lock != TM_Deleted) {
      usable = false;  // modified by this very command: the SQL path says
    }
  }
  ExecDropSingleTupleTableSlot(locked);
  end_key_lookup(lookup);
  close_jobs(open);
  return usable;
}

}  // namespace jc::pg
