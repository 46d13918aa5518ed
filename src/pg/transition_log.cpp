#include "transition_log.hpp"

extern "C" {
#include "commands/async.h"
#include "utils/json.h"
}

#include "catalog_cache.hpp"
#include "direct_insert.hpp"
#include "job_store.hpp"
#include "notifier.hpp"
#include "owner_spi.hpp"
#include "settings.hpp"

namespace jc::pg {

namespace {

// The history row with the states as job_state values, written without SQL;
// false when it must be written with SQL.
bool insert_history_directly(const TransitionEvent& e, Datum role) {
  const Oid from = e.from ? job_state_value(*e.from) : InvalidOid;
  const Oid to = job_state_value(e.to);
  if ((e.from && !OidIsValid(from)) || !OidIsValid(to)) return false;
  const Datum values[7] = {e.job_id,
                           e.company_id,
                           ObjectIdGetDatum(from),
                           ObjectIdGetDatum(to),
                           TimestampTzGetDatum(e.at),
                           role,
                           e.executor};
  const bool nulls[7] = {false, false, e.from == nullptr, false,
                         false, false, !e.has_executor};
  return insert_directly(DirectTable::kHistory, e.owner, values, nulls);
}

void insert_history(const TransitionEvent& e) {
  // Written as the history's owner: writers of jobs need no INSERT right on
  // the audit trail. The recorded role is the caller's.
  const Datum role = CStringGetTextDatum(GetUserNameFromId(GetUserId(), false));
  if (insert_history_directly(e, role)) return;
  run_as_owner(e.owner, [&] {
    const Datum values[7] = {
        e.job_id,
        e.company_id,
        e.from ? CStringGetTextDatum(state_name(*e.from).data()) : Datum(0),
        CStringGetTextDatum(state_name(e.to).data()),
        TimestampTzGetDatum(e.at),
        role,
        e.executor};
    const char nulls[7] = {' ', ' ', e.from ? ' ' : 'n',        ' ',
                           ' ', ' ', e.has_executor ? ' ' : 'n'};
    run_many(history_insert_statement(), values, nulls, false);
  });
}

const char* notification_payload(const TransitionEvent& e) {
  StringInfoData payload;
  initStringInfo(&payload);
  appendStringInfo(&payload,
                   "{\"job_id\": \"%s\", \"company_id\": " INT64_FORMAT,
                   DatumGetCString(DirectFunctionCall1(uuid_out, e.job_id)),
                   DatumGetInt64(e.company_id));
  appendStringInfoString(&payload, ", \"from\": ");
  if (e.from) {
    escape_json(&payload, state_name(*e.from).data());
  } else {
    appendStringInfoString(&payload, "null");
  }
  appendStringInfoString(&payload, ", \"to\": ");
  escape_json(&payload, state_name(e.to).data());
  appendStringInfoString(&payload, ", \"executor\": ");
  if (e.has_executor) {
    escape_json(&payload, TextDatumGetCString(e.executor));
  } else {
    appendStringInfoString(&payload, "null");
  }
  appendStringInfoChar(&payload, '}');
  return payload.data;
}

}  // namespace

void prepare_transition_log() {
  history_insert_statement();
  prepare_notification_queue();
}

void record_transition(const TransitionEvent& event) {
  if (settings::history) insert_history(event);
  switch (settings::notify_mode()) {
    case settings::NotifyMode::kOff:
      break;
    case settings::NotifyMode::kAtCommit:
      Async_Notify(kNotifyChannel, notification_payload(event));
      break;
    case settings::NotifyMode::kDeferred:
      queue_notification(notification_payload(event), event.owner);
      break;
  }
}

}  // namespace jc::pg
