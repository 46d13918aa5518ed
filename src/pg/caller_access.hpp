// How the caller may see the jobs when a call reads or moves its job without
// SQL (job_peek.hpp, job_move.hpp): as the UPDATE of the SQL path would, or
// not at all (then the call takes the SQL path, which gives the caller the
// error or the row security PostgreSQL would).
#pragma once

#include "postgres_headers.hpp"

#include "catalog_cache.hpp"

namespace jc::pg {

enum class Access {
  kSqlPathNeeded,  // read-only transaction, missing privileges, other policies
  kAllJobs,
  kCompanyJobs,  // only the jobs of job_control.company_id (tenant policy)
};

// Whether the calls without SQL may read and write the extension's tables
// themselves: not where Citus is loaded (shared_preload_libraries), whose
// distributed tables keep their rows in shards that only its planner
// reaches; there every call runs its statements. Decided once per backend.
bool tables_are_local();

// How the caller sees the rows of `table`: only through SQL when row
// security binds it with more than the extension's tenant filter
// (tenant_policy.hpp, `only_own_policy`), else the company's
// (job_control.company_id, for every caller) or all of them.
Access row_security_access(Oid table, bool only_own_policy);

// Whether a job of `company_id` is visible under `access`.
bool visible_to(Access access, Datum company_id);

// The jobs table and its primary key, opened with `lockmode` (the lock the
// SQL path's statement would take, held to the end of the transaction), and
// the caller's access, decided after the lock: taking it applies the
// invalidations queued before it (a policy, a trigger just added). `table`
// is nullptr, nothing opened, when the caller must take the SQL path.
struct OpenJobs {
  Relation table;
  Relation primary_key;
  Access access;
  JobsRelation facts;
};
OpenJobs open_jobs(LOCKMODE lockmode);
void close_jobs(const OpenJobs& jobs);

}  // namespace jc::pg
