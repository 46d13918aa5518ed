// The functions of executors and operators: claim, heartbeat, reap, reschedule
// and batch fail. Same boundary discipline as the lifecycle functions.
#include "postgres_headers.hpp"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <string>

#include "call_support.hpp"
#include "catalog_cache.hpp"
#include "guard.hpp"
#include "job_errors.hpp"
#include "job_row.hpp"
#include "job_store.hpp"
#include "jsonb_build.hpp"
#include "owner_spi.hpp"
#include "job_counting.hpp"
#include "queue_claim.hpp"
#include "validation.hpp"

namespace jc::pg {

namespace {

constexpr int kMaxClaim = 1000;
constexpr int kMaxBatch = 10000;

// Appends every row of the last run_many() to the set result as a job.
void append_rows(FunctionCallInfo fcinfo, std::uint64_t rows, int offset) {
  for (std::uint64_t i = 0; i < rows; ++i) {
    append_to_set(fcinfo, pg_guarded([&] {
                    return JsonbPGetDatum(job_to_jsonb(result_row(i, offset)));
                  }));
  }
}

// Claims and the reaper read the work index of 1.2 (the queue and the
// leases, which came together): on an older install they say what to run.
void require_work_index(const char* function) {
  if (!pg_guarded([] { return OidIsValid(queue_relation().table); })) {
    throw needs_work_index(function);
  }
}

// Runs the claim with plans that walk the queue in order. Row security on
// the queue and the jobs (a tenant filter) makes the planner guess that few
// queue entries qualify, and then it would rather sort the whole queue than
// walk its index: a claim would cost as much as the backlog is long. With
// sequential scans and sorts disabled while the statement runs (and could be
// re-planned), the only plan left is the queue's index, stopping at the
// first free jobs. The sort of the few claimed rows that remains then
// carries the planner's huge cost of a disabled node, which would make every
// claim JIT-compile its statement (125 ms instead of 0.3 ms a claim where
// JIT is available): JIT is off for it too. Restored when the statement
// ends, as a function's SET clause would be.
std::uint64_t run_in_queue_order(Statement& claim, const Datum* values,
                                 const char* nulls) {
  return with_planner_settings_off(
      {"enable_seqscan", "enable_sort", "jit"},
      [&] { return run_many(claim, values, nulls, false); });
}

// The claim's arguments for queue_claim.hpp (a guarded body): NULL elements
// of the types match no job (= ANY), so they are left out.
ClaimRequest claim_request(FunctionCallInfo fcinfo, int max_jobs,
                           bool any_type) {
  ClaimRequest request{};
  request.executor = PG_GETARG_DATUM(0);
  request.max_jobs = max_jobs;
  request.any_data_plane = PG_ARGISNULL(3);
  if (!request.any_data_plane) request.data_plane = PG_GETARG_DATUM(3);
  if (any_type) return request;
  ArrayType* types = PG_GETARG_ARRAYTYPE_P(2);
  request.type_of_types = ARR_ELEMTYPE(types);
  int16 length;
  bool by_value;
  char align;
  get_typlenbyvalalign(request.type_of_types, &length, &by_value, &align);
  Datum* values;
  bool* nulls;
  int count;
  deconstruct_array(types, request.type_of_types, length, by_value, align,
                    &values, &nulls, &count);
  for (int i = 0; i < count; ++i) {
    if (!nulls[i]) values[request.type_count++] = values[i];
  }
  request.types = values;
  return request;
}

// The claim without SQL, where queue_claim.hpp allows it, its jobs added to
// the result: false when the call must run the statement.
bool claimed_directly(FunctionCallInfo fcinfo, const ClaimRequest& request) {
  ClaimedJobs claimed{};
  const bool done =
      pg_guarded([&] { return claim_directly(request, &claimed); });
  for (int i = 0; done && i < claimed.count; ++i) {
    append_to_set(fcinfo, pg_guarded([&] {
                    return JsonbPGetDatum(job_to_jsonb(claimed.row(i)));
                  }));
  }
  return done;
}

// The label of the one type a claim on any data plane names, if the queue
// has its lanes (1.4); else Datum(0): the statement reads the whole queue.
Datum lane_type(const ClaimRequest& r) {
  if (r.types == nullptr || !r.any_data_plane) return Datum(0);
  const QueueRelation queue = queue_relation();
  if (r.type_count == 0 || queue.type <= 0 ||
      r.type_of_types != queue.type_type ||
      std::any_of(r.types, r.types + r.type_count,
                  [&](Datum t) { return t != r.types[0]; })) {
    return Datum(0);
  }
  return CStringGetTextDatum(enum_label(r.types[0]));
}

Datum claim_impl(FunctionCallInfo fcinfo) {
  validate_executor(required_text_arg(fcinfo, 0, "executor"));
  const int max_jobs = bounded_int_arg(fcinfo, 1, "max_jobs", 1, kMaxClaim);
  const bool any_type = PG_ARGISNULL(2);
  const bool no_types = !any_type && pg_guarded([&] {
    ArrayType* types = PG_GETARG_ARRAYTYPE_P(2);
    return ArrayGetNItems(ARR_NDIM(types), ARR_DIMS(types)) == 0;
  });
  if (no_types) {
    throw JobError(sqlstate::kInvalidParameterValue, "types must not be empty",
                   {}, "Pass NULL to claim jobs of any type.");
  }
  require_work_index("job_claim");
  claim_statement(false);  // both statements' SQL built outside guards
  begin_set_result(fcinfo);
  const ClaimRequest request =
      pg_guarded([&] { return claim_request(fcinfo, max_jobs, any_type); });
  begin_claim();
  if (claimed_directly(fcinfo, request)) {
    end_claim();
    return Datum(0);
  }
  spi_connect();
  const Datum type = pg_guarded([&] { return lane_type(request); });
  Statement& claim = claim_statement(type != Datum(0));
  const std::uint64_t rows = pg_guarded([&] {
    Datum types = Datum(0);
    if (!any_type) {
      // The job_type[] argument as its array literal, cast back once in SQL:
      // no type OID of the extension is baked into the kept plan.
      Oid output;
      bool is_varlena;
      getTypeOutputInfo(get_fn_expr_argtype(fcinfo->flinfo, 2), &output,
                        &is_varlena);
      types = CStringGetTextDatum(
          OidOutputFunctionCall(output, PG_GETARG_DATUM(2)));
    }
    const Datum values[5] = {PG_GETARG_DATUM(0), PG_GETARG_DATUM(1), types,
                             PG_ARGISNULL(3) ? Datum(0) : PG_GETARG_DATUM(3),
                             type};
    const char nulls[5] = {' ', ' ', any_type ? 'n' : ' ',
                           PG_ARGISNULL(3) ? 'n' : ' ',
                           type == Datum(0) ? 'n' : ' '};
    return run_in_queue_order(claim, values, nulls);
  });
  end_claim();
  append_rows(fcinfo, rows, 0);
  spi_finish();
  return Datum(0);
}

Datum heartbeat_impl(FunctionCallInfo fcinfo) {
  const JobId id = job_id_arg(fcinfo, 0);
  std::string_view executor = required_text_arg(fcinfo, 1, "executor");
  validate_executor(executor);
  return transition(Operation::kHeartbeat, id, Datum(0), true, &executor).job;
}

Datum reschedule_impl(FunctionCallInfo fcinfo) {
  const JobId id = job_id_arg(fcinfo, 0);
  if (PG_ARGISNULL(1)) throw null_argument("force");
  const bool force = PG_GETARG_BOOL(1);
  // Taking a job out of a terminal state is an administrator's act: it needs
  // the DELETE privilege on the jobs table, which writers do not have.
  if (force && !pg_guarded([] {
        return pg_class_aclcheck(jobs_relation().table, GetUserId(),
                                 ACL_DELETE) == ACLCHECK_OK;
      })) {
    throw force_needs_admin();
  }
  const Operation op =
      force ? Operation::kForceReschedule : Operation::kReschedule;
  const TransitionResult r = transition(op, id, Datum(0), true, nullptr);
  return pg_guarded([&] {
    jsonb::Member members[] = {
        {literal("job"), jsonb_datum_value(r.job)},
        {literal("outcome"),
         r.moved ? literal("rescheduled") : literal("skipped_terminal")},
    };
    return JsonbPGetDatum(jsonb_object(members, std::size(members)));
  });
}

// A stale lease found by the reaper, copied out of its SPI row.
struct StaleLease {
  Datum job_id;
  const char* executor;  // "" when the job has none
  char last_heartbeat[kTimestampTextSize];
};

Datum reap_stale_impl(FunctionCallInfo fcinfo) {
  const TimestampTz cutoff = cutoff_arg(fcinfo, 0, "older_than");
  require_work_index("job_reap_stale");
  Statement& cleanup = lease_cleanup_statement();
  Statement& stale = stale_leases_statement();
  Statement& fail = transition_statement(Operation::kFail);
  begin_set_result(fcinfo);
  spi_connect();
  // First drop the lease entries of jobs that finished since the last run
  // (the trigger leaves them, so that finishing a job writes only its row),
  // as the owner of the work index.
  pg_guarded([&] {
    run_as_owner(jobs_table_owner(),
                 [&] { run_many(cleanup, nullptr, nullptr, false); });
  });
  // Lock every expired lease first (skipping rows other reapers hold), then
  // fail each job under that lock.
  struct Found {
    StaleLease* leases;
    std::uint64_t count;
  };
  const Found found = pg_guarded([&] {
    const Datum values[1] = {TimestampTzGetDatum(cutoff)};
    const char nulls[1] = {' '};
    Found f{nullptr, run_many(stale, values, nulls, false)};
    f.leases = static_cast<StaleLease*>(
        palloc0(sizeof(StaleLease) * (f.count > 0 ? f.count : 1)));
    for (std::uint64_t i = 0; i < f.count; ++i) {
      HeapTuple row = SPI_tuptable->vals[i];
      TupleDesc desc = SPI_tuptable->tupdesc;
      bool is_null;
      auto* id = static_cast<pg_uuid_t*>(palloc(sizeof(pg_uuid_t)));
      *id = *DatumGetUUIDP(heap_getattr(row, 1, desc, &is_null));
      f.leases[i].job_id = UUIDPGetDatum(id);
      const char* executor = SPI_getvalue(row, desc, 2);
      f.leases[i].executor = executor ? executor : "";
      format_timestamp_utc(
          DatumGetTimestampTz(heap_getattr(row, 3, desc, &is_null)),
          f.leases[i].last_heartbeat);
    }
    return f;
  });
  for (std::uint64_t i = 0; i < found.count; ++i) {
    const StaleLease& lease = found.leases[i];
    const std::string message =
        lease_expired_message(lease.executor, lease.last_heartbeat);
    const Datum job = pg_guarded([&] {
      const Datum entry = JsonbPGetDatum(failure_entry(
          message, lease_diagnostic(lease.executor, lease.last_heartbeat),
          GetCurrentTimestamp()));
      const Datum values[3] = {lease.job_id, entry, Datum(0)};
      const char nulls[3] = {' ', ' ', 'n'};
      // The job is locked by this call, so it moves; the result row is
      // (moved, <job>).
      if (run_many(fail, values, nulls, false) == 0) {
        elog(ERROR, "job_control: a locked stale job vanished");
      }
      return JsonbPGetDatum(job_to_jsonb(result_row(0, 0)));
    });
    append_to_set(fcinfo, job);
  }
  spi_finish();
  return Datum(0);
}

Datum fail_many_impl(FunctionCallInfo fcinfo) {
  if (PG_ARGISNULL(0)) throw null_argument("job ids");
  const std::string message = checked_failure_message(fcinfo, 1);
  struct Ids {
    int count;
    bool has_null;
  };
  const Ids ids = pg_guarded([&] {
    ArrayType* array = PG_GETARG_ARRAYTYPE_P(0);
    return Ids{ArrayGetNItems(ARR_NDIM(array), ARR_DIMS(array)),
               array_contains_nulls(array)};
  });
  if (ids.has_null) throw null_argument("a job id in the batch");
  if (ids.count > kMaxBatch) {
    throw JobError(
        sqlstate::kInvalidParameterValue,
        "too many job ids in one batch (" + std::to_string(ids.count) + ")", {},
        "At most " + std::to_string(kMaxBatch) + " are allowed.");
  }
  Statement& fail = fail_many_statement();
  Statement& fetch = fetch_many_statement();
  begin_set_result(fcinfo);
  spi_connect();
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    // The UPDATE fails every job it can; the jobs are then read back in the
    // order given, which also finds ids that do not exist and jobs that
    // changed between the two statements (READ COMMITTED only: retry).
    struct Outcome {
      std::uint64_t rows;
      std::uint64_t missing;  // 1-based row of an unknown id, 0 if none
      bool changed;
    };
    const Outcome o = pg_guarded([&] {
      const Datum entry = JsonbPGetDatum(failure_entry(
          message, PG_ARGISNULL(2) ? nullptr : PG_GETARG_JSONB_P(2),
          GetCurrentTimestamp()));
      const Datum values[2] = {PG_GETARG_DATUM(0), entry};
      const char nulls[2] = {' ', ' '};
      run_many(fail, values, nulls, false);
      Outcome out{run_many(fetch, values, nulls, false), 0, false};
      for (std::uint64_t i = 0; i < out.rows && out.missing == 0; ++i) {
        const JobRow row = result_row(i, 1);
        bool is_null;
        heap_getattr(row.tuple, row.offset + kColJobId, row.desc, &is_null);
        if (is_null) {
          out.missing = i + 1;
        } else if (!is_terminal(row_state(row))) {
          out.changed = true;
        }
      }
      return out;
    });
    if (o.missing > 0) {
      char id[kUuidTextSize];
      pg_guarded([&] {
        bool is_null;
        format_uuid(
            DatumGetUUIDP(heap_getattr(SPI_tuptable->vals[o.missing - 1], 1,
                                       SPI_tuptable->tupdesc, &is_null))
                ->data,
            id);
      });
      throw job_not_found(id);
    }
    if (!o.changed) {
      append_rows(fcinfo, o.rows, 1);
      spi_finish();
      return Datum(0);
    }
  }
  throw batch_retries_exhausted();
}

}  // namespace

}  // namespace jc::pg

JOB_CONTROL_ENTRY_POINT(job_claim, jc::pg::claim_impl)
JOB_CONTROL_ENTRY_POINT(job_heartbeat, jc::pg::heartbeat_impl)
JOB_CONTROL_ENTRY_POINT(job_reap_stale, jc::pg::reap_stale_impl)
JOB_CONTROL_ENTRY_POINT(job_reschedule, jc::pg::reschedule_impl)
JOB_CONTROL_ENTRY_POINT(job_fail_many, jc::pg::fail_many_impl)
