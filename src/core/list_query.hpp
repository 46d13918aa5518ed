// job_list: its arguments and the SQL of a page, in pure C++. The boundary
// keeps one plan for each combination of filters and order actually used.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace jc {

inline constexpr int kMaxPageSize = 500;

// Which filters a call gives; each is a bit so a combination indexes a plan.
enum ListFilter : unsigned {
  kFilterState = 1u << 0,
  kFilterType = 1u << 1,
  kFilterDataPlane = 1u << 2,
  kFilterDataset = 1u << 3,
};
inline constexpr unsigned kListFilterCombinations = 16;

enum class ListOrder : std::uint8_t { kCreatedAt, kUpdatedAt };

struct ListSort {
  ListOrder order;
  bool descending;
};
inline constexpr unsigned kListSortCombinations = 4;

// "created_at" / "updated_at", "asc" / "desc" (case-insensitive); 22023
// otherwise.
ListSort parse_list_sort(std::string_view order_by, std::string_view direction);

// 22023 unless page >= 1 and 1 <= page_size <= kMaxPageSize.
void validate_page(std::int64_t page, std::int64_t page_size);

unsigned list_sort_index(ListSort sort) noexcept;

// Parameters of both statements: $1 state (text), $2 type (text), $3
// data_plane_id (uuid), $4 a jsonb {"dataset_id": n} the input must contain;
// the page statement adds $5 limit and $6 offset (int8).
std::string list_page_sql(unsigned filters, ListSort sort,
                          std::string_view job_columns);
std::string list_count_sql(unsigned filters);

std::int64_t total_pages(std::int64_t total_records,
                         std::int64_t page_size) noexcept;

}  // namespace jc
