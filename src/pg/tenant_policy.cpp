#include "tenant_policy.hpp"

extern "C" {
#include "nodes/primnodes.h"
#include "parser/parse_func.h"
#include "rewrite/rowsecurity.h"
#include "utils/acl.h"
#include "utils/fmgroids.h"
#include "utils/rel.h"
}

#include <cstring>

namespace jc::pg {

namespace {

Oid current_company_function() {
  List* name = list_make2(makeString(pstrdup("job_control")),
                          makeString(pstrdup("current_company")));
  return LookupFuncName(name, 0, nullptr, true);
}

bool is_call_of(const Node* node, Oid function) {
  if (node == nullptr || !IsA(node, FuncExpr)) return false;
  const auto* call = reinterpret_cast<const FuncExpr*>(node);
  return call->funcid == function && call->args == NIL;
}

// current_company() IS NULL
bool is_no_company_test(const Node* node, Oid function) {
  if (node == nullptr || !IsA(node, NullTest)) return false;
  const auto* test = reinterpret_cast<const NullTest*>(node);
  return test->nulltesttype == IS_NULL &&
         is_call_of(reinterpret_cast<const Node*>(test->arg), function);
}

// company_id = current_company()
bool is_company_match(const Node* node, Oid function, int company_id_attnum) {
  if (node == nullptr || !IsA(node, OpExpr)) return false;
  const auto* op = reinterpret_cast<const OpExpr*>(node);
  if (op->opfuncid != F_INT8EQ || list_length(op->args) != 2) return false;
  const Node* left = static_cast<const Node*>(linitial(op->args));
  if (left == nullptr || !IsA(left, Var)) return false;
  const auto* column = reinterpret_cast<const Var*>(left);
  return column->varattno == company_id_attnum &&
         is_call_of(static_cast<const Node*>(lsecond(op->args)), function);
}

bool applies_to_everyone(const RowSecurityPolicy* policy) {
  if (ARR_NDIM(policy->roles) != 1 || ARR_DIMS(policy->roles)[0] != 1) {
    return false;
  }
  return reinterpret_cast<const Oid*>(ARR_DATA_PTR(policy->roles))[0] ==
         ACL_ID_PUBLIC;
}

}  // namespace

bool only_tenant_policy(Relation jobs, int company_id_attnum) {
  const RowSecurityDesc* security = jobs->rd_rsdesc;
  if (security == nullptr || list_length(security->policies) != 1) {
    return false;
  }
  const auto* policy =
      static_cast<const RowSecurityPolicy*>(linitial(security->policies));
  if (std::strcmp(policy->policy_name, "jobs_tenant") != 0 ||
      policy->polcmd != '*' || !policy->permissive || policy->hassublinks ||
      !applies_to_everyone(policy)) {
    return false;
  }
  const Node* qual = reinterpret_cast<const Node*>(policy->qual);
  if (qual == nullptr || !IsA(qual, BoolExpr)) return false;
  const auto* either = reinterpret_cast<const BoolExpr*>(qual);
  if (either->boolop != OR_EXPR || list_length(either->args) != 2) {
    return false;
  }
  const Oid function = current_company_function();
  return function != InvalidOid &&
         is_no_company_test(static_cast<const Node*>(linitial(either->args)),
                            function) &&
         is_company_match(static_cast<const Node*>(lsecond(either->args)),
                          function, company_id_attnum);
}

}  // namespace jc::pg
