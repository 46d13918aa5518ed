#include "transition_sql.hpp"

#include <gtest/gtest.h>

namespace jc {
namespace {

const std::string kEnum = "job_control.job_state";

TEST(TransitionSql, GuardListsTheMovableStates) {
  EXPECT_EQ(
      movable_states_guard(Operation::kFail, kEnum),
      "state OPERATOR(pg_catalog.=) ANY "
      "('{pending,running,pending_cancellation}'::job_control.job_state[])");
  EXPECT_EQ(movable_states_guard(Operation::kStart, kEnum),
            "state OPERATOR(pg_catalog.=) ANY "
            "('{pending}'::job_control.job_state[])");
}

TEST(TransitionSql, SingleTargetIsALiteral) {
  EXPECT_EQ(state_assignment(Operation::kComplete, kEnum),
            "'completed'::job_control.job_state");
}

TEST(TransitionSql, SeveralTargetsAreACase) {
  EXPECT_EQ(state_assignment(Operation::kCancel, kEnum),
            "CASE state WHEN 'pending'::job_control.job_state THEN "
            "'cancelled'::job_control.job_state WHEN "
            "'running'::job_control.job_state THEN "
            "'pending_cancellation'::job_control.job_state END");
}

TEST(TransitionSql, AHeartbeatKeepsTheState) {
  EXPECT_EQ(state_assignment(Operation::kHeartbeat, kEnum), "state");
  EXPECT_EQ(movable_states_guard(Operation::kHeartbeat, kEnum),
            "state OPERATOR(pg_catalog.=) ANY "
            "('{running,pending_cancellation}'::job_control.job_state[])");
}

TEST(TransitionSql, EveryOperationMovesFromSomeState) {
  for (Operation op : kAllOperations) {
    EXPECT_FALSE(movable_states(op).empty()) << operation_verb(op);
  }
}

}  // namespace
}  // namespace jc
