#include "catalog_cache.hpp"

extern "C" {
#include "access/relation.h"
#include "access/table.h"
#include "catalog/pg_am.h"
#include "commands/defrem.h"
#include "utils/inval.h"
#include "utils/rel.h"
}

#include <algorithm>
#include <cstring>

#include "job_move.hpp"
#include "job_row.hpp"
#include "pg_compat.hpp"
#include "tenant_policy.hpp"

namespace jc::pg {

namespace {

// Enum labels: a small open-addressing table; the extension's enums have ten
// values in all.
constexpr int kEnumSlots = 64;
struct EnumEntry {
  Oid oid;  // InvalidOid: free
  NameData label;
  int state;  // the JobState of a job_state label, else -1
};
EnumEntry g_enums[kEnumSlots];

// The reverse: the value of each job state, read together.
bool g_state_values_known = false;
Oid g_state_values[kAllStates.size()];

void forget_enums(Datum, int, uint32) {
  for (EnumEntry& e : g_enums) e.oid = InvalidOid;
  g_state_values_known = false;
}

EnumEntry read_enum(Oid oid) {
  HeapTuple tuple = SearchSysCache1(ENUMOID, ObjectIdGetDatum(oid));
  if (!HeapTupleIsValid(tuple)) {
    elog(ERROR, "job_control: invalid enum value %u", oid);
  }
  EnumEntry e;
  e.label = reinterpret_cast<Form_pg_enum>(GETSTRUCT(tuple))->enumlabel;
  ReleaseSysCache(tuple);
  const std::optional<JobState> state = parse_state(NameStr(e.label));
  e.state = state ? static_cast<int>(*state) : -1;
  e.oid = oid;
  return e;
}

EnumEntry lookup_enum(Oid oid) {
  for (int i = 0; i < kEnumSlots; ++i) {
    EnumEntry& e = g_enums[(oid + static_cast<Oid>(i)) % kEnumSlots];
    if (e.oid == oid) return e;
    if (e.oid != InvalidOid) continue;
    e = read_enum(oid);
    return e;
  }
  return read_enum(oid);  // the table is full: uncached
}

void read_state_values() {
  const Oid type = job_state_type();
  for (const JobState state : kAllStates) {
    g_state_values[static_cast<int>(state)] =
        OidIsValid(type)
            ? GetSysCacheOid2(ENUMTYPOIDNAME, Anum_pg_enum_oid,
                              ObjectIdGetDatum(type),
                              CStringGetDatum(state_name(state).data()))
            : InvalidOid;
  }
  g_state_values_known = true;
}

// Attribute numbers and OIDs, for the one jobs table of this database.
Oid g_jobs_relid = InvalidOid;
JobAttnums g_attnums;
JobsRelation g_jobs_relation{InvalidOid, InvalidOid, false, false};

QueueRelation g_queue_relation{};

void forget_jobs_table(Datum, Oid relid) {
  if (relid == InvalidOid || relid == g_jobs_relid) g_jobs_relid = InvalidOid;
  if (relid == InvalidOid || relid == g_jobs_relation.table ||
      relid == g_jobs_relation.primary_key) {
    g_jobs_relation = {InvalidOid, InvalidOid, false, false};
  }
  const QueueRelation& q = g_queue_relation;
  if (relid == InvalidOid || relid == q.table || relid == q.order_index ||
      relid == q.type_index || relid == q.plane_index) {
    g_queue_relation = QueueRelation{};
  }
}

int attnum_of(TupleDesc desc, const char* name) {
  const int attnum = SPI_fnumber(desc, name);
  if (attnum <= 0) {
    elog(ERROR, "job_control: jobs table has no column \"%s\"", name);
  }
  return attnum;
}

}  // namespace

Oid job_control_schema() { return get_namespace_oid("job_control", true); }

Oid job_control_relation(const char* name) {
  const Oid schema = job_control_schema();
  return OidIsValid(schema) ? get_relname_relid(name, schema) : InvalidOid;
}

Oid job_control_type(const char* name) {
  const Oid schema = job_control_schema();
  return OidIsValid(schema)
             ? GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
                               CStringGetDatum(name), ObjectIdGetDatum(schema))
             : InvalidOid;
}

Oid job_state_type() { return job_control_type("job_state"); }

void register_catalog_caches() {
  CacheRegisterSyscacheCallback(ENUMOID, forget_enums, Datum(0));
  CacheRegisterRelcacheCallback(forget_jobs_table, Datum(0));
}

const char* enum_label(Datum enum_value) {
  return pstrdup(NameStr(lookup_enum(DatumGetObjectId(enum_value)).label));
}

JobState enum_job_state(Datum enum_value) {
  const EnumEntry e = lookup_enum(DatumGetObjectId(enum_value));
  if (e.state < 0) {
    elog(ERROR, "job_control: \"%s\" is not a job state", NameStr(e.label));
  }
  return static_cast<JobState>(e.state);
}

Oid job_state_value(JobState state) {
  if (!g_state_values_known) read_state_values();
  return g_state_values[static_cast<int>(state)];
}

