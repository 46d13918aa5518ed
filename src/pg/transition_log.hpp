// What happens on every state change besides the row itself: the counters
// (job_counting.hpp), the history row (job_control.history) and the
// notification (job_control.notify: NOTIFY at commit, or queued for the
// notifier). Called by the
// trigger inside its guarded body.
#pragma once

#include "postgres_headers.hpp"

#include "job_state.hpp"

namespace jc::pg {

inline constexpr char kNotifyChannel[] = "job_control";

struct TransitionEvent {
  Datum job_id;
  Datum company_id;
  Datum type;
  const JobState* from;  // nullptr for a new job
  JobState to;
  TimestampTz at;  // the job's new updated_at
  bool has_executor;
  Datum executor;
  Oid owner;  // history rows and queued notifications are written as it
};

// Prepares what record_transition needs; call outside guarded bodies.
void prepare_transition_log();

void record_transition(const TransitionEvent& event);

}  // namespace jc::pg
