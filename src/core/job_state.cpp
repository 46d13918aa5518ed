#include "job_state.hpp"

namespace jc {

namespace {

constexpr Decision move_to(JobState target) { return {Effect::kMove, target}; }
constexpr Decision kNoOp{Effect::kNoOp, JobState::kPending};
constexpr Decision kReject{Effect::kReject, JobState::kPending};

}  // namespace

bool is_terminal(JobState state) noexcept {
  return state == JobState::kCompleted || state == JobState::kCancelled ||
         state == JobState::kFailed;
}

Decision decide(Operation op, JobState current) noexcept {
  const bool terminal = is_terminal(current);
  switch (op) {
    case Operation::kStart:
      return current == JobState::kPending ? move_to(JobState::kRunning)
                                           : kReject;
    case Operation::kComplete:
      if (terminal) return kNoOp;
      return current == JobState::kPending ? kReject
                                           : move_to(JobState::kCompleted);
    case Operation::kFail:
      return terminal ? kNoOp : move_to(JobState::kFailed);
    case Operation::kCancel:
      if (current == JobState::kPending) return move_to(JobState::kCancelled);
      if (current == JobState::kRunning)
        return move_to(JobState::kPendingCancellation);
      return kNoOp;
    case Operation::kAcknowledgeCancel:
      if (terminal) return kNoOp;
      return current == JobState::kPendingCancellation
                 ? move_to(JobState::kCancelled)
                 : kReject;
    case Operation::kHeartbeat:
      if (terminal) return kNoOp;
      return current == JobState::kPending ? kReject : move_to(current);
    case Operation::kReschedule:
      return terminal ? kNoOp : move_to(JobState::kPending);
    case Operation::kForceReschedule:
      return move_to(JobState::kPending);
  }
  return kReject;
}

bool transition_allowed(JobState from, JobState to, bool force) noexcept {
  for (Operation op : kAllOperations) {
    if (op == Operation::kForceReschedule && !force) continue;
    const Decision d = decide(op, from);
    if (d.effect == Effect::kMove && d.target == to) return true;
  }
  return false;
}

std::string_view state_name(JobState state) noexcept {
  switch (state) {
    case JobState::kPending:
      return "pending";
    case JobState::kRunning:
      return "running";
    case JobState::kPendingCancellation:
      return "pending_cancellation";
    case JobState::kCompleted:
      return "completed";
    case JobState::kCancelled:
      return "cancelled";
    case JobState::kFailed:
      return "failed";
  }
  return "unknown";
}

std::optional<JobState> parse_state(std::string_view name) noexcept {
  for (JobState s : kAllStates) {
    if (state_name(s) == name) return s;
  }
  return std::nullopt;
}

std::string_view operation_verb(Operation op) noexcept {
  switch (op) {
    case Operation::kStart:
      return "start";
    case Operation::kComplete:
      return "complete";
    case Operation::kFail:
      return "fail";
    case Operation::kCancel:
      return "cancel";
    case Operation::kAcknowledgeCancel:
      return "acknowledge the cancellation of";
    case Operation::kHeartbeat:
      return "renew the lease of";
    case Operation::kReschedule:
    case Operation::kForceReschedule:
      return "reschedule";
  }
  return "change";
}

std::string_view operation_participle(Operation op) noexcept {
  switch (op) {
    case Operation::kStart:
      return "started";
    case Operation::kComplete:
      return "completed";
    case Operation::kFail:
      return "failed";
    case Operation::kCancel:
      return "cancelled";
    case Operation::kAcknowledgeCancel:
      return "acknowledged as cancelled";
    case Operation::kHeartbeat:
      return "renewed";
    case Operation::kReschedule:
    case Operation::kForceReschedule:
      return "rescheduled";
  }
  return "changed";
}

}  // namespace jc
