#include "transition_sql.hpp"

namespace jc {

namespace {

std::string enum_literal(JobState state, const std::string& enum_type) {
  return "'" + std::string(state_name(state)) + "'::" + enum_type;
}

}  // namespace

std::vector<JobState> movable_states(Operation op) {
  std::vector<JobState> states;
  for (JobState s : kAllStates) {
    if (decide(op, s).effect == Effect::kMove) states.push_back(s);
  }
  return states;
}

std::string movable_states_guard(Operation op, const std::string& enum_type) {
  std::string list;
  for (JobState s : movable_states(op)) {
    if (!list.empty()) list += ',';
    list += state_name(s);
  }
  return "state OPERATOR(pg_catalog.=) ANY ('{" + list + "}'::" + enum_type +
         "[])";
}

std::string state_assignment(Operation op, const std::string& enum_type) {
  const std::vector<JobState> sources = movable_states(op);
  bool single_target = true;
  bool keeps_state = true;
  for (JobState s : sources) {
    single_target = single_target &&
                    decide(op, s).target == decide(op, sources.front()).target;
    keeps_state = keeps_state && decide(op, s).target == s;
  }
  if (keeps_state) return "state";
  if (single_target) {
    return enum_literal(decide(op, sources.front()).target, enum_type);
  }
  std::string sql = "CASE state";
  for (JobState s : sources) {
    sql += " WHEN " + enum_literal(s, enum_type) + " THEN " +
           enum_literal(decide(op, s).target, enum_type);
  }
  return sql + " END";
}

std::string tenant_filter(const std::string& company_column) {
  return "(job_control.current_company() IS NULL OR " + company_column +
         " OPERATOR(pg_catalog.=) job_control.current_company())";
}

}  // namespace jc
