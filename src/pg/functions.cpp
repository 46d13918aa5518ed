// The SQL-callable lifecycle functions. Each extern "C" function is a thin
// run_entry() around an implementation that keeps C++ objects (exceptions,
// strings of the core) out of the frames that call PostgreSQL: every call
// into PostgreSQL sits in a pg_guarded() body that holds only plain data.
#include "postgres_headers.hpp"

#include <string_view>

#include "format.hpp"
#include "guard.hpp"
#include "job_errors.hpp"
#include "job_row.hpp"
#include "job_store.hpp"
#include "json_args.hpp"
#include "validation.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(job_create);
PG_FUNCTION_INFO_V1(job_get);
PG_FUNCTION_INFO_V1(job_start);
PG_FUNCTION_INFO_V1(job_complete);
PG_FUNCTION_INFO_V1(job_fail);
PG_FUNCTION_INFO_V1(job_cancel);
PG_FUNCTION_INFO_V1(job_acknowledge_cancel);
}

namespace jc::pg {

namespace {

// A READ COMMITTED transition retries when the job changed between its
// UPDATE and its SELECT; each retry means another call committed a change.
constexpr int kMaxTransitionAttempts = 100;

struct JobId {
  Datum value;
  char text[kUuidTextSize];
};

std::string_view text_view(Datum d) {
  text* t = DatumGetTextPP(d);
  return {VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)};
}

// The job id argument; 22004 when it is NULL.
JobId job_id_arg(FunctionCallInfo fcinfo, int argno) {
  if (PG_ARGISNULL(argno)) throw null_argument("job id");
  JobId id{PG_GETARG_DATUM(argno), {}};
  format_uuid(DatumGetUUIDP(id.value)->data, id.text);
  return id;
}

// An optional text argument (NULL or absent gives an empty view and false).
bool optional_text_arg(FunctionCallInfo fcinfo, int argno,
                       std::string_view* value) {
  if (PG_NARGS() <= argno || PG_ARGISNULL(argno)) return false;
  *value = pg_guarded([&] { return text_view(PG_GETARG_DATUM(argno)); });
  return true;
}

void spi_connect() {
  pg_guarded([] {
    if (SPI_connect() != SPI_OK_CONNECT) {
      elog(ERROR, "job_control: SPI_connect failed");
    }
  });
}

// Builds the result in the caller's memory context, then leaves SPI.
Datum finish_with(const JobRow& row, MemoryContext caller) {
  return pg_guarded([&] {
    MemoryContext spi = MemoryContextSwitchTo(caller);
    Jsonb* job = job_to_jsonb(row);
    MemoryContextSwitchTo(spi);
    SPI_finish();
    return JsonbPGetDatum(job);
  });
}

struct Attempt {
  bool moved;  // the UPDATE changed the job; `row` is the new version
  bool found;
  JobRow row;
  JobState state;
  bool has_executor;
  std::string_view executor;
};

Attempt attempt_transition(Statement& update, const Datum* values,
                           const char* nulls) {
  return pg_guarded([&] {
    Attempt a{};
    if (run(update, values, nulls, false, &a.row)) {
      a.moved = a.found = true;
      return a;
    }
    a.found = run(fetch_statement(), values, nulls, false, &a.row);
    if (a.found) {
      a.state = row_state(a.row);
      a.has_executor = row_executor(a.row, &a.executor);
    }
    return a;
  });
}

// Runs `op` on the job: the guarded UPDATE, and when it changed nothing, the
// job as stored decides between a no-op, an error and (READ COMMITTED only,
// when the job changed in between) another attempt. The parameters follow the
// statement's layout: the id, the operation's value, the fencing executor.
Datum transition(Operation op, const JobId& id, Datum value, bool value_null,
                 const std::string_view* fence) {
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
  MemoryContext caller = CurrentMemoryContext;
  spi_connect();
  for (int attempt = 0; attempt < kMaxTransitionAttempts; ++attempt) {
    const Attempt a = attempt_transition(update, values, nulls);
    if (a.moved) return finish_with(a.row, caller);
    if (!a.found) throw job_not_found(id.text);
    if (fence != nullptr && (!a.has_executor || a.executor != *fence)) {
      throw executor_mismatch(op, id.text, *fence,
                              a.has_executor ? &a.executor : nullptr);
    }
    const Decision d = decide(op, a.state);
    if (d.effect == Effect::kReject) {
      throw transition_rejected(op, id.text, a.state);
    }
    if (d.effect == Effect::kNoOp) return finish_with(a.row, caller);
  }
  throw transition_retries_exhausted(id.text);
}

}  // namespace

}  // namespace jc::pg

