// The one way out of a terminal state: job_reschedule(..., force => true)
// holds a permit for its job while its UPDATE runs, and the trigger lets only
// that job leave its terminal state. A DBA's plain UPDATE never holds one.
#pragma once

#include "postgres_headers.hpp"

namespace jc::pg {

class TerminalExitPermit {
 public:
  // A permit for `job`, or no permit when `job` is null. Ends (and the
  // previous one comes back) when this object is destroyed, also when an
  // error unwinds the call.
  explicit TerminalExitPermit(const pg_uuid_t* job) noexcept;
  ~TerminalExitPermit();
  TerminalExitPermit(const TerminalExitPermit&) = delete;
  TerminalExitPermit& operator=(const TerminalExitPermit&) = delete;

 private:
  bool active_;
  bool had_previous_;
  pg_uuid_t previous_;
};

bool terminal_exit_permitted(const pg_uuid_t* job) noexcept;

}  // namespace jc::pg
