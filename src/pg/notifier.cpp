#include "notifier.hpp"

extern "C" {
#include "access/xact.h"
#include "commands/async.h"
#include "commands/vacuum.h"
#include "nodes/makefuncs.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "storage/procarray.h"
#include "tcop/tcopprot.h"
#include "utils/fmgrprotos.h"
#include "utils/guc.h"
#include "utils/snapmgr.h"
}

#include <csignal>
#include <cstring>

#include "catalog_cache.hpp"
#include "direct_write.hpp"
#include "job_store.hpp"
#include "owner_spi.hpp"
#include "pg_compat.hpp"
#include "transition_log.hpp"

namespace jc::pg {

namespace {

constexpr char kQueueTable[] = "job_notifications";
constexpr long kLookupIntervalMs = 1000;
constexpr long kIdlePollMs = 1000;
// After a batch, the notifier lets the next one gather this long: under load
// a batch then carries many notifications, and committing writers mostly
// find its latch already set.
constexpr long kBatchIntervalMs = 10;
// The notifier vacuums its queue after deleting this many rows: autovacuum
// visits a database once a minute at most, and until then every batch would
// read the rows it deleted before.
constexpr long kVacuumEveryRows = 2000;
constexpr int kRestartSeconds = 10;

// The oldest queued notifications, at most 10000 (the memory of one
// transaction's NOTIFYs); a batch also ends before a payload it already
// holds, which PostgreSQL would fold into the first (it delivers one of
// identical notifications of a transaction).
constexpr char kTakeBatchSql[] =
    "WITH oldest AS ("
    "  SELECT ctid, id, payload,"
    "         row_number() OVER (PARTITION BY payload ORDER BY id) AS copy"
    "    FROM (SELECT ctid, id, payload FROM job_control.job_notifications"
    "           ORDER BY id LIMIT 10000) queued"
    "), sent AS ("
    "  DELETE FROM job_control.job_notifications WHERE ctid = ANY (ARRAY("
    "    SELECT ctid FROM oldest WHERE id < coalesce("
    "      (SELECT min(id) FROM oldest WHERE copy > 1), 9223372036854775807)))"
    "  RETURNING id, payload"
    ") SELECT payload FROM sent ORDER BY id";

// Advisory lock keys (pairs of int4 in this database): the notifier holds
// (kLockClass, 1) for its lifetime, so that one serves a database; a backend
// starting one holds (kLockClass, 2) until its transaction ends, so that
// others wait for that one instead of starting their own.
constexpr int32 kLockClass = 1785684588;
constexpr int32 kNotifierLock = 1;
constexpr int32 kStarterLock = 2;

bool try_advisory_lock(PGFunction lock, int32 key) {
  return DatumGetBool(
      DirectFunctionCall2(lock, Int32GetDatum(kLockClass), Int32GetDatum(key)));
}

// Backend side: the notifier last found (its process's slot, which stays in
// shared memory, and its pid), and when to look again.
PGPROC* g_notifier = nullptr;
int g_notifier_pid = 0;
TimestampTz g_next_lookup = 0;
bool g_wake_at_commit = false;

// Whether the notifier last found still runs: a process owns its latch from
// start to exit. Read without a lock: a stale answer costs a spurious
// wake-up, which latches allow, or an early look-up.
bool notifier_alive() {
  return g_notifier != nullptr &&
         g_notifier->procLatch.owner_pid == g_notifier_pid;
}

// Starts the notifier and waits until it runs; returns its pid, or 0.
int start_notifier(Oid owner) {
  BackgroundWorker worker;
  std::memset(&worker, 0, sizeof worker);
  worker.bgw_flags =
      BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
  worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
  worker.bgw_restart_time = kRestartSeconds;
  strlcpy(worker.bgw_library_name, "job_control", BGW_MAXLEN);
  strlcpy(worker.bgw_function_name, "job_control_notifier_main", BGW_MAXLEN);
  snprintf(worker.bgw_name, BGW_MAXLEN, "job_control notifier for database %u",
           MyDatabaseId);
  strlcpy(worker.bgw_type, kNotifierType, BGW_MAXLEN);
  worker.bgw_main_arg = ObjectIdGetDatum(MyDatabaseId);
  worker.bgw_notify_pid = MyProcPid;
  static_assert(sizeof owner <= BGW_EXTRALEN);
  std::memcpy(worker.bgw_extra, &owner, sizeof owner);
  BackgroundWorkerHandle* handle;
  pid_t pid = 0;
  if (!RegisterDynamicBackgroundWorker(&worker, &handle)) {
    ereport(WARNING,
            (errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
             errmsg("could not start the job_control notifier"),
             errdetail("Notifications wait in job_control.job_notifications "
                       "until it runs."),
             errhint("Raise max_worker_processes.")));
  } else if (WaitForBackgroundWorkerStartup(handle, &pid) != BGWH_STARTED) {
    pid = 0;
  }
  return pid;
}

// Finds this database's notifier, or starts one; at most once a second.
void find_notifier(Oid owner) {
  if (g_notifier == nullptr && g_notifier_pid != 0) {
    // Started by this backend, it may have joined the process array since.
    g_notifier = BackendPidGetProc(g_notifier_pid);
    if (g_notifier != nullptr) return;
  }
  const TimestampTz now = GetCurrentTimestamp();
  if (now < g_next_lookup) return;
  g_next_lookup = TimestampTzPlusMilliseconds(now, kLookupIntervalMs);
  const Datum values[2] = {ObjectIdGetDatum(MyDatabaseId),
                           CStringGetTextDatum(kNotifierType)};
  const char nulls[2] = {' ', ' '};
  int pid = 0;
  run_as_owner(owner, [&] {
    if (run_many(worker_lookup_statement(), values, nulls, true) > 0) {
      bool is_null;
      pid = DatumGetInt32(heap_getattr(SPI_tuptable->vals[0], 1,
                                       SPI_tuptable->tupdesc, &is_null));
    }
  });
  if (pid == 0 &&
      try_advisory_lock(pg_try_advisory_xact_lock_int4, kStarterLock)) {
    pid = start_notifier(owner);
  }
  g_notifier = pid != 0 ? BackendPidGetProc(pid) : nullptr;
  g_notifier_pid = pid;
}

// Called at the end of every transaction; raises nothing, takes no lock.
void wake_notifier(XactEvent event, void*) {
  if (!g_wake_at_commit) return;
  if (event == XACT_EVENT_COMMIT && notifier_alive()) {
    SetLatch(&g_notifier->procLatch);
  }
  if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT ||
      event == XACT_EVENT_PREPARE) {
    g_wake_at_commit = false;
  }
}

// Notifier side.

volatile std::sig_atomic_t g_stop_requested = false;

void request_stop(SIGNAL_ARGS) {
  const int saved_errno = errno;
  g_stop_requested = true;
  SetLatch(MyLatch);
  errno = saved_errno;
}

void run_in_transaction(const char* activity) {
  SetCurrentStatementStartTimestamp();
  StartTransactionCommand();
  if (SPI_connect() != SPI_OK_CONNECT) {
    elog(ERROR, "job_control notifier: SPI_connect failed");
  }
  PushActiveSnapshot(GetTransactionSnapshot());
  pgstat_report_activity(STATE_RUNNING, activity);
}

void end_transaction() {
  SPI_finish();
  PopActiveSnapshot();
  CommitTransactionCommand();
  pgstat_report_stat(false);
  pgstat_report_activity(STATE_IDLE, nullptr);
}

SPIPlanPtr g_take_batch = nullptr;

struct Batch {
  Oid queue;  // InvalidOid: job_control is not installed
  std::uint64_t sent;
};

// Sends the oldest queued notifications that have committed.
Batch send_batch() {
  run_in_transaction("sending job notifications");
  Batch batch{job_control_relation(kQueueTable), 0};
  if (OidIsValid(batch.queue)) {
    if (g_take_batch == nullptr) {
      SPIPlanPtr plan = SPI_prepare(kTakeBatchSql, 0, nullptr);
      if (plan == nullptr || SPI_keepplan(plan) != 0) {
        elog(ERROR, "job_control notifier: could not prepare its statement");
      }
      g_take_batch = plan;
    }
    if (SPI_execute_plan(g_take_batch, nullptr, nullptr, false, 0) !=
        SPI_OK_SELECT) {
      elog(ERROR, "job_control notifier: could not read the queue");
    }
    for (std::uint64_t i = 0; i < SPI_processed; ++i) {
      Async_Notify(kNotifyChannel, SPI_getvalue(SPI_tuptable->vals[i],
                                                SPI_tuptable->tupdesc, 1));
    }
    batch.sent = SPI_processed;
  }
  end_transaction();
  return batch;
}

// VACUUM of the queue, as autovacuum runs it; the notifier is its owner. No
// truncation: it would take a lock that stops writers. vacuum() commits the
// transaction it is called in and then reads the relation list in the next:
// the list lives in a context of its own that outlives both.
void vacuum_queue(Oid queue) {
  pgstat_report_activity(STATE_RUNNING, "vacuuming the notification queue");
  const MemoryContext kept = AllocSetContextCreate(
      TopMemoryContext, "job_control notifier vacuum", ALLOCSET_SMALL_SIZES);
  const MemoryContext caller = MemoryContextSwitchTo(kept);
  List* relations = list_make1(makeVacuumRelation(nullptr, queue, NIL));
  const BufferAccessStrategy strategy = compat::vacuum_strategy();
  MemoryContextSwitchTo(caller);
  VacuumParams params;
  std::memset(&params, 0, sizeof params);
  params.options = compat::kPlainVacuumOptions | VACOPT_SKIP_LOCKED;
  params.freeze_min_age = -1;
  params.freeze_table_age = -1;
  params.multixact_freeze_min_age = -1;
  params.multixact_freeze_table_age = -1;
  params.log_min_duration = -1;
  params.index_cleanup = VACOPTVALUE_UNSPECIFIED;
  params.truncate = VACOPTVALUE_DISABLED;
  params.nworkers = -1;
  compat::set_vacuum_defaults(&params);
  StartTransactionCommand();
  compat::vacuum_relations(relations, &params, strategy, kept);
  CommitTransactionCommand();
  MemoryContextDelete(kept);
  pgstat_report_activity(STATE_IDLE, nullptr);
}

// Sets the worker up; returns false when another notifier serves the database.
bool begin_serving() {
  run_in_transaction("starting");
  // The worker's own search path: nothing a role or database setting puts
  // before pg_catalog resolves its statements.
  SetConfigOption("search_path", "pg_catalog, pg_temp", PGC_SUSET,
                  PGC_S_OVERRIDE);
  const bool taken =
      try_advisory_lock(pg_try_advisory_lock_int4, kNotifierLock);
  end_transaction();
  return taken;
}

}  // namespace

