// Reading jsonb arguments into the plain views the core validates. Must run
// inside pg_guarded(); the returned views point into palloc'd memory.
#pragma once

#include "postgres_headers.hpp"

#include "validation.hpp"

namespace jc::pg {

JsonKind jsonb_kind(Jsonb* value);

// The member `key` of a jsonb object (kMissing when `object` is not one).
JsonField jsonb_member(Jsonb* object, const char* key);

}  // namespace jc::pg
