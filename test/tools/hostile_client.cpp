// hostile_client: calls every function of job_control with generated,
// mostly hostile arguments, for test/hostile_test.sh: malformed and random
// uuids, NULL in every position, enum labels misspelled, empty and huge
// strings (at and past the bounds), invalid UTF-8 sent as bytes, encoded
// surrogates, executor names at and past 255 bytes, deep and odd JSON
// (numbers at the edges of precision, escaped NULs, lone surrogates),
// negative and huge counts and page sizes, arrays with duplicates and NULLs.
//
// Every call must either succeed with an answer of the spec's shape, or
// raise one of the spec's SQLSTATEs (P0002, 22004, 22023, 55000, 42501),
// an input error of PostgreSQL's own (class 22: a malformed uuid, enum,
// number, JSON or encoding) or a limit of its own (class 54: JSON nested
// too deep, a value past the extension's size settings). Anything else
// (an internal error, a lost connection) ends the run with exit code 2.
//
//   hostile_client --seed N --calls N
//
// Prints the number of calls, answers and each SQLSTATE seen.
#include <libpq-fe.h>

#include <cstdio>
#include <map>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "tool_support.hpp"

namespace {

struct Options {
  unsigned seed = 0;
  long calls = 0;
};

Options parse(int argc, char** argv) {
  constexpr char kUsage[] = "usage: hostile_client --seed N --calls N";
  Options o;
  jc::tools::parse_options(
      argc, argv,
      {{"--seed",
        [&](const char* v) { o.seed = static_cast<unsigned>(std::stoul(v)); }},
       {"--calls", [&](const char* v) { o.calls = std::stol(v); }}},
      kUsage);
  if (o.calls <= 0) throw std::runtime_error(kUsage);
  return o;
}

using Arg = std::optional<std::string>;  // nullopt: SQL NULL

class Generator {
 public:
  explicit Generator(unsigned seed) : random_(seed) {}

  std::size_t pick(std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(random_);
  }
  bool chance(int percent) { return static_cast<int>(pick(100)) < percent; }

  void remember(const std::string& id) {
    if (ids_.size() < 2000) ids_.push_back(id);
  }

  // A value of `kind`: NULL one time in ten, a valid one four times, else
  // one of the hostile kind.
  Arg arg(char kind) {
    if (chance(10)) return std::nullopt;
    if (chance(45)) return valid(kind);
    switch (kind) {
      case 'u':
        return uuid();
      case 't':
        return text(300);
      case 'e':
        return executor();
      case 'j':
        return json(0);
      case 'y':
        return job_type();
      case 's':
        return job_state();
      case 'i':
        return integer();
      case 'v':
        return interval();
      case 'U':
        return uuid_array();
      case 'Y':
        return type_array();
      case 'b':
        return pick(3) == 0 ? "maybe" : (pick(2) ? "true" : "false");
      case 'o':
        return one_of({"created_at", "updated_at", "CREATED_AT", "id", "",
                       "created_at; DROP TABLE x"});
      case 'd':
        return one_of({"asc", "desc", "DESC", "up", ""});
      case 'c':
        return one_of({"shared", "dedicated", "Shared", "", "none"});
      default:
        throw std::logic_error("unknown argument kind");
    }
  }

 private:
  // Values the spec accepts, so that jobs are made and moved too.
  std::string valid(char kind) {
    switch (kind) {
      case 'u':
        return ids_.empty() ? uuid() : ids_[pick(ids_.size())];
      case 't':
        return "failed at step " + std::to_string(pick(9));
      case 'e':
        return "w" + std::to_string(pick(4));
      case 'j':
        return pick(2) ? "{\"nql\": \"q\", \"dataset_id\": 7}"
                       : "{\"company_id\": 1}";
      case 'y':
        return pick(2) ? "nql-forecast" : "materialize-view";
      case 's':
        return "running";
      case 'i':
        return std::to_string(1 + pick(5));
      case 'v':
        return "1 second";
      case 'U':
        return "{" + uuid_literal() + "," + uuid_literal() + "}";
      case 'Y':
        return "{nql-forecast}";
      case 'b':
        return "true";
      case 'o':
        return "updated_at";
      case 'd':
        return "asc";
      case 'c':
        return "shared";
      default:
        throw std::logic_error("unknown argument kind");
    }
  }

