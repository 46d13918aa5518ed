// What the libpq tools share: connections and results owned by C++
// handles, and their main's error report.
#pragma once

#include <libpq-fe.h>

#include <cstdio>
#include <exception>
#include <memory>
#include <stdexcept>

namespace jc::tools {

struct ConnectionCloser {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct ResultClearer {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Connection = std::unique_ptr<PGconn, ConnectionCloser>;
using Result = std::unique_ptr<PGresult, ResultClearer>;

// Connects with the PG* environment variables.
inline Connection connect() {
  Connection conn(PQconnectdb(""));
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    throw std::runtime_error(PQerrorMessage(conn.get()));
  }
  return conn;
}

// Runs `sql` with text parameters; throws on error.
inline Result exec(PGconn* conn, const char* sql, int nparams,
                   const char* const* params) {
  Result r(
      PQexecParams(conn, sql, nparams, nullptr, params, nullptr, nullptr, 0));
  const ExecStatusType status = PQresultStatus(r.get());
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    throw std::runtime_error(PQerrorMessage(conn));
  }
  return r;
}

// A tool's main: returns what `run` returns, or reports the exception that
// ended it as "<tool>: <what>" and returns 1.
template <typename Run>
int run_tool(const char* tool, Run run) {
  try {
    return run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", tool, e.what());
    return 1;
  }
}

}  // namespace jc::tools
