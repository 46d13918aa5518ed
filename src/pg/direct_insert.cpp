#include "direct_insert.hpp"

extern "C" {
#include "access/table.h"
#include "catalog/dependency.h"
#include "commands/sequence.h"
#include "executor/executor.h"
#include "utils/inval.h"
#include "utils/rel.h"
}

#include <cstring>
#include <iterator>

#include "catalog_cache.hpp"
#include "owner_spi.hpp"

namespace jc::pg {

namespace {

// kJobStateType marks a column of type job_control.job_state.
constexpr Oid kJobStateType = InvalidOid;
struct Column {
  const char* name;
  Oid type;
  bool identity;  // GENERATED ... AS IDENTITY
};

// The tables' columns in the order the extension created them: rows are
// filled by position.
constexpr Column kHistoryColumns[] = {
    {"job_id", UUIDOID, false},
    {"company_id", INT8OID, false},
    {"from_state", kJobStateType, false},
    {"to_state", kJobStateType, false},
    {"transitioned_at", TIMESTAMPTZOID, false},
    {"role", TEXTOID, false},
    {"executor", TEXTOID, false}};
constexpr Column kQueueColumns[] = {{"id", INT8OID, true},
                                    {"payload", TEXTOID, false}};

// A table's definition and the per-backend cache of what was found of it,
// dropped by any invalidation of the table.
struct Target {
  const char* name;  // in schema job_control
  const Column* columns;
  int column_count;
  bool known;
  Oid table;
  bool usable;            // its columns are `columns`
  Oid identity_sequence;  // InvalidOid: no identity column
  int identity_column;
};

Target g_targets[] = {
    {"job_transitions", kHistoryColumns,
     static_cast<int>(std::size(kHistoryColumns)), false, InvalidOid, false,
     InvalidOid, -1},
    {"job_notifications", kQueueColumns,
     static_cast<int>(std::size(kQueueColumns)), false, InvalidOid, false,
     InvalidOid, -1},
};

void forget_layout(Datum, Oid relid) {
  for (Target& t : g_targets) {
    if (relid == InvalidOid || relid == t.table) t.known = false;
  }
}

bool has_column(Form_pg_attribute att, const Column& column, Oid state_type) {
  const Oid type = column.type == kJobStateType ? state_type : column.type;
  return !att->attisdropped && att->attgenerated == '\0' &&
         att->atttypid == type &&
         (att->attidentity != '\0') == column.identity &&
         std::strcmp(NameStr(att->attname), column.name) == 0;
}

void read_layout(Target& t, Oid table) {
  t.known = true;
  t.table = table;
  t.usable = false;
  t.identity_sequence = InvalidOid;
  t.identity_column = -1;
  const Oid state_type = job_state_type();
  Relation rel = table_open(table, AccessShareLock);
  const TupleDesc desc = RelationGetDescr(rel);
  bool same = desc->natts == t.column_count;
  for (int i = 0; same && i < t.column_count; ++i) {
    same = has_column(TupleDescAttr(desc, i), t.columns[i], state_type);
    if (same && t.columns[i].identity) {
      t.identity_column = i;
      t.identity_sequence =
          getIdentitySequence(table, static_cast<AttrNumber>(i + 1), false);
    }
  }
  table_close(rel, NoLock);
  t.usable = same;
}

// The target's layout, or nullptr when the row must be written with SQL. A
// missing table is looked up again on every call (an extension update may
// create it, and no invalidation would name it).
const Target* layout(Target& t) {
  if (!t.known) {
    const Oid table = job_control_relation(t.name);
    if (!OidIsValid(table)) return nullptr;
    read_layout(t, table);
  }
  return t.usable ? &t : nullptr;
}

// What the SQL INSERT would do besides the row, its indexes and constraints:
// fire triggers, apply rules, route to a partition, check row security (the
// table's owner is exempt from its policies unless they are forced).
bool needs_sql(Relation rel, Oid writer) {
  const Form_pg_class c = rel->rd_rel;
  const bool policies_apply =
      c->relrowsecurity && (c->relforcerowsecurity || c->relowner != writer);
  return c->relkind != RELKIND_RELATION || c->relispartition ||
         policies_apply || rel->rd_rules != nullptr || rel->trigdesc != nullptr;
}

void insert_row(Relation rel, const Target& t, Oid writer, const Datum* values,
                const bool* nulls) {
  TupleTableSlot* slot =
      MakeSingleTupleTableSlot(RelationGetDescr(rel), &TTSOpsVirtual);
  std::memcpy(slot->tts_values, values, t.column_count * sizeof(Datum));
  std::memcpy(slot->tts_isnull, nulls, t.column_count * sizeof(bool));
  EState* estate = CreateExecutorState();
  ResultRelInfo* target = makeNode(ResultRelInfo);
  InitResultRelInfo(target, rel, 0, nullptr, 0);
  ExecOpenIndices(target, false);
  // As the writer, as the SQL INSERT would run: the identity's sequence,
  // index expressions and CHECK constraints a DBA added see its rights.
  as_user(writer, [&] {
    if (t.identity_column >= 0) {
      slot->tts_values[t.identity_column] =
          Int64GetDatum(nextval_internal(t.identity_sequence, true));
      slot->tts_isnull[t.identity_column] = false;
    }
    ExecStoreVirtualTuple(slot);
    ExecSimpleRelationInsert(target, estate, slot);
  });
  ExecCloseIndices(target);
  FreeExecutorState(estate);
  ExecDropSingleTupleTableSlot(slot);
}

}  // namespace

void register_direct_tables() {
  CacheRegisterRelcacheCallback(forget_layout, Datum(0));
}

bool insert_directly(DirectTable which, Oid writer, const Datum* values,
                     const bool* nulls) {
  Target& t = g_targets[static_cast<int>(which)];
  const Target* before = layout(t);
  if (before == nullptr) return false;
  const Oid table = before->table;
  if (pg_class_aclcheck(table, writer, ACL_INSERT) != ACLCHECK_OK) {
    return false;
  }
  // Locking the table applies the invalidations queued before the lock: the
  // layout is read again, and must still be this table's.
  Relation rel = try_table_open(table, RowExclusiveLock);
  if (rel == nullptr) return false;
  const Target* now = layout(t);
  const bool direct =
      now != nullptr && now->table == table && !needs_sql(rel, writer);
  if (direct) insert_row(rel, t, writer, values, nulls);
  table_close(rel, NoLock);
  return direct;
}

}  // namespace jc::pg
