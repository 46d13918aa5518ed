// Recognizes the extension's own row security on the jobs table and on the
// pending queue, so that the calls without SQL (job_peek.hpp, job_move.hpp,
// queue_claim.hpp) can apply it without the executor.
#pragma once

#include "postgres_headers.hpp"

namespace jc::pg {

// Whether the jobs table's only policy is jobs_tenant as the extension
// created it: for all commands and all roles, permissive, USING
// (current_company() IS NULL OR company_id = current_company()), and WITH
// CHECK the same (or none). Then a role bound by row security sees exactly
// the jobs of job_control.company_id, or all when it is not set. Any other
// policy (added, altered, its USING or its WITH CHECK) returns false.
bool only_tenant_policy(Relation jobs, int company_id_attnum);

// Whether the queue's only policy is job_queue_readers as the extension
// created it: for all commands and all roles, permissive, USING ((SELECT
// has_table_privilege(<jobs>, 'SELECT')) AND (current_company() IS NULL OR
// company_id = current_company())).
bool only_queue_reader_policy(Relation queue, int company_id_attnum, Oid jobs);

}  // namespace jc::pg
