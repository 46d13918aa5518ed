// Text forms of the job's uuid and timestamp fields. They write into caller
// buffers and never allocate or throw, so the PostgreSQL side may call them
// between calls that can raise.
#pragma once

#include <cstddef>
#include <cstdint>

namespace jc {

inline constexpr std::size_t kUuidTextSize = 37;  // 36 characters and NUL
void format_uuid(const unsigned char (&bytes)[16],
                 char (&out)[kUuidTextSize]) noexcept;

// PostgreSQL's TimestampTz: microseconds since 2000-01-01 00:00:00 UTC, with
// INT64_MIN and INT64_MAX meaning -infinity and infinity.
inline constexpr std::size_t kTimestampTextSize = 40;

// ISO 8601 in UTC with microseconds and offset,
// "2026-11-28T13:21:06.123456+00:00". Returns the length written (without the
// NUL).
std::size_t format_timestamp_utc(std::int64_t pg_microseconds,
                                 char (&out)[kTimestampTextSize]) noexcept;

}  // namespace jc
