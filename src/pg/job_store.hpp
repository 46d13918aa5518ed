// Data access: the kept SPI plans of job_control and their execution.
//
// A Statement is obtained outside any guarded region (its SQL is built by the
// core on first use), then run inside pg_guarded() between SPI_connect and
// SPI_finish. Plans are prepared once per backend (SPI_prepare_cursor with
// CURSOR_OPT_GENERIC_PLAN, then SPI_keepplan), so a call never re-plans.
#pragma once

#include "postgres_headers.hpp"

extern "C" {
#include "utils/guc.h"
}

#include <initializer_list>
#include <string>
#include <type_traits>

#include "job_row.hpp"
#include "job_state.hpp"
#include "list_query.hpp"

namespace jc::pg {

struct Statement {
  std::string sql;
  int nargs;
  Oid types[9];
  SPIPlanPtr plan;
};

// SELECT <job> by job_id ($1 uuid).
Statement& fetch_statement();

// SELECT <job> by ($1 company_id int8, $2 idempotency_key text).
Statement& fetch_by_key_statement();

// INSERT a pending job, doing nothing on an idempotency-key conflict.
// $1 company_id int8, $2 type text, $3 input jsonb, $4 request_source jsonb,
// $5 idempotency_key text, $6 data_plane_id uuid, $7 compute_pool_id uuid,
// $8 execution_cluster text.
Statement& insert_statement();

// The guarded UPDATE of `op`: moves the job only from the states decide()
// moves it from, and returns the row only when it did; a SELECT of the job
// then tells a no-op from an error. (Measured cheaper on both paths than one
// statement doing both, whose executor start-up costs more.) Parameters: $1
// the job id, $2 the operation's value (executor for start, result for
// complete, the failure entry for fail), $3 the fencing executor (complete,
// fail, heartbeat; NULL for none).
//
// Why a guarded UPDATE rather than SELECT ... FOR UPDATE and a second
// statement: the UPDATE's row lock and the executor's re-check of the guard
// against the newest row version (EvalPlanQual) serialize racing calls in one
// statement, and a call that changes nothing (a terminal job) takes no lock and
// writes no WAL.
Statement& transition_statement(Operation op);

// Claims up to $2 (int4) oldest pending jobs for executor $1 (text), of the
// types in $3 (text, an array literal; NULL for any) on data plane $4 (uuid;
// NULL for any), skipping locked jobs; returns them oldest first. The jobs
// are found through the queue (job_control.job_queue).
// With `one_type`, $5 (text) is the one type the claim names and the
// statement reads that type's lane of the queue (from 1.4).
Statement& claim_statement(bool one_type);

// Fails the non-terminal jobs among $1 (uuid[]), appending $2 (jsonb, the
// failure entry), locking them in job_id order so that overlapping batches
// cannot deadlock.
Statement& fail_many_statement();

// For each distinct id of $1 (uuid[]) in the order given: the id, then the
// job's columns (NULL when there is no such job).
Statement& fetch_many_statement();

// Running and pending_cancellation jobs whose lease (updated_at) is older
// than $1 (timestamptz), locked, skipping jobs locked by others: job_id,
// executor, updated_at. Found through job_control.job_leases.
Statement& stale_leases_statement();

// Removes the lease entries of jobs that no longer hold a lease (each such
// job locked FOR NO KEY UPDATE, skipping locked ones: no concurrent claim can
// make it hold one again meanwhile, and two reapers clear disjoint entries)
// and of jobs that no longer exist.
Statement& lease_cleanup_statement();

// The work index kept by the trigger (see work_index.hpp): $1 job_id uuid,
// $2 company_id int8, $3 created_at timestamptz (enqueue only); with the
// lane (a queue of 1.4), $4 type (text) and $5 data_plane_id uuid.
Statement& enqueue_statement(bool with_lane);
Statement& dequeue_statement();     // $1 job_id
Statement& add_lease_statement();   // $1 job_id, $2 company_id
Statement& drop_lease_statement();  // $1 job_id

// One row of job_control.job_transitions: $1 job_id, $2 company_id, $3 from
// (text, NULL for a new job), $4 to (text), $5 at, $6 role (text), $7
// executor.
Statement& history_insert_statement();

// Queues one deferred notification: $1 payload (text).
Statement& notification_insert_statement();

// The process id of a background worker of type $2 (text) connected to
// database $1 (oid), if any (at most one row).
Statement& worker_lookup_statement();

// The page and the count of job_list (see list_query.hpp for parameters).
Statement& list_page_statement(unsigned filters, ListSort sort);
Statement& list_count_statement(unsigned filters);

// Deletes up to $2 (int4) finished jobs completed before $1 (timestamptz),
// found through the created_at index (a job completed before $1 was created
// before it); likewise transitions recorded before $1.
Statement& prune_jobs_statement();
Statement& prune_transitions_statement();

// Runs `statement`; returns whether it produced a row, and the first row in
// `row` (valid until SPI_finish).
bool run(Statement& statement, const Datum* values, const char* nulls,
         bool read_only, JobRow* row);

// Runs `statement`; returns the number of rows, which stay in SPI_tuptable.
std::uint64_t run_many(Statement& statement, const Datum* values,
                       const char* nulls, bool read_only);

// Runs `body` (a guarded body running statements) with the planner settings
// `off` turned off and restores them, as a function's SET clause would (an
// error restores them with the (sub)transaction's abort). A kept plan that
// an invalidation (a VACUUM's new statistics) makes PostgreSQL plan again
// meanwhile is planned with them.
template <typename Body>
auto with_planner_settings_off(std::initializer_list<const char*> off,
                               Body&& body) -> decltype(body()) {
  const int nest_level = NewGUCNestLevel();
  for (const char* setting : off) {
    set_config_option(setting, "off", PGC_USERSET, PGC_S_SESSION,
                      GUC_ACTION_SAVE, true, 0, false);
  }
  if constexpr (std::is_void_v<decltype(body())>) {
    body();
    AtEOXact_GUC(true, nest_level);
  } else {
    auto result = body();
    AtEOXact_GUC(true, nest_level);
    return result;
  }
}

// Row `i` of the last run_many(), with the job starting after `offset`
// columns.
JobRow result_row(std::uint64_t i, int offset);

}  // namespace jc::pg
