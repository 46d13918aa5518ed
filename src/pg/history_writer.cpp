#include "history_writer.hpp"

extern "C" {
#include "access/table.h"
#include "executor/executor.h"
#include "utils/inval.h"
#include "utils/rel.h"
}

#include <cstring>

#include "owner_spi.hpp"

namespace jc::pg {

namespace {

// The table's columns in the order the extension created them; the row is
// filled by position. kStateType marks the two job_state columns.
constexpr Oid kStateType = InvalidOid;
struct Column {
  const char* name;
  Oid type;
};
constexpr Column kColumns[] = {{"job_id", UUIDOID},
                               {"company_id", INT8OID},
                               {"from_state", kStateType},
                               {"to_state", kStateType},
                               {"transitioned_at", TIMESTAMPTZOID},
                               {"role", TEXTOID},
                               {"executor", TEXTOID}};
constexpr int kColumnCount = sizeof(kColumns) / sizeof(kColumns[0]);

// The table, whether its columns are kColumns and the job_state value of
// each JobState (the history stores enum values, not labels). Dropped by any
// invalidation of the table or of an enum value.
struct Layout {
  bool known;
  Oid table;
  bool usable;  // the columns and the state labels are the extension's
  Oid state_values[kAllStates.size()];
};
Layout g_layout{};

void forget_layout_of(Datum, Oid relid) {
  if (relid == InvalidOid || relid == g_layout.table) g_layout.known = false;
}

void forget_layout(Datum, int, uint32) { g_layout.known = false; }

bool has_columns(Relation rel, Oid state_type) {
  const TupleDesc desc = RelationGetDescr(rel);
  if (desc->natts != kColumnCount) return false;
  for (int i = 0; i < kColumnCount; ++i) {
    const Form_pg_attribute att = TupleDescAttr(desc, i);
    const Oid type =
        kColumns[i].type == kStateType ? state_type : kColumns[i].type;
    if (att->attisdropped || att->attgenerated != '\0' ||
        att->atttypid != type ||
        std::strcmp(NameStr(att->attname), kColumns[i].name) != 0) {
      return false;
    }
  }
  return true;
}

Layout read_layout(Oid schema, Oid table) {
  Layout found{true, table, false, {}};
  const Oid state_type =
      GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
                      CStringGetDatum("job_state"), ObjectIdGetDatum(schema));
  if (!OidIsValid(state_type)) return found;
  Relation rel = table_open(table, AccessShareLock);
  found.usable = has_columns(rel, state_type);
  table_close(rel, NoLock);
  for (const JobState state : kAllStates) {
    const Oid value = GetSysCacheOid2(
        ENUMTYPOIDNAME, Anum_pg_enum_oid, ObjectIdGetDatum(state_type),
        CStringGetDatum(state_name(state).data()));
    found.state_values[static_cast<int>(state)] = value;
    found.usable = found.usable && OidIsValid(value);
  }
  return found;
}

// The layout, or nullptr when the row must be written with SQL. A missing
// table is looked up again on every call (an extension update may create
// it, and no invalidation would name it).
const Layout* layout() {
  if (!g_layout.known) {
    const Oid schema = get_namespace_oid("job_control", true);
    const Oid table = OidIsValid(schema)
                          ? get_relname_relid("job_transitions", schema)
                          : InvalidOid;
    if (!OidIsValid(table)) return nullptr;
    g_layout = read_layout(schema, table);
  }
  return g_layout.usable ? &g_layout : nullptr;
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

Datum state_value(const Layout& l, JobState state) {
  return ObjectIdGetDatum(l.state_values[static_cast<int>(state)]);
}

}  // namespace

void register_history_writer() {
  CacheRegisterRelcacheCallback(forget_layout_of, Datum(0));
  CacheRegisterSyscacheCallback(ENUMOID, forget_layout, Datum(0));
}

bool insert_history_directly(const TransitionEvent& e, const char* role) {
  const Layout* before = layout();
  if (before == nullptr) return false;
  const Oid table = before->table;
  if (pg_class_aclcheck(table, e.owner, ACL_INSERT) != ACLCHECK_OK) {
    return false;
  }
  // Locking the table applies the invalidations queued before the lock: the
  // layout is read again, and must still be this table's.
  Relation rel = try_table_open(table, RowExclusiveLock);
  if (rel == nullptr) return false;
  const Layout* l = layout();
  if (l == nullptr || l->table != table || needs_sql(rel, e.owner)) {
    table_close(rel, NoLock);
    return false;
  }
  TupleTableSlot* slot =
      MakeSingleTupleTableSlot(RelationGetDescr(rel), &TTSOpsVirtual);
  Datum* values = slot->tts_values;
  bool* nulls = slot->tts_isnull;
  values[0] = e.job_id;
  values[1] = e.company_id;
  values[2] = e.from ? state_value(*l, *e.from) : Datum(0);
  values[3] = state_value(*l, e.to);
  values[4] = TimestampTzGetDatum(e.at);
  values[5] = CStringGetTextDatum(role);
  values[6] = e.executor;
  std::memset(nulls, 0, kColumnCount * sizeof(bool));
  nulls[2] = e.from == nullptr;
  nulls[6] = !e.has_executor;
  ExecStoreVirtualTuple(slot);

  EState* estate = CreateExecutorState();
  ResultRelInfo* target = makeNode(ResultRelInfo);
  InitResultRelInfo(target, rel, 0, nullptr, 0);
  ExecOpenIndices(target, false);
  // As the owner, as the SQL INSERT would run: index expressions and CHECK
  // constraints a DBA added see the owner's rights.
  as_user(e.owner, [&] { ExecSimpleRelationInsert(target, estate, slot); });
  ExecCloseIndices(target);
  FreeExecutorState(estate);
  ExecDropSingleTupleTableSlot(slot);
  table_close(rel, NoLock);
  return true;
}

}  // namespace jc::pg
