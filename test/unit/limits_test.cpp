#include "limits.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "job_error.hpp"

namespace jc {
namespace {

// Whether `s` is well-formed UTF-8 (structure only: lead and continuation
// bytes), enough to tell a cut inside a character.
bool is_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t len = c < 0x80         ? 1
                            : (c >> 5) == 6  ? 2
                            : (c >> 4) == 14 ? 3
                            : (c >> 3) == 30 ? 4
                                             : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (std::size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += len;
  }
  return true;
}

TEST(Limits, PrefixKeepsWholeCharacters) {
  const std::string text =
      "ab\xC3\xA9"
      "cd\xE2\x82\xAC"
      "e\xF0\x9F\x98\x80";  // abécd€e😀
  EXPECT_EQ(utf8_prefix(text, 100), text);
  EXPECT_EQ(utf8_prefix(text, 3), "ab");
  EXPECT_EQ(utf8_prefix(text, 4), "ab\xC3\xA9");
  EXPECT_EQ(utf8_prefix(text, 8),
            "ab\xC3\xA9"
            "cd");
  EXPECT_EQ(utf8_prefix(text, 9),
            "ab\xC3\xA9"
            "cd\xE2\x82\xAC");
  EXPECT_EQ(utf8_prefix(text, 12),
            "ab\xC3\xA9"
            "cd\xE2\x82\xAC"
            "e");
  EXPECT_EQ(utf8_prefix(text, 0), "");
}

TEST(Limits, BoundedMessageMarksTheCut) {
  EXPECT_EQ(bounded_message("short", 64), "short");
  const std::string long_message(1000, 'x');
  const std::string bounded = bounded_message(long_message, 100);
  EXPECT_EQ(bounded.size(), 100u);
  EXPECT_NE(bounded.find(" [truncated from 1000 bytes]"), std::string::npos);
  EXPECT_EQ(bounded.rfind(std::string(72, 'x'), 0), 0u);
}

TEST(Limits, CheckSizeRaises54000) {
  EXPECT_NO_THROW(check_size("input", 10, 10, "job_control.max_input_bytes"));
  try {
    check_size("input", 11, 10, "job_control.max_input_bytes");
    FAIL();
  } catch (const JobError& e) {
    EXPECT_STREQ(e.code(), "54000");
    EXPECT_NE(e.hint().find("job_control.max_input_bytes"), std::string::npos);
  }
}

// Property: for random UTF-8 texts and random limits, a bounded message is
// well-formed UTF-8, within the limit, and either the message itself or a
// prefix of it followed by the marker naming its original size.
TEST(LimitsProperty, BoundedMessagesOfRandomTexts) {
  std::mt19937 rng(20261128);
  const char* pieces[] = {
      "a",  "Z",  " ", "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80",
      "\n", "\"", "\\"};
  for (int round = 0; round < 20000; ++round) {
    std::string text;
    const int length = static_cast<int>(rng() % 400);
    for (int i = 0; i < length; ++i) text += pieces[rng() % 9];
    const std::size_t limit = kMinMessageLimit + rng() % 300;
    const std::string bounded = bounded_message(text, limit);
    ASSERT_TRUE(is_utf8(bounded)) << round;
    ASSERT_LE(bounded.size(), limit);
    if (text.size() <= limit) {
      ASSERT_EQ(bounded, text);
    } else {
      const std::string marker =
          " [truncated from " + std::to_string(text.size()) + " bytes]";
      ASSERT_EQ(bounded.substr(bounded.size() - marker.size()), marker);
      ASSERT_EQ(
          text.rfind(bounded.substr(0, bounded.size() - marker.size()), 0), 0u);
    }
  }
}

// Property: on any bytes, the prefix is a prefix within the limit, and what
// it drops below the limit is only the continuation bytes of the character
// the limit cut (and that character's lead byte).
TEST(LimitsProperty, PrefixOfRandomBytes) {
  std::mt19937 rng(7);
  for (int round = 0; round < 20000; ++round) {
    std::string bytes(rng() % 64, '\0');
    for (char& c : bytes) c = static_cast<char>(rng() % 256);
    const std::size_t limit = rng() % 80;
    const std::string_view prefix = utf8_prefix(bytes, limit);
    ASSERT_LE(prefix.size(), limit);
    ASSERT_EQ(std::string_view(bytes).substr(0, prefix.size()), prefix);
    if (bytes.size() <= limit) {
      ASSERT_EQ(prefix.size(), bytes.size());
      continue;
    }
    for (std::size_t i = prefix.size() + 1; i <= limit; ++i) {
      ASSERT_EQ(static_cast<unsigned char>(bytes[i]) & 0xC0, 0x80u)
          << "dropped a whole character at round " << round;
    }
  }
}

}  // namespace
}  // namespace jc
