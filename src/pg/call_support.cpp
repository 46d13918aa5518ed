#include "call_support.hpp"

#include <array>
#include <cstring>

#include "guard.hpp"
#include "job_errors.hpp"
#include "job_move.hpp"
#include "job_peek.hpp"
#include "job_store.hpp"
#include "limits.hpp"
#include "path_choice.hpp"
#include "settings.hpp"
#include "terminal_exit_permit.hpp"
#include "validation.hpp"

namespace jc::pg {

namespace {

// One try at moving the job: without SQL where job_move.hpp allows it,
// else the guarded UPDATE and, if it moved nothing, a SELECT of the job.
Attempt attempt_transition(Operation op, Statement& update, const Datum* values,
                           const char* nulls, const std::string_view* fence) {
  return pg_guarded([&] {
    Attempt a{};
    if (move_job(op, values[0], values[1], nulls[1] == 'n', fence, &a)) {
      return a;
    }
    if (run(update, values, nulls, false, &a.row)) {
      a.moved = a.found = true;
      return a;
    }
    JobRow row{};
    if (run(fetch_statement(), values, nulls, false, &row)) found_job(a, row);
    return a;
  });
}

// Per operation, this backend's choice of the path to try first.
std::array<PathChoice, kAllOperations.size()> g_path_choice;

// The outcome of a call that did not move the job, as the job stands:
// raises P0002 or 55000, or returns whether it is a no-op (true) or the job
// changed meanwhile and the call must try again (false).
bool settles_unmoved(Operation op, const JobId& id,
                     const std::string_view* fence, bool found, JobState state,
                     bool has_executor, std::string_view executor) {
  if (!found) throw job_not_found(id.text);
  if (fence != nullptr && (!has_executor || executor != *fence)) {
    throw executor_mismatch(op, id.text, *fence,
                            has_executor ? &executor : nullptr);
  }
  const Decision d = decide(op, state);
  if (d.effect == Effect::kReject)
    throw transition_rejected(op, id.text, state);
  return d.effect == Effect::kNoOp;
}

}  // namespace

std::string_view text_view(Datum d) {
  text* t = DatumGetTextPP(d);
  return {VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)};
}

bool same_uuid(Datum a, Datum b) {
  return std::memcmp(DatumGetUUIDP(a)->data, DatumGetUUIDP(b)->data,
                     UUID_LEN) == 0;
}

JobId job_id_arg(FunctionCallInfo fcinfo, int argno) {
  if (PG_ARGISNULL(argno)) throw null_argument("job id");
  JobId id{PG_GETARG_DATUM(argno), {}};
  format_uuid(DatumGetUUIDP(id.value)->data, id.text);
  return id;
}

bool optional_text_arg(FunctionCallInfo fcinfo, int argno,
                       std::string_view* value) {
  if (PG_NARGS() <= argno || PG_ARGISNULL(argno)) return false;
  *value = pg_guarded([&] { return text_view(PG_GETARG_DATUM(argno)); });
  return true;
}

std::string_view required_text_arg(FunctionCallInfo fcinfo, int argno,
                                   const char* what) {
  std::string_view value;
  if (!optional_text_arg(fcinfo, argno, &value)) throw null_argument(what);
  return value;
}

std::string checked_failure_message(FunctionCallInfo fcinfo, int argno) {
  const std::string_view message =
      required_text_arg(fcinfo, argno, "failure message");
  validate_failure_message(message);
  return bounded_message(message,
                         static_cast<std::size_t>(settings::max_message_bytes));
}

const std::string_view* fence_arg(FunctionCallInfo fcinfo, int argno,
                                  std::string_view* storage) {
  if (!optional_text_arg(fcinfo, argno, storage)) return nullptr;
  validate_executor(*storage);
  return storage;
}

TimestampTz cutoff_arg(FunctionCallInfo fcinfo, int argno, const char* what) {
  if (PG_ARGISNULL(argno)) throw null_argument(what);
  struct Cutoff {
    bool positive;
    TimestampTz at;
  };
  const Cutoff c = pg_guarded([&] {
    Interval* age = PG_GETARG_INTERVAL_P(argno);
    const Interval zero{};
    Cutoff result{};
    result.positive = DatumGetBool(DirectFunctionCall2(
        interval_gt, IntervalPGetDatum(age), IntervalPGetDatum(&zero)));
    result.at = DatumGetTimestampTz(DirectFunctionCall2(
        timestamptz_mi_interval, TimestampTzGetDatum(GetCurrentTimestamp()),
        IntervalPGetDatum(age)));
    return result;
  });
  if (!c.positive) {
    throw JobError(sqlstate::kInvalidParameterValue,
                   std::string(what) + " must be a positive interval");
  }
  return c.at;
}

