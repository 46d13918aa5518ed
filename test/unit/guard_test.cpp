// The C++ <-> PostgreSQL boundary (src/pg/guard.hpp) without a server: the
// few globals PG_TRY uses are defined here, and a PostgreSQL error is what
// ereport does at its end, a siglongjmp to the innermost PG_TRY.
#include <gtest/gtest.h>

#include <new>
#include <stdexcept>

#include "guard.hpp"

extern "C" {
sigjmp_buf* PG_exception_stack = nullptr;
ErrorContextCallback* error_context_stack = nullptr;
MemoryContext CurrentMemoryContext = nullptr;
// PG_END_TRY rethrows only after a PG_CATCH that asks for it; none here does.
void pg_re_throw(void) { std::abort(); }
}

namespace jc::pg {

namespace {
ErrorData g_raised{};
}  // namespace

// The copy of the pending error, as guard.cpp makes it with CopyErrorData.
ErrorData* capture_pg_error(MemoryContext) noexcept { return &g_raised; }

}  // namespace jc::pg

namespace {

using jc::pg::pg_guarded;
using jc::pg::PgError;

[[noreturn]] void raise_pg_error() { siglongjmp(*PG_exception_stack, 1); }

class GuardTest : public ::testing::Test {
 protected:
  void TearDown() override {
    // Every PG_TRY left restores the handler it found.
    EXPECT_EQ(PG_exception_stack, nullptr);
    EXPECT_EQ(error_context_stack, nullptr);
  }
};

TEST_F(GuardTest, ReturnsTheBodysValue) {
  EXPECT_EQ(pg_guarded([] { return 42; }), 42);
}

TEST_F(GuardTest, APostgresErrorBecomesPgError) {
  try {
    pg_guarded([] { raise_pg_error(); });
    FAIL() << "no exception";
  } catch (const PgError& e) {
    EXPECT_EQ(e.data(), &jc::pg::g_raised);
  }
}

TEST_F(GuardTest, ACppExceptionLeavesThePgTryFrameFirst) {
  EXPECT_THROW(pg_guarded([]() -> int { throw std::bad_alloc(); }),
               std::bad_alloc);
  try {
    pg_guarded([] { throw std::runtime_error("thrown in a guarded body"); });
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "thrown in a guarded body");
  }
}

TEST_F(GuardTest, NestedGuardsEachCatchTheirOwn) {
  const int outer = pg_guarded([] {
    int inner = 0;
    try {
      pg_guarded([] { raise_pg_error(); });
    } catch (const PgError&) {
      inner = 1;
    }
    return inner + 1;
  });
  EXPECT_EQ(outer, 2);
}

}  // namespace
