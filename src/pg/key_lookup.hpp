// One row found through a unique index on its uuid key as a statement that
// may write finds it: after CommandCounterIncrement (this transaction's
// earlier changes become visible, as SPI makes them before a statement),
// under a fresh snapshot, which the caller then uses for what it does to
// the row (a lock, an update, a delete). Shared by the calls without SQL:
// the no-op's read (job_peek), the move (job_move) and the work index's
// deletes (direct_write).
#pragma once

#include "postgres_headers.hpp"

extern "C" {
#include "access/genam.h"
}

namespace jc::pg {

struct KeyLookup {
  Snapshot snapshot;
  IndexScanDesc scan;
  TupleTableSlot* row;  // the version the snapshot sees, if `found`
  bool found;
};

// A guarded body, as end_key_lookup.
KeyLookup begin_key_lookup(Relation table, Relation index, Datum key);
void end_key_lookup(const KeyLookup& lookup);

}  // namespace jc::pg