int bounded_int_arg(FunctionCallInfo fcinfo, int argno, const char* what,
                    int min, int max) {
  if (PG_ARGISNULL(argno)) throw null_argument(what);
  const int value = PG_GETARG_INT32(argno);
  if (value < min || value > max) {
    throw JobError(sqlstate::kInvalidParameterValue,
                   std::string(what) + " must be between " +
                       std::to_string(min) + " and " + std::to_string(max) +
                       ", not " + std::to_string(value));
  }
  return value;
}

void spi_connect() {
  pg_guarded([] {
    if (SPI_connect() != SPI_OK_CONNECT) {
      elog(ERROR, "job_control: SPI_connect failed");
    }
  });
}

void spi_finish() {
  pg_guarded([] { SPI_finish(); });
}

Oid jobs_table_owner() {
  HeapTuple tuple =
      SearchSysCache1(RELOID, ObjectIdGetDatum(jobs_relation().table));
  if (!HeapTupleIsValid(tuple)) {
    elog(ERROR, "job_control: the jobs table is missing");
  }
  const Oid owner = reinterpret_cast<Form_pg_class>(GETSTRUCT(tuple))->relowner;
  ReleaseSysCache(tuple);
  return owner;
}

Datum finish_with(const JobRow& row, MemoryContext caller) {
  return finish_building(caller, [&] { return job_to_jsonb(row); });
}

TransitionResult transition(Operation op, const JobId& id, Datum value,
                            bool value_null, const std::string_view* fence,
                            const std::function<Datum()>& build_value) {
  // Both statements are built here, outside any guarded body: building one
  // allocates, and a C++ exception must never cross a PG_TRY frame.
  Statement& update = transition_statement(op);
  fetch_statement();
  Datum values[3] = {id.value, value, Datum(0)};
  char nulls[3] = {' ', value_null ? 'n' : ' ', 'n'};
  if (fence != nullptr) {
    values[2] = pg_guarded([&] {
      return PointerGetDatum(cstring_to_text_with_len(
          fence->data(), static_cast<int>(fence->size())));
    });
    nulls[2] = ' ';
  }
  // A call that will not move the job is answered from the row as stored
  // (job_peek.hpp), without the UPDATE; path_choice.hpp says when to try
  // that first. Both paths give the same answer. A forced reschedule always
  // moves the job.
  PathChoice& choice = g_path_choice[static_cast<std::size_t>(op)];
  if (op != Operation::kForceReschedule && choice.read_first()) {
    const Peek peek = pg_guarded([&] { return peek_job(id.value, op, fence); });
    if (peek.usable) {
      const std::string_view executor =
          peek.has_executor ? std::string_view(peek.executor) : "";
      if (settles_unmoved(op, id, fence, peek.found, peek.state,
                          peek.has_executor, executor)) {
        choice.stayed();
        return {peek.job, false};
      }
    }
  }
  if (build_value) {
    values[1] = build_value();
    nulls[1] = ' ';
  }
  // Only a forced reschedule may take this job out of a terminal state; the
  // trigger checks the permit, which ends with this call.
  const TerminalExitPermit permit(
      op == Operation::kForceReschedule ? DatumGetUUIDP(id.value) : nullptr);
  MemoryContext caller = CurrentMemoryContext;
  spi_connect();
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    const Attempt a = attempt_transition(op, update, values, nulls, fence);
    if (a.moved) {
      choice.moved();
      return {finish_with(a.row, caller), true};
    }
    if (settles_unmoved(op, id, fence, a.found, a.state, a.has_executor,
                        a.executor)) {
      choice.stayed();
      return {finish_with(a.row, caller), false};
    }
  }
  throw transition_retries_exhausted(id.text);
}

void begin_set_result(FunctionCallInfo fcinfo) {
  pg_guarded([&] { InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC); });
}

void append_to_set(FunctionCallInfo fcinfo, Datum job) {
  pg_guarded([&] {
    auto* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    bool is_null = false;
    tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &job, &is_null);
  });
}

}  // namespace jc::pg
