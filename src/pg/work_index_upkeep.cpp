#include "work_index_upkeep.hpp"

#include "call_support.hpp"
#include "catalog_cache.hpp"
#include "direct_write.hpp"
#include "job_store.hpp"
#include "owner_spi.hpp"

namespace jc::pg {

namespace {

// Runs `statement` for `job` as the owner, finding its entry through the
// primary key whatever the table's size was when PostgreSQL last planned
// it: a plan made while the queue was a page or two would read it whole,
// and a kept plan stays until an invalidation, however long the queue grows.
void run_for_job(Statement& statement, const IndexedJob& job, Oid owner) {
  const Datum values[5] = {
      job.job_id, job.company_id, job.created_at,
      statement.nargs > 3 ? CStringGetTextDatum(enum_label(job.type)) : 0,
      job.data_plane_id};
  const char nulls[5] = {' ', ' ', ' ', ' ', job.has_data_plane ? ' ' : 'n'};
  run_as_owner(owner, [&] {
    with_planner_settings_off(
        {"enable_seqscan"}, [&] { run_many(statement, values, nulls, false); });
  });
}

// Each entry is written without SQL where direct_write.hpp allows it, else
// by its statement.
void dequeue(const IndexedJob& job, Oid owner) {
  if (!delete_directly(DirectTable::kPendingQueue, owner, job.job_id)) {
    run_for_job(dequeue_statement(), job, owner);
  }
}

// Before 1.4 the queue has no lanes: its entries are written by the
// statement of that queue.
void enqueue(const IndexedJob& job, Oid owner) {
  const Datum values[5] = {job.job_id, job.company_id, job.created_at, job.type,
                           job.data_plane_id};
  const bool nulls[5] = {false, false, false, false, !job.has_data_plane};
  if (!insert_unless_present(DirectTable::kPendingQueue, owner, values,
                             nulls)) {
    run_for_job(enqueue_statement(queue_relation().type > 0), job, owner);
  }
}

void add_lease(const IndexedJob& job, Oid owner) {
  const Datum values[2] = {job.job_id, job.company_id};
  const bool nulls[2] = {false, false};
  if (!insert_unless_present(DirectTable::kLeases, owner, values, nulls)) {
    run_for_job(add_lease_statement(), job, owner);
  }
}

void drop_lease(const IndexedJob& job, Oid owner) {
  if (!delete_directly(DirectTable::kLeases, owner, job.job_id)) {
    run_for_job(drop_lease_statement(), job, owner);
  }
}

}  // namespace

bool IndexedJob::lane_differs(const IndexedJob& other) const {
  return type != other.type ||
         DatumGetInt64(company_id) != DatumGetInt64(other.company_id) ||
         has_data_plane != other.has_data_plane ||
         (has_data_plane && !same_uuid(data_plane_id, other.data_plane_id));
}

void prepare_work_index() {
  enqueue_statement(false);
  enqueue_statement(true);
  dequeue_statement();
  add_lease_statement();
  drop_lease_statement();
}

void apply_work_index_change(const WorkIndexChange& change,
                             const IndexedJob& job, Oid owner) {
  if (change.dequeue) dequeue(job, owner);
  if (change.enqueue) enqueue(job, owner);
  if (change.add_lease) add_lease(job, owner);
}

void forget_job(Datum job_id, bool queued, Oid owner) {
  IndexedJob job{};
  job.job_id = job_id;
  if (queued) dequeue(job, owner);
  drop_lease(job, owner);
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