  std::string one_of(std::initializer_list<const char*> options) {
    const std::size_t i = pick(options.size());
    return *(options.begin() + i);
  }

  std::string uuid() {
    if (!ids_.empty() && chance(50)) return ids_[pick(ids_.size())];
    switch (pick(8)) {
      case 0:
        return "";
      case 1:
        return "not-a-uuid";
      case 2:
        return "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}";
      case 3:
        return "A0EEBC999C0B4EF8BB6D6BB9BD380A11";
      case 4:
        return "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1";  // too short
      case 5:
        return std::string(40, 'f');
      case 6:
        return "00000000-0000-0000-0000-000000000000";
      default: {
        static const char hex[] = "0123456789abcdef";
        std::string s;
        for (int i = 0; i < 32; ++i) {
          if (i == 8 || i == 12 || i == 16 || i == 20) s += '-';
          s += hex[pick(16)];
        }
        return s;
      }
    }
  }

  // Bytes of any kind: ASCII, multi-byte UTF-8, invalid sequences, UTF-8
  // encoded surrogates, control characters; sometimes blank or huge.
  std::string text(std::size_t typical) {
    switch (pick(10)) {
      case 0:
        return "";
      case 1:
        return "   \t ";
      case 2:
        return std::string(9000 + pick(70000), 'm');  // past the bounds
      default:
        break;
    }
    std::string s;
    const std::size_t length = pick(typical);
    while (s.size() < length) {
      switch (pick(12)) {
        case 0:
          s += "\xc3\x28";
          break;  // invalid continuation
        case 1:
          s += "\xff";
          break;  // never valid
        case 2:
          s += "\xed\xa0\x80";
          break;  // an encoded surrogate
        case 3:
          s += "\xe2\x82\xac";
          break;  // a euro sign
        case 4:
          s += "\xf0\x9f\x98\x80";
          break;
        case 5:
          s += static_cast<char>(1 + pick(31));
          break;
        case 6:
          s += "'\"\\%s";
          break;
        default:
          s += static_cast<char>('a' + pick(26));
          break;
      }
    }
    return s;
  }

  std::string executor() {
    switch (pick(6)) {
      case 0:
        return std::string(255, 'x');
      case 1:
        return std::string(256, 'x');
      case 2:
        return std::string(84, 'x') + "\xe2\x82\xac" + std::string(168, 'x');
      default:
        return chance(50) ? "w" + std::to_string(pick(4)) : text(40);
    }
  }

  std::string number() {
    switch (pick(10)) {
      case 0:
        return "1e308";
      case 1:
        return "-1e-400";
      case 2:
        return "123456789012345678901234567890";
      case 3:
        return "9223372036854775807";
      case 4:
        return "9223372036854775808";
      case 5:
        return "-0";
      case 6:
        return "0.1e-999999";
      case 7:
        return "1.5";
      default:
        return std::to_string(static_cast<long>(pick(10000)) - 100);
    }
  }

  std::string json_string() {
    switch (pick(8)) {
      case 0:
        return "\"\\u0000\"";
      case 1:
        return "\"\\ud800\"";
      case 2:
        return "\"\\ud83d\\ude00\"";
      case 3:
        return "\"" + std::string(pick(3) ? 10 : 70000, 's') + "\"";
      default:
        return "\"" + std::string(1 + pick(8), 'k') + "\"";
    }
  }

