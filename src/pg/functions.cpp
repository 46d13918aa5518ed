// The SQL-callable lifecycle functions: create, get, start, complete, fail,
// cancel, acknowledge cancel. Each extern "C" function is a thin run_entry()
// around an implementation that keeps C++ objects (exceptions, strings of the
// core) out of the frames that call PostgreSQL: every call into PostgreSQL
// sits in a pg_guarded() body that holds only plain data.
#include "postgres_headers.hpp"

#include <string_view>

#include "call_support.hpp"
#include "guard.hpp"
#include "job_errors.hpp"
#include "job_placement.hpp"
#include "job_row.hpp"
#include "job_store.hpp"
#include "json_args.hpp"
#include "limits.hpp"
#include "settings.hpp"
#include "validation.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(job_current_company);
}

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
  validate_executor(required_text_arg(fcinfo, 1, "executor"));
  return transition(Operation::kStart, id, PG_GETARG_DATUM(1), false, nullptr)
      .job;
}

Datum complete_impl(FunctionCallInfo fcinfo) {
  const JobId id = job_id_arg(fcinfo, 0);
  const bool no_result = PG_ARGISNULL(1);
  const Datum result = no_result ? Datum(0) : PG_GETARG_DATUM(1);
  struct ResultShape {
    JsonKind kind;
    std::size_t bytes;
  };
  const ResultShape shape =
      no_result ? ResultShape{JsonKind::kNull, 0} : pg_guarded([&] {
        Jsonb* value = DatumGetJsonbP(result);
        return ResultShape{jsonb_kind(value), VARSIZE(value) - VARHDRSZ};
      });
  const JsonKind kind = shape.kind;
  validate_result(kind);
  check_size("result", shape.bytes,
             static_cast<std::size_t>(settings::max_result_bytes),
             "job_control.max_result_bytes");
  std::string_view fence_storage;
  const std::string_view* fence = fence_arg(fcinfo, 2, &fence_storage);
  // A JSON null result is stored as SQL NULL: "no result".
  const bool store_null = kind != JsonKind::kObject;
  return transition(Operation::kComplete, id, result, store_null, fence).job;
}

Datum fail_impl(FunctionCallInfo fcinfo) {
  const JobId id = job_id_arg(fcinfo, 0);
  const std::string message = checked_failure_message(fcinfo, 1);
  std::string_view fence_storage;
  const std::string_view* fence = fence_arg(fcinfo, 3, &fence_storage);
  // The failure entry is built only if the job is to fail (not for a no-op).
  const auto entry = [&] {
    return pg_guarded([&] {
      Jsonb* diagnostic = PG_ARGISNULL(2) ? nullptr : PG_GETARG_JSONB_P(2);
      return JsonbPGetDatum(
          failure_entry(message, diagnostic, GetCurrentTimestamp()));
    });
  };
  return transition(Operation::kFail, id, Datum(0), true, fence, entry).job;
}

Datum cancel_impl(FunctionCallInfo fcinfo) {
  return transition(Operation::kCancel, job_id_arg(fcinfo, 0), Datum(0), true,
                    nullptr)
      .job;
}

Datum acknowledge_cancel_impl(FunctionCallInfo fcinfo) {
  return transition(Operation::kAcknowledgeCancel, job_id_arg(fcinfo, 0),
                    Datum(0), true, nullptr)
      .job;
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
  std::size_t input_bytes;
  std::size_t request_source_bytes;
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
    a.input_bytes = VARSIZE(input) - VARHDRSZ;
    a.request_source_bytes = VARSIZE(request_source) - VARHDRSZ;
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

// A new job's id: random, carrying its company's bucket (job_placement.hpp),
// so that job_control_proxy routes it to the company's partition.
Datum new_job_id(std::int64_t company_id) {
  return pg_guarded([&] {
    UuidBytes random{};
    if (!pg_strong_random(random.data(), random.size())) {
      ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                      errmsg("could not generate a random job id")));
    }
    const int32 hash =
        DatumGetInt32(DirectFunctionCall1(hashint8, Int64GetDatum(company_id)));
    const UuidBytes id = placed_job_id(company_bucket(hash), random);
    auto* uuid = static_cast<pg_uuid_t*>(palloc(sizeof(pg_uuid_t)));
    memcpy(uuid->data, id.data(), UUID_LEN);
    return UUIDPGetDatum(uuid);
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
  const auto max_input = static_cast<std::size_t>(settings::max_input_bytes);
  check_size("input", a.input_bytes, max_input, "job_control.max_input_bytes");
  check_size("request_source", a.request_source_bytes, max_input,
             "job_control.max_input_bytes");
  if (settings::has_company() && settings::company() != company_id) {
    throw other_company(company_id, settings::company());
  }

  Statement& insert = insert_statement();
  Statement& fetch_by_key = fetch_by_key_statement();
  MemoryContext caller = CurrentMemoryContext;
  const Datum values[9] = {
      Int64GetDatum(company_id),
      pg_guarded([&] { return CStringGetTextDatum(a.type); }),
      a.input,
      a.request_source,
      a.idempotency_key,
      PG_GETARG_DATUM(4),
      PG_GETARG_DATUM(5),
      pg_guarded([&] { return CStringGetTextDatum(a.execution_cluster); }),
      new_job_id(company_id),
  };
  const char nulls[9] = {' ',
                         ' ',
                         ' ',
                         ' ',
                         has_key ? ' ' : 'n',
                         PG_ARGISNULL(4) ? 'n' : ' ',
                         PG_ARGISNULL(5) ? 'n' : ' ',
                         ' ',
                         ' '};
  const Datum key_values[2] = {values[0], values[4]};
  const char key_nulls[2] = {' ', ' '};
  spi_connect();
  // An idempotency-key conflict returns the job that holds the key; when that
  // job vanished in between (deleted), the insert is tried again.
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
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

JOB_CONTROL_ENTRY_POINT(job_create, jc::pg::create_impl)
JOB_CONTROL_ENTRY_POINT(job_get, jc::pg::get_impl)
JOB_CONTROL_ENTRY_POINT(job_start, jc::pg::start_impl)
JOB_CONTROL_ENTRY_POINT(job_complete, jc::pg::complete_impl)
JOB_CONTROL_ENTRY_POINT(job_fail, jc::pg::fail_impl)
JOB_CONTROL_ENTRY_POINT(job_cancel, jc::pg::cancel_impl)
JOB_CONTROL_ENTRY_POINT(job_acknowledge_cancel, jc::pg::acknowledge_cancel_impl)

extern "C" {

// job_control.current_company(): the session's job_control.company_id, or
// NULL. The row-level security policies call it for every row, so it reads
// the setting's parsed value and does nothing that can fail.
Datum job_current_company(PG_FUNCTION_ARGS) {
  if (!jc::pg::settings::has_company()) PG_RETURN_NULL();
  PG_RETURN_INT64(jc::pg::settings::company());
}

}  // extern "C"
