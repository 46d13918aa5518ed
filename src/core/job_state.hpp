// The job state machine of the spec: which call moves a job from which state
// to which, which calls are no-ops and which are refused. Everything else (the
// SQL guards, the trigger's check of hand-written UPDATEs, the error texts) is
// derived from decide(), so the table lives in exactly one place.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace jc {

enum class JobState : std::uint8_t {
  kPending,
  kRunning,
  kPendingCancellation,
  kCompleted,
  kCancelled,
  kFailed,
};

inline constexpr std::array<JobState, 6> kAllStates = {
    JobState::kPending,   JobState::kRunning,   JobState::kPendingCancellation,
    JobState::kCompleted, JobState::kCancelled, JobState::kFailed,
};

enum class Operation : std::uint8_t {
  kStart,  // job_start and job_claim
  kComplete,
  kFail,
  kCancel,
  kAcknowledgeCancel,
  kHeartbeat,        // renews the lease: "moves" a job to the state it is in
  kReschedule,       // back to pending; a terminal job is skipped
  kForceReschedule,  // back to pending, also out of a terminal state
};

inline constexpr std::array<Operation, 8> kAllOperations = {
    Operation::kStart,
    Operation::kComplete,
    Operation::kFail,
    Operation::kCancel,
    Operation::kAcknowledgeCancel,
    Operation::kHeartbeat,
    Operation::kReschedule,
    Operation::kForceReschedule,
};

enum class Effect : std::uint8_t {
  kMove,    // the job changes state to Decision::target
  kNoOp,    // nothing is written; the job is returned as stored
  kReject,  // SQLSTATE 55000, nothing is written
};

struct Decision {
  Effect effect;
  JobState target;  // meaningful only for Effect::kMove
};

Decision decide(Operation op, JobState current) noexcept;

bool is_terminal(JobState state) noexcept;

// Whether an UPDATE may change a job's state from `from` to `to`: exactly the
// moves some operation makes. Leaving a terminal state is allowed only with
// `force` (job_reschedule(..., force => true) sets it for its own UPDATE).
bool transition_allowed(JobState from, JobState to, bool force) noexcept;

std::string_view state_name(JobState state) noexcept;
std::optional<JobState> parse_state(std::string_view name) noexcept;

// The verb used in messages: "start", "complete", "fail", ...
std::string_view operation_verb(Operation op) noexcept;
// "started", "completed", ...: for hints such as "can be completed".
std::string_view operation_participle(Operation op) noexcept;

}  // namespace jc
