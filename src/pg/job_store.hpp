// Data access: the kept SPI plans of job_control and their execution.
//
// A Statement is obtained outside any guarded region (its SQL is built by the
// core on first use), then run() inside pg_guarded() between SPI_connect and
// SPI_finish. Plans are prepared once per backend (SPI_prepare_cursor with
// CURSOR_OPT_GENERIC_PLAN, then SPI_keepplan), so a call never re-plans.
#pragma once

#include "postgres_headers.hpp"

#include <string>

#include "job_row.hpp"
#include "job_state.hpp"

namespace jc::pg {

struct Statement {
  std::string sql;
  int nargs;
  Oid types[8];
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
// moves it from, and returns the row only when it did. $1 is the job id; then
// the operation's value ($2: executor for start, result for complete, the
// failure entry for fail) and the fencing executor ($3, complete and fail).
//
// Why a guarded UPDATE rather than SELECT ... FOR UPDATE and a second
// statement: the UPDATE's row lock and the executor's re-check of the guard
// against the newest row version (EvalPlanQual) serialize racing calls in one
// statement, and a call that changes nothing (a terminal job) takes no lock and
// writes no WAL.
Statement& transition_statement(Operation op);

// Runs `statement`; returns whether it produced a row, and that row in `row`
// (valid until SPI_finish).
bool run(Statement& statement, const Datum* values, const char* nulls,
         bool read_only, JobRow* row);

}  // namespace jc::pg
