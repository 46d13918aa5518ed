#include "queue_walk.hpp"

extern "C" {
#include "access/genam.h"
#include "access/relscan.h"
#include "access/stratnum.h"
#include "access/tableam.h"
#include "utils/catcache.h"
#include "utils/fmgroids.h"
}

#include <algorithm>
#include <cstring>

#include "pg_compat.hpp"
#include "queue_claim.hpp"

namespace jc::pg {

namespace {

// The types without repeats: a type named twice must not make two lanes
// that return the same entries.
Datum* distinct_types(const Datum* types, int count, int* distinct) {
  auto* copy =
      static_cast<Datum*>(palloc(sizeof(Datum) * std::max<Size>(count, 1)));
  std::copy(types, types + count, copy);
  std::sort(copy, copy + count);
  *distinct = static_cast<int>(std::unique(copy, copy + count) - copy);
  return copy;
}

// Every value of enum type `type`.
Datum* all_values_of(Oid type, int* count) {
  CatCList* list = SearchSysCacheList1(ENUMTYPOIDNAME, ObjectIdGetDatum(type));
  auto* values = static_cast<Datum*>(
      palloc(sizeof(Datum) * std::max<Size>(list->n_members, 1)));
  for (int i = 0; i < list->n_members; ++i) {
    const auto* value =
        reinterpret_cast<Form_pg_enum>(GETSTRUCT(&list->members[i]->tuple));
    values[i] = ObjectIdGetDatum(value->oid);
  }
  *count = list->n_members;
  ReleaseSysCacheList(list);
  return values;
}

// A queue entry's place in claim order.
ClaimPlace place_of(TupleTableSlot* entry, const QueueWalk& w) {
  bool is_null;
  return {DatumGetTimestampTz(slot_getattr(entry, w.created_at, &is_null)),
          *DatumGetUUIDP(slot_getattr(entry, w.job_id, &is_null))};
}

}  // namespace

bool claims_before(const ClaimPlace& a, const ClaimPlace& b) {
  if (a.created_at != b.created_at) return a.created_at < b.created_at;
  return std::memcmp(a.job_id.data, b.job_id.data, UUID_LEN) < 0;
}

QueueWalk begin_queue_walk(Relation queue, const QueueRelation& facts,
                           const ClaimRequest& request, Snapshot snapshot) {
  QueueWalk w{};
  w.current = -1;
  w.created_at = facts.created_at;
  w.job_id = facts.job_id;
  // The lanes: each a type (of a plane), or one lane over the whole queue.
  Oid index = facts.order_index;
  bool by_plane = false;
  const Datum* types = nullptr;
  int lane_count = 1;
  if (!request.any_data_plane && OidIsValid(facts.plane_index)) {
    index = facts.plane_index;
    by_plane = true;
    types = request.types != nullptr
                ? distinct_types(request.types, request.type_count, &lane_count)
                : all_values_of(facts.type_type, &lane_count);
  } else if (request.types != nullptr && OidIsValid(facts.type_index)) {
    index = facts.type_index;
    types = distinct_types(request.types, request.type_count, &lane_count);
  }
  w.index = index_open(index, AccessShareLock);
  w.lane_count = lane_count;
  w.lanes = static_cast<QueueLane*>(
      palloc0(sizeof(QueueLane) * std::max<Size>(lane_count, 1)));
  for (int i = 0; i < lane_count; ++i) {
    ScanKeyData keys[2];
    int key_count = 0;
    if (by_plane) {
      ScanKeyInit(&keys[key_count++], 1, BTEqualStrategyNumber, F_UUID_EQ,
                  request.data_plane);
    }
    if (types != nullptr) {
      const AttrNumber column = by_plane ? 2 : 1;
      ScanKeyInit(&keys[key_count++], column, BTEqualStrategyNumber, F_ENUM_EQ,
                  types[i]);
    }
    QueueLane& lane = w.lanes[i];
    lane.scan = compat::index_begin_scan(queue, w.index, snapshot, key_count);
    index_rescan(lane.scan, keys, key_count, nullptr, 0);
    lane.entry = table_slot_create(queue, nullptr);
    lane.has_entry =
        index_getnext_slot(lane.scan, ForwardScanDirection, lane.entry);
  }
  return w;
}

TupleTableSlot* next_queue_entry(QueueWalk& w) {
  if (w.current >= 0) {
    QueueLane& last = w.lanes[w.current];
    last.has_entry =
        index_getnext_slot(last.scan, ForwardScanDirection, last.entry);
  }
  w.current = -1;
  for (int i = 0; i < w.lane_count; ++i) {
    if (w.lanes[i].has_entry &&
        (w.current < 0 ||
         claims_before(place_of(w.lanes[i].entry, w),
                       place_of(w.lanes[w.current].entry, w)))) {
      w.current = i;
    }
  }
  return w.current >= 0 ? w.lanes[w.current].entry : nullptr;
}

void end_queue_walk(QueueWalk& w) {
  for (int i = 0; i < w.lane_count; ++i) {
    ExecDropSingleTupleTableSlot(w.lanes[i].entry);
    index_endscan(w.lanes[i].scan);
  }
  pfree(w.lanes);
  index_close(w.index, NoLock);
}

}  // namespace jc::pg
