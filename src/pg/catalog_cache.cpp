#include "catalog_cache.hpp"

extern "C" {
#include "utils/inval.h"
#include "utils/rel.h"
}

#include <cstring>

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

void forget_enums(Datum, int, uint32) {
  for (EnumEntry& e : g_enums) e.oid = InvalidOid;
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

// Attribute numbers, for the one jobs table of this database.
Oid g_jobs_relid = InvalidOid;
JobAttnums g_attnums;

void forget_attnums(Datum, Oid relid) {
  if (relid == InvalidOid || relid == g_jobs_relid) g_jobs_relid = InvalidOid;
}

int attnum_of(TupleDesc desc, const char* name) {
  const int attnum = SPI_fnumber(desc, name);
  if (attnum <= 0) {
    elog(ERROR, "job_control: jobs table has no column \"%s\"", name);
  }
  return attnum;
}

}  // namespace

void register_catalog_caches() {
  CacheRegisterSyscacheCallback(ENUMOID, forget_enums, Datum(0));
  CacheRegisterRelcacheCallback(forget_attnums, Datum(0));
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

const JobAttnums& job_attnums(Relation jobs) {
  if (g_jobs_relid != RelationGetRelid(jobs)) {
    TupleDesc desc = RelationGetDescr(jobs);
    g_attnums = {attnum_of(desc, "state"),      attnum_of(desc, "created_at"),
                 attnum_of(desc, "updated_at"), attnum_of(desc, "completed_at"),
                 attnum_of(desc, "job_id"),     attnum_of(desc, "company_id"),
                 attnum_of(desc, "executor"),   attnum_of(desc, "failures")};
    g_jobs_relid = RelationGetRelid(jobs);
  }
  return g_attnums;
}

}  // namespace jc::pg
