// Building blocks of the SQL-callable functions: argument reading, SPI
// sessions, and the guarded transition every lifecycle call shares. Functions
// here that call PostgreSQL do so only inside pg_guarded(); the rest may throw
// JobError and must be called outside guarded bodies.
#pragma once

#include "postgres_headers.hpp"

#include <functional>
#include <string>
#include <string_view>

#include "format.hpp"
#include "guard.hpp"
#include "job_row.hpp"
#include "job_state.hpp"

namespace jc::pg {

// A READ COMMITTED call retries when the job changed between two of its
// statements; each retry means another call committed a change.
inline constexpr int kMaxAttempts = 100;

// The text of a (detoasted) text datum.
std::string_view text_view(Datum d);

// Whether two uuid datums are equal (uuid_eq without a function call).
bool same_uuid(Datum a, Datum b);

struct JobId {
  Datum value;
  char text[kUuidTextSize];
};

// The job id argument; 22004 when it is NULL.
JobId job_id_arg(FunctionCallInfo fcinfo, int argno);

// An optional text argument: false when NULL or not passed.
bool optional_text_arg(FunctionCallInfo fcinfo, int argno,
                       std::string_view* value);

// A text argument that must not be NULL (22004 naming `what`).
std::string_view required_text_arg(FunctionCallInfo fcinfo, int argno,
                                   const char* what);

// The failure message argument: not NULL (22004), not blank (22023), cut to
// job_control.max_message_bytes with a marker when longer.
std::string checked_failure_message(FunctionCallInfo fcinfo, int argno);

// A validated executor argument for fencing, or nullptr when not given.
const std::string_view* fence_arg(FunctionCallInfo fcinfo, int argno,
                                  std::string_view* storage);

// An interval argument that must be positive (22004 when NULL, 22023 when
// not positive); returns now() minus it.
TimestampTz cutoff_arg(FunctionCallInfo fcinfo, int argno, const char* what);

// An int4 argument within [min, max] (22004, 22023).
int bounded_int_arg(FunctionCallInfo fcinfo, int argno, const char* what,
                    int min, int max);

void spi_connect();
void spi_finish();

// The owner of job_control.jobs (a guarded body).
Oid jobs_table_owner();

// Builds a jsonb with `build` (PostgreSQL calls only, like any guarded body)
// in the caller's memory context, so that it outlives SPI, then leaves SPI.
template <typename Build>
Datum finish_building(MemoryContext caller, Build&& build) {
  return pg_guarded([&] {
    MemoryContext spi = MemoryContextSwitchTo(caller);
    Jsonb* result = build();
    MemoryContextSwitchTo(spi);
    SPI_finish();
    return JsonbPGetDatum(result);
  });
}

// Builds the job's jsonb in `caller` and leaves SPI.
Datum finish_with(const JobRow& row, MemoryContext caller);

struct TransitionResult {
  Datum job;   // jsonb, in the caller's memory context
  bool moved;  // false: a no-op returned the job as stored
};

// Runs `op` on the job through its guarded UPDATE (see transition_statement):
// when the UPDATE changed nothing, the job as stored decides between a no-op,
// an error (P0002, 55000) and, in READ COMMITTED when the job changed in
// between, another attempt. `value` is the operation's $2 and `fence` the
// executor that must hold the job ($3). When `build_value` is given, it
// builds $2 (non-null) instead, and only if the call runs its UPDATE: a no-op
// answered from the stored row does not need it.
TransitionResult transition(Operation op, const JobId& id, Datum value,
                            bool value_null, const std::string_view* fence,
                            const std::function<Datum()>& build_value = {});

// Set-returning functions: prepares the materialized result of `fcinfo` and
// appends one jsonb value to it.
void begin_set_result(FunctionCallInfo fcinfo);
void append_to_set(FunctionCallInfo fcinfo, Datum job);

}  // namespace jc::pg
