// The work index: two narrow tables beside job_control.jobs that let claims and
// the reaper find their jobs without an index on the jobs table that names a
// column a transition changes (so transitions are HOT updates, touching no
// index). The queue holds exactly the pending jobs; the leases hold at least
// the running and pending_cancellation jobs: an entry is added when a job
// starts holding a lease and removed lazily (by the reaper, or when the job is
// deleted), so that finishing a job writes nothing but its own row.
#pragma once

#include <optional>

#include "job_state.hpp"

namespace jc {

// A job in this state is in the pending queue.
bool is_queued(JobState state) noexcept;
// A job in this state holds a lease (an executor works on it).
bool holds_lease(JobState state) noexcept;

struct WorkIndexChange {
  bool enqueue = false;    // add the job to the queue
  bool dequeue = false;    // remove it from the queue
  bool add_lease = false;  // add a lease entry (if none is there)

  bool any() const noexcept { return enqueue || dequeue || add_lease; }
};

// What a job's move from `from` (nullopt: the job is new) to `to` changes in
// the work index.
WorkIndexChange work_index_change(std::optional<JobState> from,
                                  JobState to) noexcept;

}  // namespace jc
