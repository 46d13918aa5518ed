// notify_listener: a libpq client that LISTENs on channel job_control and
// prints what it receives, for test/notify_test.sh.
//
//   notify_listener --count N [--timeout SECONDS]
//
// Prints "listening" once it listens, then one line per notification:
// "<the sender's backend type> <payload>". Exits 0 after exactly N
// notifications, 1 if fewer arrive within the timeout (default 30 s) or
// another arrives within a second after the N-th.
#include <libpq-fe.h>
#include <sys/select.h>

#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>

#include "tool_support.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using jc::tools::exec;
using jc::tools::Result;

struct Options {
  long count = -1;
  long timeout_seconds = 30;
};

Options parse(int argc, char** argv) {
  constexpr char kUsage[] =
      "usage: notify_listener --count N [--timeout SECONDS]";
  Options o;
  jc::tools::parse_options(
      argc, argv,
      {{"--count", [&](const char* v) { o.count = std::stol(v); }},
       {"--timeout", [&](const char* v) { o.timeout_seconds = std::stol(v); }}},
      kUsage);
  if (o.count < 0) {
    throw std::runtime_error(kUsage);
  }
  return o;
}

// Waits until the connection has input or `deadline` passes.
void wait_for_input(PGconn* conn, Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::microseconds>(
      deadline - Clock::now());
  if (left.count() <= 0) return;
  const int socket = PQsocket(conn);
  fd_set readable;
  FD_ZERO(&readable);
  FD_SET(socket, &readable);
  timeval timeout{static_cast<time_t>(left.count() / 1000000),
                  static_cast<suseconds_t>(left.count() % 1000000)};
  select(socket + 1, &readable, nullptr, nullptr, &timeout);
  if (!PQconsumeInput(conn)) throw std::runtime_error(PQerrorMessage(conn));
}

std::string backend_type(PGconn* conn, int pid) {
  const std::string text = std::to_string(pid);
  const char* params[] = {text.c_str()};
  const Result r = exec(conn,
                        "SELECT backend_type FROM pg_stat_activity"
                        " WHERE pid = $1::integer",
                        1, params);
  return PQntuples(r.get()) == 1 ? PQgetvalue(r.get(), 0, 0) : "(gone)";
}

// Receives notifications until `deadline`, or until `limit` were received in
// all; returns how many were received in all.
long receive(PGconn* conn, long received, long limit,
             Clock::time_point deadline) {
  while (received < limit && Clock::now() < deadline) {
    wait_for_input(conn, deadline);
    while (PGnotify* n = PQnotifies(conn)) {
      const std::string payload = n->extra;
      const int pid = n->be_pid;
      PQfreemem(n);
      std::printf("%s %s\n", backend_type(conn, pid).c_str(), payload.c_str());
      ++received;
    }
  }
  std::fflush(stdout);
  return received;
}

int run(const Options& o) {
  const jc::tools::Connection conn = jc::tools::connect();
  exec(conn.get(), "LISTEN job_control", 0, nullptr);
  std::printf("listening\n");
  std::fflush(stdout);
  long received =
      receive(conn.get(), 0, o.count,
              Clock::now() + std::chrono::seconds(o.timeout_seconds));
  if (received < o.count) {
    std::fprintf(stderr, "notify_listener: %ld of %ld notifications\n",
                 received, o.count);
    return 1;
  }
  received = receive(conn.get(), received, o.count + 1,
                     Clock::now() + std::chrono::seconds(1));
  if (received > o.count) {
    std::fprintf(stderr, "notify_listener: more than %ld notifications\n",
                 o.count);
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return jc::tools::run_tool("notify_listener",
                             [&] { return run(parse(argc, argv)); });
}
