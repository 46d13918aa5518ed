// The C++ <-> PostgreSQL boundary.
//
// PostgreSQL raises errors with longjmp, which skips C++ destructors; C++
// exceptions must never unwind through PostgreSQL frames. Two tools keep the
// two worlds apart:
//
//  * pg_guarded(body) runs `body`, which calls PostgreSQL and holds no object
//    with a destructor, under PG_TRY. A PostgreSQL error is copied out and
//    rethrown as the C++ exception PgError once the PG_TRY frame is gone; a
//    C++ exception the body throws (std::bad_alloc, say) is caught inside
//    the PG_TRY and rethrown once it is gone, so that it never unwinds
//    through the frame that holds sigsetjmp (which would leave PostgreSQL's
//    error handler pointing into a dead frame).
//  * run_entry(fcinfo, impl) is the body of every extern "C" function: it
//    catches every C++ exception and raises it as a PostgreSQL error only
//    after every C++ object of `impl` has been destroyed.
#pragma once

#include "postgres_headers.hpp"

#include <exception>
#include <type_traits>
#include <utility>

namespace jc::pg {

class PgError final : public std::exception {
 public:
  explicit PgError(ErrorData* data) noexcept : data_(data) {}
  ErrorData* data() const noexcept { return data_; }
  const char* what() const noexcept override { return "PostgreSQL error"; }

 private:
  ErrorData* data_;
};

// Copies the pending PostgreSQL error into `context` and clears it.
ErrorData* capture_pg_error(MemoryContext context) noexcept;

// Runs `body` under PG_TRY; returns the PostgreSQL error it raised, if any,
// and leaves a C++ exception it threw in `thrown`. The frame holding
// sigsetjmp keeps nothing but the error pointer; `thrown` lives in the
// caller's frame, which a PostgreSQL error never skips.
template <typename Body>
ErrorData* catch_pg_error(Body& body, std::exception_ptr& thrown) noexcept {
  MemoryContext context = CurrentMemoryContext;
  ErrorData* volatile error = nullptr;
  PG_TRY();
  {
    try {
      body();
    } catch (...) {
      thrown = std::current_exception();
    }
  }
  PG_CATCH();
  { error = capture_pg_error(context); }
  PG_END_TRY();
  return error;
}

// Runs `body` under catch_pg_error and rethrows what it raised or threw.
template <typename Body>
void run_guarded(Body& body) {
  std::exception_ptr thrown;
  if (ErrorData* error = catch_pg_error(body, thrown)) throw PgError(error);
  if (thrown) std::rethrow_exception(std::move(thrown));
}

template <typename Body>
auto pg_guarded(Body&& body) -> decltype(body()) {
  using Result = decltype(body());
  static_assert(std::is_void_v<Result> || std::is_trivially_copyable_v<Result>,
                "a guarded body returns plain data");
  if constexpr (std::is_void_v<Result>) {
    run_guarded(body);
  } else {
    Result result{};
    auto store = [&] { result = body(); };
    run_guarded(store);
    return result;
  }
}

// An error caught at the boundary, kept in fixed buffers so that raising it
// needs no C++ object alive.
struct PendingError {
  ErrorData* pg_error = nullptr;
  char code[6] = {};
  char message[1024] = {};
  char detail[1024] = {};
  char hint[512] = {};
};

void record_current_exception(PendingError& pending) noexcept;
[[noreturn]] void raise_pending(const PendingError& pending);

template <typename Impl>
Datum run_entry(FunctionCallInfo fcinfo, Impl impl) {
  PendingError pending;
  try {
    return impl(fcinfo);
  } catch (...) {
    record_current_exception(pending);
  }
  raise_pending(pending);
}

}  // namespace jc::pg

// Defines the SQL-callable C function `name` as run_entry() around `impl`.
#define JOB_CONTROL_ENTRY_POINT(name, impl)                                \
  extern "C" {                                                             \
  PG_FUNCTION_INFO_V1(name);                                               \
  Datum name(PG_FUNCTION_ARGS) { return jc::pg::run_entry(fcinfo, impl); } \
  }
