// The entries of the pending queue a claim may take, oldest first. A claim of
// any type on any data plane walks the queue's index in claim order. From
// 1.4 a claim of some types walks one lane per type (job_queue_type_order),
// and a claim on one data plane one lane per type of that plane
// (job_queue_plane_order, every type when it names none); the lanes are
// merged by age, so the claim never steps over pending jobs it may not take.
// Without those indexes (before 1.4) the whole queue is walked and the claim
// filters the jobs it finds.
#pragma once

#include "postgres_headers.hpp"

extern "C" {
#include "access/genam.h"
}

#include "catalog_cache.hpp"

namespace jc::pg {

struct ClaimRequest;  // queue_claim.hpp

// A place in claim order: oldest first, then by job id (uuid_cmp's order,
// the bytes').
struct ClaimPlace {
  TimestampTz created_at;
  pg_uuid_t job_id;
};
bool claims_before(const ClaimPlace& a, const ClaimPlace& b);

struct QueueLane {
  IndexScanDesc scan;
  TupleTableSlot* entry;  // the lane's oldest entry not yet returned
  bool has_entry;
};

struct QueueWalk {
  Relation index;
  QueueLane* lanes;
  int lane_count;
  int current;  // the lane of the entry last returned; -1: none
  int created_at;
  int job_id;
};

// Starts the walk of `queue` (open, with `facts`) for `request` under
// `snapshot`. A guarded body, as the two below.
QueueWalk begin_queue_walk(Relation queue, const QueueRelation& facts,
                           const ClaimRequest& request, Snapshot snapshot);

// The next entry, oldest first, valid until the next call; nullptr at the
// end.
TupleTableSlot* next_queue_entry(QueueWalk& walk);

void end_queue_walk(QueueWalk& walk);

}  // namespace jc::pg
