// Test helper: the SQLSTATE a call raises as JobError, or "none".
#pragma once

#include <string>

#include "job_error.hpp"

namespace jc {

template <typename Call>
std::string error_code_of(Call call) {
  try {
    call();
  } catch (const JobError& e) {
    return e.code();
  }
  return "none";
}

}  // namespace jc
