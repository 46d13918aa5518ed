#include "jsonb_binary.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace jc::jsonb {
namespace {

// A buffer whose data starts 4-byte aligned, as a palloc'd datum does.
struct Buffer {
  std::vector<std::uint32_t> words;
  explicit Buffer(std::size_t bytes) : words((bytes + 3) / 4 + 1, 0xDEADBEEF) {}
  char* data() { return reinterpret_cast<char*>(words.data()); }
};

std::vector<std::uint32_t> words_of(const char* bytes, std::size_t size) {
  std::vector<std::uint32_t> out(size / 4);
  std::memcpy(out.data(), bytes, out.size() * 4);
  return out;
}

std::string bytes_of(const Value& v) { return std::string(v.data, v.size); }

Value str(const std::string& s) { return string_value(s.data(), s.size()); }

TEST(JsonbBinary, ArrayOfScalarsMatchesTheFormat) {
  const std::string ab = "ab";
  const Value elements[] = {str(ab), kNullValue,
                            Value{Kind::kTrue, nullptr, 0}};
  const std::size_t size = array_size(elements, 3);
  ASSERT_EQ(size, 4U + 3 * 4 + 2);
  Buffer out(size);
  ASSERT_EQ(write_array(elements, 3, out.data()), size);
  // Header: array of 3. First JEntry stores its end offset (2), the others
  // their lengths (0) and types.
  EXPECT_EQ(words_of(out.data(), 16),
            (std::vector<std::uint32_t>{0x40000003, 0x80000002, 0x40000000,
                                        0x30000000}));
  EXPECT_EQ(std::string(out.data() + 16, 2), "ab");
}

TEST(JsonbBinary, ContainersArePaddedToFourBytesAndThePaddingCounts) {
  const std::string a = "a";
  const std::uint32_t empty_array = 0x40000000;
  const Value elements[] = {
      str(a),
      Value{Kind::kContainer, reinterpret_cast<const char*>(&empty_array), 4}};
  const std::size_t size = array_size(elements, 2);
  ASSERT_EQ(size, 4U + 2 * 4 + 1 + 3 + 4);
  Buffer out(size);
  write_array(elements, 2, out.data());
  EXPECT_EQ(words_of(out.data(), 12),
            (std::vector<std::uint32_t>{0x40000002, 0x80000001, 0x50000007}));
  EXPECT_EQ(std::string(out.data() + 12, 4), std::string("a\0\0\0", 4));
  EXPECT_EQ(words_of(out.data() + 16, 4),
            std::vector<std::uint32_t>{empty_array});
}

TEST(JsonbBinary, EveryThirtySecondEntryStoresItsEndOffset) {
  std::vector<std::string> texts;
  texts.reserve(70);
  for (int i = 0; i < 70; ++i) texts.push_back(std::string(1 + i % 3, 'x'));
  std::vector<Value> elements;
  elements.reserve(texts.size());
  for (const auto& t : texts) elements.push_back(str(t));
  Buffer out(array_size(elements.data(), elements.size()));
  write_array(elements.data(), elements.size(), out.data());
  const auto jentries = words_of(out.data() + 4, 4 * elements.size());
  std::uint32_t end = 0;
  for (std::size_t i = 0; i < elements.size(); ++i) {
    end += elements[i].size;
    const std::uint32_t expected =
        i % 32 == 0 ? 0x80000000 | end : elements[i].size;
    EXPECT_EQ(jentries[i], expected) << "entry " << i;
  }
}

TEST(JsonbBinary, ChildrenReadBackWhatWasWritten) {
  const std::string k1 = "zeta", k2 = "a", k3 = "mid", s = "text";
  // A numeric's varlena: only its bytes matter here.
  const std::uint32_t numeric[2] = {0x00000020, 0x0001C000};
  const std::uint32_t empty_object = 0x20000000;
  Member members[] = {
      {str(k1), str(s)},
      {str(k2),
       Value{Kind::kNumeric, reinterpret_cast<const char*>(numeric), 8}},
      {str(k3), Value{Kind::kContainer,
                      reinterpret_cast<const char*>(&empty_object), 4}},
  };
  sort_members(members, 3);
  EXPECT_EQ(bytes_of(members[0].key), "a");
  EXPECT_EQ(bytes_of(members[1].key), "mid");
  EXPECT_EQ(bytes_of(members[2].key), "zeta");

  Buffer out(object_size(members, 3));
  write_object(members, 3, out.data());
  Children children(out.data());
  EXPECT_TRUE(children.is_object());
  EXPECT_FALSE(children.is_array());
  EXPECT_EQ(children.count(), 3U);
  ASSERT_EQ(children.entries(), 6U);
  for (const auto& m : members)
    EXPECT_EQ(bytes_of(children.next()), bytes_of(m.key));
  for (const auto& m : members) {
    const Value v = children.next();
    EXPECT_EQ(v.kind, m.value.kind);
    EXPECT_EQ(bytes_of(v), bytes_of(m.value));
    if (v.kind == Kind::kNumeric || v.kind == Kind::kContainer) {
      EXPECT_EQ((v.data - out.data()) % 4, 0);
    }
  }
}

TEST(JsonbBinary, CopyingChildrenReproducesTheContainer) {
  // A long array of mixed children, written, read back and written again:
  // the same bytes (the failures || entry append relies on this).
  const std::uint32_t numeric[3] = {0x00000024, 0x0002C000, 0x00000007};
  const std::uint32_t empty_array = 0x40000000;
  const std::string texts[] = {"", "x", "yz", "abc"};
  std::vector<Value> elements;
  for (int i = 0; i < 100; ++i) {
    switch (i % 5) {
      case 0:
        elements.push_back(str(texts[i % 4]));
        break;
      case 1:
        elements.push_back(
            Value{Kind::kNumeric, reinterpret_cast<const char*>(numeric), 10});
        break;
      case 2:
        elements.push_back(kNullValue);
        break;
      case 3:
        elements.push_back(Value{
            Kind::kContainer, reinterpret_cast<const char*>(&empty_array), 4});
        break;
      default:
        elements.push_back(Value{Kind::kFalse, nullptr, 0});
    }
  }
  const std::size_t size = array_size(elements.data(), elements.size());
  Buffer first(size);
  write_array(elements.data(), elements.size(), first.data());
  Children children(first.data());
  std::vector<Value> copied;
  for (std::uint32_t i = 0; i < children.entries(); ++i)
    copied.push_back(children.next());
  ASSERT_EQ(array_size(copied.data(), copied.size()), size);
  Buffer second(size);
  write_array(copied.data(), copied.size(), second.data());
  EXPECT_EQ(std::memcmp(first.data(), second.data(), size), 0);
}

TEST(JsonbBinary, ScalarRootGivesItsElement) {
  // The jsonb "hi": a one-element array flagged scalar.
  Buffer root(4 + 4 + 2);
  const std::uint32_t header = 0x50000001, entry = 0x80000002;
  std::memcpy(root.data(), &header, 4);
  std::memcpy(root.data() + 4, &entry, 4);
  std::memcpy(root.data() + 8, "hi", 2);
  const Value v = root_value(root.data(), 10);
  EXPECT_EQ(v.kind, Kind::kString);
  EXPECT_EQ(bytes_of(v), "hi");

  const std::uint32_t object_root = 0x20000000;
  const Value whole =
      root_value(reinterpret_cast<const char*>(&object_root), 4);
  EXPECT_EQ(whole.kind, Kind::kContainer);
  EXPECT_EQ(whole.size, 4U);
}

TEST(JsonbBinary, DataBeyondWhatAJEntryAddressesIsRefused) {
  const Value huge{Kind::kString, nullptr, 0x0FFFFFFF};
  EXPECT_EQ(array_size(&huge, 1), 0U);
  const Value fits{Kind::kString, nullptr, 0x0FFFFFFF - 8};
  EXPECT_EQ(array_size(&fits, 1), 0x0FFFFFFFU);
}

// A random JSON tree, encoded bottom-up as the PostgreSQL side does: every
// container is written into its own aligned buffer, then copied into its
// parent as bytes.
struct Tree {
  Kind kind = Kind::kNull;
  std::string bytes;  // a string's text, a numeric's (opaque) varlena
  bool object = false;
  std::vector<std::string> keys;
  std::vector<Tree> children;
  std::vector<std::uint32_t> encoded;  // a container's bytes, aligned
  std::uint32_t encoded_size = 0;

