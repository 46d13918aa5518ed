#include "limits.hpp"

#include "job_error.hpp"

namespace jc {

namespace {

bool is_continuation_byte(unsigned char c) { return (c & 0xC0) == 0x80; }

}  // namespace

std::string_view utf8_prefix(std::string_view text,
                             std::size_t max_bytes) noexcept {
  if (text.size() <= max_bytes) return text;
  std::size_t end = max_bytes;
  // Step back over continuation bytes to the lead byte of the character that
  // straddles the cut, and cut before it.
  while (end > 0 &&
         is_continuation_byte(static_cast<unsigned char>(text[end]))) {
    --end;
  }
  return text.substr(0, end);
}

std::string bounded_message(std::string_view message, std::size_t max_bytes) {
  if (message.size() <= max_bytes) return std::string(message);
  const std::string marker =
      " [truncated from " + std::to_string(message.size()) + " bytes]";
  const std::size_t room =
      max_bytes > marker.size() ? max_bytes - marker.size() : 0;
  return std::string(utf8_prefix(message, room)) + marker;
}

void check_size(std::string_view what, std::size_t bytes, std::size_t max_bytes,
                std::string_view setting) {
  if (bytes <= max_bytes) return;
  throw JobError("54000",
                 std::string(what) + " is too large (" + std::to_string(bytes) +
                     " bytes, at most " + std::to_string(max_bytes) + ")",
                 {}, "The limit is the setting " + std::string(setting) + ".");
}

}  // namespace jc
