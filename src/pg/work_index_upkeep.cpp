#include "work_index_upkeep.hpp"

#include "job_store.hpp"
#include "owner_spi.hpp"

namespace jc::pg {

namespace {

void run_for_job(Statement& statement, const IndexedJob& job) {
  const Datum values[3] = {job.job_id, job.company_id, job.created_at};
  const char nulls[3] = {' ', ' ', ' '};
  run_many(statement, values, nulls, false);
}

// Runs `body`'s statements as the owner, each finding its entry through the
// primary key whatever the table's size was when PostgreSQL last planned it:
// a plan made while the queue was a page or two would read it whole, and a
// kept plan stays until an invalidation, however long the queue grows.
template <typename Body>
void upkeep(Oid owner, Body&& body) {
  run_as_owner(owner,
               [&] { with_planner_settings_off({"enable_seqscan"}, body); });
}

}  // namespace

void prepare_work_index() {
  enqueue_statement();
  dequeue_statement();
  add_lease_statement();
  drop_lease_statement();
}

void apply_work_index_change(const WorkIndexChange& change,
                             const IndexedJob& job, Oid owner) {
  if (!change.any()) return;
  upkeep(owner, [&] {
    if (change.dequeue) run_for_job(dequeue_statement(), job);
    if (change.enqueue) run_for_job(enqueue_statement(), job);
    if (change.add_lease) run_for_job(add_lease_statement(), job);
  });
}

void forget_job(Datum job_id, bool queued, Oid owner) {
  const IndexedJob job{job_id, Datum(0), Datum(0)};
  upkeep(owner, [&] {
    if (queued) run_for_job(dequeue_statement(), job);
    run_for_job(drop_lease_statement(), job);
  });
}

void clear_work_index(Oid owner) {
  run_as_owner(owner, [] {
    if (SPI_execute("TRUNCATE job_control.job_queue, job_control.job_leases",
                    false, 0) != SPI_OK_UTILITY) {
      elog(ERROR, "job_control: could not empty the work index");
    }
  });
}

}  // namespace jc::pg
