#include "job_store.hpp"

#include "transition_sql.hpp"

namespace jc::pg {

namespace {

constexpr char kStateType[] = "job_control.job_state";

const std::string kReturning = std::string(" RETURNING ") + kJobColumns;

Statement make_transition_statement(Operation op) {
  std::string set = "state = " + state_assignment(op, kStateType);
  Statement s{{}, 1, {UUIDOID}, nullptr};
  bool fenced = false;
  switch (op) {
    case Operation::kStart:
      set += ", executor = $2";
      s.types[s.nargs++] = TEXTOID;
      break;
    case Operation::kComplete:
      set += ", result = $2";
      s.types[s.nargs++] = JSONBOID;
      fenced = true;
      break;
    case Operation::kFail:
      set += ", failures = failures OPERATOR(pg_catalog.||) $2";
      s.types[s.nargs++] = JSONBOID;
      fenced = true;
      break;
    case Operation::kCancel:
    case Operation::kAcknowledgeCancel:
      break;
  }
  std::string where = "job_id OPERATOR(pg_catalog.=) $1 AND " +
                      movable_states_guard(op, kStateType);
  if (fenced) {
    const std::string fence = "$" + std::to_string(s.nargs + 1);
    where += " AND (" + fence + " IS NULL OR executor OPERATOR(pg_catalog.=) " +
             fence + ")";
    s.types[s.nargs++] = TEXTOID;
  }
  s.sql = "UPDATE job_control.jobs SET " + set + " WHERE " + where + kReturning;
  return s;
}

SPIPlanPtr prepare_kept(const Statement& s) {
  SPIPlanPtr plan =
      SPI_prepare_cursor(s.sql.c_str(), s.nargs, const_cast<Oid*>(s.types),
                         CURSOR_OPT_GENERIC_PLAN);
  if (plan == nullptr) {
    elog(ERROR, "job_control: could not prepare \"%s\": %s", s.sql.c_str(),
         SPI_result_code_string(SPI_result));
  }
  if (SPI_keepplan(plan) != 0) elog(ERROR, "job_control: SPI_keepplan failed");
  return plan;
}

}  // namespace

Statement& fetch_statement() {
  static Statement s{std::string("SELECT ") + kJobColumns +
                         " FROM job_control.jobs"
                         " WHERE job_id OPERATOR(pg_catalog.=) $1",
                     1,
                     {UUIDOID},
                     nullptr};
  return s;
}

Statement& fetch_by_key_statement() {
  static Statement s{std::string("SELECT ") + kJobColumns +
                         " FROM job_control.jobs"
                         " WHERE company_id OPERATOR(pg_catalog.=) $1"
                         " AND idempotency_key OPERATOR(pg_catalog.=) $2",
                     2,
                     {INT8OID, TEXTOID},
                     nullptr};
  return s;
}

Statement& insert_statement() {
  static Statement s{
      "INSERT INTO job_control.jobs (company_id, type, input, request_source,"
      " idempotency_key, data_plane_id, compute_pool_id, execution_cluster)"
      " VALUES ($1, $2::job_control.job_type, $3, $4, $5, $6, $7,"
      " $8::job_control.execution_cluster)"
      " ON CONFLICT (company_id, idempotency_key)"
      " WHERE idempotency_key IS NOT NULL DO NOTHING" +
          kReturning,
      8,
      {INT8OID, TEXTOID, JSONBOID, JSONBOID, TEXTOID, UUIDOID, UUIDOID,
       TEXTOID},
      nullptr};
  return s;
}

Statement& transition_statement(Operation op) {
  static Statement statements[] = {
      make_transition_statement(Operation::kStart),
      make_transition_statement(Operation::kComplete),
      make_transition_statement(Operation::kFail),
      make_transition_statement(Operation::kCancel),
      make_transition_statement(Operation::kAcknowledgeCancel),
  };
  return statements[static_cast<int>(op)];
}

bool run(Statement& statement, const Datum* values, const char* nulls,
         bool read_only, JobRow* row) {
  if (statement.plan == nullptr) statement.plan = prepare_kept(statement);
  const int rc = SPI_execute_plan(statement.plan, const_cast<Datum*>(values),
                                  nulls, read_only, 0);
  if (rc < 0) {
    elog(ERROR, "job_control: \"%s\" failed: %s", statement.sql.c_str(),
         SPI_result_code_string(rc));
  }
  if (SPI_processed == 0) return false;
  row->tuple = SPI_tuptable->vals[0];
  row->desc = SPI_tuptable->tupdesc;
  return true;
}

}  // namespace jc::pg
