// The shared library's magic block.
#include "postgres_headers.hpp"

extern "C" {
PG_MODULE_MAGIC;
}
