#include "guard.hpp"

#include <cstdio>
#include <new>

#include "job_error.hpp"

namespace jc::pg {

namespace {

template <std::size_t N>
void copy_text(char (&out)[N], const char* text) noexcept {
  std::snprintf(out, N, "%s", text);
}

}  // namespace

ErrorData* capture_pg_error(MemoryContext context) noexcept {
  MemoryContextSwitchTo(context);
  ErrorData* data = CopyErrorData();
  FlushErrorState();
  return data;
}

void record_current_exception(PendingError& pending) noexcept {
  try {
    throw;
  } catch (const PgError& e) {
    pending.pg_error = e.data();
  } catch (const JobError& e) {
    copy_text(pending.code, e.code());
    copy_text(pending.message, e.what());
    copy_text(pending.detail, e.detail().c_str());
    copy_text(pending.hint, e.hint().c_str());
  } catch (const std::bad_alloc&) {
    copy_text(pending.code, "53200");
    copy_text(pending.message, "out of memory in job_control");
  } catch (const std::exception& e) {
    copy_text(pending.code, "XX000");
    copy_text(pending.message, e.what());
  } catch (...) {
    copy_text(pending.code, "XX000");
    copy_text(pending.message, "unexpected C++ exception in job_control");
  }
}

void raise_pending(const PendingError& pending) {
  if (pending.pg_error != nullptr) ReThrowError(pending.pg_error);
  const char* c = pending.code;
  // ereport() without its source location: "raise_pending, guard.cpp" is
  // where every error of the extension is raised, which tells a DBA nothing
  // (VERBOSITY verbose shows the SQLSTATE, message, detail and hint).
  if (errstart(ERROR, TEXTDOMAIN)) {
    errcode(MAKE_SQLSTATE(c[0], c[1], c[2], c[3], c[4]));
    errmsg_internal("%s", pending.message);
    if (pending.detail[0]) errdetail_internal("%s", pending.detail);
    if (pending.hint[0]) errhint("%s", pending.hint);
    errfinish(nullptr, 0, nullptr);
  }
  pg_unreachable();
}

}  // namespace jc::pg
