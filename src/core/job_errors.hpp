// The errors of the spec's error table, with messages a DBA understands.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "job_error.hpp"
#include "job_state.hpp"

namespace jc {

// P0002: message `job "<id>" does not exist`.
JobError job_not_found(std::string_view job_id);

// 55000: the operation is not allowed from the job's current state; the
// message names that state and the hint names the states that would allow it.
JobError transition_rejected(Operation op, std::string_view job_id,
                             JobState current);

// 55000: the caller's executor does not hold the job (fencing).
JobError executor_mismatch(Operation op, std::string_view job_id,
                           std::string_view caller_executor,
                           const std::string_view* job_executor);

// 40001: the job kept changing under a READ COMMITTED transition.
JobError transition_retries_exhausted(std::string_view job_id);

// 42501: a session acting for one company creates a job for another.
JobError other_company(std::int64_t requested, std::int64_t session_company);

// 42501: a forced reschedule by a role that is not an administrator.
JobError force_needs_admin();

// 55000: `function` needs the work index (job_queue, job_leases) that an
// install before 1.2 lacks, until ALTER EXTENSION ... UPDATE.
JobError needs_work_index(std::string_view function);

// The failure job_reap_stale records for a job whose lease expired.
std::string lease_expired_message(std::string_view executor,
                                  std::string_view last_heartbeat);

// 40001: the jobs of a batch kept changing under a READ COMMITTED batch fail.
JobError batch_retries_exhausted();

// 40001: the job holding an idempotency key kept vanishing under a create.
JobError idempotent_create_retries_exhausted(std::string_view key);

}  // namespace jc
