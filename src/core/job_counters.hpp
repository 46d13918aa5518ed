// What happened to jobs, counted by type and event, for monitoring without
// reading the jobs table: totals since counting started, the events of the
// last minute (kept in periods of 10 seconds), and the last failures.
//
// JobCounters is the layout of the extension's shared memory (plain data, no
// pointers; the server guards it with a lock), PendingCounts what one
// transaction has counted so far: it reaches JobCounters only when the
// transaction commits, less what its rolled-back subtransactions counted.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "job_state.hpp"

namespace jc {

enum class JobEvent : std::uint8_t {
  kCreated,
  kClaimed,  // pending -> running by job_claim
  kStarted,  // pending -> running by anything else (job_start)
  kCancelRequested,
  kCompleted,
  kFailed,
  kCancelled,
  kRescheduled,  // back to pending
};
inline constexpr int kJobEventCount = 8;

std::string_view event_name(JobEvent event) noexcept;

// The event of a job's change of state; `from` nullptr: a new job.
JobEvent job_event(const JobState* from, JobState to, bool by_claim) noexcept;

// Each database's types are counted apart in this many slots, the last of
// which counts every type, of any database, that finds no free slot
// (kOtherTypes).
inline constexpr int kCounterTypeSlots = 32;
inline constexpr std::uint32_t kOtherTypes = 0xFFFFFFFFu;
// The last minute: six whole periods of ten seconds, and the current one.
inline constexpr std::int64_t kRatePeriodMicros = 10'000'000;
inline constexpr int kRatePeriods = 6;
inline constexpr int kRecentFailures = 10;

struct EventCounts {
  std::uint64_t n[kJobEventCount];
};

struct TypeCounts {
  std::uint32_t database;
  std::uint32_t type;  // the type's identity; 0: a free slot
  EventCounts total;
  EventCounts period[kRatePeriods + 1];
};

struct RecentFailure {
  std::uint32_t database;
  std::uint8_t job_id[16];
  std::uint32_t type;
  std::int64_t at;  // microseconds, on the caller's clock
};

struct JobCounters {
  std::int64_t since;  // when counting started, on the caller's clock
  std::int64_t period_of_slot[kRatePeriods + 1];  // which period each holds
  TypeCounts types[kCounterTypeSlots];
  std::uint64_t failures_seen;
  RecentFailure failures[kRecentFailures];  // a ring: failures_seen % size
};

// Zeroes `counters` and starts counting at `now`.
void start_counting(JobCounters& counters, std::int64_t now) noexcept;

void add_events(JobCounters& counters, std::int64_t now, std::uint32_t database,
                std::uint32_t type, JobEvent event, std::uint64_t n) noexcept;
void add_failure(JobCounters& counters, const RecentFailure& failure) noexcept;

struct EventRate {
  std::uint64_t total;
  double per_second;  // over the last minute's whole periods
};
EventRate event_rate(const JobCounters& counters, const TypeCounts& type,
                     JobEvent event, std::int64_t now) noexcept;

// Whether `type` holds counts of `database` (the other types' slot: of any).
bool counts_of(const TypeCounts& type, std::uint32_t database) noexcept;

// The last failures in `database`, newest first.
std::vector<RecentFailure> recent_failures(const JobCounters& counters,
                                           std::uint32_t database);

// One transaction's counts, by subtransaction (PostgreSQL numbers them in
// the order they start, the top level 1): a subtransaction that commits
// hands its counts to its parent, one that rolls back drops them.
class PendingCounts {
 public:
  // Counts of one database: a backend's.
  explicit PendingCounts(std::uint32_t database = 0) : database_(database) {}
  void set_database(std::uint32_t database) noexcept { database_ = database; }
  void add(std::uint32_t subxact, std::uint32_t type, JobEvent event);
  void add_failure(std::uint32_t subxact, const RecentFailure& failure);
  void commit_subxact(std::uint32_t subxact, std::uint32_t parent) noexcept;
  void abort_subxact(std::uint32_t subxact) noexcept;
  void clear() noexcept;  // keeps the memory: no allocation per transaction
  bool empty() const noexcept { return counts_.empty() && failures_.empty(); }
  // Adds everything to `counters`, at `now`.
  void flush_to(JobCounters& counters, std::int64_t now) const noexcept;

 private:
  struct Count {
    std::uint32_t subxact;
    std::uint32_t type;
    JobEvent event;
    std::uint64_t n;
  };
  struct Failure {
    std::uint32_t subxact;
    RecentFailure failure;
  };
  std::uint32_t database_;
  std::vector<Count> counts_;
  std::vector<Failure> failures_;  // the transaction's last kRecentFailures
};

}  // namespace jc
