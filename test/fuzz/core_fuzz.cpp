// A coverage-guided fuzz target (libFuzzer) of the pure core: what the
// boundary hands it comes from callers, so no input may crash it, read out
// of bounds or break its promises. The first byte picks the part:
//   0: text: validation, UTF-8-safe truncation, integer parsing;
//   1: jsonb's binary writer: arrays and objects of the input's pieces,
//      written and read back (each child as written, keys in jsonb's order),
//      nested once inside another array.
// Built by CMake with -DJOB_CONTROL_FUZZ=ON and clang (scripts/test.sh runs
// it for a bounded time from the corpus in test/fuzz/corpus).
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "job_error.hpp"
#include "jsonb_binary.hpp"
#include "limits.hpp"
#include "validation.hpp"

namespace {

void require(bool promise) {
  if (!promise) std::abort();
}

// A JobError must carry one of the spec's argument SQLSTATEs.
template <typename Call>
void validates(Call call) {
  try {
    call();
  } catch (const jc::JobError& e) {
    const std::string code = e.code();
    require(code == "22004" || code == "22023");
  }
}

void fuzz_text(std::string_view text) {
  const std::size_t max =
      text.empty() ? 0 : static_cast<unsigned char>(text[0]);
  const auto continues = [&](std::size_t i) {
    return (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80;
  };
  const std::string_view prefix = jc::utf8_prefix(text, max);
  require(prefix.size() <= max && text.substr(0, prefix.size()) == prefix);
  if (text.size() <= max) require(prefix.size() == text.size());
  // Cut as late as it can be, never inside a sequence: the byte after the
  // cut starts a character, and every byte after it up to the bound
  // continues that character.
  if (prefix.size() < text.size()) {
    require(prefix.empty() || !continues(prefix.size()));
    for (std::size_t i = prefix.size() + 1; i <= max; ++i)
      require(continues(i));
  }
  const std::size_t limit = jc::kMinMessageLimit + max;
  const std::string bounded = jc::bounded_message(text, limit);
  require(bounded.size() <= limit);
  if (text.size() <= limit) require(bounded == text);

  validates([&] { jc::validate_failure_message(text); });
  validates([&] { jc::validate_executor(text); });
  validates([&] { jc::validate_idempotency_key(text); });
  (void)jc::parse_job_type(text);
  (void)jc::is_blank(text);
  if (const auto value = jc::parse_json_integer(text)) {
    // Only an integer's digits, and what they denote.
    require(!text.empty() &&
            text.find_first_not_of("-0123456789") == std::string_view::npos);
    require(std::to_string(*value) == std::string(text) ||
            std::strtoll(std::string(text).c_str(), nullptr, 10) == *value);
  }
}

// The input's pieces, split at NUL bytes, as string values.
std::vector<std::string> pieces_of(std::string_view data) {
  std::vector<std::string> pieces;
  std::size_t start = 0;
  while (start <= data.size() && pieces.size() < 64) {
    const std::size_t end = std::min(data.find('\0', start), data.size());
    pieces.emplace_back(data.substr(start, end - start));
    start = end + 1;
  }
  return pieces;
}

bool same(const jc::jsonb::Value& a, const jc::jsonb::Value& b) {
  return a.kind == b.kind && a.size == b.size &&
         (a.size == 0 || std::memcmp(a.data, b.data, a.size) == 0);
}

// Writes an array of `elements` into aligned storage and reads it back.
std::vector<std::uint32_t> array_of(
    const std::vector<jc::jsonb::Value>& elements) {
  const std::size_t size =
      jc::jsonb::array_size(elements.data(), elements.size());
  require(size > 0);
  std::vector<std::uint32_t> storage((size + 3) / 4 + 1);
  char* out = reinterpret_cast<char*>(storage.data());
  require(jc::jsonb::write_array(elements.data(), elements.size(), out) ==
          size);
  jc::jsonb::Children children(out);
  require(children.is_array() && children.count() == elements.size());
  for (const jc::jsonb::Value& element : elements)
    require(same(children.next(), element));
  return storage;
}

void fuzz_jsonb(std::string_view data) {
  const std::vector<std::string> pieces = pieces_of(data);
  std::vector<jc::jsonb::Value> strings;
  for (const std::string& p : pieces) {
    strings.push_back(jc::jsonb::string_value(p.data(), p.size()));
  }
  strings.push_back(jc::jsonb::kNullValue);
  const std::vector<std::uint32_t> array = array_of(strings);

  // An object of the distinct pieces as keys, each with the next as value.
  std::set<std::string> keys(pieces.begin(), pieces.end());
  std::vector<jc::jsonb::Member> members;
  for (const std::string& key : keys) {
    const std::string& value = pieces[members.size() % pieces.size()];
    members.push_back({jc::jsonb::string_value(key.data(), key.size()),
                       jc::jsonb::string_value(value.data(), value.size())});
  }
  jc::jsonb::sort_members(members.data(), members.size());
  for (std::size_t i = 1; i < members.size(); ++i) {
    const jc::jsonb::Value& a = members[i - 1].key;
    const jc::jsonb::Value& b = members[i].key;
    require(a.size < b.size ||
            (a.size == b.size && std::memcmp(a.data, b.data, a.size) < 0));
  }
  const std::size_t size =
      jc::jsonb::object_size(members.data(), members.size());
  require(size > 0);
  std::vector<std::uint32_t> storage((size + 3) / 4 + 1);
  char* out = reinterpret_cast<char*>(storage.data());
  require(jc::jsonb::write_object(members.data(), members.size(), out) == size);
  jc::jsonb::Children children(out);
  require(children.is_object() && children.count() == members.size());
  for (const jc::jsonb::Member& m : members)
    require(same(children.next(), m.key));
  for (const jc::jsonb::Member& m : members)
    require(same(children.next(), m.value));

  // Both containers nested in an array, between strings: copied as they are.
  const jc::jsonb::Value nested_array{
      jc::jsonb::Kind::kContainer, reinterpret_cast<const char*>(array.data()),
      static_cast<std::uint32_t>(
          jc::jsonb::array_size(strings.data(), strings.size()))};
  const jc::jsonb::Value nested_object{jc::jsonb::Kind::kContainer, out,
                                       static_cast<std::uint32_t>(size)};
  array_of({strings.front(), nested_array, strings.back(), nested_object});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1,
                              size - 1);
  if (data[0] % 2 == 0) {
    fuzz_text(rest);
  } else {
    fuzz_jsonb(rest);
  }
  return 0;
}
