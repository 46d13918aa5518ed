#include "key_lookup.hpp"

extern "C" {
#include "access/relscan.h"
#include "access/stratnum.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "utils/fmgroids.h"
#include "utils/snapmgr.h"
}

#include "pg_compat.hpp"

namespace jc::pg {

KeyLookup begin_key_lookup(Relation table, Relation index, Datum key) {
  KeyLookup lookup{};
  CommandCounterIncrement();
  lookup.snapshot = RegisterSnapshot(GetTransactionSnapshot());
  ScanKeyData scan_key;
  ScanKeyInit(&scan_key, 1, BTEqualStrategyNumber, F_UUID_EQ, key);
  lookup.scan = compat::index_begin_scan(table, index, lookup.snapshot, 1);
  index_rescan(lookup.scan, &scan_key, 1, nullptr, 0);
  lookup.row = table_slot_create(table, nullptr);
  lookup.found =
      index_getnext_slot(lookup.scan, ForwardScanDirection, lookup.row);
  return lookup;
}

void end_key_lookup(const KeyLookup& lookup) {
  ExecDropSingleTupleTableSlot(lookup.row);
  index_endscan(lookup.scan);
  UnregisterSnapshot(lookup.snapshot);
}

}  // namespace jc::pg