  std::string json(int depth) {
    if (depth == 0) {
      switch (pick(14)) {
        case 0:
          return std::string(3000, '[') + std::string(3000, ']');
        case 1:
          return "{\"nql\": \"q\"";  // unterminated
        case 2:
          return "{\"nql\": NaN}";  // not JSON
        case 3:
          return "null";
        case 4:
          return "[1, 2, 3]";
        case 5:
          return "\"just a string\"";
        case 6:
          return "{\"nql\": \"q\", \"nql\": \"again\"}";
        case 7:
          return "{\"company_id\": " + number() + "}";
        case 8:
          return "{\"nql\": \"q\", \"dataset_id\": " + number() + "}";
        case 9:
          return "{\"nql\": " + json_string() + "}";
        default:
          break;
      }
    }
    if (depth > 4) return number();
    switch (pick(6)) {
      case 0:
        return number();
      case 1:
        return json_string();
      case 2:
        return pick(2) ? "true" : "null";
      case 3: {
        std::string a = "[";
        for (std::size_t i = 0, n = pick(4); i < n; ++i) {
          a += (i ? ", " : "") + json(depth + 1);
        }
        return a + "]";
      }
      default: {
        static const char* keys[] = {"nql",   "dataset_id", "company_id",
                                     "stage", "",           "nql "};
        std::string o = "{";
        for (std::size_t i = 0, n = pick(4); i < n; ++i) {
          o += (i ? ", \"" : "\"") + std::string(keys[pick(6)]) +
               "\": " + json(depth + 1);
        }
        return o + "}";
      }
    }
  }

  std::string job_type() {
    return one_of({"nql-forecast", "materialize-view", "nql_forecast",
                   "NQL-FORECAST", "", "materialize-view ", "forecast"});
  }
  std::string job_state() {
    return one_of({"pending", "running", "failed", "completed", "cancelled",
                   "pending_cancellation", "Pending", "", "done"});
  }
  std::string integer() {
    return one_of({"-1", "0", "1", "2", "50", "500", "501", "1000", "1001",
                   "2147483647", "2147483648", "-2147483649", "abc", "1.5"});
  }
  std::string interval() {
    return one_of({"5 minutes", "1 microsecond", "0", "-1 day", "abc",
                   "100000000 years", "1 second", "infinity"});
  }
  std::string uuid_array() {
    switch (pick(6)) {
      case 0:
        return "{}";
      case 1:
        return "{NULL}";
      case 2:
        return "{";
      case 3: {
        std::string a = "{";
        for (int i = 0; i < 10001; ++i) a += (i ? "," : "") + uuid_literal();
        return a + "}";
      }
      default: {
        const std::string one = uuid_literal();
        std::string a = "{" + one + "," + one;  // a duplicate
        for (std::size_t i = 0, n = pick(5); i < n; ++i) {
          a += "," + (pick(5) ? uuid_literal() : std::string("NULL"));
        }
        return a + "}";
      }
    }
  }
  std::string uuid_literal() {
    std::string u = uuid();
    return u.empty() || u.find_first_of("{}") != std::string::npos
               ? "00000000-0000-4000-8000-000000000000"
               : "\"" + u + "\"";
  }
  std::string type_array() {
    return one_of({"{}", "{nql-forecast}", "{nql-forecast,nql-forecast}",
                   "{materialize-view,NULL}", "{bogus}", "{", "{\"\"}"});
  }

