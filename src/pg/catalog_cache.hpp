// Per-backend caches of catalog facts the hot paths need on every call: the
// labels of enum values, and the attribute numbers of the jobs table's
// columns the trigger reads. Both are dropped by PostgreSQL's invalidation
// callbacks (ALTER TYPE, DROP EXTENSION, ALTER TABLE), never served stale.
#pragma once

#include "postgres_headers.hpp"

#include <initializer_list>

#include "job_state.hpp"

namespace jc::pg {

// Registers the invalidation callbacks; called once by _PG_init.
void register_catalog_caches();

// Look-ups in the extension's schema (for the caches below and in other
// files, which keep what they find): InvalidOid when the schema, or the
// object in it, is missing.
Oid job_control_schema();
Oid job_control_relation(const char* name);
Oid job_control_type(const char* name);
Oid job_state_type();

// The label of an enum value, e.g. "pending" (palloc'd copy).
const char* enum_label(Datum enum_value);
JobState enum_job_state(Datum enum_value);
// The job_control.job_state value of `state`; InvalidOid when the type or
// the label is missing.
Oid job_state_value(JobState state);

// Attribute numbers of the jobs table's columns: those the trigger uses, and
// `job_columns[c]`, the attnum of JobColumn c (job_row.hpp), so that a table
// row reads as a result row of kJobColumns.
inline constexpr int kJobColumnCount = 15;
struct JobAttnums {
  int job_columns[kJobColumnCount + 1];
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

// Whether `index` is a valid btree of `table`, without expressions or a
// predicate, on exactly `keys` in order, ascending, in their types' default
// operator classes; and, if `unique`, a unique index checked immediately.
struct KeyColumn {
  int attnum;
  Oid type;
};
bool is_plain_btree(Oid index, Oid table, std::initializer_list<KeyColumn> keys,
                    bool unique);

// Whether the calls without SQL may read and write `rel` with the heap's
// routines as a statement would: an ordinary heap table (not partitioned,
// not a partition, no other table access method) without inheritance
// children, which a statement on it would also read.
bool is_plain_heap(Relation rel);

// job_control.jobs and its primary key index, cached until the relcache
// invalidates them (a guarded body). Returned by value: any catalog lookup
// may process an invalidation (a VACUUM's or ANALYZE's) that resets the
// cache, and a reference held across it would read zeros. `primary_key` is
// InvalidOid unless the key is the extension's (a unique btree on job_id alone)
// and the table is_plain_heap: then every call runs its statements.
struct JobsRelation {
  Oid table;
  Oid primary_key;
  bool only_tenant_policy;  // see tenant_policy.hpp
  bool updates_plainly;     // see job_move.hpp
};
JobsRelation jobs_relation();

// job_control.job_queue as a claim without SQL reads it (queue_claim.hpp),
// cached like JobsRelation: the table, the attribute numbers of its columns
// (0: missing; type and data_plane_id came in 1.4), whether its only policy
// is the extension's (tenant_policy.hpp), and its indexes in claim order,
// each a valid, whole btree, ascending, with the types' default operator
// classes, or InvalidOid (all of them when the queue is not is_plain_heap):
// job_queue_order on (created_at, job_id), job_queue_type_order on (type,
// created_at, job_id) and job_queue_plane_order on (data_plane_id, type,
// created_at, job_id). `table` is InvalidOid when the queue is missing
// (before 1.2).
struct QueueRelation {
  Oid table;
  Oid order_index;
  Oid type_index;
  Oid plane_index;
  int job_id;
  int company_id;
  int created_at;
  int type;
  int data_plane_id;
  Oid type_type;  // the type of column `type`
  bool only_reader_policy;
};
QueueRelation queue_relation();

}  // namespace jc::pg
