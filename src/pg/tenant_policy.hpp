// Recognizes the extension's own row security on the jobs table, so that the
// no-op fast path (job_peek.hpp) can apply it without the executor.
#pragma once

#include "postgres_headers.hpp"

namespace jc::pg {

// Whether the jobs table's only policy is jobs_tenant as the extension
// created it: for all commands and all roles, permissive, USING
// (current_company() IS NULL OR company_id = current_company()). Then a role
// bound by row security sees exactly the jobs of job_control.company_id, or
// all when it is not set. Any other policy (added, altered) returns false.
bool only_tenant_policy(Relation jobs, int company_id_attnum);

}  // namespace jc::pg
