// What happens to jobs, counted in shared memory (job_counters.hpp) for
// monitoring without reading the jobs table: the trigger counts every change
// of state, and a transaction's counts reach the shared counters when it
// commits.
//
// The shared memory: with job_control in shared_preload_libraries, the
// server's own, from start-up; otherwise, on 17 and later, a named segment
// made by the first backend that counts (compat::named_shared_memory). On 15
// and 16 without the preload nothing is counted: read_counters says so.
#pragma once

#include "postgres_headers.hpp"

#include "job_counters.hpp"

namespace jc::pg {

// Called once by _PG_init: the transaction callbacks, and the shared
// memory's request when the server preloads the library.
void register_counting();

// Counts the change of state of job `job_id` of type `type` (a guarded
// body: attaching the shared memory may raise).
void count_transition(Datum type, const JobState* from, JobState to,
                      Datum job_id, TimestampTz at);

// Between these two, moves from pending to running are counted as claims
// (job_claim); an error in between ends the claim with its (sub)transaction.
void begin_claim();
void end_claim();

// A copy of the shared counters taken under their lock; false when nothing
// is counted (15 and 16 without the preload). A guarded body.
bool read_counters(JobCounters* copy);

}  // namespace jc::pg
