// The history row (job_control.job_transitions) written by the executor's
// own single-row insert, the routine logical replication applies rows with
// (table AM insert, CHECK and NOT NULL constraints, every index), instead of
// an INSERT statement through SPI: no plan to revalidate, no executor to
// start and end, no text to cast to job_state. Only while the table is as
// the extension created it; otherwise the caller writes the row with SQL,
// which gives triggers, rules, row security and partitions their due.
#pragma once

#include "postgres_headers.hpp"

#include "transition_log.hpp"

namespace jc::pg {

// Registers the invalidation callbacks of the table's cached layout; called
// once by _PG_init.
void register_history_writer();

// Writes the history row of `event` as event.owner, as `role` made the
// change. Returns false, having written nothing, when the table is missing
// or differs from the extension's (columns, triggers, rules, row security,
// partitioning) or the owner may not insert into it.
bool insert_history_directly(const TransitionEvent& event, const char* role);

}  // namespace jc::pg
