// The shared library's magic block and initialization.
#include "postgres_headers.hpp"

#include "settings.hpp"

extern "C" {
PG_MODULE_MAGIC;

void _PG_init(void);

void _PG_init(void) { jc::pg::settings::define(); }
}
