// The one place where PostgreSQL's major versions differ for job_control:
// each function here stands for one server API whose signature or meaning
// changed between 15 and 18, and reads the same on every major. Checked
// against each major's headers and executor source (REL_15_STABLE ..
// REL_18_STABLE); the Makefile refuses any other major.
#pragma once

#include "postgres_headers.hpp"

extern "C" {
#include "access/genam.h"
#include "catalog/dependency.h"
#include "commands/sequence.h"
#include "commands/vacuum.h"
#include "executor/executor.h"
#include "storage/bufmgr.h"
#if PG_VERSION_NUM >= 170000
#include "storage/dsm_registry.h"
#endif
#include "utils/rel.h"
}

#if PG_VERSION_NUM < 150000 || PG_VERSION_NUM >= 190000
#error "job_control supports PostgreSQL 15, 16, 17 and 18"
#endif

namespace jc::pg::compat {

// index_beginscan: 18 takes an instrumentation struct (none here).
inline IndexScanDesc index_begin_scan(Relation table, Relation index,
                                      Snapshot snapshot, int key_count) {
#if PG_VERSION_NUM >= 180000
  return index_beginscan(table, index, snapshot, nullptr, key_count, 0);
#else
  return index_beginscan(table, index, snapshot, key_count, 0);
#endif
}

// RelationGetPrimaryKeyIndex: 18 may return a deferrable key when asked;
// the calls without SQL need one checked immediately, as on 15-17.
inline Oid primary_key_index(Relation rel) {
#if PG_VERSION_NUM >= 180000
  return RelationGetPrimaryKeyIndex(rel, false);
#else
  return RelationGetPrimaryKeyIndex(rel);
#endif
}

// getIdentitySequence: 17 takes the relation instead of its OID.
inline Oid identity_sequence(Relation rel, AttrNumber attnum) {
#if PG_VERSION_NUM >= 170000
  return getIdentitySequence(rel, attnum, false);
#else
  return getIdentitySequence(RelationGetRelid(rel), attnum, false);
#endif
}

// ExecCheckIndexConstraints: 18 takes the id of a row to ignore; an insert
// passes an invalid one, as ExecInsert does.
inline bool no_index_conflict(ResultRelInfo* target, TupleTableSlot* slot,
                              EState* estate, ItemPointer conflict,
                              List* arbiters) {
#if PG_VERSION_NUM >= 180000
  ItemPointerData none;
  ItemPointerSetInvalid(&none);
  return ExecCheckIndexConstraints(target, slot, estate, conflict, &none,
                                   arbiters);
#else
  return ExecCheckIndexConstraints(target, slot, estate, conflict, arbiters);
#endif
}

// ExecInsertIndexTuples of a speculative insertion: 16 adds
// onlySummarizing (false: an insert writes every index).
inline List* insert_index_entries_speculatively(ResultRelInfo* target,
                                                TupleTableSlot* slot,
                                                EState* estate,
                                                bool* conflicted,
                                                List* arbiters) {
#if PG_VERSION_NUM >= 160000
  return ExecInsertIndexTuples(target, slot, estate, false, true, conflicted,
                               arbiters, false);
#else
  return ExecInsertIndexTuples(target, slot, estate, false, true, conflicted,
                               arbiters);
#endif
}

// EvalPlanQualInit: 16 takes the result relations (none: the row is
// locked before the update, EvalPlanQual never runs).
inline void init_unused_epq(EPQState* epq, EState* estate) {
#if PG_VERSION_NUM >= 160000
  EvalPlanQualInit(epq, estate, nullptr, NIL, -1, NIL);
#else
  EvalPlanQualInit(epq, estate, nullptr, NIL, -1);
#endif
}

// The range table of an UPDATE of `rel` whose SET list names `updated`
// (which decides the row lock's strength, the trigger's tg_updatedcols and
// the index AMs' hint that a key did not change). 16 moved the columns from
// the range table entry to an RTEPermissionInfo; 18 adds the set of
// unpruned relations.
inline void init_update_range_table(EState* estate, Relation rel,
                                    Bitmapset* updated) {
  RangeTblEntry* rte = makeNode(RangeTblEntry);
  rte->rtekind = RTE_RELATION;
  rte->relid = RelationGetRelid(rel);
  rte->relkind = RELKIND_RELATION;
  rte->rellockmode = RowExclusiveLock;
#if PG_VERSION_NUM >= 160000
  RTEPermissionInfo* permission = makeNode(RTEPermissionInfo);
  permission->relid = RelationGetRelid(rel);
  permission->requiredPerms = ACL_UPDATE;
  permission->updatedCols = updated;
  rte->perminfoindex = 1;
#if PG_VERSION_NUM >= 180000
  ExecInitRangeTable(estate, list_make1(rte), list_make1(permission),
                     bms_make_singleton(1));
#else
  ExecInitRangeTable(estate, list_make1(rte), list_make1(permission));
#endif
#else
  rte->requiredPerms = ACL_UPDATE;
  rte->updatedCols = updated;
  ExecInitRangeTable(estate, list_make1(rte));
#endif
}

// The result relation's prepared CHECK expressions, which ExecRelCheck
// fills when empty: renamed ri_CheckConstraintExprs in 18.
inline ExprState**& check_constraint_exprs(ResultRelInfo* target) {
#if PG_VERSION_NUM >= 180000
  return target->ri_CheckConstraintExprs;
#else
  return target->ri_ConstraintExprs;
#endif
}

// Whether the executor checks this CHECK constraint: 18 has NOT ENFORCED
// ones, which ExecRelCheck skips (leaving their expression NULL).
inline bool check_is_enforced([[maybe_unused]] const ConstrCheck& check) {
#if PG_VERSION_NUM >= 180000
  return check.ccenforced;
#else
  return true;
#endif
}

// Whether CHECK expressions need virtual generated columns expanded before
// they run (18's ExecRelCheck does so); no such columns before 18.
inline bool has_virtual_generated_columns(
    [[maybe_unused]] const TupleConstr* constr) {
#if PG_VERSION_NUM >= 180000
  return constr != nullptr && constr->has_generated_virtual;
#else
  return false;
#endif
}

// vacuum() of the relations in `relations`: 16 takes the memory context
// that holds them across the transactions vacuum() commits (before 16,
// vacuum() made its own and copied the list into it).
inline void vacuum_relations(List* relations, VacuumParams* params,
                             BufferAccessStrategy strategy,
                             [[maybe_unused]] MemoryContext kept) {
#if PG_VERSION_NUM >= 160000
  vacuum(relations, params, strategy, kept, true);
#else
  vacuum(relations, params, strategy, true);
#endif
}

// The buffer ring of a VACUUM as autovacuum takes it: 16 sizes it by the
// setting vacuum_buffer_usage_limit (GetAccessStrategy's fixed size would
// ignore it).
inline BufferAccessStrategy vacuum_strategy() {
#if PG_VERSION_NUM >= 160000
  return GetAccessStrategyWithSize(BAS_VACUUM, VacuumBufferUsageLimit);
#else
  return GetAccessStrategy(BAS_VACUUM);
#endif
}

// The options of a plain VACUUM of a table and its TOAST table: 16 made
// the main relation an option of its own (VACOPT_PROCESS_MAIN), without
// which vacuum() skips it and does nothing.
inline constexpr bits32 kPlainVacuumOptions =
#if PG_VERSION_NUM >= 160000
    VACOPT_VACUUM | VACOPT_PROCESS_MAIN | VACOPT_PROCESS_TOAST;
#else
    VACOPT_VACUUM | VACOPT_PROCESS_TOAST;
#endif

// The defaults a plain VACUUM takes for the fields that later majors added
// to VacuumParams (18: the eager freezing rate, from its setting).
inline void set_vacuum_defaults([[maybe_unused]] VacuumParams* params) {
#if PG_VERSION_NUM >= 180000
  params->max_eager_freeze_failure_rate = vacuum_max_eager_freeze_failure_rate;
#endif
}

// Shared memory found by name, made by the first backend that asks:
// 17 has a registry of named segments (GetNamedDSMSegment); before it a
// library gets shared memory only when the server preloads it, so this
// returns nullptr.
inline void* named_shared_memory([[maybe_unused]] const char* name,
                                 [[maybe_unused]] Size size,
                                 [[maybe_unused]] void (*init)(void*)) {
#if PG_VERSION_NUM >= 170000
  bool found;
  return GetNamedDSMSegment(name, size, init, &found);
#else
  return nullptr;
#endif
}

}  // namespace jc::pg::compat
