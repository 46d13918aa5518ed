#include "notifier.hpp"

extern "C" {
#include "access/xact.h"
#include "commands/async.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "storage/procarray.h"
#include "tcop/tcopprot.h"
#include "utils/guc.h"
#include "utils/snapmgr.h"
}

#include <csignal>
#include <cstring>

#include "job_store.hpp"
#include "owner_spi.hpp"
#include "transition_log.hpp"

namespace jc::pg {

namespace {

constexpr char kQueueTable[] = "job_notifications";
constexpr long kLookupIntervalMs = 1000;
constexpr long kIdlePollMs = 1000;
constexpr int kRestartSeconds = 10;

// The oldest queued notifications, at most 10000 (the memory of one
// transaction's NOTIFYs); a batch also ends before a payload it already
// holds, which PostgreSQL would fold into the first (it delivers one of
// identical notifications of a transaction).
constexpr char kTakeBatchSql[] =
    "WITH oldest AS ("
    "  SELECT id, payload,"
    "         row_number() OVER (PARTITION BY payload ORDER BY id) AS copy"
    "    FROM (SELECT id, payload FROM job_control.job_notifications"
    "           ORDER BY id LIMIT 10000) queued"
    "), batch AS ("
    "  SELECT id FROM oldest"
    "   WHERE id < ALL (SELECT id FROM oldest WHERE copy > 1)"
    "), sent AS ("
    "  DELETE FROM job_control.job_notifications n USING batch"
    "   WHERE n.id = batch.id RETURNING n.id, n.payload"
    ") SELECT payload FROM sent ORDER BY id";

// One notifier a database: it holds this advisory lock (key pair) for its
// lifetime.
constexpr char kTakeLockSql[] =
    "SELECT pg_catalog.pg_try_advisory_lock(1785684588, 1)";

// Backend side: the notifier last found, and when to look again.
int g_notifier_pid = 0;
TimestampTz g_next_lookup = 0;
bool g_wake_at_commit = false;

void start_notifier(Oid owner) {
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
  static_assert(sizeof owner <= BGW_EXTRALEN);
  std::memcpy(worker.bgw_extra, &owner, sizeof owner);
  BackgroundWorkerHandle* handle;
  if (!RegisterDynamicBackgroundWorker(&worker, &handle)) {
    ereport(WARNING,
            (errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
             errmsg("could not start the job_control notifier"),
             errdetail("Notifications wait in job_control.job_notifications "
                       "until it runs."),
             errhint("Raise max_worker_processes.")));
  }
}

// Finds this database's notifier, or starts one. Connected to SPI.
void find_or_start_notifier(Oid owner) {
  if (g_notifier_pid != 0) return;  // checked when waking it
  const TimestampTz now = GetCurrentTimestamp();
  if (now < g_next_lookup) return;
  g_next_lookup = TimestampTzPlusMilliseconds(now, kLookupIntervalMs);
  const Datum values[2] = {ObjectIdGetDatum(MyDatabaseId),
                           CStringGetTextDatum(kNotifierType)};
  const char nulls[2] = {' ', ' '};
  if (run_many(worker_lookup_statement(), values, nulls, true) == 0) {
    start_notifier(owner);
    return;
  }
  bool is_null;
  g_notifier_pid = DatumGetInt32(
      heap_getattr(SPI_tuptable->vals[0], 1, SPI_tuptable->tupdesc, &is_null));
}

// Called at the end of every transaction; raises nothing.
void wake_notifier(XactEvent event, void*) {
  if (!g_wake_at_commit) return;
  if (event == XACT_EVENT_COMMIT && g_notifier_pid != 0) {
    PGPROC* proc = BackendPidGetProc(g_notifier_pid);
    if (proc != nullptr && proc->databaseId == MyDatabaseId) {
      SetLatch(&proc->procLatch);
    } else {
      g_notifier_pid = 0;  // gone: look it up again
    }
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

bool job_control_installed() {
  const Oid schema = get_namespace_oid("job_control", true);
  return OidIsValid(schema) &&
         OidIsValid(get_relname_relid(kQueueTable, schema));
}

// Sends one batch; returns how many notifications it sent, or -1 when
// job_control is not installed in this database.
long send_batch() {
  run_in_transaction("sending job notifications");
  long sent = -1;
  if (job_control_installed()) {
    if (SPI_execute(kTakeBatchSql, false, 0) != SPI_OK_SELECT) {
      elog(ERROR, "job_control notifier: could not read the queue");
    }
    for (std::uint64_t i = 0; i < SPI_processed; ++i) {
      Async_Notify(kNotifyChannel, SPI_getvalue(SPI_tuptable->vals[i],
                                                SPI_tuptable->tupdesc, 1));
    }
    sent = static_cast<long>(SPI_processed);
  }
  end_transaction();
  return sent;
}

bool take_notifier_lock() {
  run_in_transaction("starting");
  // The worker's own search path: nothing a role or database setting puts
  // before pg_catalog resolves its statements.
  SetConfigOption("search_path", "pg_catalog, pg_temp", PGC_SUSET,
                  PGC_S_OVERRIDE);
  if (SPI_execute(kTakeLockSql, true, 1) != SPI_OK_SELECT) {
    elog(ERROR, "job_control notifier: could not take its lock");
  }
  bool is_null;
  const bool taken = DatumGetBool(
      heap_getattr(SPI_tuptable->vals[0], 1, SPI_tuptable->tupdesc, &is_null));
  end_transaction();
  return taken;
}

}  // namespace

void prepare_notification_queue() {
  notification_insert_statement();
  worker_lookup_statement();
}

void queue_notification(const char* payload, Oid owner) {
  Statement& insert = notification_insert_statement();
  if (insert.plan == nullptr) {  // once a backend: does 1.3 define the queue?
    const Oid schema = get_namespace_oid("job_control", false);
    if (!OidIsValid(get_relname_relid(kQueueTable, schema))) {
      ereport(ERROR,
              (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
               errmsg("job_control.notify = deferred needs job_control 1.3 "
                      "or later"),
               errhint("Run ALTER EXTENSION job_control UPDATE, or set "
                       "job_control.notify to on.")));
    }
  }
  run_as_owner(owner, [&] {
    const Datum values[1] = {CStringGetTextDatum(payload)};
    const char nulls[1] = {' '};
    run_many(insert, values, nulls, false);
    find_or_start_notifier(owner);
  });
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
  if (!jc::pg::take_notifier_lock()) proc_exit(0);  // another one serves
  while (!jc::pg::g_stop_requested) {
    const long sent = jc::pg::send_batch();
    if (sent < 0) {
      ereport(LOG, (errmsg("job_control notifier: job_control is not "
                           "installed in this database; stopping")));
      break;
    }
    if (sent == 0) {  // else more may be queued: take the next batch now
      (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
                      jc::pg::kIdlePollMs, PG_WAIT_EXTENSION);
      ResetLatch(MyLatch);
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
