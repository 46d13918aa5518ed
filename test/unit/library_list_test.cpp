#include "library_list.hpp"

#include <gtest/gtest.h>

namespace jc {
namespace {

TEST(LibraryList, FindsALibraryByNamePathOrFile) {
  EXPECT_TRUE(lists_library("citus", "citus"));
  EXPECT_TRUE(lists_library("pg_stat_statements, citus", "citus"));
  EXPECT_TRUE(lists_library("citus,pg_stat_statements", "citus"));
  EXPECT_TRUE(lists_library(" $libdir/citus ", "citus"));
  EXPECT_TRUE(lists_library("/usr/lib/postgresql/15/lib/citus.so", "citus"));
  EXPECT_TRUE(lists_library("auto_explain,\"citus\"", "citus"));
}

TEST(LibraryList, DoesNotMistakeOtherLibraries) {
  EXPECT_FALSE(lists_library("", "citus"));
  EXPECT_FALSE(lists_library(" , ", "citus"));
  EXPECT_FALSE(lists_library("pg_stat_statements", "citus"));
  EXPECT_FALSE(lists_library("citus_columnar", "citus"));
  EXPECT_FALSE(lists_library("my_citus", "citus"));
  EXPECT_FALSE(lists_library("citus/other", "citus"));
  // A quoted entry keeps its comma: one library named "a,citus".
  EXPECT_FALSE(lists_library("\"a,citus\"", "citus"));
}

}  // namespace
}  // namespace jc
