// Reading a list of libraries as shared_preload_libraries holds it, to tell
// whether a given library is loaded into every backend.
#pragma once

#include <string_view>

namespace jc {

// Whether `libraries` (comma-separated, each name or path optionally
// double-quoted, with blanks around) names the library `name`: as itself,
// as a path ending in it ("$libdir/citus"), or with a file extension
// ("citus.so").
bool lists_library(std::string_view libraries, std::string_view name) noexcept;

}  // namespace jc
