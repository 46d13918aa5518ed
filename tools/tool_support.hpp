// What the libpq tools share: connections and results owned by C++
// handles, and their main's error report.
#pragma once

#include <libpq-fe.h>

#include <cstdio>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>

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

// Reads "--name value" pairs: each name's setter gets its value. Anything
// else (an unknown name, a name without value, a value a setter refuses by
// throwing) throws `usage`.
using OptionSetters = std::map<std::string, std::function<void(const char*)>>;
inline void parse_options(int argc, char** argv, const OptionSetters& setters,
                          const char* usage) {
  if (argc % 2 != 1) throw std::runtime_error(usage);
  for (int i = 1; i + 1 < argc; i += 2) {
    const auto setter = setters.find(argv[i]);
    if (setter == setters.end()) throw std::runtime_error(usage);
    try {
      setter->second(argv[i + 1]);
    } catch (const std::exception&) {
      throw std::runtime_error(usage);
    }
  }
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