namespace jc::pg {

namespace {

Datum get_impl(FunctionCallInfo fcinfo) {
  const JobId id = job_id_arg(fcinfo, 0);
  Statement& fetch = fetch_statement();
  MemoryContext caller = CurrentMemoryContext;
  spi_connect();
  JobRow row{};
  const bool found = pg_guarded([&] {
    const char nulls[1] = {' '};
    return run(fetch, &id.value, nulls, true, &row);
  });
  if (!found) throw job_not_found(id.text);
  return finish_with(row, caller);
}

Datum start_impl(FunctionCallInfo fcinfo) {
  const JobId id = job_id_arg(fcinfo, 0);
  std::string_view executor;
  if (!optional_text_arg(fcinfo, 1, &executor)) {
    throw null_argument("executor");
  }
  validate_executor(executor);
  return transition(Operation::kStart, id, PG_GETARG_DATUM(1), false, nullptr);
}

// The optional fencing executor (argument `argno`); validated when given.
const std::string_view* fence_arg(FunctionCallInfo fcinfo, int argno,
                                  std::string_view* storage) {
  if (!optional_text_arg(fcinfo, argno, storage)) return nullptr;
  validate_executor(*storage);
  return storage;
}

Datum complete_impl(FunctionCallInfo fcinfo) {
  const JobId id = job_id_arg(fcinfo, 0);
  const bool no_result = PG_ARGISNULL(1);
  const Datum result = no_result ? Datum(0) : PG_GETARG_DATUM(1);
  const JsonKind kind = no_result ? JsonKind::kNull : pg_guarded([&] {
    return jsonb_kind(DatumGetJsonbP(result));
  });
  validate_result(kind);
  std::string_view fence_storage;
  const std::string_view* fence = fence_arg(fcinfo, 2, &fence_storage);
  // A JSON null result is stored as SQL NULL: "no result".
  const bool store_null = kind != JsonKind::kObject;
  return transition(Operation::kComplete, id, result, store_null, fence);
}

Datum fail_impl(FunctionCallInfo fcinfo) {
  const JobId id = job_id_arg(fcinfo, 0);
  std::string_view message;
  if (!optional_text_arg(fcinfo, 1, &message)) {
    throw null_argument("failure message");
  }
  validate_failure_message(message);
  std::string_view fence_storage;
  const std::string_view* fence = fence_arg(fcinfo, 3, &fence_storage);
  const Datum entry = pg_guarded([&] {
    Jsonb* diagnostic = PG_ARGISNULL(2) ? nullptr : PG_GETARG_JSONB_P(2);
    return JsonbPGetDatum(
        failure_entry(message, diagnostic, GetCurrentTimestamp()));
  });
  return transition(Operation::kFail, id, entry, false, fence);
}

Datum cancel_impl(FunctionCallInfo fcinfo) {
  return transition(Operation::kCancel, job_id_arg(fcinfo, 0), Datum(0), true,
                    nullptr);
}

Datum acknowledge_cancel_impl(FunctionCallInfo fcinfo) {
  return transition(Operation::kAcknowledgeCancel, job_id_arg(fcinfo, 0),
                    Datum(0), true, nullptr);
}

// The arguments of job_create, read out of their datums.
struct CreateArgs {
  const char* type;
  Datum input;
  Datum request_source;
  JsonKind input_kind;
  JsonKind request_source_kind;
  JsonField nql;
  JsonField dataset_id;
  JsonField company_id;
  Datum idempotency_key;
  std::string_view idempotency_key_text;
  const char* execution_cluster;
};

CreateArgs read_create_args(FunctionCallInfo fcinfo) {
  return pg_guarded([&] {
    CreateArgs a{};
    a.type = enum_label(PG_GETARG_DATUM(0));
    Jsonb* input = PG_GETARG_JSONB_P(1);
    Jsonb* request_source = PG_GETARG_JSONB_P(2);
    a.input = JsonbPGetDatum(input);
    a.request_source = JsonbPGetDatum(request_source);
    a.input_kind = jsonb_kind(input);
    a.request_source_kind = jsonb_kind(request_source);
    a.nql = jsonb_member(input, "nql");
    a.dataset_id = jsonb_member(input, "dataset_id");
    a.company_id = jsonb_member(request_source, "company_id");
    if (!PG_ARGISNULL(3)) {
      a.idempotency_key = PG_GETARG_DATUM(3);
      a.idempotency_key_text = text_view(a.idempotency_key);
    }
    a.execution_cluster = enum_label(PG_GETARG_DATUM(6));
    return a;
  });
}

Datum create_impl(FunctionCallInfo fcinfo) {
  constexpr const char* kRequired[] = {"type", "input", "request_source"};
  for (int i = 0; i < 3; ++i) {
    if (PG_ARGISNULL(i)) throw null_argument(kRequired[i]);
  }
  if (PG_ARGISNULL(6)) throw null_argument("execution_cluster");
  const CreateArgs a = read_create_args(fcinfo);
  const bool has_key = !PG_ARGISNULL(3);
  const JobType type = parse_job_type(a.type).value();
  validate_input(type, a.input_kind, a.nql, a.dataset_id);
  const std::int64_t company_id =
      validate_request_source(a.request_source_kind, a.company_id);
  if (has_key) validate_idempotency_key(a.idempotency_key_text);

  Statement& insert = insert_statement();
  Statement& fetch_by_key = fetch_by_key_statement();
  MemoryContext caller = CurrentMemoryContext;
  const Datum values[8] = {
      Int64GetDatum(company_id),
      pg_guarded([&] { return CStringGetTextDatum(a.type); }),
      a.input,
      a.request_source,
      a.idempotency_key,
      PG_GETARG_DATUM(4),
      PG_GETARG_DATUM(5),
      pg_guarded([&] { return CStringGetTextDatum(a.execution_cluster); }),
  };
  const char nulls[8] = {' ',
                         ' ',
                         ' ',
                         ' ',
                         has_key ? ' ' : 'n',
                         PG_ARGISNULL(4) ? 'n' : ' ',
                         PG_ARGISNULL(5) ? 'n' : ' ',
                         ' '};
  const Datum key_values[2] = {values[0], values[4]};
  const char key_nulls[2] = {' ', ' '};
  spi_connect();
  // An idempotency-key conflict returns the job that holds the key; when that
  // job vanished in between (deleted), the insert is tried again.
  for (int attempt = 0; attempt < kMaxTransitionAttempts; ++attempt) {
    JobRow row{};
    const bool found = pg_guarded([&] {
      return run(insert, values, nulls, false, &row) ||
             (has_key && run(fetch_by_key, key_values, key_nulls, false, &row));
    });
    if (found) return finish_with(row, caller);
  }
  throw idempotent_create_retries_exhausted(a.idempotency_key_text);
}

}  // namespace

}  // namespace jc::pg

using jc::pg::run_entry;

extern "C" {

Datum job_create(PG_FUNCTION_ARGS) {
  return run_entry(fcinfo, jc::pg::create_impl);
}

Datum job_get(PG_FUNCTION_ARGS) { return run_entry(fcinfo, jc::pg::get_impl); }

Datum job_start(PG_FUNCTION_ARGS) {
  return run_entry(fcinfo, jc::pg::start_impl);
}

Datum job_complete(PG_FUNCTION_ARGS) {
  return run_entry(fcinfo, jc::pg::complete_impl);
}

Datum job_fail(PG_FUNCTION_ARGS) {
  return run_entry(fcinfo, jc::pg::fail_impl);
}

Datum job_cancel(PG_FUNCTION_ARGS) {
  return run_entry(fcinfo, jc::pg::cancel_impl);
}

Datum job_acknowledge_cancel(PG_FUNCTION_ARGS) {
  return run_entry(fcinfo, jc::pg::acknowledge_cancel_impl);
}

}  // extern "C"
