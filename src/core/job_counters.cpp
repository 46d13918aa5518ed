#include "job_counters.hpp"

#include <algorithm>
#include <cstring>

namespace jc {

std::string_view event_name(JobEvent event) noexcept {
  switch (event) {
    case JobEvent::kCreated:
      return "created";
    case JobEvent::kClaimed:
      return "claimed";
    case JobEvent::kStarted:
      return "started";
    case JobEvent::kCancelRequested:
      return "cancel_requested";
    case JobEvent::kCompleted:
      return "completed";
    case JobEvent::kFailed:
      return "failed";
    case JobEvent::kCancelled:
      return "cancelled";
    case JobEvent::kRescheduled:
      return "rescheduled";
  }
  return "unknown";
}

JobEvent job_event(const JobState* from, JobState to, bool by_claim) noexcept {
  if (from == nullptr) return JobEvent::kCreated;
  switch (to) {
    case JobState::kPending:
      return JobEvent::kRescheduled;
    case JobState::kRunning:
      return by_claim ? JobEvent::kClaimed : JobEvent::kStarted;
    case JobState::kPendingCancellation:
      return JobEvent::kCancelRequested;
    case JobState::kCompleted:
      return JobEvent::kCompleted;
    case JobState::kCancelled:
      return JobEvent::kCancelled;
    case JobState::kFailed:
      return JobEvent::kFailed;
  }
  return JobEvent::kCreated;
}

namespace {

constexpr int kPeriodSlots = kRatePeriods + 1;
constexpr int kOtherSlot = kCounterTypeSlots - 1;

std::int64_t period_of(std::int64_t at) noexcept {
  const std::int64_t p = at / kRatePeriodMicros;
  return at < 0 && p * kRatePeriodMicros != at ? p - 1 : p;
}

int slot_of_period(std::int64_t period) noexcept {
  const auto slot = static_cast<int>(period % kPeriodSlots);
  return slot < 0 ? slot + kPeriodSlots : slot;
}

// The slot counting `type` of `database`: its own, a free one it takes, or
// the last.
TypeCounts& type_slot(JobCounters& c, std::uint32_t database,
                      std::uint32_t type) noexcept {
  for (int i = 0; i < kOtherSlot; ++i) {
    TypeCounts& t = c.types[i];
    if (t.type == type && t.database == database) return t;
    if (t.type == 0) {
      t.database = database;
      t.type = type;
      return t;
    }
  }
  return c.types[kOtherSlot];
}

// The slot of `period`, emptied first if it still holds an older period.
int current_period_slot(JobCounters& c, std::int64_t now) noexcept {
  const std::int64_t period = period_of(now);
  const int slot = slot_of_period(period);
  if (c.period_of_slot[slot] != period) {
    for (TypeCounts& t : c.types) t.period[slot] = EventCounts{};
    c.period_of_slot[slot] = period;
  }
  return slot;
}

}  // namespace

void start_counting(JobCounters& counters, std::int64_t now) noexcept {
  std::memset(&counters, 0, sizeof counters);
  counters.since = now;
  counters.types[kOtherSlot].type = kOtherTypes;
}

void add_events(JobCounters& counters, std::int64_t now, std::uint32_t database,
                std::uint32_t type, JobEvent event, std::uint64_t n) noexcept {
  const int period = current_period_slot(counters, now);
  TypeCounts& t = type_slot(counters, database, type);
  const auto e = static_cast<int>(event);
  t.total.n[e] += n;
  t.period[period].n[e] += n;
}

void add_failure(JobCounters& counters, const RecentFailure& failure) noexcept {
  counters.failures[counters.failures_seen % kRecentFailures] = failure;
  ++counters.failures_seen;
}

EventRate event_rate(const JobCounters& counters, const TypeCounts& type,
                     JobEvent event, std::int64_t now) noexcept {
  const auto e = static_cast<int>(event);
  const std::int64_t current = period_of(now);
  std::uint64_t in_window = 0;
  for (int slot = 0; slot < kPeriodSlots; ++slot) {
    const std::int64_t p = counters.period_of_slot[slot];
    if (p >= current - kRatePeriods && p < current) {
      in_window += type.period[slot].n[e];
    }
  }
  // The window ends where the current period starts; it starts a minute
  // earlier, or when counting started.
  const std::int64_t end = current * kRatePeriodMicros;
  const std::int64_t start =
      std::max(end - kRatePeriods * kRatePeriodMicros, counters.since);
  const double seconds = static_cast<double>(end - start) / 1e6;
  return {type.total.n[e],
          seconds > 0 ? static_cast<double>(in_window) / seconds : 0.0};
}

bool counts_of(const TypeCounts& type, std::uint32_t database) noexcept {
  return type.type != 0 &&
         (type.type == kOtherTypes || type.database == database);
}

std::vector<RecentFailure> recent_failures(const JobCounters& counters,
                                           std::uint32_t database) {
  const std::uint64_t kept =
      std::min<std::uint64_t>(counters.failures_seen, kRecentFailures);
  std::vector<RecentFailure> newest_first;
  newest_first.reserve(kept);
  for (std::uint64_t k = 1; k <= kept; ++k) {
    const RecentFailure& f =
        counters.failures[(counters.failures_seen - k) % kRecentFailures];
    if (f.database == database) newest_first.push_back(f);
  }
  return newest_first;
}

void PendingCounts::add(std::uint32_t subxact, std::uint32_t type,
                        JobEvent event) {
  for (auto it = counts_.rbegin(); it != counts_.rend(); ++it) {
    if (it->subxact == subxact && it->type == type && it->event == event) {
      ++it->n;
      return;
    }
  }
  counts_.push_back({subxact, type, event, 1});
}

void PendingCounts::add_failure(std::uint32_t subxact,
                                const RecentFailure& failure) {
  if (failures_.size() == kRecentFailures) failures_.erase(failures_.begin());
  failures_.push_back({subxact, failure});
  failures_.back().failure.database = database_;
}

void PendingCounts::commit_subxact(std::uint32_t subxact,
                                   std::uint32_t parent) noexcept {
  for (Failure& f : failures_) {
    if (f.subxact == subxact) f.subxact = parent;
  }
  // The parent's counts absorb the child's: the list stays as long as the
  // distinct counts of the open subtransactions.
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    Count& child = counts_[i];
    if (child.subxact != subxact) continue;
    child.subxact = parent;
    for (std::size_t j = 0; j < i; ++j) {
      Count& same = counts_[j];
      if (same.n != 0 && same.subxact == parent && same.type == child.type &&
          same.event == child.event) {
        same.n += child.n;
        child.n = 0;
        break;
      }
    }
  }
  counts_.erase(std::remove_if(counts_.begin(), counts_.end(),
                               [](const Count& c) { return c.n == 0; }),
                counts_.end());
}

void PendingCounts::abort_subxact(std::uint32_t subxact) noexcept {
  // Its own subtransactions started after it: numbered higher.
  counts_.erase(
      std::remove_if(counts_.begin(), counts_.end(),
                     [&](const Count& c) { return c.subxact >= subxact; }),
      counts_.end());
  failures_.erase(
      std::remove_if(failures_.begin(), failures_.end(),
                     [&](const Failure& f) { return f.subxact >= subxact; }),
      failures_.end());
}

void PendingCounts::clear() noexcept {
  counts_.clear();
  failures_.clear();
}

void PendingCounts::flush_to(JobCounters& counters,
                             std::int64_t now) const noexcept {
  for (const Count& c : counts_) {
    add_events(counters, now, database_, c.type, c.event, c.n);
  }
  for (const Failure& f : failures_) jc::add_failure(counters, f.failure);
}

}  // namespace jc
