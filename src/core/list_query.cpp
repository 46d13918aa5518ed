#include "list_query.hpp"

#include <cctype>

#include "job_error.hpp"
#include "transition_sql.hpp"

namespace jc {

namespace {

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  }
  return true;
}

JobError invalid(std::string message, std::string hint) {
  return JobError(sqlstate::kInvalidParameterValue, std::move(message), {},
                  std::move(hint));
}

// The WHERE clause of the given filters. Enum filters arrive as text, not as
// the enum's type OID, so that no OID of the extension is baked into a kept
// plan (DROP and CREATE EXTENSION in one session would leave it stale); their
// casts sit in sub-selects so that a generic plan evaluates them once.
std::string where_clause(unsigned filters) {
  std::string where = " WHERE " + tenant_filter("company_id");
  const auto add = [&where](const char* predicate) {
    where += " AND ";
    where += predicate;
  };
  if (filters & kFilterState) {
    add("state OPERATOR(pg_catalog.=) (SELECT $1::job_control.job_state)");
  }
  if (filters & kFilterType) {
    add("type OPERATOR(pg_catalog.=) (SELECT $2::job_control.job_type)");
  }
  if (filters & kFilterDataPlane) {
    add("data_plane_id OPERATOR(pg_catalog.=) $3");
  }
  if (filters & kFilterDataset) add("input OPERATOR(pg_catalog.@>) $4");
  return where;
}

}  // namespace

ListSort parse_list_sort(std::string_view order_by,
                         std::string_view direction) {
  ListSort sort{};
  if (equals_ignoring_case(order_by, "created_at")) {
    sort.order = ListOrder::kCreatedAt;
  } else if (equals_ignoring_case(order_by, "updated_at")) {
    sort.order = ListOrder::kUpdatedAt;
  } else {
    throw invalid("order_by must be created_at or updated_at, not \"" +
                      std::string(order_by) + "\"",
                  {});
  }
  if (equals_ignoring_case(direction, "asc")) {
    sort.descending = false;
  } else if (equals_ignoring_case(direction, "desc")) {
    sort.descending = true;
  } else {
    throw invalid(
        "direction must be asc or desc, not \"" + std::string(direction) + "\"",
        {});
  }
  return sort;
}

void validate_page(std::int64_t page, std::int64_t page_size) {
  if (page < 1) {
    throw invalid("page must be 1 or more, not " + std::to_string(page), {});
  }
  if (page_size < 1 || page_size > kMaxPageSize) {
    throw invalid("page_size must be between 1 and " +
                      std::to_string(kMaxPageSize) + ", not " +
                      std::to_string(page_size),
                  "Fetch further pages with the page argument.");
  }
}

unsigned list_sort_index(ListSort sort) noexcept {
  return (sort.order == ListOrder::kUpdatedAt ? 2u : 0u) +
         (sort.descending ? 1u : 0u);
}

std::string list_page_sql(unsigned filters, ListSort sort,
                          std::string_view job_columns) {
  const char* column =
      sort.order == ListOrder::kCreatedAt ? "created_at" : "updated_at";
  const char* direction = sort.descending ? " DESC" : " ASC";
  // job_id breaks ties, so the order is total and pages never overlap.
  return "SELECT " + std::string(job_columns) + " FROM job_control.jobs" +
         where_clause(filters) + " ORDER BY " + column + direction +
         ", job_id" + direction + " LIMIT $5 OFFSET $6";
}

std::string list_count_sql(unsigned filters) {
  return "SELECT pg_catalog.count(*) FROM job_control.jobs" +
         where_clause(filters);
}

std::int64_t total_pages(std::int64_t total_records,
                         std::int64_t page_size) noexcept {
  return page_size <= 0 ? 0 : (total_records + page_size - 1) / page_size;
}

}  // namespace jc
