#include "format.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <string>

namespace jc {
namespace {

constexpr std::int64_t kMicrosPerDay = 86'400'000'000LL;

std::string ts(std::int64_t pg_micros) {
  char out[kTimestampTextSize];
  const std::size_t n = format_timestamp_utc(pg_micros, out);
  EXPECT_EQ(n, std::string(out).size());
  return out;
}

TEST(Format, TimestampAtThePostgresEpoch) {
  EXPECT_EQ(ts(0), "2000-01-01T00:00:00.000000+00:00");
  EXPECT_EQ(ts(1), "2000-01-01T00:00:00.000001+00:00");
  EXPECT_EQ(ts(-1), "1999-12-31T23:59:59.999999+00:00");
}

TEST(Format, TimestampKnownDates) {
  // 2026-11-28 13:21:06.123456 UTC is day 9828 after 2000-01-01.
  EXPECT_EQ(ts(9828 * kMicrosPerDay +
               ((13 * 3600 + 21 * 60 + 6) * 1'000'000LL) + 123456),
            "2026-11-28T13:21:06.123456+00:00");
  EXPECT_EQ(ts(59 * kMicrosPerDay), "2000-02-29T00:00:00.000000+00:00");
  EXPECT_EQ(ts(-10957 * kMicrosPerDay), "1970-01-01T00:00:00.000000+00:00");
}

TEST(Format, TimestampCalendarAgreesWithDayCountsOverFourCenturies) {
  // Walk day by day from 1900-03-01 and check that the date advances by
  // exactly one calendar day each time.
  const int days_in_month[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int year = 1900, month = 3, day = 1;
  for (std::int64_t d = -36465; d < 400 * 366; ++d) {
    char expected[48];
    std::snprintf(expected, sizeof expected, "%04d-%02d-%02d", year, month,
                  day);
    ASSERT_EQ(ts(d * kMicrosPerDay).substr(0, 10), expected) << d;
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    const int length = month == 2 && leap ? 29 : days_in_month[month - 1];
    if (++day > length) {
      day = 1;
      if (++month > 12) {
        month = 1;
        ++year;
      }
    }
  }
}

TEST(Format, TimestampTimeOfDayMatchesPrintfAcrossTheDay) {
  // Times of day spread over a day (a prime step), on two dates.
  for (const std::int64_t day : {0LL, 9828LL}) {
    for (std::int64_t micros = 0; micros < kMicrosPerDay;
         micros += 7'919'111'111LL / 1000) {
      char expected[64];
      std::snprintf(expected, sizeof expected,
                    "T%02lld:%02lld:%02lld.%06lld+00:00",
                    static_cast<long long>(micros / 3'600'000'000LL),
                    static_cast<long long>(micros / 60'000'000 % 60),
                    static_cast<long long>(micros / 1'000'000 % 60),
                    static_cast<long long>(micros % 1'000'000));
      ASSERT_EQ(ts(day * kMicrosPerDay + micros).substr(10), expected)
          << micros;
    }
  }
}

TEST(Format, TimestampInfinities) {
  EXPECT_EQ(ts(std::numeric_limits<std::int64_t>::max()), "infinity");
  EXPECT_EQ(ts(std::numeric_limits<std::int64_t>::min()), "-infinity");
}

TEST(Format, TimestampYearsOutsideFourDigitsAreSigned) {
  EXPECT_EQ(ts(3'000'000 * kMicrosPerDay).substr(0, 6), "+10213");
}

TEST(Format, Uuid) {
  const unsigned char bytes[16] = {0xab, 0xf9, 0xa2, 0xec, 0x42, 0x6b,
                                   0x47, 0x51, 0xbd, 0x16, 0xfc, 0xb4,
                                   0x35, 0x06, 0x19, 0x25};
  char out[kUuidTextSize];
  format_uuid(bytes, out);
  EXPECT_STREQ(out, "abf9a2ec-426b-4751-bd16-fcb435061925");
}

}  // namespace
}  // namespace jc
