// jsonb's binary format (PostgreSQL's src/include/utils/jsonb.h, stable on
// disk since 9.4), read and written without PostgreSQL. PostgreSQL builds a
// jsonb by unpacking every nested value into a tree and serializing the tree
// again (pushJsonbValue, JsonbValueToJsonb), so a job built around a
// failures array of 400 entries costs as much as parsing it. Here an object
// or array is written around its children's bytes, copied as they are: a
// nested container is position-independent once it starts on a 4-byte
// boundary, which is where both formats put it. The output is byte for byte
// what PostgreSQL's encoder writes for the same value (sql/jsonb_binary.sql
// checks it with record image equality).
//
// No function here allocates or throws: the PostgreSQL side sizes the
// buffer, pallocs it, then writes.
#pragma once

#include <cstddef>
#include <cstdint>

namespace jc::jsonb {

// A child's type, as its JEntry stores it.
enum class Kind : std::uint32_t {
  kString = 0x00000000,
  kNumeric = 0x10000000,
  kFalse = 0x20000000,
  kTrue = 0x30000000,
  kNull = 0x40000000,
  kContainer = 0x50000000,
};

// A value's payload, without padding: a string's bytes (no NUL), a numeric's
// whole varlena, a container from its header word on; nothing for booleans
// and null.
struct Value {
  Kind kind;
  const char* data;
  std::uint32_t size;
};

inline constexpr Value kNullValue{Kind::kNull, nullptr, 0};
Value string_value(const char* text, std::size_t size) noexcept;

// The value a jsonb datum holds, from its root container (the bytes after
// the varlena header): a scalar root (stored as a one-element array marked
// scalar) gives its element, as PostgreSQL unwraps it when nesting it.
Value root_value(const char* root, std::uint32_t size) noexcept;

// A container's children, in stored order (an object's keys, then its
// values).
class Children {
 public:
  explicit Children(const char* container) noexcept;
  bool is_array() const noexcept;
  bool is_object() const noexcept;
  // Elements of an array, pairs of an object.
  std::uint32_t count() const noexcept;
  // Children stored: count() for an array, twice that for an object.
  std::uint32_t entries() const noexcept;
  // The next child; call at most entries() times.
  Value next() noexcept;

 private:
  const char* container_;
  const char* data_;
  std::uint32_t next_index_ = 0;
  std::uint32_t offset_ = 0;
};

// An object's pairs: keys unique, sorted in jsonb's order (sort_members).
struct Member {
  Value key;
  Value value;
};
// Sorts members in jsonb's key order: shorter keys first, then bytewise.
void sort_members(Member* members, std::size_t count) noexcept;

// Bytes of the container written by write_array/write_object (header,
// JEntries, children with their padding), or 0 when the children's data
// exceeds what a JEntry can address (PostgreSQL raises "total size of jsonb
// array elements exceeds the maximum" then).
std::size_t array_size(const Value* elements, std::size_t count) noexcept;
std::size_t object_size(const Member* members, std::size_t count) noexcept;

// Writes the container at `out`, which must be 4-byte aligned relative to
// the start of the jsonb datum and hold array_size()/object_size() bytes.
// Returns the bytes written.
std::size_t write_array(const Value* elements, std::size_t count,
                        char* out) noexcept;
std::size_t write_object(const Member* members, std::size_t count,
                         char* out) noexcept;

}  // namespace jc::jsonb
