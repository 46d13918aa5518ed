#include "job_counting.hpp"

extern "C" {
#include "access/xact.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "storage/spin.h"
}

#include "pg_compat.hpp"

namespace jc::pg {

namespace {

constexpr char kSharedName[] = "job_control counters";

struct SharedCounters {
  slock_t lock;
  JobCounters counters;
};

SharedCounters* g_shared = nullptr;
bool g_preloaded = false;
shmem_request_hook_type g_next_request = nullptr;
shmem_startup_hook_type g_next_startup = nullptr;

// This backend's transaction's counts, and whether job_claim is moving.
PendingCounts g_pending;
bool g_claiming = false;

void init_shared(void* memory) {
  auto* shared = static_cast<SharedCounters*>(memory);
  SpinLockInit(&shared->lock);
  start_counting(shared->counters, GetCurrentTimestamp());
}

void request_shared() {
  if (g_next_request != nullptr) g_next_request();
  RequestAddinShmemSpace(MAXALIGN(sizeof(SharedCounters)));
}

void start_shared() {
  if (g_next_startup != nullptr) g_next_startup();
  LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
  bool found;
  void* memory = ShmemInitStruct(kSharedName, sizeof(SharedCounters), &found);
  if (!found) init_shared(memory);
  LWLockRelease(AddinShmemInitLock);
  g_shared = static_cast<SharedCounters*>(memory);
}

SharedCounters* shared() {
  if (g_shared == nullptr && !g_preloaded) {
    g_shared = static_cast<SharedCounters*>(compat::named_shared_memory(
        kSharedName, sizeof(SharedCounters), init_shared));
  }
  return g_shared;
}

// At the end of a transaction, which must not raise (it has committed):
// only the lock and arithmetic. A prepared transaction's counts are counted
// when it is prepared.
void on_transaction_end(XactEvent event, void*) {
  switch (event) {
    case XACT_EVENT_COMMIT:
    case XACT_EVENT_PREPARE:
      if (!g_pending.empty() && g_shared != nullptr) {
        const TimestampTz now = GetCurrentTimestamp();
        SpinLockAcquire(&g_shared->lock);
        g_pending.flush_to(g_shared->counters, now);
        SpinLockRelease(&g_shared->lock);
      }
      break;
    case XACT_EVENT_ABORT:
    case XACT_EVENT_PARALLEL_COMMIT:
    case XACT_EVENT_PARALLEL_ABORT:
      break;
    default:
      return;
  }
  g_pending.clear();
  g_claiming = false;
}

void on_subtransaction_end(SubXactEvent event, SubTransactionId subxact,
                           SubTransactionId parent, void*) {
  if (event == SUBXACT_EVENT_COMMIT_SUB) {
    g_pending.commit_subxact(subxact, parent);
  } else if (event == SUBXACT_EVENT_ABORT_SUB) {
    g_pending.abort_subxact(subxact);
    g_claiming = false;
  }
}

}  // namespace

void register_counting() {
  RegisterXactCallback(on_transaction_end, nullptr);
  RegisterSubXactCallback(on_subtransaction_end, nullptr);
  if (process_shared_preload_libraries_in_progress) {
    g_preloaded = true;
    g_next_request = shmem_request_hook;
    shmem_request_hook = request_shared;
    g_next_startup = shmem_startup_hook;
    shmem_startup_hook = start_shared;
  }
}

void count_transition(Datum type, const JobState* from, JobState to,
                      Datum job_id, TimestampTz at) {
  if (shared() == nullptr) return;
  const SubTransactionId subxact = GetCurrentSubTransactionId();
  const std::uint32_t type_id = DatumGetObjectId(type);
  const JobEvent event = job_event(from, to, g_claiming);
  g_pending.set_database(MyDatabaseId);
  g_pending.add(subxact, type_id, event);
  if (event == JobEvent::kFailed) {
    RecentFailure failure{};
    memcpy(failure.job_id, DatumGetUUIDP(job_id)->data, UUID_LEN);
    failure.type = type_id;
    failure.at = at;
    g_pending.add_failure(subxact, failure);
  }
}

void begin_claim() { g_claiming = true; }
void end_claim() { g_claiming = false; }

bool read_counters(JobCounters* copy) {
  SharedCounters* s = shared();
  if (s == nullptr) return false;
  SpinLockAcquire(&s->lock);
  *copy = s->counters;
  SpinLockRelease(&s->lock);
  return true;
}

}  // namespace jc::pg
