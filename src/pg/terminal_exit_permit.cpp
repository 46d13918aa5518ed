#include "terminal_exit_permit.hpp"

#include <cstring>

namespace jc::pg {

namespace {

bool g_permit_active = false;
pg_uuid_t g_permitted_job;

}  // namespace

TerminalExitPermit::TerminalExitPermit(const pg_uuid_t* job) noexcept
    : active_(job != nullptr),
      had_previous_(g_permit_active),
      previous_(g_permitted_job) {
  if (!active_) return;
  g_permitted_job = *job;
  g_permit_active = true;
}

TerminalExitPermit::~TerminalExitPermit() {
  if (!active_) return;
  g_permit_active = had_previous_;
  g_permitted_job = previous_;
}

bool terminal_exit_permitted(const pg_uuid_t* job) noexcept {
  return g_permit_active &&
         std::memcmp(g_permitted_job.data, job->data, UUID_LEN) == 0;
}

}  // namespace jc::pg
