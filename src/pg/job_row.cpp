#include "job_row.hpp"

#include <cstring>

#include "catalog_cache.hpp"
#include "format.hpp"
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

void push_null(JsonbParseState** state) {
  JsonbValue v;
  v.type = jbvNull;
  pushJsonbValue(state, WJB_VALUE, &v);
}

// Does not copy `text`: it must live until the value is serialized
// (JsonbValueToJsonb). Row data, palloc'd labels and the callers' buffers do.
void push_string(JsonbParseState** state, const char* text, std::size_t len) {
  JsonbValue v;
  v.type = jbvString;
  v.val.string.val = const_cast<char*>(text);
  v.val.string.len = static_cast<int>(len);
  pushJsonbValue(state, WJB_VALUE, &v);
}

void push_uuid(JsonbParseState** state, const Columns& row, int column) {
  bool is_null;
  Datum d = row.get(column, &is_null);
  if (is_null) return push_null(state);
  auto& text = *static_cast<char(*)[kUuidTextSize]>(palloc(kUuidTextSize));
  format_uuid(DatumGetUUIDP(d)->data, text);
  push_string(state, text, kUuidTextSize - 1);
}

void push_text(JsonbParseState** state, const Columns& row, int column) {
  bool is_null;
  Datum d = row.get(column, &is_null);
  if (is_null) return push_null(state);
  text* t = DatumGetTextPP(d);
  push_string(state, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
}

void push_enum(JsonbParseState** state, const Columns& row, int column) {
  bool is_null;
  Datum d = row.get(column, &is_null);
  if (is_null) return push_null(state);
  const char* label = enum_label(d);
  push_string(state, label, std::strlen(label));
}

void push_timestamp(JsonbParseState** state, const Columns& row, int column) {
  bool is_null;
  Datum d = row.get(column, &is_null);
  if (is_null) return push_null(state);
  auto& text =
      *static_cast<char(*)[kTimestampTextSize]>(palloc(kTimestampTextSize));
  const std::size_t len = format_timestamp_utc(DatumGetTimestampTz(d), text);
  push_string(state, text, len);
}

void push_jsonb_value(JsonbParseState** state, Jsonb* jb) {
  JsonbValue v;
  v.type = jbvBinary;
  v.val.binary.data = &jb->root;
  v.val.binary.len = static_cast<int>(VARSIZE(jb) - VARHDRSZ);
  pushJsonbValue(state, WJB_VALUE, &v);
}

void push_jsonb(JsonbParseState** state, const Columns& row, int column) {
  bool is_null;
  Datum d = row.get(column, &is_null);
  if (is_null) return push_null(state);
  push_jsonb_value(state, DatumGetJsonbP(d));
}

}  // namespace

void push_key(JsonbParseState** state, const char* key) {
  JsonbValue v;
  v.type = jbvString;
  v.val.string.val = const_cast<char*>(key);
  v.val.string.len = static_cast<int>(std::strlen(key));
  pushJsonbValue(state, WJB_KEY, &v);
}

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

Jsonb* job_to_jsonb(const JobRow& row) {
  JsonbParseState* state = nullptr;
  return JsonbValueToJsonb(push_job(&state, row));
}

