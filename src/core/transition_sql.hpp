// SQL fragments derived from the state table, so the guarded UPDATE of every
// operation moves exactly the states decide() says it moves.
#pragma once

#include <string>
#include <vector>

#include "job_state.hpp"

namespace jc {

// The states from which `op` changes the job (Effect::kMove), in table order.
std::vector<JobState> movable_states(Operation op);

// `state = ANY ('{pending,running}'::<enum_type>[])`: the guard of the UPDATE.
std::string movable_states_guard(Operation op, const std::string& enum_type);

// The new value of the state column: "state" when the operation keeps every
// state (a heartbeat), a literal when every movable state goes to the same
// target, a CASE on the current state otherwise.
std::string state_assignment(Operation op, const std::string& enum_type);

// The tenant of a session, applied by every statement of the functions:
// `(current_company() IS NULL OR <company_column> = current_company())`. Row
// security applies the same filter to roles it binds; this binds the owner,
// superusers and BYPASSRLS roles too, whom row security exempts.
std::string tenant_filter(const std::string& company_column);

}  // namespace jc
