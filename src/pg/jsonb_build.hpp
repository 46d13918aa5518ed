// jsonb values built with the jsonb_binary writer: members and elements are
// copied as bytes, nested containers included, instead of being unpacked and
// serialized again by pushJsonbValue. Every function here calls PostgreSQL
// and must run inside pg_guarded().
#pragma once

#include "postgres_headers.hpp"

#include <cstddef>
#include <cstdint>

#include "jsonb_binary.hpp"

namespace jc::pg {

// A string literal as a jsonb string (an object's key).
template <std::size_t N>
jsonb::Value literal(const char (&text)[N]) {
  return jsonb::string_value(text, N - 1);
}
jsonb::Value cstring_value(const char* text);
// A jsonb datum (detoasted here; the value points into it).
jsonb::Value jsonb_datum_value(Datum value);
// An integer as a jsonb number (a palloc'd numeric).
jsonb::Value int_value(std::int64_t value);
jsonb::Value bool_value(bool value);

// An object of `members`, which this sorts into jsonb's key order; keys
// must be unique. Raises PostgreSQL's own error when it is too large.
Jsonb* jsonb_object(jsonb::Member* members, std::size_t count);
Jsonb* jsonb_array(const jsonb::Value* elements, std::size_t count);

// left || right, as jsonb_concat.
Datum jsonb_concatenated(Datum left, Datum right);

}  // namespace jc::pg
