#include "validation.hpp"

#include <limits>
#include <string>

namespace jc {

namespace {

JobError invalid(std::string message, std::string hint = {}) {
  return JobError(sqlstate::kInvalidParameterValue, std::move(message), {},
                  std::move(hint));
}

void validate_name(std::string_view what, std::string_view value) {
  if (is_blank(value)) throw invalid(std::string(what) + " must not be blank");
  if (value.size() > kMaxNameBytes) {
    throw invalid(
        std::string(what) + " is too long (" + std::to_string(value.size()) +
            " bytes)",
        "At most " + std::to_string(kMaxNameBytes) + " bytes are allowed.");
  }
}

bool is_integer_field(const JsonField& field) {
  return field.kind == JsonKind::kNumber &&
         parse_json_integer(field.text).has_value();
}

}  // namespace

std::optional<JobType> parse_job_type(std::string_view name) noexcept {
  if (name == "nql-forecast") return JobType::kNqlForecast;
  if (name == "materialize-view") return JobType::kMaterializeView;
  return std::nullopt;
}

JobError null_argument(std::string_view what) {
  return JobError(sqlstate::kNullValueNotAllowed,
                  std::string(what) + " must not be null");
}

bool is_blank(std::string_view text) noexcept {
  for (char c : text) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' &&
        c != '\v') {
      return false;
    }
  }
  return true;
}

void validate_failure_message(std::string_view message) {
  if (is_blank(message)) throw invalid("failure message must not be blank");
}

void validate_executor(std::string_view executor) {
  validate_name("executor", executor);
}

void validate_idempotency_key(std::string_view key) {
  validate_name("idempotency_key", key);
}

void validate_input(JobType type, JsonKind input, const JsonField& nql,
                    const JsonField& dataset_id) {
  if (input != JsonKind::kObject) throw invalid("input must be a JSON object");
  if (nql.kind != JsonKind::kString || is_blank(nql.text)) {
    throw invalid("input must have a non-empty string \"nql\"");
  }
  if (dataset_id.kind == JsonKind::kMissing) {
    if (type == JobType::kMaterializeView) {
      throw invalid(
          "input of a materialize-view job must have an integer "
          "\"dataset_id\"");
    }
    return;
  }
  if (!is_integer_field(dataset_id)) {
    throw invalid("input \"dataset_id\" must be an integer");
  }
}

std::int64_t validate_request_source(JsonKind request_source,
                                     const JsonField& company_id) {
  if (request_source != JsonKind::kObject) {
    throw invalid("request_source must be a JSON object");
  }
  if (!is_integer_field(company_id)) {
    throw invalid("request_source must have an integer \"company_id\"",
                  "For example {\"type\": \"api_user\", \"company_id\": 1}.");
  }
  return *parse_json_integer(company_id.text);
}

void validate_result(JsonKind result) {
  if (result != JsonKind::kObject && result != JsonKind::kNull &&
      result != JsonKind::kMissing) {
    throw invalid("result must be a JSON object or null");
  }
}

std::optional<std::int64_t> parse_json_integer(std::string_view text) noexcept {
  if (text.empty()) return std::nullopt;
  const bool negative = text.front() == '-';
  if (negative) text.remove_prefix(1);
  if (text.empty() || text.size() > 19) return std::nullopt;
  std::uint64_t magnitude = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    magnitude = magnitude * 10 + static_cast<std::uint64_t>(c - '0');
  }
  const std::uint64_t limit =
      static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) +
      (negative ? 1 : 0);
  if (magnitude > limit) return std::nullopt;
  if (negative) {
    return magnitude == limit ? std::numeric_limits<std::int64_t>::min()
                              : -static_cast<std::int64_t>(magnitude);
  }
  return static_cast<std::int64_t>(magnitude);
}

}  // namespace jc
