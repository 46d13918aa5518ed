// job_worker: a minimal executor written against libpq, the loop every
// job_control worker runs: claim, heartbeat while working, then complete or
// fail, always passing its executor name so a stale worker is fenced off.
//
//   job_worker --executor NAME [--drain] [--max-jobs N]
//
// Connection settings come from the usual PG* environment variables. With
// --drain it exits when no pending job is left; otherwise it waits for
// NOTIFY job_control (when job_control.notify is on) or polls every 5 s.
//
// "Working" on a job here means: a job whose input has "simulate_failure":
// true fails with a diagnostic, any other completes with a small result.
#include <libpq-fe.h>
#include <sys/select.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

#include "tool_support.hpp"

namespace {

using jc::tools::exec;
using jc::tools::Result;

struct Options {
  std::string executor;
  bool drain = false;
  std::string max_jobs = "1";
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--executor" && i + 1 < argc) {
      o.executor = argv[++i];
    } else if (arg == "--max-jobs" && i + 1 < argc) {
      o.max_jobs = argv[++i];
    } else if (arg == "--drain") {
      o.drain = true;
    } else {
      throw std::runtime_error(
          "usage: job_worker --executor NAME [--drain] "
          "[--max-jobs N]");
    }
  }
  if (o.executor.empty()) throw std::runtime_error("--executor is required");
  return o;
}

// Works on one claimed job and reports the outcome, fenced by executor.
void work_on(PGconn* conn, const Options& o, const char* job_id,
             bool simulate_failure) {
  const char* beat[] = {job_id, o.executor.c_str()};
  Result state = exec(
      conn, "SELECT job_control.job_heartbeat($1, $2) ->> 'state'", 2, beat);
  if (std::strcmp(PQgetvalue(state.get(), 0, 0), "running") != 0) {
    // Cancellation requested (or the job was reaped): stop and acknowledge.
    exec(conn, "SELECT job_control.job_acknowledge_cancel($1)", 1, beat);
    std::printf("%s: %s, stopped\n", job_id, PQgetvalue(state.get(), 0, 0));
    return;
  }
  if (simulate_failure) {
    const char* params[] = {job_id, "simulated failure",
                            "{\"stage\": \"execute\", \"retryable\": false}",
                            o.executor.c_str()};
    exec(conn, "SELECT job_control.job_fail($1, $2, $3::jsonb, $4)", 4, params);
    std::printf("%s: failed\n", job_id);
  } else {
    const char* params[] = {job_id, "{\"rows\": 42}", o.executor.c_str()};
    exec(conn, "SELECT job_control.job_complete($1, $2::jsonb, $3)", 3, params);
    std::printf("%s: completed\n", job_id);
  }
}

void wait_for_work(PGconn* conn) {
  const int socket = PQsocket(conn);
  fd_set readable;
  FD_ZERO(&readable);
  FD_SET(socket, &readable);
  timeval timeout{5, 0};
  select(socket + 1, &readable, nullptr, nullptr, &timeout);
  PQconsumeInput(conn);
  while (PGnotify* n = PQnotifies(conn)) PQfreemem(n);
}

int run(const Options& o) {
  const jc::tools::Connection conn = jc::tools::connect();
  exec(conn.get(), "LISTEN job_control", 0, nullptr);
  const char* claim_params[] = {o.executor.c_str(), o.max_jobs.c_str()};
  for (;;) {
    Result claimed = exec(conn.get(),
                          "SELECT job ->> 'job_id', "
                          "coalesce((job -> 'input' ->> 'simulate_failure')"
                          "::boolean, false) "
                          "FROM job_control.job_claim($1, $2::integer) AS job",
                          2, claim_params);
    const int jobs = PQntuples(claimed.get());
    for (int i = 0; i < jobs; ++i) {
      work_on(conn.get(), o, PQgetvalue(claimed.get(), i, 0),
              PQgetvalue(claimed.get(), i, 1)[0] == 't');
    }
    if (jobs > 0) continue;
    if (o.drain) return 0;
    wait_for_work(conn.get());
  }
}

}  // namespace

int main(int argc, char** argv) {
  return jc::tools::run_tool("job_worker",
                             [&] { return run(parse(argc, argv)); });
}
