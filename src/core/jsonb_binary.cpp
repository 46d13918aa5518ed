#include "jsonb_binary.hpp"

#include <cstring>

namespace jc::jsonb {

namespace {

// Container header word.
constexpr std::uint32_t kCountMask = 0x0FFFFFFF;
constexpr std::uint32_t kScalarFlag = 0x10000000;
constexpr std::uint32_t kObjectFlag = 0x20000000;
constexpr std::uint32_t kArrayFlag = 0x40000000;
// JEntry word: a length, or every kOffsetStride-th child the end offset of
// its data, so that a look-up sums at most that many lengths.
constexpr std::uint32_t kOffLenMask = 0x0FFFFFFF;
constexpr std::uint32_t kTypeMask = 0x70000000;
constexpr std::uint32_t kHasOffset = 0x80000000;
constexpr std::uint32_t kOffsetStride = 32;

std::uint32_t load_word(const char* at) noexcept {
  std::uint32_t word;
  std::memcpy(&word, at, sizeof word);
  return word;
}

void store_word(char* at, std::uint32_t word) noexcept {
  std::memcpy(at, &word, sizeof word);
}

// Numerics and containers start on a 4-byte boundary; the padding before
// them counts as part of their data.
bool is_aligned_kind(Kind kind) noexcept {
  return kind == Kind::kNumeric || kind == Kind::kContainer;
}

std::uint32_t aligned(std::uint32_t offset) noexcept {
  return (offset + 3U) & ~3U;
}

// Bytes of a container of `entries` children, or 0 when a JEntry cannot
// address them.
template <typename Child>
std::size_t container_size(std::size_t entries, Child child) noexcept {
  std::size_t data = 0;
  for (std::size_t i = 0; i < entries; ++i) {
    const Value v = child(i);
    if (is_aligned_kind(v.kind)) data = (data + 3U) & ~std::size_t{3};
    data += v.size;
    if (data > kOffLenMask) return 0;
  }
  const std::size_t total = sizeof(std::uint32_t) * (1 + entries) + data;
  return total > kOffLenMask ? 0 : total;
}

template <typename Child>
std::size_t write_container(std::uint32_t header, std::size_t entries,
                            Child child, char* out) noexcept {
  store_word(out, header);
  char* jentries = out + sizeof(std::uint32_t);
  char* data = jentries + sizeof(std::uint32_t) * entries;
  std::uint32_t end = 0;
  for (std::size_t i = 0; i < entries; ++i) {
    const Value v = child(i);
    const std::uint32_t start = end;
    if (is_aligned_kind(v.kind)) {
      end = aligned(end);
      std::memset(data + start, 0, end - start);
    }
    if (v.size > 0) std::memcpy(data + end, v.data, v.size);
    end += v.size;
    const std::uint32_t type = static_cast<std::uint32_t>(v.kind);
    store_word(jentries + sizeof(std::uint32_t) * i,
               i % kOffsetStride == 0 ? type | kHasOffset | end
                                      : type | (end - start));
  }
  return static_cast<std::size_t>(data - out) + end;
}

}  // namespace

Value string_value(const char* text, std::size_t size) noexcept {
  return Value{Kind::kString, text, static_cast<std::uint32_t>(size)};
}

Value root_value(const char* root, std::uint32_t size) noexcept {
  if ((load_word(root) & kScalarFlag) == 0) {
    return Value{Kind::kContainer, root, size};
  }
  return Children(root).next();
}

Children::Children(const char* container) noexcept
    : container_(container),
      data_(container + sizeof(std::uint32_t) * (1 + entries())) {}

bool Children::is_array() const noexcept {
  return (load_word(container_) & kArrayFlag) != 0;
}

bool Children::is_object() const noexcept {
  return (load_word(container_) & kObjectFlag) != 0;
}

std::uint32_t Children::count() const noexcept {
  return load_word(container_) & kCountMask;
}

std::uint32_t Children::entries() const noexcept {
  return is_object() ? 2 * count() : count();
}

Value Children::next() noexcept {
  const std::uint32_t entry =
      load_word(container_ + sizeof(std::uint32_t) * (1 + next_index_));
  ++next_index_;
  const std::uint32_t start = offset_;
  offset_ = (entry & kHasOffset) != 0 ? entry & kOffLenMask
                                      : start + (entry & kOffLenMask);
  const auto kind = static_cast<Kind>(entry & kTypeMask);
  const std::uint32_t from = is_aligned_kind(kind) ? aligned(start) : start;
  return Value{kind, data_ + from, offset_ - from};
}

void sort_members(Member* members, std::size_t count) noexcept {
  const auto before = [](const Value& a, const Value& b) {
    if (a.size != b.size) return a.size < b.size;
    return std::memcmp(a.data, b.data, a.size) < 0;
  };
  // Insertion sort: objects built here have a handful of members.
  for (std::size_t i = 1; i < count; ++i) {
    const Member m = members[i];
    std::size_t j = i;
    for (; j > 0 && before(m.key, members[j - 1].key); --j) {
      members[j] = members[j - 1];
    }
    members[j] = m;
  }
}

namespace {

auto element_of(const Value* elements) {
  return [elements](std::size_t i) { return elements[i]; };
}

auto child_of(const Member* members, std::size_t count) {
  return [members, count](std::size_t i) {
    return i < count ? members[i].key : members[i - count].value;
  };
}

}  // namespace

std::size_t array_size(const Value* elements, std::size_t count) noexcept {
  return container_size(count, element_of(elements));
}

std::size_t object_size(const Member* members, std::size_t count) noexcept {
  return container_size(2 * count, child_of(members, count));
}

std::size_t write_array(const Value* elements, std::size_t count,
                        char* out) noexcept {
  return write_container(kArrayFlag | static_cast<std::uint32_t>(count), count,
                         element_of(elements), out);
}

std::size_t write_object(const Member* members, std::size_t count,
                         char* out) noexcept {
  return write_container(kObjectFlag | static_cast<std::uint32_t>(count),
                         2 * count, child_of(members, count), out);
}

}  // namespace jc::jsonb
