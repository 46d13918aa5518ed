// The triggers of job_control.jobs.
//
// jobs_maintain, BEFORE INSERT OR UPDATE of each row, keeps the timestamps
// (callers cannot set them on UPDATE), refuses any UPDATE that breaks the
// state table, so hand-written SQL cannot corrupt a job, and logs every state
// change (history, NOTIFY; see transition_log.hpp) and keeps the work index
// (work_index.hpp) on UPDATE.
//
// jobs_track, AFTER INSERT OR DELETE of each row and AFTER TRUNCATE: what only
// a row really inserted or deleted may cause. A new job is logged and enters
// the work index (an INSERT ... ON CONFLICT DO NOTHING that skips its row
// fires BEFORE triggers, not AFTER ones); a deleted job leaves it.
//
// Installs before 1.2 have no work index and no jobs_track: there the BEFORE
// trigger, created without the argument 'work_index', logs new jobs itself.
#include "postgres_headers.hpp"

#include "catalog_cache.hpp"
#include "guard.hpp"
#include "job_row.hpp"
#include "job_state.hpp"
#include "terminal_exit_permit.hpp"
#include "transition_log.hpp"
#include "work_index_upkeep.hpp"

namespace jc::pg {

namespace {

// `failures` must be a JSON array: checked here rather than by a CHECK
// constraint, which PostgreSQL re-plans on every statement. Only the header
// of the value is read.
void check_failures(HeapTuple row, TupleDesc desc, int attnum) {
  bool is_null;
  const Datum value = heap_getattr(row, attnum, desc, &is_null);
  if (is_null) return;  // NOT NULL reports it
  auto* header = reinterpret_cast<Jsonb*>(
      PG_DETOAST_DATUM_SLICE(value, 0, static_cast<int32>(sizeof(uint32))));
  if (!JB_ROOT_IS_ARRAY(header) || JB_ROOT_IS_SCALAR(header)) {
    ereport(ERROR, (errcode(ERRCODE_CHECK_VIOLATION),
                    errmsg("failures of a job must be a JSON array")));
  }
}

struct Stamp {
  Datum value;
  bool is_null;
};

Stamp get_stamp(HeapTuple tuple, TupleDesc desc, int attnum) {
  Stamp s;
  s.value = heap_getattr(tuple, attnum, desc, &s.is_null);
  return s;
}

HeapTuple set_stamps(HeapTuple tuple, TupleDesc desc, const JobAttnums& cols,
                     Stamp created, Stamp updated, Stamp completed) {
  int attnums[3] = {cols.created_at, cols.updated_at, cols.completed_at};
  Datum values[3] = {created.value, updated.value, completed.value};
  bool nulls[3] = {created.is_null, updated.is_null, completed.is_null};
  return heap_modify_tuple_by_cols(tuple, desc, 3, attnums, values, nulls);
}

Stamp stamp(TimestampTz t) { return {TimestampTzGetDatum(t), false}; }
constexpr Stamp kNoStamp{Datum(0), true};

// Logs the change of `row` (the new version) from `from` (nullptr: created).
void log_transition(HeapTuple row, TupleDesc desc, const JobAttnums& cols,
                    const JobState* from, JobState to, TimestampTz at,
                    Oid owner) {
  TransitionEvent e{};
  bool is_null;
  e.job_id = heap_getattr(row, cols.job_id, desc, &is_null);
  e.company_id = heap_getattr(row, cols.company_id, desc, &is_null);
  e.type = heap_getattr(row, cols.job_columns[kColType], desc, &is_null);
  e.from = from;
  e.to = to;
  e.at = at;
  e.executor = heap_getattr(row, cols.executor, desc, &is_null);
  e.has_executor = !is_null;
  e.owner = owner;
  record_transition(e);
}

IndexedJob indexed_job(HeapTuple row, TupleDesc desc, const JobAttnums& cols) {
  bool is_null;
  IndexedJob job{
      heap_getattr(row, cols.job_id, desc, &is_null),
      heap_getattr(row, cols.company_id, desc, &is_null),
      heap_getattr(row, cols.created_at, desc, &is_null),
      heap_getattr(row, cols.job_columns[kColType], desc, &is_null),
      heap_getattr(row, cols.job_columns[kColDataPlaneId], desc, &is_null),
      false};
  job.has_data_plane = !is_null;
  return job;
}

JobState row_job_state(HeapTuple row, TupleDesc desc, const JobAttnums& cols) {
  bool is_null;
  return enum_job_state(heap_getattr(row, cols.state, desc, &is_null));
}

// INSERT: fill what is missing, keep what is given, so that a restore or a
// bulk load with timestamps is exact. Before 1.2 (no work index) a new job (no
// created_at given) is logged here; from 1.2 jobs_track logs it once the row
// is really in. A restored job's history is restored with it.
HeapTuple on_insert(HeapTuple row, TupleDesc desc, const JobAttnums& cols,
                    Oid owner, bool work_index) {
  const TimestampTz now = GetCurrentTimestamp();
  Stamp created = get_stamp(row, desc, cols.created_at);
  Stamp updated = get_stamp(row, desc, cols.updated_at);
  Stamp completed = get_stamp(row, desc, cols.completed_at);
  const JobState state = row_job_state(row, desc, cols);
  const bool is_new = created.is_null;
  if (created.is_null) created = stamp(now);
  if (updated.is_null) updated = created;
  if (completed.is_null && is_terminal(state)) completed = updated;
  HeapTuple stamped = set_stamps(row, desc, cols, created, updated, completed);
  if (is_new && !work_index) {
    log_transition(stamped, desc, cols, nullptr, state,
                   DatumGetTimestampTz(updated.value), owner);
  }
  return stamped;
}

[[noreturn]] void refuse_transition(HeapTuple row, TupleDesc desc,
                                    const JobAttnums& cols, JobState from,
                                    JobState to) {
  bool is_null;
  const Datum id = heap_getattr(row, cols.job_id, desc, &is_null);
  const std::string_view from_name = state_name(from);
  const std::string_view to_name = state_name(to);
  ereport(ERROR,
          (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
           errmsg("cannot move job \"%s\" from %.*s to %.*s",
                  is_null ? "?"
                          : DatumGetCString(DirectFunctionCall1(uuid_out, id)),
                  static_cast<int>(from_name.size()), from_name.data(),
                  static_cast<int>(to_name.size()), to_name.data()),
           errdetail("The job is %.*s; only the moves of the job state table "
                     "are allowed.",
                     static_cast<int>(from_name.size()), from_name.data()),
           errhint("Use the job_control functions to change a job's state.")));
  pg_unreachable();
}

// UPDATE: refuse moves outside the state table; created_at never changes,
// updated_at strictly increases (also within one transaction, whose now() is
// fixed), completed_at is set when the job enters a terminal state.
HeapTuple on_update(HeapTuple old_row, HeapTuple new_row, TupleDesc desc,
                    const JobAttnums& cols, Oid owner, bool work_index) {
  bool is_null;
  const JobState from = row_job_state(old_row, desc, cols);
  const JobState to = row_job_state(new_row, desc, cols);
  if (from != to &&
      !transition_allowed(from, to,
                          terminal_exit_permitted(DatumGetUUIDP(heap_getattr(
                              old_row, cols.job_id, desc, &is_null))))) {
    refuse_transition(old_row, desc, cols, from, to);
  }
  const Stamp created = get_stamp(old_row, desc, cols.created_at);
  const Stamp old_updated = get_stamp(old_row, desc, cols.updated_at);
  TimestampTz updated = GetCurrentTimestamp();
  if (!old_updated.is_null) {
    const TimestampTz previous = DatumGetTimestampTz(old_updated.value);
    if (updated <= previous && previous < DT_NOEND) updated = previous + 1;
  }
  Stamp completed = kNoStamp;
  if (is_terminal(to)) {
    completed = is_terminal(from) ? get_stamp(old_row, desc, cols.completed_at)
                                  : stamp(updated);
  }
  HeapTuple stamped =
      set_stamps(new_row, desc, cols, created, stamp(updated), completed);
  if (from != to) {
    log_transition(stamped, desc, cols, &from, to, updated, owner);
    const WorkIndexChange change = work_index_change(from, to);
    if (work_index && change.any()) {
      apply_work_index_change(change, indexed_job(stamped, desc, cols), owner);
    }
  } else if (work_index && is_queued(to)) {
    // A pending job given another type, data plane or company (by hand)
    // moves to its new place in the queue.
    const IndexedJob job = indexed_job(stamped, desc, cols);
    if (job.lane_differs(indexed_job(old_row, desc, cols))) {
      apply_work_index_change(WorkIndexChange{true, true, false}, job, owner);
    }
  }
  return stamped;
}

TriggerData* trigger_data(FunctionCallInfo fcinfo, const char* name) {
  if (!CALLED_AS_TRIGGER(fcinfo)) {
    elog(ERROR, "job_control: %s must be called as a trigger", name);
  }
  return reinterpret_cast<TriggerData*>(fcinfo->context);
}

// The owner of the jobs table owns the history and the work index too (the
// extension).
Oid owner_of(const TriggerData* trigger) {
  return trigger->tg_relation->rd_rel->relowner;
}

Datum maintain(FunctionCallInfo fcinfo) {
  TriggerData* trigger = trigger_data(fcinfo, "jobs_maintain");
  if (!TRIGGER_FIRED_BEFORE(trigger->tg_event) ||
      !TRIGGER_FIRED_FOR_ROW(trigger->tg_event)) {
    elog(ERROR, "job_control: jobs_maintain must be a BEFORE ROW trigger");
  }
  TupleDesc desc = trigger->tg_relation->rd_att;
  const JobAttnums& cols = job_attnums(trigger->tg_relation);
  const bool work_index =
      trigger->tg_trigger->tgnargs == 1 &&
      strcmp(trigger->tg_trigger->tgargs[0], "work_index") == 0;
  if (TRIGGER_FIRED_BY_INSERT(trigger->tg_event)) {
    check_failures(trigger->tg_trigtuple, desc, cols.failures);
    return PointerGetDatum(on_insert(trigger->tg_trigtuple, desc, cols,
                                     owner_of(trigger), work_index));
  }
  if (TRIGGER_FIRED_BY_UPDATE(trigger->tg_event)) {
    check_failures(trigger->tg_newtuple, desc, cols.failures);
    return PointerGetDatum(on_update(trigger->tg_trigtuple,
                                     trigger->tg_newtuple, desc, cols,
                                     owner_of(trigger), work_index));
  }
  elog(ERROR, "job_control: jobs_maintain fires on INSERT or UPDATE only");
  return Datum(0);
}

Datum maintain_impl(FunctionCallInfo fcinfo) {
  prepare_transition_log();
  prepare_work_index();
  return pg_guarded([&] { return maintain(fcinfo); });
}

// A job inserted by this transaction with the timestamps the BEFORE trigger
// gave it is new; a restored or bulk-loaded job carries older ones (and its
// history comes with it).
bool created_in_this_transaction(HeapTuple row, TupleDesc desc,
                                 const JobAttnums& cols) {
  bool is_null;
  const Datum created = heap_getattr(row, cols.created_at, desc, &is_null);
  return !is_null &&
         DatumGetTimestampTz(created) >= GetCurrentTransactionStartTimestamp();
}

Datum track(FunctionCallInfo fcinfo) {
  TriggerData* trigger = trigger_data(fcinfo, "jobs_track");
  if (!TRIGGER_FIRED_AFTER(trigger->tg_event)) {
    elog(ERROR, "job_control: jobs_track must be an AFTER trigger");
  }
  const Oid owner = owner_of(trigger);
  if (TRIGGER_FIRED_BY_TRUNCATE(trigger->tg_event)) {
    clear_work_index(owner);
    return PointerGetDatum(nullptr);
  }
  if (!TRIGGER_FIRED_FOR_ROW(trigger->tg_event)) {
    elog(ERROR, "job_control: jobs_track fires for each row or on TRUNCATE");
  }
  TupleDesc desc = trigger->tg_relation->rd_att;
  const JobAttnums& cols = job_attnums(trigger->tg_relation);
  HeapTuple row = trigger->tg_trigtuple;
  const JobState state = row_job_state(row, desc, cols);
  const IndexedJob job = indexed_job(row, desc, cols);
  if (TRIGGER_FIRED_BY_INSERT(trigger->tg_event)) {
    if (created_in_this_transaction(row, desc, cols)) {
      bool is_null;
      log_transition(row, desc, cols, nullptr, state,
                     DatumGetTimestampTz(
                         heap_getattr(row, cols.updated_at, desc, &is_null)),
                     owner);
    }
    apply_work_index_change(work_index_change(std::nullopt, state), job, owner);
  } else if (TRIGGER_FIRED_BY_DELETE(trigger->tg_event)) {
    forget_job(job.job_id, is_queued(state), owner);
  } else {
    elog(ERROR, "job_control: jobs_track fires on INSERT, DELETE or TRUNCATE");
  }
  return PointerGetDatum(nullptr);
}

Datum track_impl(FunctionCallInfo fcinfo) {
  prepare_transition_log();
  prepare_work_index();
  return pg_guarded([&] { return track(fcinfo); });
}

}  // namespace

}  // namespace jc::pg

JOB_CONTROL_ENTRY_POINT(jobs_maintain, jc::pg::maintain_impl)
JOB_CONTROL_ENTRY_POINT(jobs_track, jc::pg::track_impl)
