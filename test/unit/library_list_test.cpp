#include "library_list.hpp"

#include <gtest/gtest.h>

#include <string_view>

namespace jc {
namespace {

struct Case {
  std::string_view libraries;
  bool names_citus;
};

// As a name, a path or a file; not as part of another library's name.
constexpr Case kCases[] = {
    {"citus", true},
    {"pg_stat_statements, citus", true},
    {"citus,pg_stat_statements", true},
    {" $libdir/citus ", true},
    {"/usr/lib/postgresql/15/lib/citus.so", true},
    {"auto_explain,\"citus\"", true},
    {"", false},
    {" , ", false},
    {"pg_stat_statements", false},
    {"citus_columnar", false},
    {"my_citus", false},
    {"citus/other", false},
    // A quoted entry keeps its comma: one library named "a,citus".
    {"\"a,citus\"", false},
};

TEST(LibraryList, FindsALibraryByNamePathOrFileOnly) {
  for (const Case& c : kCases) {
    EXPECT_EQ(lists_library(c.libraries, "citus"), c.names_citus)
        << "libraries: " << c.libraries;
  }
}

}  // namespace
}  // namespace jc
