#include "settings.hpp"

#include "postgres_headers.hpp"

extern "C" {
#include "utils/guc.h"
}

namespace jc::pg::settings {

bool history = false;
bool notify = false;

void define() {
  DefineCustomBoolVariable(
      "job_control.history",
      "Records every job state change in job_control.job_transitions.", nullptr,
      &history, false, PGC_SUSET, 0, nullptr, nullptr, nullptr);
  DefineCustomBoolVariable(
      "job_control.notify",
      "Sends NOTIFY on channel job_control for every job state change.",
      nullptr, &notify, false, PGC_SUSET, 0, nullptr, nullptr, nullptr);
  MarkGUCPrefixReserved("job_control");
}

}  // namespace jc::pg::settings
