// Deferred notifications (job_control.notify = deferred).
//
// NOTIFY makes every committing transaction take one lock for the whole
// database and hold it through its commit, WAL flush included, so writers
// that notify commit one at a time. Deferred, a state change only inserts its
// payload into job_control.job_notifications (unlogged; rolled back with its
// transaction), and the notifier, one background worker per database, sends
// what has committed in batches: one transaction and one lock per batch.
//
// The notifier is started on demand by the first backend that queues a
// notification and finds none running (looked up at most once a second per
// backend), is woken by every commit that queued one, and polls once a second
// besides. It stops on SIGTERM, and when job_control is dropped.
#pragma once

#include "postgres_headers.hpp"

namespace jc::pg {

inline constexpr char kNotifierType[] = "job_control notifier";

// Prepares what queue_notification needs; call outside guarded bodies.
void prepare_notification_queue();

// Queues `payload` for the notifier, written as `owner` (the table's owner).
// A guarded body: calls PostgreSQL and may raise.
void queue_notification(const char* payload, Oid owner);

// Registers the commit callback that wakes the notifier; called by _PG_init.
void register_notifier_wakeup();

}  // namespace jc::pg

extern "C" {
// The notifier's main function (a background worker's entry point): argument
// the database's OID; bgw_extra holds the OID of the role it runs as.
PGDLLEXPORT void job_control_notifier_main(Datum database);
}
