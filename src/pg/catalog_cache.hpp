// Per-backend caches of catalog facts the hot paths need on every call: the
// labels of enum values, and the attribute numbers of the jobs table's
// columns the trigger reads. Both are dropped by PostgreSQL's invalidation
// callbacks (ALTER TYPE, DROP EXTENSION, ALTER TABLE), never served stale.
#pragma once

#include "postgres_headers.hpp"

#include "job_state.hpp"

namespace jc::pg {

// Registers the invalidation callbacks; called once by _PG_init.
void register_catalog_caches();

// The label of an enum value, e.g. "pending" (palloc'd copy).
const char* enum_label(Datum enum_value);
JobState enum_job_state(Datum enum_value);

// Attribute numbers of the jobs table columns the trigger uses.
struct JobAttnums {
  int state;
  int created_at;
  int updated_at;
  int completed_at;
  int job_id;
  int company_id;
  int executor;
  int failures;
};
const JobAttnums& job_attnums(Relation jobs);

}  // namespace jc::pg
