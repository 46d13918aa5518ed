#include "transition_log.hpp"

extern "C" {
#include "commands/async.h"
#include "utils/json.h"
}

#include "catalog_cache.hpp"
#include "direct_write.hpp"
#include "format.hpp"
#include "job_counting.hpp"
#include "job_store.hpp"
#include "notifier.hpp"
#include "owner_spi.hpp"
#include "settings.hpp"

namespace jc::pg {

namespace {

void insert_history(const TransitionEvent& e) {
  // Written as the history's owner: writers of jobs need no INSERT right on
  // the audit trail. The recorded role is the caller's.
  Datum values[7] = {e.job_id,
                     e.company_id,
                     Datum(0),
                     Datum(0),
                     TimestampTzGetDatum(e.at),
                     CStringGetTextDatum(GetUserNameFromId(GetUserId(), false)),
                     e.executor};
  const bool nulls[7] = {false, false, e.from == nullptr, false,
                         false, false, !e.has_executor};
  // Without SQL the states are job_state values; the SQL statement takes
  // their labels (and raises the error a missing label deserves).
  const Oid from = e.from ? job_state_value(*e.from) : InvalidOid;
  const Oid to = job_state_value(e.to);
  if ((e.from == nullptr || OidIsValid(from)) && OidIsValid(to)) {
    values[2] = ObjectIdGetDatum(from);
    values[3] = ObjectIdGetDatum(to);
    if (insert_directly(DirectTable::kHistory, e.owner, values, nulls)) return;
  }
  values[2] = e.from ? CStringGetTextDatum(state_name(*e.from).data()) : 0;
  values[3] = CStringGetTextDatum(state_name(e.to).data());
  char spi_nulls[7];
  for (int i = 0; i < 7; ++i) spi_nulls[i] = nulls[i] ? 'n' : ' ';
  run_as_owner(e.owner, [&] {
    run_many(history_insert_statement(), values, spi_nulls, false);
  });
}

// {"job_id": ..., "company_id": ..., "from": ..., "to": ..., "executor": ...}
const char* notification_payload(const TransitionEvent& e) {
  StringInfoData payload;
  initStringInfo(&payload);
  char id[kUuidTextSize];
  format_uuid(DatumGetUUIDP(e.job_id)->data, id);
  appendStringInfoString(&payload, "{\"job_id\": \"");
  appendBinaryStringInfo(&payload, id, kUuidTextSize - 1);
  char company[MAXINT8LEN + 1];
  appendStringInfoString(&payload, "\", \"company_id\": ");
  appendBinaryStringInfo(&payload, company,
                         pg_lltoa(DatumGetInt64(e.company_id), company));
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
  count_transition(event.type, event.from, event.to, event.job_id, event.at);
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