  std::mt19937 random_;
  std::vector<std::string> ids_;
};

struct Function {
  const char* name;
  const char* kinds;  // one letter per argument (Generator::arg)
  const char* sql;    // rows of one boolean: the answer has the spec's shape
};

// A job of the spec's shape: its fifteen keys, a known state.
#define JOB_SHAPE(j)                                                \
  "(SELECT count(*) FROM jsonb_object_keys(" j ")) = 15 AND " j     \
  " ->> 'state' IN ('pending', 'running', 'pending_cancellation', " \
  "'completed', 'cancelled', 'failed')"

const Function kFunctions[] = {
    {"job_create", "yjjtuuc",
     "SELECT " JOB_SHAPE("j") ", j ->> 'job_id' FROM job_control.job_create("
                              "$1::job_control.job_type, $2::jsonb, $3::jsonb, "
                              "$4, $5::uuid, $6::uuid, "
                              "$7::job_control.execution_cluster) AS j"},
    {"job_get", "u",
     "SELECT " JOB_SHAPE("j") ", NULL FROM job_control.job_get($1::uuid) j"},
    {"job_start", "ue",
     "SELECT " JOB_SHAPE("j") ", NULL FROM job_control.job_start($1::uuid, "
                              "$2) AS j"},
    {"job_complete", "uje",
     "SELECT " JOB_SHAPE("j") ", NULL FROM job_control.job_complete("
                              "$1::uuid, $2::jsonb, $3) AS j"},
    {"job_fail", "utje",
     "SELECT " JOB_SHAPE("j") ", NULL FROM job_control.job_fail($1::uuid, $2, "
                              "$3::jsonb, $4) AS j"},
    {"job_cancel", "u",
     "SELECT " JOB_SHAPE("j") ", NULL FROM job_control.job_cancel($1::uuid) j"},
    {"job_acknowledge_cancel", "u",
     "SELECT " JOB_SHAPE(
         "j") ", NULL FROM "
              "job_control.job_acknowledge_cancel($1::uuid) AS j"},
    {"job_heartbeat", "ue",
     "SELECT " JOB_SHAPE("j") ", NULL FROM job_control.job_heartbeat($1::uuid,"
                              " $2) AS j"},
    {"job_claim", "eiYu",
     "SELECT " JOB_SHAPE(
         "j") ", NULL FROM job_control.job_claim($1, "
              "$2::integer, $3::job_control.job_type[], $4::uuid) AS j"},
    {"job_reap_stale", "v",
     "SELECT " JOB_SHAPE("j") ", NULL FROM job_control.job_reap_stale("
                              "$1::interval) AS j"},
    {"job_reschedule", "ub",
     "SELECT " JOB_SHAPE(
         "r -> 'job'") " AND r ->> 'outcome' IN "
                       "('rescheduled', 'skipped_terminal'), NULL FROM "
                       "job_control.job_reschedule($1::uuid, $2::boolean) AS "
                       "r"},
    {"job_fail_many", "Utj",
     "SELECT " JOB_SHAPE("j") ", NULL FROM job_control.job_fail_many("
                              "$1::uuid[], $2, $3::jsonb) AS j"},
    {"job_list", "syuiodii",
     "SELECT l ? 'records' AND l ? 'total_records' AND "
     "jsonb_typeof(l -> 'records') = 'array', NULL FROM job_control.job_list("
     "$1::job_control.job_state, $2::job_control.job_type, $3::uuid, "
     "$4::bigint, $5, $6, $7::integer, $8::integer) AS l"},
};

// The errors these calls may raise (see the header).
bool allowed(const std::string& code) {
  return code == "P0002" || code == "55000" || code == "42501" ||
         code.compare(0, 2, "22") == 0 || code.compare(0, 2, "54") == 0;
}

int run(const Options& o) {
  jc::tools::Connection conn = jc::tools::connect();
  Generator g(o.seed);
  std::map<std::string, long> seen;
  long answers = 0;
  for (long call = 0; call < o.calls; ++call) {
    const Function& f = kFunctions[g.pick(std::size(kFunctions))];
    std::vector<Arg> args;
    for (const char* k = f.kinds; *k != '\0'; ++k) args.push_back(g.arg(*k));
    std::vector<const char*> values;
    for (const Arg& a : args) values.push_back(a ? a->c_str() : nullptr);
    jc::tools::Result r(PQexecParams(conn.get(), f.sql,
                                     static_cast<int>(values.size()), nullptr,
                                     values.data(), nullptr, nullptr, 0));
    if (PQresultStatus(r.get()) == PGRES_TUPLES_OK) {
      for (int i = 0; i < PQntuples(r.get()); ++i) {
        if (std::string(PQgetvalue(r.get(), i, 0)) != "t") {
          std::fprintf(stderr, "hostile_client: %s answered outside the spec\n",
                       f.name);
          return 2;
        }
        if (!PQgetisnull(r.get(), i, 1)) g.remember(PQgetvalue(r.get(), i, 1));
        ++answers;
      }
      ++seen["ok"];
      continue;
    }
    const char* code = PQresultErrorField(r.get(), PG_DIAG_SQLSTATE);
    if (PQstatus(conn.get()) != CONNECTION_OK || code == nullptr ||
        !allowed(code)) {
      std::fprintf(stderr, "hostile_client: %s raised %s: %s", f.name,
                   code != nullptr ? code : "(no SQLSTATE)",
                   PQerrorMessage(conn.get()));
      return 2;
    }
    ++seen[code];
  }
  std::printf("%ld calls, %ld jobs answered;", o.calls, answers);
  for (const auto& [code, count] : seen) {
    std::printf(" %s %ld", code.c_str(), count);
  }
  std::printf("\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return jc::tools::run_tool("hostile_client",
                             [&] { return run(parse(argc, argv)); });
}
