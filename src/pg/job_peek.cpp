#include "job_peek.hpp"

extern "C" {
#include "access/genam.h"
#include "access/relscan.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "executor/tuptable.h"
#include "utils/fmgroids.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"
}

#include "catalog_cache.hpp"
#include "job_row.hpp"
#include "settings.hpp"

namespace jc::pg {

namespace {

// How the caller may see the jobs, as the UPDATE of the SQL path would.
enum class Access { kSqlPathNeeded, kAllJobs, kCompanyJobs };

Access caller_access(const JobsRelation& relation) {
  // A read-only transaction (or a standby) refuses the UPDATE: 25006.
  if (XactReadOnly) return Access::kSqlPathNeeded;
  const Oid user = GetUserId();
  if (pg_class_aclcheck(relation.table, user, ACL_SELECT) != ACLCHECK_OK ||
      pg_class_aclcheck(relation.table, user, ACL_UPDATE) != ACLCHECK_OK) {
    return Access::kSqlPathNeeded;  // which raises 42501
  }
  if (check_enable_rls(relation.table, InvalidOid, true) != RLS_ENABLED) {
    return Access::kAllJobs;
  }
  // Bound by row security: applied here only if it is the extension's own
  // tenant policy, and row_security is on (off, the SQL path raises).
  if (!row_security || !relation.only_tenant_policy) {
    return Access::kSqlPathNeeded;
  }
  return settings::has_company() ? Access::kCompanyJobs : Access::kAllJobs;
}

// Reads the job into `peek`; builds its jsonb if `op` leaves it as it is.
void read_job(Relation jobs, Relation primary_key, Datum id, Operation op,
              const std::string_view* fence, Access access, Peek* peek) {
  // As SPI does before a statement that may write: earlier changes of this
  // statement (another call in the same SELECT list) become visible.
  CommandCounterIncrement();
  Snapshot snapshot = RegisterSnapshot(GetTransactionSnapshot());
  ScanKeyData key;
  ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_UUID_EQ, id);
  IndexScanDesc scan = index_beginscan(jobs, primary_key, snapshot, 1, 0);
  index_rescan(scan, &key, 1, nullptr, 0);
  TupleTableSlot* slot = table_slot_create(jobs, nullptr);
  const JobAttnums& attnums = job_attnums(jobs);
  bool is_null;
  // A job of another company does not exist for a tenant session.
  if (index_getnext_slot(scan, ForwardScanDirection, slot) &&
      (access != Access::kCompanyJobs ||
       DatumGetInt64(slot_getattr(slot, attnums.company_id, &is_null)) ==
           settings::company())) {
    bool should_free;
    const JobRow row{ExecFetchSlotHeapTuple(slot, false, &should_free),
                     RelationGetDescr(jobs), 0, attnums.job_columns};
    peek->found = true;
    peek->state = row_state(row);
    std::string_view executor;
    peek->has_executor = row_executor(row, &executor);
    if (peek->has_executor) {
      peek->executor =
          pnstrdup(executor.data(), static_cast<Size>(executor.size()));
    }
    const bool fence_holds =
        fence == nullptr || (peek->has_executor && executor == *fence);
    if (fence_holds && decide(op, peek->state).effect == Effect::kNoOp) {
      peek->job = JsonbPGetDatum(job_to_jsonb(row));
    }
  }
  ExecDropSingleTupleTableSlot(slot);
  index_endscan(scan);
  UnregisterSnapshot(snapshot);
}

}  // namespace

Peek peek_job(Datum id, Operation op, const std::string_view* fence) {
  Peek peek{};
  const JobsRelation& relation = jobs_relation();
  const Access access = caller_access(relation);
  if (access == Access::kSqlPathNeeded) return peek;
  peek.usable = true;
  // Locks as a SELECT takes them, held to the end of the transaction.
  Relation jobs = table_open(relation.table, AccessShareLock);
  Relation primary_key = index_open(relation.primary_key, AccessShareLock);
  read_job(jobs, primary_key, id, op, fence, access, &peek);
  index_close(primary_key, NoLock);
  table_close(jobs, NoLock);
  return peek;
}

}  // namespace jc::pg
