#include "json_args.hpp"

#include <cstring>

namespace jc::pg {

namespace {

JsonField field_of(const JsonbValue& v) {
  switch (v.type) {
    case jbvNull:
      return {JsonKind::kNull, {}};
    case jbvString:
      return {JsonKind::kString,
              std::string_view(v.val.string.val,
                               static_cast<std::size_t>(v.val.string.len))};
    case jbvNumeric:
      return {JsonKind::kNumber,
              DatumGetCString(DirectFunctionCall1(
                  numeric_out, NumericGetDatum(v.val.numeric)))};
    case jbvBool:
      return {JsonKind::kBool, {}};
    case jbvBinary:
      return {JsonContainerIsObject(v.val.binary.data) ? JsonKind::kObject
                                                       : JsonKind::kArray,
              {}};
    default:
      return {JsonKind::kMissing, {}};
  }
}

}  // namespace

JsonKind jsonb_kind(Jsonb* value) {
  if (JB_ROOT_IS_OBJECT(value)) return JsonKind::kObject;
  if (!JB_ROOT_IS_SCALAR(value)) return JsonKind::kArray;
  JsonbValue scalar;
  JsonbExtractScalar(&value->root, &scalar);
  return field_of(scalar).kind;
}

JsonField jsonb_member(Jsonb* object, const char* key) {
  if (!JB_ROOT_IS_OBJECT(object)) return {};
  JsonbValue v;
  if (getKeyJsonValueFromContainer(&object->root, key,
                                   static_cast<int>(std::strlen(key)),
                                   &v) == nullptr) {
    return {};
  }
  return field_of(v);
}

}  // namespace jc::pg
