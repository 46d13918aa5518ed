// The functions of operators and DBAs: job_list (the paged listing of the
// Jobs API) and job_prune_batch (one batch of the pruning procedure).
#include "postgres_headers.hpp"

#include <cstdint>
#include <iterator>

#include "call_support.hpp"
#include "guard.hpp"
#include "job_row.hpp"
#include "job_store.hpp"
#include "jsonb_build.hpp"
#include "list_query.hpp"
#include "validation.hpp"

namespace jc::pg {

namespace {

constexpr int kMaxPruneBatch = 100000;

Datum list_impl(FunctionCallInfo fcinfo) {
  unsigned filters = 0;
  if (!PG_ARGISNULL(0)) filters |= kFilterState;
  if (!PG_ARGISNULL(1)) filters |= kFilterType;
  if (!PG_ARGISNULL(2)) filters |= kFilterDataPlane;
  if (!PG_ARGISNULL(3)) filters |= kFilterDataset;
  const ListSort sort =
      parse_list_sort(required_text_arg(fcinfo, 4, "order_by"),
                      required_text_arg(fcinfo, 5, "direction"));
  if (PG_ARGISNULL(6)) throw null_argument("page");
  if (PG_ARGISNULL(7)) throw null_argument("page_size");
  const std::int64_t page = PG_GETARG_INT32(6);
  const std::int64_t page_size = PG_GETARG_INT32(7);
  validate_page(page, page_size);

  Statement& count_statement = list_count_statement(filters);
  Statement& page_statement = list_page_statement(filters, sort);
  MemoryContext caller = CurrentMemoryContext;
  spi_connect();
  struct Page {
    std::int64_t total;
    std::uint64_t rows;  // left in SPI_tuptable
  };
  const Page found = pg_guarded([&] {
    Datum values[6] = {};
    char nulls[6] = {'n', 'n', 'n', 'n', ' ', ' '};
    if (filters & kFilterState) {
      values[0] = CStringGetTextDatum(enum_label(PG_GETARG_DATUM(0)));
      nulls[0] = ' ';
    }
    if (filters & kFilterType) {
      values[1] = CStringGetTextDatum(enum_label(PG_GETARG_DATUM(1)));
      nulls[1] = ' ';
    }
    if (filters & kFilterDataPlane) {
      values[2] = PG_GETARG_DATUM(2);
      nulls[2] = ' ';
    }
    if (filters & kFilterDataset) {
      jsonb::Member dataset{literal("dataset_id"),
                            int_value(PG_GETARG_INT64(3))};
      values[3] = JsonbPGetDatum(jsonb_object(&dataset, 1));
      nulls[3] = ' ';
    }
    values[4] = Int64GetDatum(page_size);
    values[5] = Int64GetDatum((page - 1) * page_size);
    // The count and the page read the same snapshot only under REPEATABLE
    // READ; in READ COMMITTED the count may lag the page by a commit.
    run_many(count_statement, values, nulls, true);
    bool is_null;
    const std::int64_t total = DatumGetInt64(heap_getattr(
        SPI_tuptable->vals[0], 1, SPI_tuptable->tupdesc, &is_null));
    return Page{total, run_many(page_statement, values, nulls, true)};
  });
  return finish_building(caller, [&] {
    auto* jobs = static_cast<jsonb::Value*>(
        palloc(sizeof(jsonb::Value) * (found.rows == 0 ? 1 : found.rows)));
    for (std::uint64_t i = 0; i < found.rows; ++i) {
      jobs[i] =
          jsonb_datum_value(JsonbPGetDatum(job_to_jsonb(result_row(i, 0))));
    }
    jsonb::Member members[] = {
        {literal("current_page"), int_value(page)},
        {literal("total_records"), int_value(found.total)},
        {literal("total_pages"),
         int_value(total_pages(found.total, page_size))},
        {literal("records"),
         jsonb_datum_value(JsonbPGetDatum(jsonb_array(jobs, found.rows)))},
    };
    return jsonb_object(members, std::size(members));
  });
}

Datum prune_batch_impl(FunctionCallInfo fcinfo) {
  const TimestampTz cutoff = cutoff_arg(fcinfo, 0, "older_than");
  const int batch = bounded_int_arg(fcinfo, 1, "batch_size", 1, kMaxPruneBatch);
  Statement& jobs = prune_jobs_statement();
  Statement& transitions = prune_transitions_statement();
  MemoryContext caller = CurrentMemoryContext;
  spi_connect();
  struct Deleted {
    std::int64_t jobs;
    std::int64_t transitions;
  };
  const Deleted deleted = pg_guarded([&] {
    const Datum values[2] = {TimestampTzGetDatum(cutoff), Int32GetDatum(batch)};
    const char nulls[2] = {' ', ' '};
    const auto jobs_deleted =
        static_cast<std::int64_t>(run_many(jobs, values, nulls, false));
    return Deleted{jobs_deleted, static_cast<std::int64_t>(run_many(
                                     transitions, values, nulls, false))};
  });
  return finish_building(caller, [&] {
    jsonb::Member members[] = {
        {literal("jobs"), int_value(deleted.jobs)},
        {literal("transitions"), int_value(deleted.transitions)},
    };
    return jsonb_object(members, std::size(members));
  });
}

}  // namespace

}  // namespace jc::pg

JOB_CONTROL_ENTRY_POINT(job_list, jc::pg::list_impl)
JOB_CONTROL_ENTRY_POINT(job_prune_batch, jc::pg::prune_batch_impl)
