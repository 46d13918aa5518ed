#include "settings.hpp"

#include "postgres_headers.hpp"

extern "C" {
#include "utils/guc.h"
}

#include <cstring>

#include "limits.hpp"
#include "validation.hpp"

namespace jc::pg::settings {

bool history = false;
int notify = static_cast<int>(NotifyMode::kOff);
int max_message_bytes = kDefaultMaxMessageBytes;
int max_diagnostic_bytes = kDefaultMaxDiagnosticBytes;
int max_result_bytes = kDefaultMaxResultBytes;
int max_input_bytes = kDefaultMaxInputBytes;

namespace {

// on/off and PostgreSQL's other boolean spellings keep working (hidden).
const config_enum_entry kNotifyModes[] = {
    {"off", static_cast<int>(NotifyMode::kOff), false},
    {"on", static_cast<int>(NotifyMode::kAtCommit), false},
    {"deferred", static_cast<int>(NotifyMode::kDeferred), false},
    {"false", static_cast<int>(NotifyMode::kOff), true},
    {"true", static_cast<int>(NotifyMode::kAtCommit), true},
    {"no", static_cast<int>(NotifyMode::kOff), true},
    {"yes", static_cast<int>(NotifyMode::kAtCommit), true},
    {"0", static_cast<int>(NotifyMode::kOff), true},
    {"1", static_cast<int>(NotifyMode::kAtCommit), true},
    {nullptr, 0, false}};

char* g_company_text = nullptr;
bool g_has_company = false;
std::int64_t g_company = 0;

bool check_company(char** value, void**, GucSource) {
  const char* text = *value;
  if (text == nullptr || text[0] == '\0') return true;
  if (!parse_json_integer(std::string_view(text, std::strlen(text)))) {
    GUC_check_errdetail("job_control.company_id must be an integer, or empty.");
    return false;
  }
  return true;
}

void assign_company(const char* text, void*) {
  const std::optional<std::int64_t> id =
      text == nullptr
          ? std::nullopt
          : parse_json_integer(std::string_view(text, std::strlen(text)));
  g_has_company = id.has_value();
  g_company = id.value_or(0);
}

void define_bound(const char* name, const char* description, int* value,
                  int default_value, int min_value) {
  DefineCustomIntVariable(name, description, nullptr, value, default_value,
                          min_value, MaxAllocSize / 2, PGC_SUSET, GUC_UNIT_BYTE,
                          nullptr, nullptr, nullptr);
}

}  // namespace

bool has_company() { return g_has_company; }
std::int64_t company() { return g_company; }

void define() {
  DefineCustomBoolVariable(
      "job_control.history",
      "Records every job state change in job_control.job_transitions.", nullptr,
      &history, false, PGC_SUSET, 0, nullptr, nullptr, nullptr);
  DefineCustomEnumVariable(
      "job_control.notify",
      "Sends NOTIFY on channel job_control for every job state change.",
      "on: when the transaction commits; deferred: by the notifier, after "
      "the commit, without serializing commits; off: never.",
      &notify, static_cast<int>(NotifyMode::kOff), kNotifyModes, PGC_SUSET, 0,
      nullptr, nullptr, nullptr);
  DefineCustomStringVariable(
      "job_control.company_id",
      "The company this session acts for: it sees and changes only its jobs.",
      "Empty: no restriction beyond the role's privileges.", &g_company_text,
      "", PGC_USERSET, 0, check_company, assign_company, nullptr);
  define_bound("job_control.max_message_bytes",
               "Failure messages longer than this are cut, with a marker.",
               &max_message_bytes, kDefaultMaxMessageBytes,
               static_cast<int>(kMinMessageLimit));
  define_bound("job_control.max_diagnostic_bytes",
               "Failure diagnostics larger than this are replaced by a marker.",
               &max_diagnostic_bytes, kDefaultMaxDiagnosticBytes, 64);
  define_bound("job_control.max_result_bytes",
               "Job results larger than this are refused (54000).",
               &max_result_bytes, kDefaultMaxResultBytes, 64);
  define_bound("job_control.max_input_bytes",
               "Job inputs and request sources larger than this are refused "
               "(54000).",
               &max_input_bytes, kDefaultMaxInputBytes, 64);
  MarkGUCPrefixReserved("job_control");
}

}  // namespace jc::pg::settings