void prepare_notification_queue() {
  notification_insert_statement();
  worker_lookup_statement();
}

void queue_notification(const char* payload, Oid owner) {
  const Datum text = CStringGetTextDatum(payload);
  const Datum values[2] = {Datum(0), text};
  const bool nulls[2] = {true, false};
  if (!insert_directly(DirectTable::kNotificationQueue, owner, values, nulls)) {
    Statement& insert = notification_insert_statement();
    // Once a backend: does the install (1.3) have the queue?
    if (insert.plan == nullptr &&
        !OidIsValid(job_control_relation(kQueueTable))) {
      ereport(ERROR,
              (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
               errmsg("job_control.notify = deferred needs job_control 1.3 "
                      "or later"),
               errhint("Run ALTER EXTENSION job_control UPDATE, or set "
                       "job_control.notify to on.")));
    }
    run_as_owner(owner, [&] {
      const char sql_nulls[1] = {' '};
      run_many(insert, &text, sql_nulls, false);
    });
  }
  if (!notifier_alive()) find_notifier(owner);
  g_wake_at_commit = true;
}

void register_notifier_wakeup() {
  RegisterXactCallback(wake_notifier, nullptr);
}

}  // namespace jc::pg

extern "C" {

// No C++ object lives here: an error ends the worker (exit code 1), and the
// postmaster starts it again after kRestartSeconds.
void job_control_notifier_main(Datum database) {
  pqsignal(SIGTERM, jc::pg::request_stop);
  pqsignal(SIGHUP, SignalHandlerForConfigReload);
  BackgroundWorkerUnblockSignals();
  Oid owner;
  std::memcpy(&owner, MyBgworkerEntry->bgw_extra, sizeof owner);
  BackgroundWorkerInitializeConnectionByOid(DatumGetObjectId(database), owner,
                                            0);
  if (!jc::pg::begin_serving()) proc_exit(0);  // another one serves
  std::uint64_t deleted_since_vacuum = 0;
  while (!jc::pg::g_stop_requested) {
    ResetLatch(MyLatch);
    const jc::pg::Batch batch = jc::pg::send_batch();
    if (!OidIsValid(batch.queue)) {
      ereport(LOG, (errmsg("job_control notifier: job_control is not "
                           "installed in this database; stopping")));
      break;
    }
    deleted_since_vacuum += batch.sent;
    if (deleted_since_vacuum >= jc::pg::kVacuumEveryRows) {
      jc::pg::vacuum_queue(batch.queue);
      deleted_since_vacuum = 0;
    }
    if (batch.sent > 0) {
      (void)WaitLatch(MyLatch, WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
                      jc::pg::kBatchIntervalMs, PG_WAIT_EXTENSION);
    } else {  // woken by a commit that queued, or polling
      (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
                      jc::pg::kIdlePollMs, PG_WAIT_EXTENSION);
    }
    CHECK_FOR_INTERRUPTS();
    if (ConfigReloadPending) {
      ConfigReloadPending = false;
      ProcessConfigFile(PGC_SIGHUP);
    }
  }
  proc_exit(0);  // exit code 0: not restarted
}
}
