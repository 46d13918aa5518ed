#include "job_state.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace jc {
namespace {

// The spec's state table, written out cell by cell: "-" is a no-op, "!" an
// error 55000, anything else the state the job moves to.
const std::map<Operation, std::map<JobState, std::string>> kSpecTable = {
    {Operation::kFail,
     {{JobState::kPending, "failed"},
      {JobState::kRunning, "failed"},
      {JobState::kPendingCancellation, "failed"},
      {JobState::kCompleted, "-"},
      {JobState::kCancelled, "-"},
      {JobState::kFailed, "-"}}},
    {Operation::kComplete,
     {{JobState::kPending, "!"},
      {JobState::kRunning, "completed"},
      {JobState::kPendingCancellation, "completed"},
      {JobState::kCompleted, "-"},
      {JobState::kCancelled, "-"},
      {JobState::kFailed, "-"}}},
    {Operation::kCancel,
     {{JobState::kPending, "cancelled"},
      {JobState::kRunning, "pending_cancellation"},
      {JobState::kPendingCancellation, "-"},
      {JobState::kCompleted, "-"},
      {JobState::kCancelled, "-"},
      {JobState::kFailed, "-"}}},
    {Operation::kAcknowledgeCancel,
     {{JobState::kPending, "!"},
      {JobState::kRunning, "!"},
      {JobState::kPendingCancellation, "cancelled"},
      {JobState::kCompleted, "-"},
      {JobState::kCancelled, "-"},
      {JobState::kFailed, "-"}}},
    {Operation::kStart,
     {{JobState::kPending, "running"},
      {JobState::kRunning, "!"},
      {JobState::kPendingCancellation, "!"},
      {JobState::kCompleted, "!"},
      {JobState::kCancelled, "!"},
      {JobState::kFailed, "!"}}},
    // The operations of executors and DBAs (spec: "Executors and operations").
    {Operation::kHeartbeat,
     {{JobState::kPending, "!"},
      {JobState::kRunning, "running"},
      {JobState::kPendingCancellation, "pending_cancellation"},
      {JobState::kCompleted, "-"},
      {JobState::kCancelled, "-"},
      {JobState::kFailed, "-"}}},
    {Operation::kReschedule,
     {{JobState::kPending, "pending"},
      {JobState::kRunning, "pending"},
      {JobState::kPendingCancellation, "pending"},
      {JobState::kCompleted, "-"},
      {JobState::kCancelled, "-"},
      {JobState::kFailed, "-"}}},
    {Operation::kForceReschedule,
     {{JobState::kPending, "pending"},
      {JobState::kRunning, "pending"},
      {JobState::kPendingCancellation, "pending"},
      {JobState::kCompleted, "pending"},
      {JobState::kCancelled, "pending"},
      {JobState::kFailed, "pending"}}},
};

std::string cell(Decision d) {
  switch (d.effect) {
    case Effect::kNoOp:
      return "-";
    case Effect::kReject:
      return "!";
    case Effect::kMove:
      return std::string(state_name(d.target));
  }
  return "?";
}

TEST(JobState, EveryCellOfTheSpecTable) {
  for (Operation op : kAllOperations) {
    for (JobState s : kAllStates) {
      EXPECT_EQ(cell(decide(op, s)), kSpecTable.at(op).at(s))
          << operation_verb(op) << " from " << state_name(s);
    }
  }
}

TEST(JobState, OnlyAForcedRescheduleLeavesATerminalState) {
  for (JobState s : kAllStates) {
    if (!is_terminal(s)) continue;
    for (Operation op : kAllOperations) {
      if (op == Operation::kForceReschedule) continue;
      EXPECT_NE(decide(op, s).effect, Effect::kMove) << operation_verb(op);
    }
    for (JobState to : kAllStates) {
      EXPECT_FALSE(transition_allowed(s, to, false));
      EXPECT_EQ(transition_allowed(s, to, true), to == JobState::kPending);
    }
  }
}

TEST(JobState, TerminalStatesAreTheSpecsThree) {
  EXPECT_TRUE(is_terminal(JobState::kCompleted));
  EXPECT_TRUE(is_terminal(JobState::kCancelled));
  EXPECT_TRUE(is_terminal(JobState::kFailed));
  EXPECT_FALSE(is_terminal(JobState::kPending));
  EXPECT_FALSE(is_terminal(JobState::kRunning));
  EXPECT_FALSE(is_terminal(JobState::kPendingCancellation));
}

TEST(JobState, DirectTransitionsAreExactlyTheOperationsMoves) {
  const auto allowed = [](JobState from, JobState to) {
    return transition_allowed(from, to, false);
  };
  EXPECT_TRUE(allowed(JobState::kPending, JobState::kRunning));
  EXPECT_TRUE(allowed(JobState::kPending, JobState::kCancelled));
  EXPECT_TRUE(allowed(JobState::kRunning, JobState::kCompleted));
  EXPECT_TRUE(allowed(JobState::kPendingCancellation, JobState::kCancelled));
  EXPECT_TRUE(allowed(JobState::kRunning, JobState::kPending));  // reschedule
  EXPECT_FALSE(allowed(JobState::kPending, JobState::kCompleted));
  EXPECT_FALSE(allowed(JobState::kPending, JobState::kPendingCancellation));
  EXPECT_FALSE(allowed(JobState::kRunning, JobState::kCancelled));
  EXPECT_FALSE(allowed(JobState::kFailed, JobState::kRunning));
  EXPECT_FALSE(allowed(JobState::kCancelled, JobState::kPending));
}

TEST(JobState, NamesRoundTrip) {
  for (JobState s : kAllStates) EXPECT_EQ(parse_state(state_name(s)), s);
  EXPECT_FALSE(parse_state("Failed").has_value());
  EXPECT_FALSE(parse_state("").has_value());
}

}  // namespace
}  // namespace jc
