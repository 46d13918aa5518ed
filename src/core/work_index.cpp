#include "work_index.hpp"

namespace jc {

bool is_queued(JobState state) noexcept { return state == JobState::kPending; }

bool holds_lease(JobState state) noexcept {
  return state == JobState::kRunning || state == JobState::kPendingCancellation;
}

WorkIndexChange work_index_change(std::optional<JobState> from,
                                  JobState to) noexcept {
  const bool was_queued = from && is_queued(*from);
  const bool had_lease = from && holds_lease(*from);
  WorkIndexChange change;
  change.enqueue = is_queued(to) && !was_queued;
  change.dequeue = was_queued && !is_queued(to);
  change.add_lease = holds_lease(to) && !had_lease;
  return change;
}

}  // namespace jc