JsonbValue* push_job(JsonbParseState** parse_state, const JobRow& job) {
  JsonbParseState*& state = *parse_state;
  const Columns row(job);
  // Keys in jsonb's own order (shorter first, then bytewise), so that the
  // sort the builder runs at the end of the object finds them sorted.
  pushJsonbValue(&state, WJB_BEGIN_OBJECT, nullptr);
  push_key(&state, "type");
  push_enum(&state, row, kColType);
  push_key(&state, "input");
  push_jsonb(&state, row, kColInput);
  push_key(&state, "state");
  push_enum(&state, row, kColState);
  push_key(&state, "job_id");
  push_uuid(&state, row, kColJobId);
  push_key(&state, "result");
  push_jsonb(&state, row, kColResult);
  push_key(&state, "executor");
  push_text(&state, row, kColExecutor);
  push_key(&state, "failures");
  push_jsonb(&state, row, kColFailures);
  push_key(&state, "created_at");
  push_timestamp(&state, row, kColCreatedAt);
  push_key(&state, "updated_at");
  push_timestamp(&state, row, kColUpdatedAt);
  push_key(&state, "completed_at");
  push_timestamp(&state, row, kColCompletedAt);
  push_key(&state, "data_plane_id");
  push_uuid(&state, row, kColDataPlaneId);
  push_key(&state, "request_source");
  push_jsonb(&state, row, kColRequestSource);
  push_key(&state, "compute_pool_id");
  push_uuid(&state, row, kColComputePoolId);
  push_key(&state, "idempotency_key");
  push_text(&state, row, kColIdempotencyKey);
  push_key(&state, "execution_cluster");
  push_enum(&state, row, kColExecutionCluster);
  return pushJsonbValue(&state, WJB_END_OBJECT, nullptr);
}

void push_jsonb_member(JsonbParseState** state, const char* key, Jsonb* value) {
  push_key(state, key);
  push_jsonb_value(state, value);
}

void push_string_member(JsonbParseState** state, const char* key,
                        const char* value) {
  push_key(state, key);
  push_string(state, value, std::strlen(value));
}

void push_int_member(JsonbParseState** state, const char* key,
                     std::int64_t value) {
  push_key(state, key);
  JsonbValue v;
  v.type = jbvNumeric;
  v.val.numeric = int64_to_numeric(value);
  pushJsonbValue(state, WJB_VALUE, &v);
}

Jsonb* lease_diagnostic(const char* executor, const char* last_heartbeat) {
  JsonbParseState* state = nullptr;
  pushJsonbValue(&state, WJB_BEGIN_OBJECT, nullptr);
  push_string_member(&state, "executor", executor);
  push_string_member(&state, "last_heartbeat", last_heartbeat);
  return JsonbValueToJsonb(pushJsonbValue(&state, WJB_END_OBJECT, nullptr));
}

namespace {

// A diagnostic larger than job_control.max_diagnostic_bytes is replaced by a
// marker with its size, so the failure is still recorded.
Jsonb* bounded_diagnostic(Jsonb* diagnostic) {
  const auto bytes = static_cast<std::int64_t>(VARSIZE(diagnostic) - VARHDRSZ);
  if (bytes <= settings::max_diagnostic_bytes) return diagnostic;
  JsonbParseState* state = nullptr;
  pushJsonbValue(&state, WJB_BEGIN_OBJECT, nullptr);
  push_key(&state, "truncated");
  JsonbValue yes;
  yes.type = jbvBool;
  yes.val.boolean = true;
  pushJsonbValue(&state, WJB_VALUE, &yes);
  push_int_member(&state, "original_bytes", bytes);
  push_int_member(&state, "max_diagnostic_bytes",
                  settings::max_diagnostic_bytes);
  return JsonbValueToJsonb(pushJsonbValue(&state, WJB_END_OBJECT, nullptr));
}

}  // namespace

Jsonb* failure_entry(std::string_view message, Jsonb* diagnostic,
                     TimestampTz at) {
  JsonbParseState* state = nullptr;
  pushJsonbValue(&state, WJB_BEGIN_ARRAY, nullptr);
  pushJsonbValue(&state, WJB_BEGIN_OBJECT, nullptr);
  push_key(&state, "message");
  push_string(&state, message.data(), message.size());
  push_key(&state, "value");
  if (diagnostic == nullptr) {
    push_null(&state);
  } else {
    push_jsonb_value(&state, bounded_diagnostic(diagnostic));
  }
  push_key(&state, "timestamp");
  char text[kTimestampTextSize];
  const std::size_t len = format_timestamp_utc(at, text);
  push_string(&state, text, len);
  pushJsonbValue(&state, WJB_END_OBJECT, nullptr);
  return JsonbValueToJsonb(pushJsonbValue(&state, WJB_END_ARRAY, nullptr));
}

}  // namespace jc::pg
