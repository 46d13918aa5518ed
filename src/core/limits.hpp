// Bounded input: what the job_control.max_* settings allow, and how an
// oversized failure report is kept (cut, with a marker) rather than lost.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace jc {

// Defaults of the settings (bytes).
inline constexpr int kDefaultMaxMessageBytes = 8 * 1024;
inline constexpr int kDefaultMaxDiagnosticBytes = 64 * 1024;
inline constexpr int kDefaultMaxResultBytes = 1024 * 1024;
inline constexpr int kDefaultMaxInputBytes = 1024 * 1024;

// The longest prefix of `text` of at most `max_bytes` bytes that ends on a
// UTF-8 character boundary (never inside a multi-byte sequence).
std::string_view utf8_prefix(std::string_view text,
                             std::size_t max_bytes) noexcept;

// A failure message within `max_bytes`: unchanged when it fits, else a prefix
// cut at a character boundary followed by " [truncated from N bytes]", the
// whole at most `max_bytes` bytes (max_bytes must leave room for the marker:
// at least kMinMessageLimit).
inline constexpr std::size_t kMinMessageLimit = 64;
std::string bounded_message(std::string_view message, std::size_t max_bytes);

// 54000 when a value of `bytes` exceeds `max_bytes`; `what` names it
// ("input", "result") and `setting` the setting that bounds it.
void check_size(std::string_view what, std::size_t bytes, std::size_t max_bytes,
                std::string_view setting);

}  // namespace jc
