#include "job_counters.hpp"

#include <gtest/gtest.h>

#include <memory>

namespace jc {
namespace {

constexpr std::int64_t kSecond = 1'000'000;
constexpr std::uint32_t kForecast = 16401;
constexpr std::uint32_t kMaterialize = 16403;
constexpr std::uint32_t kDatabase = 16384;

std::unique_ptr<JobCounters> counters_from(std::int64_t since) {
  auto c = std::make_unique<JobCounters>();
  start_counting(*c, since);
  return c;
}

const TypeCounts& slot_of(const JobCounters& c, std::uint32_t type) {
  for (const TypeCounts& t : c.types) {
    if (t.type == type) return t;
  }
  ADD_FAILURE() << "no slot for type " << type;
  return c.types[0];
}

TEST(JobEvent, NamesEveryChangeOfState) {
  const JobState pending = JobState::kPending;
  const JobState running = JobState::kRunning;
  EXPECT_EQ(job_event(nullptr, JobState::kPending, false), JobEvent::kCreated);
  EXPECT_EQ(job_event(nullptr, JobState::kFailed, true), JobEvent::kCreated);
  EXPECT_EQ(job_event(&pending, running, true), JobEvent::kClaimed);
  EXPECT_EQ(job_event(&pending, running, false), JobEvent::kStarted);
  EXPECT_EQ(job_event(&running, JobState::kPendingCancellation, false),
            JobEvent::kCancelRequested);
  EXPECT_EQ(job_event(&running, JobState::kCompleted, false),
            JobEvent::kCompleted);
  EXPECT_EQ(job_event(&running, JobState::kFailed, false), JobEvent::kFailed);
  EXPECT_EQ(job_event(&pending, JobState::kCancelled, false),
            JobEvent::kCancelled);
  EXPECT_EQ(job_event(&running, pending, false), JobEvent::kRescheduled);
  EXPECT_EQ(event_name(JobEvent::kCancelRequested), "cancel_requested");
}

TEST(JobCounters, TotalsByTypeAndEvent) {
  auto c = counters_from(0);
  add_events(*c, 5 * kSecond, kDatabase, kForecast, JobEvent::kCompleted, 3);
  add_events(*c, 6 * kSecond, kDatabase, kMaterialize, JobEvent::kCompleted, 1);
  add_events(*c, 7 * kSecond, kDatabase, kForecast, JobEvent::kFailed, 2);
  EXPECT_EQ(slot_of(*c, kForecast).total.n[int(JobEvent::kCompleted)], 3u);
  EXPECT_EQ(slot_of(*c, kForecast).total.n[int(JobEvent::kFailed)], 2u);
  EXPECT_EQ(slot_of(*c, kMaterialize).total.n[int(JobEvent::kCompleted)], 1u);
}

TEST(JobCounters, EachDatabaseCountsApart) {
  auto c = counters_from(0);
  add_events(*c, kSecond, kDatabase, kForecast, JobEvent::kCreated, 2);
  add_events(*c, kSecond, kDatabase + 1, kForecast, JobEvent::kCreated, 5);
  EXPECT_EQ(c->types[0].database, kDatabase);
  EXPECT_EQ(c->types[0].total.n[0], 2u);
  EXPECT_EQ(c->types[1].database, kDatabase + 1);
  EXPECT_EQ(c->types[1].total.n[0], 5u);
  EXPECT_TRUE(counts_of(c->types[0], kDatabase));
  EXPECT_FALSE(counts_of(c->types[1], kDatabase));
  EXPECT_FALSE(counts_of(c->types[2], kDatabase));  // free
  EXPECT_TRUE(counts_of(c->types[kCounterTypeSlots - 1], kDatabase));
  RecentFailure other{};
  other.database = kDatabase + 1;
  add_failure(*c, other);
  EXPECT_TRUE(recent_failures(*c, kDatabase).empty());
  EXPECT_EQ(recent_failures(*c, kDatabase + 1).size(), 1u);
}

TEST(JobCounters, TypesPastTheSlotsShareTheLast) {
  auto c = counters_from(0);
  for (std::uint32_t type = 1; type <= kCounterTypeSlots + 5; ++type) {
    add_events(*c, kSecond, kDatabase, type, JobEvent::kCreated, 1);
  }
  EXPECT_EQ(slot_of(*c, 1).total.n[0], 1u);
  EXPECT_EQ(slot_of(*c, kCounterTypeSlots - 1).total.n[0], 1u);
  // Types 32 to 37 found no slot of their own.
  EXPECT_EQ(slot_of(*c, kOtherTypes).total.n[0], 6u);
}

TEST(JobCounters, RateOverTheLastMinutesWholePeriods) {
  auto c = counters_from(0);
  // 10 a second for two minutes, one call a second.
  for (std::int64_t s = 0; s < 120; ++s) {
    add_events(*c, s * kSecond, kDatabase, kForecast, JobEvent::kCompleted, 10);
  }
  const TypeCounts& t = slot_of(*c, kForecast);
  const EventRate r = event_rate(*c, t, JobEvent::kCompleted, 125 * kSecond);
  EXPECT_EQ(r.total, 1200u);
  EXPECT_DOUBLE_EQ(r.per_second, 10.0);
  // Nothing since: the rate falls as whole periods pass, to 0.
  EXPECT_DOUBLE_EQ(
      event_rate(*c, t, JobEvent::kCompleted, 150 * kSecond).per_second,
      10.0 * 30 / 60);
  EXPECT_DOUBLE_EQ(
      event_rate(*c, t, JobEvent::kCompleted, 200 * kSecond).per_second, 0.0);
  EXPECT_EQ(event_rate(*c, t, JobEvent::kCompleted, 200 * kSecond).total,
            1200u);
}

TEST(JobCounters, RateSinceCountingStartedWithinTheMinute) {
  auto c = counters_from(15 * kSecond);
  for (std::int64_t s = 15; s < 40; ++s) {
    add_events(*c, s * kSecond, kDatabase, kForecast, JobEvent::kClaimed, 4);
  }
  // At 41 s the window is [15 s, 40 s): 25 seconds of 4 a second.
  const EventRate r =
      event_rate(*c, slot_of(*c, kForecast), JobEvent::kClaimed, 41 * kSecond);
  EXPECT_DOUBLE_EQ(r.per_second, 4.0);
  // Before one whole period has passed, there is no rate yet.
  auto fresh = counters_from(15 * kSecond);
  add_events(*fresh, 16 * kSecond, kDatabase, kForecast, JobEvent::kClaimed, 4);
  EXPECT_DOUBLE_EQ(event_rate(*fresh, slot_of(*fresh, kForecast),
                              JobEvent::kClaimed, 19 * kSecond)
                       .per_second,
                   0.0);
}

TEST(JobCounters, APeriodSlotIsEmptiedBeforeItIsUsedAgain) {
  auto c = counters_from(0);
  add_events(*c, 1 * kSecond, kDatabase, kForecast, JobEvent::kFailed, 100);
  // 70 s later the same slot holds period 7: period 0's 100 are gone.
  add_events(*c, 71 * kSecond, kDatabase, kForecast, JobEvent::kFailed, 1);
  const EventRate r =
      event_rate(*c, slot_of(*c, kForecast), JobEvent::kFailed, 81 * kSecond);
  EXPECT_EQ(r.total, 101u);
  EXPECT_DOUBLE_EQ(r.per_second, 1.0 / 60);
}

RecentFailure failure(std::uint8_t id, std::int64_t at) {
  RecentFailure f{};
  f.database = kDatabase;
  f.job_id[15] = id;
  f.type = kForecast;
  f.at = at;
  return f;
}

TEST(JobCounters, KeepsTheLastFailuresNewestFirst) {
  auto c = counters_from(0);
  EXPECT_TRUE(recent_failures(*c, kDatabase).empty());
  for (std::uint8_t id = 1; id <= 25; ++id) add_failure(*c, failure(id, id));
  const std::vector<RecentFailure> last = recent_failures(*c, kDatabase);
  ASSERT_EQ(last.size(), static_cast<std::size_t>(kRecentFailures));
  EXPECT_EQ(last.front().job_id[15], 25);
  EXPECT_EQ(last.back().job_id[15], 16);
}

// Flushes `pending` into fresh counters; the total of `event` for kForecast.
std::uint64_t committed(const PendingCounts& pending, JobEvent event) {
  auto c = counters_from(0);
  pending.flush_to(*c, kSecond);
  for (const TypeCounts& t : c->types) {
    if (t.type == kForecast) return t.total.n[static_cast<int>(event)];
  }
  return 0;
}

TEST(PendingCounts, ARolledBackSubtransactionCountsNothing) {
  PendingCounts p(kDatabase);
  p.add(1, kForecast, JobEvent::kFailed);
  p.add(2, kForecast, JobEvent::kFailed);  // SAVEPOINT a
  p.add(3, kForecast, JobEvent::kFailed);  // SAVEPOINT b, inside a
  p.abort_subxact(2);                      // ROLLBACK TO a: b goes too
  p.add(4, kForecast, JobEvent::kFailed);  // SAVEPOINT c
  p.commit_subxact(4, 1);                  // RELEASE c
  EXPECT_EQ(committed(p, JobEvent::kFailed), 2u);
  p.clear();
  EXPECT_TRUE(p.empty());
  EXPECT_EQ(committed(p, JobEvent::kFailed), 0u);
}

TEST(PendingCounts, CommittedChildrenMergeIntoTheirParent) {
  PendingCounts p(kDatabase);
  // A loop with an exception block per iteration: thousands of
  // subtransactions, each committed, keep one count.
  for (std::uint32_t sub = 2; sub < 5000; ++sub) {
    p.add(sub, kForecast, JobEvent::kCompleted);
    p.commit_subxact(sub, 1);
  }
  p.add(1, kForecast, JobEvent::kCompleted);
  EXPECT_EQ(committed(p, JobEvent::kCompleted), 4999u);
  // The parent's rollback takes its committed children's counts with it.
  PendingCounts q(kDatabase);
  q.add(2, kForecast, JobEvent::kStarted);
  q.add(3, kForecast, JobEvent::kStarted);
  q.commit_subxact(3, 2);
  q.abort_subxact(2);
  EXPECT_EQ(committed(q, JobEvent::kStarted), 0u);
}

TEST(PendingCounts, FailuresFollowTheirSubtransaction) {
  PendingCounts p(kDatabase);
  p.add_failure(1, failure(1, 1));
  p.add_failure(2, failure(2, 2));
  p.abort_subxact(2);
  p.add_failure(3, failure(3, 3));
  p.commit_subxact(3, 1);
  auto c = counters_from(0);
  p.flush_to(*c, kSecond);
  const std::vector<RecentFailure> last = recent_failures(*c, kDatabase);
  ASSERT_EQ(last.size(), 2u);
  EXPECT_EQ(last[0].job_id[15], 3);
  EXPECT_EQ(last[1].job_id[15], 1);
}

}  // namespace
}  // namespace jc
