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

Access caller_access(const JobsRelation& relation);

// Whether a job of `company_id` is visible under `access`.
bool visible_to(Access access, Datum company_id);

}  // namespace jc::pg
