#include "caller_access.hpp"

extern "C" {
#include "access/genam.h"
#include "access/table.h"
#include "utils/rls.h"
}

#include "library_list.hpp"
#include "settings.hpp"

namespace jc::pg {

namespace {

Access caller_access(const JobsRelation& relation) {
  const Oid user = GetUserId();
  if (pg_class_aclcheck(relation.table, user, ACL_SELECT) != ACLCHECK_OK ||
      pg_class_aclcheck(relation.table, user, ACL_UPDATE) != ACLCHECK_OK) {
    return Access::kSqlPathNeeded;  // which raises 42501
  }
  return row_security_access(relation.table, relation.only_tenant_policy);
}

// -1: not decided yet.
int g_tables_are_local = -1;

}  // namespace

bool tables_are_local() {
  if (g_tables_are_local < 0) {
    const char* preloaded = shared_preload_libraries_string;
    g_tables_are_local =
        preloaded == nullptr || !lists_library(preloaded, "citus") ? 1 : 0;
  }
  return g_tables_are_local == 1;
}

Access row_security_access(Oid table, bool only_own_policy) {
  // Bound by row security: applied without SQL only if it is the
  // extension's own tenant filter, and row_security is on (off, the SQL path
  // raises).
  if (check_enable_rls(table, InvalidOid, true) == RLS_ENABLED &&
      (!row_security || !only_own_policy)) {
    return Access::kSqlPathNeeded;
  }
  // The session's company binds every caller, those row security exempts
  // (the owner, superusers) included, as the statements' tenant filter does.
  return settings::has_company() ? Access::kCompanyJobs : Access::kAllJobs;
}

bool visible_to(Access access, Datum company_id) {
  return access != Access::kCompanyJobs ||
         DatumGetInt64(company_id) == settings::company();
}

OpenJobs open_jobs(LOCKMODE lockmode) {
  OpenJobs open{};
  // A read-only transaction (or a standby) refuses the UPDATE: 25006.
  // Checked before any lock: a standby grants no lock that writes.
  if (XactReadOnly || !tables_are_local()) return open;
  Relation table = table_open(jobs_relation().table, lockmode);
  const JobsRelation facts = jobs_relation();
  const Access access = caller_access(facts);
  if (access == Access::kSqlPathNeeded || !OidIsValid(facts.primary_key) ||
      RelationGetRelid(table) != facts.table) {
    table_close(table, NoLock);
    return open;
  }
  open.table = table;
  open.primary_key = index_open(facts.primary_key, lockmode);
  open.access = access;
  open.facts = facts;
  return open;
}

void close_jobs(const OpenJobs& jobs) {
  index_close(jobs.primary_key, NoLock);
  table_close(jobs.table, NoLock);
}

}  // namespace jc::pg
