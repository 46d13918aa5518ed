// The functions of the jobs table's CHECK constraints. PostgreSQL reads and
// plans a table's CHECK expressions again for every statement that writes
// it (ExecRelCheck: stringToNode, then the expression planner); a call of
// one C function is cheaper to read and plan than the SQL expressions these
// replace (13.6% of a job_fail in a profile), and keeps their meaning. Like
// current_company(), they hold no C++ object and raise only PostgreSQL's
// own errors.
#include "postgres_headers.hpp"

#include "catalog_cache.hpp"
#include "job_state.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(job_company_matches_request_source);
PG_FUNCTION_INFO_V1(job_completed_at_matches_state);

// company_matches_request_source(company_id, request_source): what
// company_id = (request_source ->> 'company_id')::bigint was, NULL
// included (no such key, or not an object: the row passes).
Datum job_company_matches_request_source(PG_FUNCTION_ARGS) {
  LOCAL_FCINFO(field, 2);
  InitFunctionCallInfoData(*field, nullptr, 2, InvalidOid, nullptr, nullptr);
  field->args[0].value = PG_GETARG_DATUM(1);
  field->args[0].isnull = false;
  field->args[1].value = CStringGetTextDatum("company_id");
  field->args[1].isnull = false;
  const Datum value = jsonb_object_field_text(field);
  if (field->isnull) PG_RETURN_NULL();
  const Datum company =
      DirectFunctionCall1(int8in, CStringGetDatum(TextDatumGetCString(value)));
  PG_RETURN_BOOL(PG_GETARG_INT64(0) == DatumGetInt64(company));
}

// completed_at_matches_state(state, completed_at): what
// (state IN ('completed', 'cancelled', 'failed')) = (completed_at IS NOT
// NULL) was.
Datum job_completed_at_matches_state(PG_FUNCTION_ARGS) {
  if (PG_ARGISNULL(0)) PG_RETURN_NULL();
  const bool terminal =
      jc::is_terminal(jc::pg::enum_job_state(PG_GETARG_DATUM(0)));
  PG_RETURN_BOOL(terminal == !PG_ARGISNULL(1));
}
}
