// Argument validation of the spec's functions, on values the boundary has
// already pulled out of PostgreSQL datums. Each check throws JobError with
// SQLSTATE 22004 (null) or 22023 (malformed).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "job_error.hpp"

namespace jc {

enum class JobType : std::uint8_t { kNqlForecast, kMaterializeView };

std::optional<JobType> parse_job_type(std::string_view name) noexcept;

// The JSON kind of a value, as far as validation cares.
enum class JsonKind : std::uint8_t {
  kMissing,  // key absent
  kNull,
  kString,
  kNumber,
  kBool,
  kObject,
  kArray,
};

// A JSON value seen by validation: its kind and, for strings and numbers, its
// text (a number as PostgreSQL's numeric prints it).
struct JsonField {
  JsonKind kind = JsonKind::kMissing;
  std::string_view text;
};

// 22004 "<what> must not be null".
JobError null_argument(std::string_view what);

// A failure message: not blank. Executors and idempotency keys: not blank,
// at most kMaxNameBytes bytes.
inline constexpr std::size_t kMaxNameBytes = 255;
void validate_failure_message(std::string_view message);
void validate_executor(std::string_view executor);
void validate_idempotency_key(std::string_view key);

// `input`: an object with a non-blank string `nql`; `dataset_id`, when present,
// an integer, and required for materialize-view jobs.
void validate_input(JobType type, JsonKind input, const JsonField& nql,
                    const JsonField& dataset_id);

// `request_source`: an object with an integer `company_id`; returns it.
std::int64_t validate_request_source(JsonKind request_source,
                                     const JsonField& company_id);

// `result`: an object or SQL NULL (JSON null counts as no result).
void validate_result(JsonKind result);

// The integer a JSON number's text denotes, if it is an integer that fits in
// 64 bits ("12", "-3"; not "1.0", "1e3" or "99999999999999999999").
std::optional<std::int64_t> parse_json_integer(std::string_view text) noexcept;

bool is_blank(std::string_view text) noexcept;

}  // namespace jc
