// The job row as the SQL statements return it, and its jsonb form. Every
// function here calls PostgreSQL and must run inside pg_guarded().
#pragma once

#include "postgres_headers.hpp"

#include <cstdint>
#include <string_view>

#include "catalog_cache.hpp"
#include "job_state.hpp"

namespace jc::pg {

// The columns every statement selects or returns, in this order: raw column
// values only, so the json is built from the row in C++ and not by a
// non-immutable function in RETURNING.
inline constexpr char kJobColumns[] =
    "job_id, data_plane_id, request_source, state, type, input, executor, "
    "failures, idempotency_key, result, created_at, updated_at, completed_at, "
    "compute_pool_id, execution_cluster";

// 1-based attribute numbers of kJobColumns in a result row.
enum JobColumn : int {
  kColJobId = 1,
  kColDataPlaneId,
  kColRequestSource,
  kColState,
  kColType,
  kColInput,
  kColExecutor,
  kColFailures,
  kColIdempotencyKey,
  kColResult,
  kColCreatedAt,
  kColUpdatedAt,
  kColCompletedAt,
  kColComputePoolId,
  kColExecutionCluster,
};
static_assert(kColExecutionCluster == kJobColumnCount,
              "JobColumn and kJobColumnCount list the same columns");

// A job in a result row: its kJobColumns start after `offset` other columns.
// A row of the jobs table itself instead maps each column through
// `table_attnums` (JobAttnums::job_columns).
struct JobRow {
  HeapTuple tuple;
  TupleDesc desc;
  int offset;
  const int* table_attnums = nullptr;
};

JobState row_state(const JobRow& row);
// The row's executor, or false when it has none.
bool row_executor(const JobRow& row, std::string_view* executor);

// The job as the spec's jsonb object, allocated in CurrentMemoryContext.
Jsonb* job_to_jsonb(const JobRow& row);

// The diagnostic of a reaped job: {"executor": ..., "last_heartbeat": ...}.
Jsonb* lease_diagnostic(const char* executor, const char* last_heartbeat);

// The one-element array appended to `failures` by a fail:
// [{"message": ..., "value": <diagnostic or null>, "timestamp": ...}]. A
// diagnostic over job_control.max_diagnostic_bytes is replaced by
// {"truncated": true, "original_bytes": n, "max_diagnostic_bytes": m}; the
// message must already be bounded (bounded_message()).
Jsonb* failure_entry(std::string_view message, Jsonb* diagnostic,
                     TimestampTz at);

}  // namespace jc::pg
