#include "direct_write.hpp"

extern "C" {
#include "access/genam.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/dependency.h"
#include "commands/sequence.h"
#include "executor/executor.h"
#include "storage/lmgr.h"
#include "utils/inval.h"
#include "utils/rel.h"
}

#include <cstddef>
#include <cstring>

#include "caller_access.hpp"
#include "catalog_cache.hpp"
#include "key_lookup.hpp"
#include "owner_spi.hpp"
#include "pg_compat.hpp"

namespace jc::pg {

namespace {

struct Column {
  const char* name;
  Oid type;       // InvalidOid: the extension's type `enum_name`
  bool identity;  // GENERATED ... AS IDENTITY
  const char* enum_name = nullptr;
};
constexpr Column kStateColumn(const char* name) {
  return {name, InvalidOid, false, "job_state"};
}

// The tables' columns in the order the extension created them: rows are
// filled by position.
constexpr Column kHistoryColumns[] = {
    {"job_id", UUIDOID, false},
    {"company_id", INT8OID, false},
    kStateColumn("from_state"),
    kStateColumn("to_state"),
    {"transitioned_at", TIMESTAMPTZOID, false},
    {"role", TEXTOID, false},
    {"executor", TEXTOID, false}};
constexpr Column kQueueColumns[] = {{"id", INT8OID, true},
                                    {"payload", TEXTOID, false}};
// From 1.4 (a queue of 1.2 or 1.3 is written with SQL until updated).
constexpr Column kPendingQueueColumns[] = {
    {"job_id", UUIDOID, false},
    {"company_id", INT8OID, false},
    {"created_at", TIMESTAMPTZOID, false},
    {"type", InvalidOid, false, "job_type"},
    {"data_plane_id", UUIDOID, false}};
constexpr Column kLeaseColumns[] = {{"job_id", UUIDOID, false},
                                    {"company_id", INT8OID, false}};

// A table's definition and the per-backend cache of what was found of it,
// dropped by any invalidation of the table.
struct Target {
  const char* name;  // in schema job_control
  const Column* columns;
  int column_count;
  bool keyed;  // by its first column, job_id: its primary key
  bool known;
  Oid table;
  bool usable;            // its columns are `columns`
  Oid identity_sequence;  // InvalidOid: no identity column
  int identity_column;
  Oid key_index;  // the primary key on job_id, if keyed and as created
};

template <std::size_t N>
constexpr Target target(const char* name, const Column (&columns)[N],
                        bool keyed) {
  return {name,       columns, static_cast<int>(N), keyed, false,
          InvalidOid, false,   InvalidOid,          -1,    InvalidOid};
}

Target g_targets[] = {
    target("job_transitions", kHistoryColumns, false),
    target("job_notifications", kQueueColumns, false),
    target("job_queue", kPendingQueueColumns, true),
    target("job_leases", kLeaseColumns, true),
};

Target& target_of(DirectTable which) {
  return g_targets[static_cast<int>(which)];
}

void forget_layout(Datum, Oid relid) {
  for (Target& t : g_targets) {
    if (relid == InvalidOid || relid == t.table || relid == t.key_index) {
      t.known = false;
    }
  }
}

bool has_column(Form_pg_attribute att, const Column& column) {
  const Oid type = OidIsValid(column.type) ? column.type
                                           : job_control_type(column.enum_name);
  return !att->attisdropped && att->attgenerated == '\0' &&
         att->atttypid == type &&
         (att->attidentity != '\0') == column.identity &&
         std::strcmp(NameStr(att->attname), column.name) == 0;
}

void read_layout(Target& t, Oid table) {
  t.known = true;
  t.table = table;
  t.usable = false;
  t.identity_sequence = InvalidOid;
  t.identity_column = -1;
  t.key_index = InvalidOid;
  Relation rel = table_open(table, AccessShareLock);
  const TupleDesc desc = RelationGetDescr(rel);
  bool same = desc->natts == t.column_count;
  for (int i = 0; same && i < t.column_count; ++i) {
    same = has_column(TupleDescAttr(desc, i), t.columns[i]);
    if (same && t.columns[i].identity) {
      t.identity_column = i;
      t.identity_sequence =
          compat::identity_sequence(rel, static_cast<AttrNumber>(i + 1));
    }
  }
  if (same && t.keyed) {
    const Oid key = compat::primary_key_index(rel);
    if (is_plain_btree(key, table, {{1, UUIDOID}}, true)) t.key_index = key;
  }
  table_close(rel, NoLock);
  t.usable = same;
}

// The target's layout, or nullptr when the row must be written with SQL. A
// missing table is looked up again on every call (an extension update may
// create it, and no invalidation would name it).
const Target* layout(Target& t) {
  if (!t.known) {
    const Oid table = job_control_relation(t.name);
    if (!OidIsValid(table)) return nullptr;
    read_layout(t, table);
  }
  return t.usable ? &t : nullptr;
}

// What the SQL statement would do besides the row, its indexes and
// constraints: fire triggers, apply rules, route to a partition, reach
// inheritance children, use another table access method, check row security
// (the table's owner is exempt from its policies unless they are forced).
bool needs_sql(Relation rel, Oid writer) {
  const Form_pg_class c = rel->rd_rel;
  const bool policies_apply =
      c->relrowsecurity && (c->relforcerowsecurity || c->relowner != writer);
  return !is_plain_heap(rel) || policies_apply || rel->rd_rules != nullptr ||
         rel->trigdesc != nullptr;
}

// A slot holding the row: values and nulls of every column by position.
TupleTableSlot* row_slot(Relation rel, const Target& t, const Datum* values,
                         const bool* nulls) {
  TupleTableSlot* slot =
      MakeSingleTupleTableSlot(RelationGetDescr(rel), &TTSOpsVirtual);
  std::memcpy(slot->tts_values, values, t.column_count * sizeof(Datum));
  std::memcpy(slot->tts_isnull, nulls, t.column_count * sizeof(bool));
  return slot;
}

// The executor state of one write into `rel`, its indexes open.
ResultRelInfo* begin_write(Relation rel, EState* estate, bool speculative) {
  estate->es_output_cid = GetCurrentCommandId(true);
  ResultRelInfo* target = makeNode(ResultRelInfo);
  InitResultRelInfo(target, rel, 0, nullptr, 0);
  ExecOpenIndices(target, speculative);
  return target;
}

void end_write(ResultRelInfo* target, EState* estate, TupleTableSlot* slot) {
  ExecCloseIndices(target);
  FreeExecutorState(estate);
  ExecDropSingleTupleTableSlot(slot);
}

void insert_row(Relation rel, const Target& t, Oid writer, const Datum* values,
                const bool* nulls) {
  TupleTableSlot* slot = row_slot(rel, t, values, nulls);
  EState* estate = CreateExecutorState();
  ResultRelInfo* target = begin_write(rel, estate, false);
  // As the writer, as the SQL INSERT would run: the identity's sequence,
  // index expressions and CHECK constraints a DBA added see its rights.
  as_user(writer, [&] {
    if (t.identity_column >= 0) {
      slot->tts_values[t.identity_column] =
          Int64GetDatum(nextval_internal(t.identity_sequence, true));
      slot->tts_isnull[t.identity_column] = false;
    }
    ExecStoreVirtualTuple(slot);
    ExecSimpleRelationInsert(target, estate, slot);
  });
  end_write(target, estate, slot);
}

// INSERT ... ON CONFLICT (job_id) DO NOTHING as the executor runs it: the
// key looked for (waiting for a transaction in progress that holds it), then
// the row inserted speculatively and confirmed unless its index entry met
// one inserted meanwhile, in which case the look starts again.
void insert_row_unless_present(Relation rel, const Target& t, Oid writer,
                               const Datum* values, const bool* nulls) {
  TupleTableSlot* slot = row_slot(rel, t, values, nulls);
  EState* estate = CreateExecutorState();
  ResultRelInfo* target = begin_write(rel, estate, true);
  List* arbiters = list_make1_oid(t.key_index);
  as_user(writer, [&] {
    ExecStoreVirtualTuple(slot);
    if (RelationGetDescr(rel)->constr != nullptr) {
      ExecConstraints(target, slot, estate);
    }
    for (;;) {
      ItemPointerData conflict;
      if (!compat::no_index_conflict(target, slot, estate, &conflict,
                                     arbiters)) {
        break;  // present
      }
      const TransactionId xid = GetCurrentTransactionId();
      const uint32 token = SpeculativeInsertionLockAcquire(xid);
      table_tuple_insert_speculative(rel, slot, estate->es_output_cid, 0,
                                     nullptr, token);
      bool conflicted = false;
      list_free(compat::insert_index_entries_speculatively(
          target, slot, estate, &conflicted, arbiters));
      table_tuple_complete_speculative(rel, slot, token, !conflicted);
      SpeculativeInsertionLockRelease(xid);
      if (!conflicted) break;
    }
  });
  list_free(arbiters);
  end_write(target, estate, slot);
}

// DELETE ... WHERE job_id = $1 as the executor runs it, for a key held by
// at most one row: false, having deleted nothing, when the row was updated
// by a transaction that committed meanwhile (the statement would follow it).
bool delete_row(Relation rel, const Target& t, Datum job_id) {
  Relation index = index_open(t.key_index, RowExclusiveLock);
  const KeyLookup lookup = begin_key_lookup(rel, index, job_id);
  bool settled = true;
  if (lookup.found) {
    TM_FailureData failure;
    const TM_Result result = table_tuple_delete(
        rel, &lookup.row->tts_tid, GetCurrentCommandId(true), lookup.snapshot,
        InvalidSnapshot, true, &failure, false);
    // Deleted, or already gone (by another transaction or this command).
    settled =
        result == TM_Ok || result == TM_Deleted || result == TM_SelfModified;
  }
  end_key_lookup(lookup);
  index_close(index, NoLock);
  return settled;
}

// `table` opened with RowExclusiveLock for a write without SQL by `writer`,
// who needs `rights` on it, or nullptr when the row must be written with
// SQL. A keyed write also needs the primary key and READ COMMITTED.
Relation open_target(DirectTable which, Oid writer, AclMode rights,
                     bool keyed) {
  if ((keyed && IsolationUsesXactSnapshot()) || !tables_are_local()) {
    return nullptr;
  }
  Target& t = target_of(which);
  const Target* before = layout(t);
  if (before == nullptr) return nullptr;
  const Oid table = before->table;
  if (pg_class_aclmask(table, writer, rights, ACLMASK_ALL) != rights) {
    return nullptr;
  }
  // Locking the table applies the invalidations queued before the lock: the
  // layout is read again, and must still be this table's.
  Relation rel = try_table_open(table, RowExclusiveLock);
  if (rel == nullptr) return nullptr;
  const Target* now = layout(t);
  if (now == nullptr || now->table != table || needs_sql(rel, writer) ||
      (keyed && !OidIsValid(now->key_index))) {
    table_close(rel, NoLock);
    return nullptr;
  }
  return rel;
}

// Says, at DEBUG1, that a row of `which` goes to SQL (a DBA who changed the
// table can see what became of its writes); returns false.
bool written_with_sql(DirectTable which) {
  elog(DEBUG1, "job_control: a row of job_control.%s is written with SQL",
       target_of(which).name);
  return false;
}

// Both inserts: a keyed one does nothing when its key is present.
bool insert_into(DirectTable which, Oid writer, const Datum* values,
                 const bool* nulls, bool keyed) {
  Relation rel = open_target(which, writer, ACL_INSERT, keyed);
  if (rel == nullptr) return written_with_sql(which);
  const Target& t = target_of(which);
  if (keyed) {
    insert_row_unless_present(rel, t, writer, values, nulls);
  } else {
    insert_row(rel, t, writer, values, nulls);
  }
  table_close(rel, NoLock);
  return true;
}

}  // namespace

void register_direct_tables() {
  CacheRegisterRelcacheCallback(forget_layout, Datum(0));
}

bool insert_directly(DirectTable which, Oid writer, const Datum* values,
                     const bool* nulls) {
  return insert_into(which, writer, values, nulls, false);
}

bool insert_unless_present(DirectTable which, Oid writer, const Datum* values,
                           const bool* nulls) {
  return insert_into(which, writer, values, nulls, true);
}

bool delete_directly(DirectTable which, Oid writer, Datum job_id) {
  Relation rel = open_target(which, writer, ACL_DELETE | ACL_SELECT, true);
  if (rel == nullptr) return written_with_sql(which);
  const bool deleted = delete_row(rel, target_of(which), job_id);
  table_close(rel, NoLock);
  return deleted || written_with_sql(which);
}

}  // namespace jc::pg
