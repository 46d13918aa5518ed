// The job_control.* settings (GUCs). Both are superuser-only (PGC_SUSET), so
// a job writer cannot switch off the audit trail of its own changes.
#pragma once

namespace jc::pg::settings {

// job_control.history: record every state change in
// job_control.job_transitions.
extern bool history;
// job_control.notify: NOTIFY job_control on every state change.
extern bool notify;

// Defines the settings; called once by _PG_init.
void define();

}  // namespace jc::pg::settings
