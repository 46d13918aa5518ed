// Errors raised by the pure core. The PostgreSQL boundary turns each one into
// an ereport(ERROR) with the same SQLSTATE after every C++ object is gone.
#pragma once

#include <stdexcept>
#include <string>

namespace jc {

// The SQLSTATEs of the spec's error table, as their five-character codes.
namespace sqlstate {
inline constexpr char kNoDataFound[] = "P0002";
inline constexpr char kNullValueNotAllowed[] = "22004";
inline constexpr char kInvalidParameterValue[] = "22023";
inline constexpr char kObjectNotInPrerequisiteState[] = "55000";
inline constexpr char kInsufficientPrivilege[] = "42501";
inline constexpr char kSerializationFailure[] = "40001";
}  // namespace sqlstate

class JobError : public std::runtime_error {
 public:
  JobError(const char* code, std::string message, std::string detail = {},
           std::string hint = {})
      : std::runtime_error(std::move(message)),
        detail_(std::move(detail)),
        hint_(std::move(hint)) {
    for (int i = 0; i < 5; ++i) code_[i] = code[i];
    code_[5] = '\0';
  }

  const char* code() const noexcept { return code_; }
  const std::string& detail() const noexcept { return detail_; }
  const std::string& hint() const noexcept { return hint_; }

 private:
  char code_[6];
  std::string detail_;
  std::string hint_;
};

}  // namespace jc
