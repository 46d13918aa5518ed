// Rows the extension writes into its own tables on every state change (the
// history, the queue of deferred notifications, the work index), written by
// the executor's own routines instead of a statement through SPI: no plan to
// revalidate, no executor to start and end, no text to cast. An insert is
// the single-row insert logical replication applies rows with (table AM
// insert, NOT NULL and CHECK constraints, every index); an insert that does
// nothing on a conflict is the speculative insertion of INSERT ... ON
// CONFLICT DO NOTHING; a delete finds its row through the primary key.
// Only while a table is as the extension created it; otherwise the caller
// writes the row with SQL, which gives triggers, rules, row security,
// partitions and added columns their due (said at DEBUG1: "a row of
// job_control.<table> is written with SQL").
#pragma once

#include "postgres_headers.hpp"

namespace jc::pg {

enum class DirectTable {
  kHistory,            // job_control.job_transitions
  kNotificationQueue,  // job_control.job_notifications
  kPendingQueue,       // job_control.job_queue, keyed by job_id
  kLeases,             // job_control.job_leases, keyed by job_id
};

// Registers the invalidation callback of the tables' cached layouts; called
// once by _PG_init.
void register_direct_tables();

// Inserts one row into `table` as `writer` (the table's owner): values and
// nulls of every column by position, except that an identity column's are
// ignored (it gets its sequence's next value, as its default would). Returns
// false, having written nothing, when the table is missing or differs from the
// extension's (columns, triggers, rules, row security that applies to `writer`,
// partitioning) or `writer` may not insert into it. A guarded body: calls
// PostgreSQL and may raise.
bool insert_directly(DirectTable table, Oid writer, const Datum* values,
                     const bool* nulls);

// As insert_directly, for a table keyed by job_id, as INSERT ... ON CONFLICT
// (job_id) DO NOTHING: when a row with the key is there, or is being
// inserted by a transaction in progress that then commits, nothing is
// inserted. Also false under REPEATABLE READ and SERIALIZABLE, where the
// statement's serialization checks decide, and when the key's index is not
// the extension's primary key on job_id.
bool insert_unless_present(DirectTable table, Oid writer, const Datum* values,
                           const bool* nulls);

// DELETE FROM `table` WHERE job_id = `job_id` as `writer`, through the
// primary key; the same conditions as insert_unless_present (and the
// DELETE and SELECT privileges). Also false, having deleted nothing, when
// the row was changed by a transaction that committed meanwhile: the
// statement would follow it to its new version.
bool delete_directly(DirectTable table, Oid writer, Datum job_id);

}  // namespace jc::pg
