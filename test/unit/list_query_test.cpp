#include "list_query.hpp"
#include "transition_sql.hpp"

#include <gtest/gtest.h>

#include "error_code.hpp"

#include "job_error.hpp"

namespace jc {
namespace {

TEST(ListQuery, ParsesSortCaseInsensitively) {
  const ListSort s = parse_list_sort("UPDATED_AT", "Asc");
  EXPECT_EQ(s.order, ListOrder::kUpdatedAt);
  EXPECT_FALSE(s.descending);
  EXPECT_EQ(error_code_of([] { parse_list_sort("state", "asc"); }), "22023");
  EXPECT_EQ(error_code_of([] { parse_list_sort("created_at", "up"); }),
            "22023");
}

TEST(ListQuery, PageBounds) {
  EXPECT_NO_THROW(validate_page(1, 500));
  EXPECT_EQ(error_code_of([] { validate_page(0, 10); }), "22023");
  EXPECT_EQ(error_code_of([] { validate_page(1, 501); }), "22023");
  EXPECT_EQ(error_code_of([] { validate_page(1, 0); }), "22023");
}

TEST(ListQuery, SortIndexesAreDistinct) {
  EXPECT_EQ(list_sort_index({ListOrder::kCreatedAt, false}), 0u);
  EXPECT_EQ(list_sort_index({ListOrder::kCreatedAt, true}), 1u);
  EXPECT_EQ(list_sort_index({ListOrder::kUpdatedAt, false}), 2u);
  EXPECT_EQ(list_sort_index({ListOrder::kUpdatedAt, true}), 3u);
}

TEST(ListQuery, PageSqlHasOnlyTheGivenFiltersAndATotalOrder) {
  EXPECT_EQ(list_page_sql(0, {ListOrder::kCreatedAt, true}, "job_id"),
            "SELECT job_id FROM job_control.jobs WHERE " +
                tenant_filter("company_id") +
                " ORDER BY created_at DESC, job_id DESC LIMIT $5 OFFSET $6");
  const std::string sql = list_page_sql(kFilterState | kFilterDataset,
                                        {ListOrder::kUpdatedAt, false}, "x");
  EXPECT_NE(sql.find("WHERE " + tenant_filter("company_id") +
                     " AND state OPERATOR(pg_catalog.=) (SELECT "
                     "$1::job_control.job_state) AND input "
                     "OPERATOR(pg_catalog.@>) $4"),
            std::string::npos);
  EXPECT_EQ(sql.find("$2"), std::string::npos);
  EXPECT_NE(sql.find("ORDER BY updated_at ASC, job_id ASC"), std::string::npos);
}

TEST(ListQuery, CountSql) {
  EXPECT_EQ(list_count_sql(kFilterDataPlane),
            "SELECT pg_catalog.count(*) FROM job_control.jobs WHERE " +
                tenant_filter("company_id") +
                " AND data_plane_id OPERATOR(pg_catalog.=) $3");
}

// Every listing is bound by the session's company, whoever the caller.
TEST(ListQuery, TenantFilterNamesTheSessionCompany) {
  EXPECT_EQ(tenant_filter("j.company_id"),
            "(job_control.current_company() IS NULL OR j.company_id "
            "OPERATOR(pg_catalog.=) job_control.current_company())");
}

TEST(ListQuery, TotalPages) {
  EXPECT_EQ(total_pages(0, 50), 0);
  EXPECT_EQ(total_pages(50, 50), 1);
  EXPECT_EQ(total_pages(51, 50), 2);
}

}  // namespace
}  // namespace jc