  Value value() const {
    if (kind == Kind::kContainer) {
      return Value{kind, reinterpret_cast<const char*>(encoded.data()),
                   encoded_size};
    }
    return Value{kind, bytes.data(), static_cast<std::uint32_t>(bytes.size())};
  }
};

Tree random_tree(std::mt19937& rng, int depth) {
  auto pick = [&rng](int n) {
    return std::uniform_int_distribution<int>(0, n - 1)(rng);
  };
  Tree t;
  switch (pick(depth > 0 ? 8 : 5)) {
    case 0:
      t.kind = Kind::kString;
      t.bytes = std::string(static_cast<std::size_t>(pick(9)),
                            static_cast<char>('a' + pick(26)));
      return t;
    case 1:
      t.kind = Kind::kNumeric;
      t.bytes = std::string(static_cast<std::size_t>(4 + pick(9)), '\x07');
      return t;
    case 2:
      t.kind = Kind::kTrue;
      return t;
    case 3:
      t.kind = Kind::kFalse;
      return t;
    case 4:
      t.kind = Kind::kNull;
      return t;
    default:
      break;
  }
  t.kind = Kind::kContainer;
  t.object = pick(2) == 0;
  const int n = pick(4) == 0 ? 30 + pick(50) : pick(5);
  for (int i = 0; i < n; ++i) {
    t.children.push_back(random_tree(rng, depth - 1));
    if (t.object)
      t.keys.push_back(std::string(static_cast<std::size_t>(pick(4)), 'k') +
                       std::to_string(i));
  }
  std::vector<Value> elements;
  std::vector<Member> members;
  for (std::size_t i = 0; i < t.children.size(); ++i) {
    if (t.object) {
      members.push_back({str(t.keys[i]), t.children[i].value()});
    } else {
      elements.push_back(t.children[i].value());
    }
  }
  if (t.object) sort_members(members.data(), members.size());
  const std::size_t size = t.object
                               ? object_size(members.data(), members.size())
                               : array_size(elements.data(), elements.size());
  t.encoded.assign(size / 4 + 1, 0);
  char* out = reinterpret_cast<char*>(t.encoded.data());
  EXPECT_EQ(t.object ? write_object(members.data(), members.size(), out)
                     : write_array(elements.data(), elements.size(), out),
            size);
  t.encoded_size = static_cast<std::uint32_t>(size);
  return t;
}

// Reads `container` back and checks it holds `t`: the same children, keys in
// jsonb's order, numerics and containers 4-byte aligned from `root`.
void expect_holds(const char* root, const char* container, const Tree& t) {
  Children children(container);
  ASSERT_EQ(children.is_object(), t.object);
  ASSERT_EQ(children.count(), t.children.size());
  std::vector<std::size_t> order(t.children.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  if (t.object) {
    std::sort(order.begin(), order.end(), [&t](std::size_t a, std::size_t b) {
      const std::string& x = t.keys[a];
      const std::string& y = t.keys[b];
      return x.size() != y.size() ? x.size() < y.size() : x < y;
    });
    for (std::size_t i : order) EXPECT_EQ(bytes_of(children.next()), t.keys[i]);
  }
  for (std::size_t i : order) {
    const Tree& child = t.children[i];
    const Value v = children.next();
    ASSERT_EQ(v.kind, child.kind);
    if (v.kind == Kind::kNumeric || v.kind == Kind::kContainer) {
      EXPECT_EQ((v.data - root) % 4, 0);
    }
    if (v.kind == Kind::kContainer) {
      ASSERT_EQ(v.size, child.encoded_size);
      EXPECT_EQ(std::memcmp(v.data, child.encoded.data(), v.size), 0);
      expect_holds(root, v.data, child);
    } else {
      EXPECT_EQ(bytes_of(v), child.bytes);
    }
  }
}

TEST(JsonbBinary, RandomTreesReadBackAsWritten) {
  std::mt19937 rng(20261128);
  for (int i = 0; i < 300; ++i) {
    Tree t;
    do t = random_tree(rng, 3);
    while (t.kind != Kind::kContainer);
    const char* root = reinterpret_cast<const char*>(t.encoded.data());
    expect_holds(root, root, t);
    if (HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace jc::jsonb
