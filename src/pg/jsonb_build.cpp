#include "jsonb_build.hpp"

#include <cstring>

namespace jc::pg {

namespace {

using jsonb::Kind;

// The writer's constants are PostgreSQL's on-disk format.
static_assert(static_cast<std::uint32_t>(Kind::kString) == JENTRY_ISSTRING);
static_assert(static_cast<std::uint32_t>(Kind::kNumeric) == JENTRY_ISNUMERIC);
static_assert(static_cast<std::uint32_t>(Kind::kFalse) == JENTRY_ISBOOL_FALSE);
static_assert(static_cast<std::uint32_t>(Kind::kTrue) == JENTRY_ISBOOL_TRUE);
static_assert(static_cast<std::uint32_t>(Kind::kNull) == JENTRY_ISNULL);
static_assert(static_cast<std::uint32_t>(Kind::kContainer) ==
              JENTRY_ISCONTAINER);
static_assert(JB_OFFSET_STRIDE == 32 && JENTRY_OFFLENMASK == 0x0FFFFFFF);

[[noreturn]] void too_large(const char* what) {
  ereport(ERROR,
          (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
           errmsg("total size of jsonb %s elements exceeds the maximum of %d "
                  "bytes",
                  what, JENTRY_OFFLENMASK)));
  pg_unreachable();
}

// A datum of `size` container bytes; the container starts 4-byte aligned
// after the varlena header, as the writer needs.
Jsonb* new_jsonb(std::size_t size) {
  auto* out = static_cast<Jsonb*>(palloc(VARHDRSZ + size));
  SET_VARSIZE(out, VARHDRSZ + size);
  return out;
}

char* root_of(Jsonb* value) { return reinterpret_cast<char*>(&value->root); }

}  // namespace

jsonb::Value cstring_value(const char* text) {
  return jsonb::string_value(text, std::strlen(text));
}

jsonb::Value jsonb_datum_value(Datum value) {
  Jsonb* jb = DatumGetJsonbP(value);
  return jsonb::root_value(root_of(jb), VARSIZE(jb) - VARHDRSZ);
}

jsonb::Value int_value(std::int64_t value) {
  const Numeric n = int64_to_numeric(value);
  return jsonb::Value{Kind::kNumeric, reinterpret_cast<const char*>(n),
                      static_cast<std::uint32_t>(VARSIZE_ANY(n))};
}

jsonb::Value bool_value(bool value) {
  return jsonb::Value{value ? Kind::kTrue : Kind::kFalse, nullptr, 0};
}

Jsonb* jsonb_object(jsonb::Member* members, std::size_t count) {
  jsonb::sort_members(members, count);
  const std::size_t size = jsonb::object_size(members, count);
  if (size == 0) too_large("object");
  Jsonb* out = new_jsonb(size);
  jsonb::write_object(members, count, root_of(out));
  return out;
}

Jsonb* jsonb_array(const jsonb::Value* elements, std::size_t count) {
  const std::size_t size = jsonb::array_size(elements, count);
  if (size == 0) too_large("array");
  Jsonb* out = new_jsonb(size);
  jsonb::write_array(elements, count, root_of(out));
  return out;
}

Datum jsonb_concatenated(Datum left, Datum right) {
  Jsonb* a = DatumGetJsonbP(left);
  Jsonb* b = DatumGetJsonbP(right);
  // Two arrays (failures || entry): their elements copied into one. Objects
  // and scalars merge or wrap as jsonb_concat decides.
  if (!JB_ROOT_IS_ARRAY(a) || JB_ROOT_IS_SCALAR(a) || !JB_ROOT_IS_ARRAY(b) ||
      JB_ROOT_IS_SCALAR(b)) {
    return DirectFunctionCall2(jsonb_concat, JsonbPGetDatum(a),
                               JsonbPGetDatum(b));
  }
  jsonb::Children first(root_of(a));
  jsonb::Children second(root_of(b));
  const std::size_t count = first.count() + second.count();
  auto* elements = static_cast<jsonb::Value*>(
      palloc(sizeof(jsonb::Value) * (count == 0 ? 1 : count)));
  std::size_t i = 0;
  for (std::uint32_t n = first.count(); n > 0; --n)
    elements[i++] = first.next();
  for (std::uint32_t n = second.count(); n > 0; --n) {
    elements[i++] = second.next();
  }
  Jsonb* out = jsonb_array(elements, count);
  pfree(elements);
  return JsonbPGetDatum(out);
}

}  // namespace jc::pg
