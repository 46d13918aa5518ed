// The monitoring functions of the 1.5 script written in C: the counters'
// (job_counting.hpp) job_event_counts, job_recent_failures and
// job_counters_since, and job_notifier_backlog. They count every company: a
// session bound to one (job_control.company_id) may not read them.
#include "postgres_headers.hpp"

#include <cstdint>
#include <string>
#include <vector>

#include "call_support.hpp"
#include "catalog_cache.hpp"
#include "guard.hpp"
#include "job_counting.hpp"
#include "job_error.hpp"
#include "owner_spi.hpp"
#include "settings.hpp"

namespace jc::pg {

namespace {

void refuse_bound_session(const char* what) {
  if (settings::has_company()) {
    throw JobError(sqlstate::kInsufficientPrivilege,
                   std::string(what) + " count every company",
                   "This session is bound to one company by "
                   "job_control.company_id.",
                   "Read them in a session without job_control.company_id.");
  }
}

constexpr char kCounters[] = "the job counters";

// A copy of the counters in the function's memory, or nullptr.
JobCounters* counters_copy() {
  return pg_guarded([] {
    auto* copy = static_cast<JobCounters*>(palloc(sizeof(JobCounters)));
    return read_counters(copy) ? copy : nullptr;
  });
}

void append_row(FunctionCallInfo fcinfo, Datum* values, bool* nulls) {
  pg_guarded([&] {
    auto* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
  });
}

Datum type_datum(std::uint32_t type, bool* is_null) {
  *is_null = type == kOtherTypes;
  return ObjectIdGetDatum(type);
}

// (type, event, total, per_second): every event of every type of this
// database counted since counting started, in the order of the types' first
// events; type NULL for the types past the slots (job_counters.hpp).
Datum event_counts_impl(FunctionCallInfo fcinfo) {
  refuse_bound_session(kCounters);
  begin_set_result(fcinfo);
  const JobCounters* counters = counters_copy();
  if (counters == nullptr) return Datum(0);
  const TimestampTz now = GetCurrentTimestamp();
  for (const TypeCounts& type : counters->types) {
    if (!counts_of(type, MyDatabaseId)) continue;
    for (int e = 0; e < kJobEventCount; ++e) {
      const auto event = static_cast<JobEvent>(e);
      const EventRate rate = event_rate(*counters, type, event, now);
      if (type.type == kOtherTypes && rate.total == 0) continue;
      bool nulls[4] = {false, false, false, false};
      Datum values[4] = {type_datum(type.type, &nulls[0]), pg_guarded([&] {
                           return CStringGetTextDatum(event_name(event).data());
                         }),
                         Int64GetDatum(static_cast<std::int64_t>(rate.total)),
                         Float8GetDatum(rate.per_second)};
      append_row(fcinfo, values, nulls);
    }
  }
  return Datum(0);
}

// (job_id, type, failed_at): the last failures, newest first.
Datum recent_failures_impl(FunctionCallInfo fcinfo) {
  refuse_bound_session(kCounters);
  begin_set_result(fcinfo);
  const JobCounters* counters = counters_copy();
  if (counters == nullptr) return Datum(0);
  const std::vector<RecentFailure> failures =
      recent_failures(*counters, MyDatabaseId);
  for (const RecentFailure& f : failures) {
    bool nulls[3] = {false, false, false};
    Datum values[3] = {pg_guarded([&] {
                         auto* id = static_cast<pg_uuid_t*>(palloc(UUID_LEN));
                         memcpy(id->data, f.job_id, UUID_LEN);
                         return UUIDPGetDatum(id);
                       }),
                       type_datum(f.type, &nulls[1]),
                       TimestampTzGetDatum(f.at)};
    append_row(fcinfo, values, nulls);
  }
  return Datum(0);
}

// When counting started (the server's start, or the first count after it);
// NULL when nothing is counted.
Datum counters_since_impl(FunctionCallInfo fcinfo) {
  refuse_bound_session(kCounters);
  const JobCounters* counters = counters_copy();
  if (counters == nullptr) PG_RETURN_NULL();
  return TimestampTzGetDatum(counters->since);
}

// The deferred notifications the notifier has not sent: the queue is the
// extension owner's, read as it (as the trigger writes it).
Datum notifier_backlog_impl(FunctionCallInfo) {
  refuse_bound_session("the notifier's queued notifications");
  return pg_guarded([] {
    const Oid queue = job_control_relation("job_notifications");
    HeapTuple table = SearchSysCache1(RELOID, ObjectIdGetDatum(queue));
    if (!HeapTupleIsValid(table)) {
      elog(ERROR, "job_control: the notification queue is missing");
    }
    const Oid owner =
        reinterpret_cast<Form_pg_class>(GETSTRUCT(table))->relowner;
    ReleaseSysCache(table);
    std::int64_t queued = 0;
    run_as_owner(owner, [&] {
      if (SPI_execute("SELECT pg_catalog.count(*) FROM "
                      "job_control.job_notifications",
                      true, 1) != SPI_OK_SELECT) {
        elog(ERROR, "job_control: could not count the notification queue");
      }
      bool is_null;
      queued = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
                                           SPI_tuptable->tupdesc, 1, &is_null));
    });
    return Int64GetDatum(queued);
  });
}

}  // namespace

}  // namespace jc::pg

JOB_CONTROL_ENTRY_POINT(job_event_counts, jc::pg::event_counts_impl)
JOB_CONTROL_ENTRY_POINT(job_recent_failures, jc::pg::recent_failures_impl)
JOB_CONTROL_ENTRY_POINT(job_counters_since, jc::pg::counters_since_impl)
JOB_CONTROL_ENTRY_POINT(job_notifier_backlog, jc::pg::notifier_backlog_impl)
