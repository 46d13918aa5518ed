#include "job_store.hpp"

#include <array>

#include "transition_sql.hpp"

namespace jc::pg {

namespace {

constexpr char kStateType[] = "job_control.job_state";

const std::string kReturning = std::string(" RETURNING ") + kJobColumns;

Statement make_transition_statement(Operation op) {
  std::string set = "state = " + state_assignment(op, kStateType);
  Statement s{{}, 3, {UUIDOID, TEXTOID, TEXTOID}, nullptr};
  bool fenced = false;
  switch (op) {
    case Operation::kStart:
      set += ", executor = $2";
      break;
    case Operation::kComplete:
      set += ", result = $2";
      s.types[1] = JSONBOID;
      fenced = true;
      break;
    case Operation::kFail:
      set += ", failures = failures OPERATOR(pg_catalog.||) $2";
      s.types[1] = JSONBOID;
      fenced = true;
      break;
    case Operation::kHeartbeat:
      fenced = true;
      break;
    case Operation::kReschedule:
    case Operation::kForceReschedule:
      set += ", executor = NULL, result = NULL";
      break;
    case Operation::kCancel:
    case Operation::kAcknowledgeCancel:
      break;
  }
  std::string where = "job_id OPERATOR(pg_catalog.=) $1 AND " +
                      movable_states_guard(op, kStateType) + " AND " +
                      tenant_filter("company_id");
  if (fenced) {
    where += " AND ($3 IS NULL OR executor OPERATOR(pg_catalog.=) $3)";
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

std::uint64_t execute(Statement& statement, const Datum* values,
                      const char* nulls, bool read_only) {
  if (statement.plan == nullptr) statement.plan = prepare_kept(statement);
  const int rc = SPI_execute_plan(statement.plan, const_cast<Datum*>(values),
                                  nulls, read_only, 0);
  if (rc < 0) {
    elog(ERROR, "job_control: \"%s\" failed: %s", statement.sql.c_str(),
         SPI_result_code_string(rc));
  }
  return SPI_processed;
}

}  // namespace

Statement& fetch_statement() {
  static Statement s{std::string("SELECT ") + kJobColumns +
                         " FROM job_control.jobs"
                         " WHERE job_id OPERATOR(pg_catalog.=) $1 AND " +
                         tenant_filter("company_id"),
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
      " idempotency_key, data_plane_id, compute_pool_id, execution_cluster,"
      " job_id)"
      " VALUES ($1, $2::job_control.job_type, $3, $4, $5, $6, $7,"
      " $8::job_control.execution_cluster, $9)"
      " ON CONFLICT (company_id, idempotency_key)"
      " WHERE idempotency_key IS NOT NULL DO NOTHING" +
          kReturning,
      9,
      {INT8OID, TEXTOID, JSONBOID, JSONBOID, TEXTOID, UUIDOID, UUIDOID, TEXTOID,
       UUIDOID},
      nullptr};
  return s;
}

Statement& transition_statement(Operation op) {
  static std::array<Statement, kAllOperations.size()> statements = [] {
    std::array<Statement, kAllOperations.size()> all{};
    for (Operation o : kAllOperations) {
      all[static_cast<std::size_t>(o)] = make_transition_statement(o);
    }
    return all;
  }();
  return statements[static_cast<std::size_t>(op)];
}

namespace {

// The claim statement reading the queue entries `queue_filter` selects in
// the order `order` (which must be claim order for them).
Statement make_claim_statement(const std::string& queue_filter,
                               const std::string& order) {
  return Statement{
      "WITH claimed AS (UPDATE job_control.jobs"
      " SET state = 'running'::job_control.job_state, executor = $1"
      " WHERE job_id OPERATOR(pg_catalog.=) ANY (ARRAY("
      "SELECT j.job_id FROM job_control.job_queue AS q"
      " JOIN job_control.jobs AS j ON j.job_id OPERATOR(pg_catalog.=) q.job_id"
      " WHERE " +
          queue_filter + tenant_filter("j.company_id") +
          " AND j.state OPERATOR(pg_catalog.=) 'pending'::job_control.job_state"
          " AND ($3 IS NULL OR j.type OPERATOR(pg_catalog.=) ANY ("
          "(SELECT $3::job_control.job_type[])::job_control.job_type[]))"
          " AND ($4 IS NULL OR j.data_plane_id OPERATOR(pg_catalog.=) $4)"
          " ORDER BY " +
          order +
          " LIMIT $2 FOR UPDATE OF j SKIP LOCKED))"
          " AND state OPERATOR(pg_catalog.=) "
          "'pending'::job_control.job_state" +
          kReturning + ") SELECT " + kJobColumns +
          " FROM claimed ORDER BY created_at, job_id",
      5,
      {TEXTOID, INT4OID, TEXTOID, UUIDOID, TEXTOID},
      nullptr};
}

}  // namespace

Statement& claim_statement(bool one_type) {
  // Ids are picked with = ANY(ARRAY(... FOR UPDATE SKIP LOCKED)), which runs
  // the sub-select once; the queue serves it in order, whatever the number of
  // finished jobs. The job's own state is checked under its lock (the queue
  // entry of a job claimed meanwhile may still be visible).
  static Statement whole_queue =
      make_claim_statement("", "q.created_at, q.job_id");
  // One type's lane: its index alone gives this order without a sort (an
  // = ANY on its first column keeps the order; a plain = would let the
  // planner drop q.type from the order and walk the whole queue instead).
  static Statement lane = make_claim_statement(
      "q.type OPERATOR(pg_catalog.=) ANY (ARRAY[$5::job_control.job_type]) "
      "AND ",
      "q.type, q.created_at, q.job_id");
  return one_type ? lane : whole_queue;
}

Statement& fail_many_statement() {
  static Statement s{"UPDATE job_control.jobs SET state = " +
                         state_assignment(Operation::kFail, kStateType) +
                         ", failures = failures OPERATOR(pg_catalog.||) $2"
                         " WHERE job_id OPERATOR(pg_catalog.=) ANY (ARRAY("
                         "SELECT job_id FROM job_control.jobs"
                         " WHERE job_id OPERATOR(pg_catalog.=) ANY ($1) AND " +
                         movable_states_guard(Operation::kFail, kStateType) +
                         " AND " + tenant_filter("company_id") +
                         " ORDER BY job_id FOR UPDATE)) AND " +
                         movable_states_guard(Operation::kFail, kStateType),
                     2,
                     {UUIDARRAYOID, JSONBOID},
                     nullptr};
  return s;
}

Statement& fetch_many_statement() {
  static Statement s{
      std::string("SELECT wanted.id, ") + kJobColumns +
          " FROM (SELECT id, pg_catalog.min(position) AS position"
          " FROM pg_catalog.unnest($1) WITH ORDINALITY AS u(id, position)"
          " GROUP BY id) AS wanted"
          " LEFT JOIN job_control.jobs"
          " ON job_id OPERATOR(pg_catalog.=) wanted.id AND " +
          tenant_filter("company_id") + " ORDER BY wanted.position",
      1,
      {UUIDARRAYOID},
      nullptr};
  return s;
}

Statement& stale_leases_statement() {
  static Statement s{
      "SELECT j.job_id, j.executor, j.updated_at"
      " FROM job_control.job_leases AS l JOIN job_control.jobs AS j"
      " ON j.job_id OPERATOR(pg_catalog.=) l.job_id WHERE j." +
          movable_states_guard(Operation::kHeartbeat, kStateType) +
          " AND j.updated_at OPERATOR(pg_catalog.<) $1 AND " +
          tenant_filter("j.company_id") +
          " ORDER BY j.updated_at FOR UPDATE OF j SKIP LOCKED",
      1,
      {TIMESTAMPTZOID},
      nullptr};
  return s;
}

Statement& lease_cleanup_statement() {
  static Statement s{
      "DELETE FROM job_control.job_leases AS l"
      " WHERE l.job_id OPERATOR(pg_catalog.=) ANY (ARRAY("
      "SELECT j.job_id FROM job_control.job_leases AS held"
      " JOIN job_control.jobs AS j"
      " ON j.job_id OPERATOR(pg_catalog.=) held.job_id WHERE NOT j." +
          movable_states_guard(Operation::kHeartbeat, kStateType) +
          " FOR NO KEY UPDATE OF j SKIP LOCKED))"
          " OR NOT EXISTS (SELECT FROM job_control.jobs AS j"
          " WHERE j.job_id OPERATOR(pg_catalog.=) l.job_id)",
      0,
      {},
      nullptr};
  return s;
}

Statement& enqueue_statement(bool with_lane) {
  static Statement before_lanes{
      "INSERT INTO job_control.job_queue (job_id, company_id, created_at)"
      " VALUES ($1, $2, $3) ON CONFLICT (job_id) DO NOTHING",
      3,
      {UUIDOID, INT8OID, TIMESTAMPTZOID},
      nullptr};
  static Statement with_lanes{
      "INSERT INTO job_control.job_queue"
      " (job_id, company_id, created_at, type, data_plane_id)"
      " VALUES ($1, $2, $3, $4::job_control.job_type, $5)"
      " ON CONFLICT (job_id) DO NOTHING",
      5,
      {UUIDOID, INT8OID, TIMESTAMPTZOID, TEXTOID, UUIDOID},
      nullptr};
  return with_lane ? with_lanes : before_lanes;
}

Statement& dequeue_statement() {
  static Statement s{
      "DELETE FROM job_control.job_queue"
      " WHERE job_id OPERATOR(pg_catalog.=) $1",
      1,
      {UUIDOID},
      nullptr};
  return s;
}

Statement& add_lease_statement() {
  static Statement s{
      "INSERT INTO job_control.job_leases (job_id, company_id)"
      " VALUES ($1, $2) ON CONFLICT (job_id) DO NOTHING",
      2,
      {UUIDOID, INT8OID},
      nullptr};
  return s;
}

Statement& drop_lease_statement() {
  static Statement s{
      "DELETE FROM job_control.job_leases"
      " WHERE job_id OPERATOR(pg_catalog.=) $1",
      1,
      {UUIDOID},
      nullptr};
  return s;
}

Statement& history_insert_statement() {
  static Statement s{
      "INSERT INTO job_control.job_transitions (job_id, company_id,"
      " from_state, to_state, transitioned_at, role, executor)"
      " VALUES ($1, $2, $3::job_control.job_state,"
      " $4::job_control.job_state, $5, $6, $7)",
      7,
      {UUIDOID, INT8OID, TEXTOID, TEXTOID, TIMESTAMPTZOID, TEXTOID, TEXTOID},
      nullptr};
  return s;
}

Statement& notification_insert_statement() {
  static Statement s{
      "INSERT INTO job_control.job_notifications (payload) VALUES ($1)",
      1,
      {TEXTOID},
      nullptr};
  return s;
}

Statement& worker_lookup_statement() {
  static Statement s{
      "SELECT pid FROM pg_catalog.pg_stat_activity"
      " WHERE datid OPERATOR(pg_catalog.=) $1"
      " AND backend_type OPERATOR(pg_catalog.=) $2 LIMIT 1",
      2,
      {OIDOID, TEXTOID},
      nullptr};
  return s;
}

Statement& list_page_statement(unsigned filters, ListSort sort) {
  static std::array<Statement, kListFilterCombinations * kListSortCombinations>
      statements{};
  Statement& s =
      statements[filters * kListSortCombinations + list_sort_index(sort)];
  if (s.sql.empty()) {
    s = {list_page_sql(filters, sort, kJobColumns),
         6,
         {TEXTOID, TEXTOID, UUIDOID, JSONBOID, INT8OID, INT8OID},
         nullptr};
  }
  return s;
}

Statement& list_count_statement(unsigned filters) {
  static std::array<Statement, kListFilterCombinations> statements{};
  Statement& s = statements[filters];
  if (s.sql.empty()) {
    s = {list_count_sql(filters),
         4,
         {TEXTOID, TEXTOID, UUIDOID, JSONBOID},
         nullptr};
  }
  return s;
}

Statement& prune_jobs_statement() {
  static Statement s{
      "DELETE FROM job_control.jobs WHERE job_id OPERATOR(pg_catalog.=) ANY"
      " (ARRAY(SELECT job_id FROM job_control.jobs"
      " WHERE created_at OPERATOR(pg_catalog.<) $1"
      " AND completed_at OPERATOR(pg_catalog.<) $1 AND " +
          tenant_filter("company_id") +
          " ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED))"
          " AND completed_at OPERATOR(pg_catalog.<) $1",
      2,
      {TIMESTAMPTZOID, INT4OID},
      nullptr};
  return s;
}

Statement& prune_transitions_statement() {
  static Statement s{
      "DELETE FROM job_control.job_transitions AS t USING"
      " (SELECT job_id, transitioned_at FROM job_control.job_transitions"
      " WHERE transitioned_at OPERATOR(pg_catalog.<) $1 AND " +
          tenant_filter("company_id") +
          " LIMIT $2) AS old"
          " WHERE t.job_id OPERATOR(pg_catalog.=) old.job_id"
          " AND t.transitioned_at OPERATOR(pg_catalog.=) old.transitioned_at",
      2,
      {TIMESTAMPTZOID, INT4OID},
      nullptr};
  return s;
}

bool run(Statement& statement, const Datum* values, const char* nulls,
         bool read_only, JobRow* row) {
  if (execute(statement, values, nulls, read_only) == 0) return false;
  *row = result_row(0, 0);
  return true;
}

std::uint64_t run_many(Statement& statement, const Datum* values,
                       const char* nulls, bool read_only) {
  return execute(statement, values, nulls, read_only);
}

JobRow result_row(std::uint64_t i, int offset) {
  return {SPI_tuptable->vals[i], SPI_tuptable->tupdesc, offset};
}

}  // namespace jc::pg
