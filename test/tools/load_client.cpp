// load_client: one client of test/crash_test.sh. Makes a random mix of every
// call of job_control (create, claim, start, heartbeat, complete, fail,
// cancel, acknowledge, reschedule, fail_many, reap) until its time is up or
// its connection is lost (the server crashed), and logs every answer whose
// commit the server acknowledged, one job per line:
//
//   <job_id>\t<state>\t<updated_at>\t<call>
//
// so that the test can find each of them in the table and its history
// after the crash. A call that fails with an error the spec allows (55000,
// P0002) is not logged; any other error ends the client with exit code 2.
//
//   load_client --seed N --seconds S --log FILE
#include <libpq-fe.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "tool_support.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  unsigned seed = 0;
  double seconds = 0;
  std::string log;
};

Options parse(int argc, char** argv) {
  constexpr char kUsage[] =
      "usage: load_client --seed N --seconds S --log FILE";
  Options o;
  jc::tools::parse_options(
      argc, argv,
      {{"--seed",
        [&](const char* v) { o.seed = static_cast<unsigned>(std::stoul(v)); }},
       {"--seconds", [&](const char* v) { o.seconds = std::stod(v); }},
       {"--log", [&](const char* v) { o.log = v; }}},
      kUsage);
  if (o.seconds <= 0 || o.log.empty()) throw std::runtime_error(kUsage);
  return o;
}

// One call: its SQL (each row a job: job_id, state, updated_at) and its name.
struct Call {
  std::string name;
  std::string sql;
};

// The answer's columns, from the jsonb job `j`.
const char kColumns[] =
    "j ->> 'job_id', j ->> 'state', j ->> 'updated_at' FROM ";

class Load {
 public:
  explicit Load(unsigned seed)
      : random_(seed), executor_("c" + std::to_string(seed)) {}

  Call next() {
    const std::size_t dice = pick(100);
    if (dice < 15 || jobs_.empty()) {
      return {"create",
              std::string("SELECT ") + kColumns +
                  "job_control.job_create('nql-forecast', '{\"nql\": \"q\"}', "
                  "'{\"company_id\": " +
                  std::to_string(1 + pick(3)) + "}') AS j"};
    }
    const std::string id = "'" + jobs_[pick(jobs_.size())] + "'::uuid";
    const std::string me = "'" + executor_ + "'";
    const std::string fence = pick(2) ? me : "NULL";
    if (dice < 30) {
      return {"claim", std::string("SELECT ") + kColumns +
                           "job_control.job_claim(" + me + ", " +
                           std::to_string(1 + pick(3)) + ") AS j"};
    }
    if (dice < 35) return move("start", "job_start(" + id + ", " + me + ")");
    if (dice < 45) {
      return move("heartbeat", "job_heartbeat(" + id + ", " + me + ")");
    }
    if (dice < 57) {
      return move("complete",
                  "job_complete(" + id + ", '{\"rows\": 1}', " + fence + ")");
    }
    if (dice < 69) {
      return move("fail", "job_fail(" + id + ", 'crash test', '{\"n\": " +
                              std::to_string(dice) + "}', " + fence + ")");
    }
    if (dice < 77) return move("cancel", "job_cancel(" + id + ")");
    if (dice < 85) {
      return move("acknowledge", "job_acknowledge_cancel(" + id + ")");
    }
    if (dice < 93) {
      return {"reschedule", std::string("SELECT ") + kColumns +
                                "(SELECT job_control.job_reschedule(" + id +
                                ", " + (pick(2) ? "true" : "false") +
                                ") -> 'job' AS j) AS r"};
    }
    if (dice < 97) {
      const std::string other = "'" + jobs_[pick(jobs_.size())] + "'::uuid";
      return {"fail_many", std::string("SELECT ") + kColumns +
                               "job_control.job_fail_many(ARRAY[" + id + ", " +
                               other + "], 'crash test, many') AS j"};
    }
    return {"reap", std::string("SELECT ") + kColumns +
                        "job_control.job_reap_stale('2 seconds') AS j"};
  }

  void created(const std::string& id) { jobs_.push_back(id); }

 private:
  std::size_t pick(std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(random_);
  }
  static Call move(const char* name, const std::string& call) {
    return {name, std::string("SELECT ") + kColumns + "job_control." + call +
                      " AS j"};
  }

  std::mt19937 random_;
  std::string executor_;
  std::vector<std::string> jobs_;
};

// Whether an error is one the spec gives these calls.
bool allowed(const char* sqlstate) {
  const std::string code = sqlstate != nullptr ? sqlstate : "";
  return code == "55000" || code == "P0002";
}

int run(const Options& o) {
  std::FILE* log = std::fopen(o.log.c_str(), "a");
  if (log == nullptr) throw std::runtime_error("cannot open " + o.log);
  jc::tools::Connection conn = jc::tools::connect();
  Load load(o.seed);
  const auto deadline =
      Clock::now() + std::chrono::duration_cast<Clock::duration>(
                         std::chrono::duration<double>(o.seconds));
  int status = 0;
  while (Clock::now() < deadline) {
    const Call call = load.next();
    jc::tools::Result r(PQexec(conn.get(), call.sql.c_str()));
    if (PQresultStatus(r.get()) == PGRES_TUPLES_OK) {
      for (int i = 0; i < PQntuples(r.get()); ++i) {
        if (PQgetisnull(r.get(), i, 0)) continue;
        std::fprintf(log, "%s\t%s\t%s\t%s\n", PQgetvalue(r.get(), i, 0),
                     PQgetvalue(r.get(), i, 1), PQgetvalue(r.get(), i, 2),
                     call.name.c_str());
        if (call.name == "create") load.created(PQgetvalue(r.get(), i, 0));
      }
      std::fflush(log);
      continue;
    }
    if (PQstatus(conn.get()) != CONNECTION_OK) break;  // the crash
    const char* code = PQresultErrorField(r.get(), PG_DIAG_SQLSTATE);
    if (!allowed(code)) {
      // A backend told to stop by the crash of another reports 57P02
      // before its connection closes.
      if (code != nullptr && std::string(code) == "57P02") break;
      std::fprintf(stderr, "load_client: %s: %s", call.name.c_str(),
                   PQerrorMessage(conn.get()));
      status = 2;
      break;
    }
  }
  std::fclose(log);
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  return jc::tools::run_tool("load_client",
                             [&] { return run(parse(argc, argv)); });
}
