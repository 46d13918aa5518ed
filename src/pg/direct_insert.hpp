// Rows the extension writes into its own tables on every state change (the
// history, the queue of deferred notifications), inserted by the executor's
// single-row insert, the routine logical replication applies rows with
// (table AM insert, NOT NULL and CHECK constraints, every index), instead of
// an INSERT statement through SPI: no plan to revalidate, no executor to
// start and end, no text to cast. Only while a table is as the extension
// created it; otherwise the caller writes the row with SQL, which gives
// triggers, rules, row security, partitions and added columns their due.
#pragma once

#include "postgres_headers.hpp"

namespace jc::pg {

enum class DirectTable {
  kHistory,            // job_control.job_transitions
  kNotificationQueue,  // job_control.job_notifications
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

}  // namespace jc::pg
