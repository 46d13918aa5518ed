// The shared library's magic block and initialization.
#include "postgres_headers.hpp"

#include "catalog_cache.hpp"
#include "direct_write.hpp"
#include "job_counting.hpp"
#include "job_move.hpp"
#include "notifier.hpp"
#include "settings.hpp"

extern "C" {
PG_MODULE_MAGIC;

void _PG_init(void);

void _PG_init(void) {
  jc::pg::settings::define();
  jc::pg::register_catalog_caches();
  jc::pg::register_direct_tables();
  jc::pg::register_prepared_checks();
  jc::pg::register_notifier_wakeup();
  jc::pg::register_counting();
}
}
