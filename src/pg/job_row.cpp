#include "job_row.hpp"

#include <iterator>

#include "catalog_cache.hpp"
#include "format.hpp"
#include "jsonb_build.hpp"
#include "settings.hpp"

namespace jc::pg {

namespace {

int attnum_of(const JobRow& row, int column) {
  return row.table_attnums ? row.table_attnums[column] : row.offset + column;
}

Datum column(const JobRow& row, int column, bool* is_null) {
  return heap_getattr(row.tuple, attnum_of(row, column), row.desc, is_null);
}

// A job's columns, deformed in one pass: heap_getattr would walk the tuple
// from its start for every column after the first variable-length one.
struct Columns {
  const JobRow& row;
  Datum* values;
  bool* nulls;

  explicit Columns(const JobRow& job)
      : row(job),
        values(static_cast<Datum*>(
            palloc(sizeof(Datum) * static_cast<std::size_t>(job.desc->natts)))),
        nulls(static_cast<bool*>(
            palloc(sizeof(bool) * static_cast<std::size_t>(job.desc->natts)))) {
    heap_deform_tuple(job.tuple, job.desc, values, nulls);
  }

  Datum get(int column, bool* is_null) const {
    const int index = attnum_of(row, column) - 1;
    *is_null = nulls[index];
    return values[index];
  }
};

jsonb::Value uuid_value(const Columns& row, int column,
                        char (&text)[kUuidTextSize]) {
  bool is_null;
  Datum d = row.get(column, &is_null);
  if (is_null) return jsonb::kNullValue;
  format_uuid(DatumGetUUIDP(d)->data, text);
  return jsonb::string_value(text, kUuidTextSize - 1);
}

jsonb::Value text_value(const Columns& row, int column) {
  bool is_null;
  Datum d = row.get(column, &is_null);
  if (is_null) return jsonb::kNullValue;
  text* t = DatumGetTextPP(d);
  return jsonb::string_value(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
}

jsonb::Value enum_value(const Columns& row, int column) {
  bool is_null;
  Datum d = row.get(column, &is_null);
  if (is_null) return jsonb::kNullValue;
  return cstring_value(enum_label(d));
}

jsonb::Value timestamp_value(const Columns& row, int column,
                             char (&text)[kTimestampTextSize]) {
  bool is_null;
  Datum d = row.get(column, &is_null);
  if (is_null) return jsonb::kNullValue;
  return jsonb::string_value(
      text, format_timestamp_utc(DatumGetTimestampTz(d), text));
}

jsonb::Value jsonb_value(const Columns& row, int column) {
  bool is_null;
  Datum d = row.get(column, &is_null);
  return is_null ? jsonb::kNullValue : jsonb_datum_value(d);
}

}  // namespace

JobState row_state(const JobRow& row) {
  bool is_null;
  return enum_job_state(column(row, kColState, &is_null));
}

bool row_executor(const JobRow& row, std::string_view* executor) {
  bool is_null;
  Datum d = column(row, kColExecutor, &is_null);
  if (is_null) return false;
  text* t = DatumGetTextPP(d);
  *executor = std::string_view(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
  return true;
}

Jsonb* job_to_jsonb(const JobRow& job) {
  const Columns row(job);
  char job_id[kUuidTextSize];
  char data_plane_id[kUuidTextSize];
  char compute_pool_id[kUuidTextSize];
  char created_at[kTimestampTextSize];
  char updated_at[kTimestampTextSize];
  char completed_at[kTimestampTextSize];
  jsonb::Member members[] = {
      {literal("type"), enum_value(row, kColType)},
      {literal("input"), jsonb_value(row, kColInput)},
      {literal("state"), enum_value(row, kColState)},
      {literal("job_id"), uuid_value(row, kColJobId, job_id)},
      {literal("result"), jsonb_value(row, kColResult)},
      {literal("executor"), text_value(row, kColExecutor)},
      {literal("failures"), jsonb_value(row, kColFailures)},
      {literal("created_at"), timestamp_value(row, kColCreatedAt, created_at)},
      {literal("updated_at"), timestamp_value(row, kColUpdatedAt, updated_at)},
      {literal("completed_at"),
       timestamp_value(row, kColCompletedAt, completed_at)},
      {literal("data_plane_id"),
       uuid_value(row, kColDataPlaneId, data_plane_id)},
      {literal("request_source"), jsonb_value(row, kColRequestSource)},
      {literal("compute_pool_id"),
       uuid_value(row, kColComputePoolId, compute_pool_id)},
      {literal("idempotency_key"), text_value(row, kColIdempotencyKey)},
      {literal("execution_cluster"), enum_value(row, kColExecutionCluster)},
  };
  return jsonb_object(members, std::size(members));
}

Jsonb* lease_diagnostic(const char* executor, const char* last_heartbeat) {
  jsonb::Member members[] = {
      {literal("executor"), cstring_value(executor)},
      {literal("last_heartbeat"), cstring_value(last_heartbeat)},
  };
  return jsonb_object(members, std::size(members));
}

namespace {

// A diagnostic larger than job_control.max_diagnostic_bytes is replaced by a
// marker with its size, so the failure is still recorded.
Jsonb* bounded_diagnostic(Jsonb* diagnostic) {
  const auto bytes = static_cast<std::int64_t>(VARSIZE(diagnostic) - VARHDRSZ);
  if (bytes <= settings::max_diagnostic_bytes) return diagnostic;
  jsonb::Member members[] = {
      {literal("truncated"), bool_value(true)},
      {literal("original_bytes"), int_value(bytes)},
      {literal("max_diagnostic_bytes"),
       int_value(settings::max_diagnostic_bytes)},
  };
  return jsonb_object(members, std::size(members));
}

}  // namespace

Jsonb* failure_entry(std::string_view message, Jsonb* diagnostic,
                     TimestampTz at) {
  char timestamp[kTimestampTextSize];
  jsonb::Member members[] = {
      {literal("message"), jsonb::string_value(message.data(), message.size())},
      {literal("value"),
       diagnostic == nullptr
           ? jsonb::kNullValue
           : jsonb_datum_value(JsonbPGetDatum(bounded_diagnostic(diagnostic)))},
      {literal("timestamp"),
       jsonb::string_value(timestamp, format_timestamp_utc(at, timestamp))},
  };
  Jsonb* entry = jsonb_object(members, std::size(members));
  const jsonb::Value element = jsonb_datum_value(JsonbPGetDatum(entry));
  return jsonb_array(&element, 1);
}

}  // namespace jc::pg
