// The job_control.* settings (GUCs). history, notify and the max_* bounds are
// superuser-only (PGC_SUSET; an administrator may be granted SET on them), so
// a job writer can neither switch off the audit trail of its own changes nor
// lift the bounds. company_id is the session's tenant (PGC_USERSET).
#pragma once

#include <cstdint>

namespace jc::pg::settings {

// job_control.history: record every state change in
// job_control.job_transitions.
extern bool history;
// job_control.notify: NOTIFY job_control on every state change, when the
// changing transaction commits (kAtCommit) or through the notifier
// (kDeferred: the change is queued in job_control.job_notifications and a
// background worker sends it after the commit; see notifier.hpp).
enum class NotifyMode : int { kOff, kAtCommit, kDeferred };
extern int notify;  // a NotifyMode
inline NotifyMode notify_mode() { return static_cast<NotifyMode>(notify); }
// job_control.max_message_bytes, max_diagnostic_bytes, max_result_bytes,
// max_input_bytes.
extern int max_message_bytes;
extern int max_diagnostic_bytes;
extern int max_result_bytes;
extern int max_input_bytes;

// job_control.company_id: when set, the session acts for that company only.
bool has_company();
std::int64_t company();

// Defines the settings; called once by _PG_init.
void define();

}  // namespace jc::pg::settings
