#include "job_errors.hpp"

#include <string>

#include "transition_sql.hpp"

namespace jc {

namespace {

std::string quoted(std::string_view text) {
  return "\"" + std::string(text) + "\"";
}

}  // namespace

JobError job_not_found(std::string_view job_id) {
  return JobError(sqlstate::kNoDataFound,
                  "job " + quoted(job_id) + " does not exist");
}

JobError transition_rejected(Operation op, std::string_view job_id,
                             JobState current) {
  std::string allowed;
  for (JobState s : movable_states(op)) {
    if (!allowed.empty()) allowed += " or ";
    allowed += state_name(s);
  }
  return JobError(sqlstate::kObjectNotInPrerequisiteState,
                  "cannot " + std::string(operation_verb(op)) + " job " +
                      quoted(job_id) + ": it is " +
                      std::string(state_name(current)),
                  {},
                  "Only a job that is " + allowed + " can be " +
                      std::string(operation_participle(op)) + ".");
}

JobError executor_mismatch(Operation op, std::string_view job_id,
                           std::string_view caller_executor,
                           const std::string_view* job_executor) {
  return JobError(
      sqlstate::kObjectNotInPrerequisiteState,
      "cannot " + std::string(operation_verb(op)) + " job " + quoted(job_id) +
          ": executor " + quoted(caller_executor) + " does not hold it",
      job_executor
          ? "The job is held by executor " + quoted(*job_executor) + "."
          : std::string("The job has no executor."),
      "The job was rescheduled or claimed by another executor; drop this "
      "result.");
}

JobError transition_retries_exhausted(std::string_view job_id) {
  return JobError(sqlstate::kSerializationFailure,
                  "job " + quoted(job_id) +
                      " kept changing while this call tried to change it",
                  {}, "Retry the call.");
}

JobError other_company(std::int64_t requested, std::int64_t session_company) {
  return JobError(
      sqlstate::kInsufficientPrivilege,
      "cannot create a job for company " + std::to_string(requested) +
          ": this session acts for company " + std::to_string(session_company),
      "The setting job_control.company_id is " +
          std::to_string(session_company) + ".");
}

JobError needs_work_index(std::string_view function) {
  return JobError(sqlstate::kObjectNotInPrerequisiteState,
                  std::string(function) +
                      " needs job_control 1.2 or later in this database",
                  "This database's job_control predates the work index "
                  "(job_control.job_queue and job_control.job_leases) that "
                  "this library's claims and reaper read.",
                  "Update the extension: ALTER EXTENSION job_control UPDATE;");
}

JobError force_needs_admin() {
  return JobError(sqlstate::kInsufficientPrivilege,
                  "forcing a terminal job back to pending requires "
                  "administrator access",
                  {},
                  "An administrator holds the DELETE privilege on "
                  "job_control.jobs.");
}

std::string lease_expired_message(std::string_view executor,
                                  std::string_view last_heartbeat) {
  return "lease expired: executor " + quoted(executor) +
         " sent no heartbeat since " + std::string(last_heartbeat);
}

JobError batch_retries_exhausted() {
  return JobError(sqlstate::kSerializationFailure,
                  "jobs of the batch kept changing while this call tried to "
                  "fail them",
                  {}, "Retry the call.");
}

JobError idempotent_create_retries_exhausted(std::string_view key) {
  return JobError(sqlstate::kSerializationFailure,
                  "the job with idempotency key " + quoted(key) +
                      " kept changing while this call tried to create it",
                  {}, "Retry the call.");
}

}  // namespace jc
