#include "caller_access.hpp"

extern "C" {
#include "utils/rls.h"
}

#include "settings.hpp"

namespace jc::pg {

Access caller_access(const JobsRelation& relation) {
  // A read-only transaction (or a standby) refuses the UPDATE: 25006.
  if (XactReadOnly) return Access::kSqlPathNeeded;
  const Oid user = GetUserId();
  if (pg_class_aclcheck(relation.table, user, ACL_SELECT) != ACLCHECK_OK ||
      pg_class_aclcheck(relation.table, user, ACL_UPDATE) != ACLCHECK_OK) {
    return Access::kSqlPathNeeded;  // which raises 42501
  }
  if (check_enable_rls(relation.table, InvalidOid, true) != RLS_ENABLED) {
    return Access::kAllJobs;
  }
  // Bound by row security: applied here only if it is the extension's own
  // tenant policy, and row_security is on (off, the SQL path raises).
  if (!row_security || !relation.only_tenant_policy) {
    return Access::kSqlPathNeeded;
  }
  return settings::has_company() ? Access::kCompanyJobs : Access::kAllJobs;
}

bool visible_to(Access access, Datum company_id) {
  return access != Access::kCompanyJobs ||
         DatumGetInt64(company_id) == settings::company();
}

}  // namespace jc::pg
