#include "work_index.hpp"

#include <gtest/gtest.h>

namespace jc {
namespace {

// The invariant the trigger keeps: a job is in the queue iff it is pending,
// and has a lease entry at least while it holds a lease. Checked for every
// move the state table allows, starting from every state that satisfies it.
TEST(WorkIndex, EveryAllowedMoveKeepsTheInvariant) {
  for (JobState to : kAllStates) {
    const WorkIndexChange created = work_index_change(std::nullopt, to);
    EXPECT_EQ(created.enqueue, is_queued(to));
    EXPECT_FALSE(created.dequeue);
    EXPECT_EQ(created.add_lease, holds_lease(to));
  }
  for (JobState from : kAllStates) {
    for (JobState to : kAllStates) {
      if (from == to || !transition_allowed(from, to, true)) continue;
      for (bool stale_lease : {false, true}) {
        bool queued = is_queued(from);
        bool leased = holds_lease(from) || stale_lease;
        const WorkIndexChange change = work_index_change(from, to);
        EXPECT_FALSE(change.enqueue && queued);
        EXPECT_FALSE(change.dequeue && !queued);
        if (change.enqueue) queued = true;
        if (change.dequeue) queued = false;
        if (change.add_lease) leased = true;  // ON CONFLICT DO NOTHING
        EXPECT_EQ(queued, is_queued(to))
            << state_name(from) << " -> " << state_name(to);
        if (holds_lease(to)) {
          EXPECT_TRUE(leased) << state_name(to);
        }
      }
    }
  }
}

// Finishing a job (and every other move between states outside the queue)
// writes nothing to the work index: those transitions stay HOT updates.
TEST(WorkIndex, FinishingAJobTouchesNothing) {
  for (JobState from : {JobState::kRunning, JobState::kPendingCancellation}) {
    for (JobState to : kAllStates) {
      if (!is_terminal(to) && to != JobState::kPendingCancellation) continue;
      if (from == to) continue;
      EXPECT_FALSE(work_index_change(from, to).any())
          << state_name(from) << " -> " << state_name(to);
    }
  }
  EXPECT_FALSE(
      work_index_change(JobState::kRunning, JobState::kPendingCancellation)
          .any());
}

TEST(WorkIndex, ClaimMovesAJobFromTheQueueToTheLeases) {
  const WorkIndexChange claim =
      work_index_change(JobState::kPending, JobState::kRunning);
  EXPECT_TRUE(claim.dequeue);
  EXPECT_TRUE(claim.add_lease);
  EXPECT_FALSE(claim.enqueue);
  const WorkIndexChange cancel =
      work_index_change(JobState::kPending, JobState::kCancelled);
  EXPECT_TRUE(cancel.dequeue);
  EXPECT_FALSE(cancel.add_lease);
  const WorkIndexChange reschedule =
      work_index_change(JobState::kFailed, JobState::kPending);
  EXPECT_TRUE(reschedule.enqueue);
  EXPECT_FALSE(reschedule.add_lease);
}

}  // namespace
}  // namespace jc