const JobAttnums& job_attnums(Relation jobs) {
  if (g_jobs_relid != RelationGetRelid(jobs)) {
    TupleDesc desc = RelationGetDescr(jobs);
    JobAttnums a{};
    a.state = attnum_of(desc, "state");
    a.created_at = attnum_of(desc, "created_at");
    a.updated_at = attnum_of(desc, "updated_at");
    a.completed_at = attnum_of(desc, "completed_at");
    a.job_id = attnum_of(desc, "job_id");
    a.company_id = attnum_of(desc, "company_id");
    a.executor = attnum_of(desc, "executor");
    a.failures = attnum_of(desc, "failures");
    // kJobColumns is "name, name, ...": one list of the columns.
    const char* name = kJobColumns;
    for (int c = 1; c <= kJobColumnCount; ++c) {
      const char* end = std::strchr(name, ',');
      const std::size_t len =
          end ? static_cast<std::size_t>(end - name) : std::strlen(name);
      char column[NAMEDATALEN];
      strlcpy(column, name, std::min<std::size_t>(len + 1, NAMEDATALEN));
      a.job_columns[c] = attnum_of(desc, column);
      name = end ? end + 2 : name + len;
    }
    g_attnums = a;
    g_jobs_relid = RelationGetRelid(jobs);
  }
  return g_attnums;
}

JobsRelation jobs_relation() {
  if (g_jobs_relation.table == InvalidOid) {
    const Oid table = job_control_relation("jobs");
    if (table == InvalidOid) {
      elog(ERROR, "job_control: the jobs table is missing");
    }
    Relation jobs = table_open(table, AccessShareLock);
    const Oid key = compat::primary_key_index(jobs);
    const bool plain_key =
        is_plain_heap(jobs) &&
        is_plain_btree(key, table, {{job_attnums(jobs).job_id, UUIDOID}}, true);
    const JobsRelation found{
        table, plain_key ? key : InvalidOid,
        only_tenant_policy(jobs, job_attnums(jobs).company_id),
        updates_plainly(jobs)};
    table_close(jobs, NoLock);
    g_jobs_relation = found;
  }
  return g_jobs_relation;
}

bool is_plain_heap(Relation rel) {
  const Form_pg_class c = rel->rd_rel;
  return c->relkind == RELKIND_RELATION && !c->relispartition &&
         c->relam == HEAP_TABLE_AM_OID && !c->relhassubclass;
}

bool is_plain_btree(Oid index_oid, Oid table,
                    std::initializer_list<KeyColumn> keys, bool unique) {
  if (!OidIsValid(index_oid)) return false;
  Relation index = relation_open(index_oid, AccessShareLock);
  const Form_pg_index form = index->rd_index;
  bool plain = index->rd_rel->relkind == RELKIND_INDEX &&
               index->rd_rel->relam == BTREE_AM_OID &&
               form->indrelid == table && form->indisvalid &&
               form->indnkeyatts == static_cast<int>(keys.size()) &&
               form->indnatts == form->indnkeyatts &&
               (!unique || (form->indisunique && form->indimmediate)) &&
               RelationGetIndexExpressions(index) == NIL &&
               RelationGetIndexPredicate(index) == NIL;
  int column = 0;
  for (const KeyColumn& key : keys) {
    if (!plain) break;
    const Oid opclass = GetDefaultOpClass(key.type, BTREE_AM_OID);
    plain = form->indkey.values[column] == key.attnum && OidIsValid(opclass) &&
            index->rd_opfamily[column] == get_opclass_family(opclass) &&
            index->rd_indoption[column] == 0;
    ++column;
  }
  relation_close(index, NoLock);
  return plain;
}

namespace {

// The attribute number of column `name`, 0 when there is none.
int column_number(Relation rel, const char* name) {
  return std::max(SPI_fnumber(RelationGetDescr(rel), name), 0);
}

// Index `name` of the queue if it is a plain btree on `keys`, and the queue
// a plain heap table (none otherwise: claims then run their statement).
Oid claim_index(const char* name, Relation queue,
                std::initializer_list<KeyColumn> keys) {
  if (!is_plain_heap(queue)) return InvalidOid;
  for (const KeyColumn& key : keys) {
    if (key.attnum <= 0) return InvalidOid;
  }
  const Oid index = job_control_relation(name);
  return is_plain_btree(index, RelationGetRelid(queue), keys, false)
             ? index
             : InvalidOid;
}

}  // namespace

QueueRelation queue_relation() {
  if (g_queue_relation.table == InvalidOid) {
    // Missing before 1.2 (claims and the reaper then raise 55000): looked up
    // again on every call, as no invalidation would name it.
    const Oid table = job_control_relation("job_queue");
    if (table == InvalidOid) return g_queue_relation;
    Relation queue = table_open(table, AccessShareLock);
    QueueRelation q{};
    q.table = table;
    q.job_id = column_number(queue, "job_id");
    q.company_id = column_number(queue, "company_id");
    q.created_at = column_number(queue, "created_at");
    q.type = column_number(queue, "type");
    q.data_plane_id = column_number(queue, "data_plane_id");
    if (q.type > 0) {
      q.type_type =
          TupleDescAttr(RelationGetDescr(queue), q.type - 1)->atttypid;
    }
    const KeyColumn created_at{q.created_at, TIMESTAMPTZOID};
    const KeyColumn job_id{q.job_id, UUIDOID};
    const KeyColumn type{q.type, q.type_type};
    q.order_index = claim_index("job_queue_order", queue, {created_at, job_id});
    q.type_index =
        claim_index("job_queue_type_order", queue, {type, created_at, job_id});
    q.plane_index =
        claim_index("job_queue_plane_order", queue,
                    {{q.data_plane_id, UUIDOID}, type, created_at, job_id});
    q.only_reader_policy =
        q.company_id > 0 &&
        only_queue_reader_policy(queue, q.company_id, jobs_relation().table);
    table_close(queue, NoLock);
    g_queue_relation = q;
  }
  return g_queue_relation;
}

}  // namespace jc::pg
