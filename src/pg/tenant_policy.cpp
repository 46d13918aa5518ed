#include "tenant_policy.hpp"

extern "C" {
#include "nodes/parsenodes.h"
#include "nodes/primnodes.h"
#include "parser/parse_func.h"
#include "rewrite/rowsecurity.h"
#include "utils/acl.h"
#include "utils/fmgroids.h"
#include "utils/rel.h"
}

#include <cstring>

#include "call_support.hpp"

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

// current_company() IS NULL OR company_id = current_company()
bool is_tenant_filter(const Node* node, int company_id_attnum) {
  if (node == nullptr || !IsA(node, BoolExpr)) return false;
  const auto* either = reinterpret_cast<const BoolExpr*>(node);
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

// A Const of `type` that is not NULL, under any binary-compatible relabeling.
const Const* constant_of(const Node* node, Oid type) {
  while (node != nullptr && IsA(node, RelabelType)) {
    node = reinterpret_cast<const Node*>(
        reinterpret_cast<const RelabelType*>(node)->arg);
  }
  if (node == nullptr || !IsA(node, Const)) return nullptr;
  const auto* constant = reinterpret_cast<const Const*>(node);
  return constant->consttype == type && !constant->constisnull ? constant
                                                               : nullptr;
}

// (SELECT has_table_privilege(<table>::regclass, 'SELECT')): a sub-select of
// one expression and nothing else.
bool is_select_privilege_test(const Node* node, Oid table) {
  if (node == nullptr || !IsA(node, SubLink)) return false;
  const auto* link = reinterpret_cast<const SubLink*>(node);
  if (link->subLinkType != EXPR_SUBLINK || link->testexpr != nullptr ||
      link->subselect == nullptr || !IsA(link->subselect, Query)) {
    return false;
  }
  const auto* query = reinterpret_cast<const Query*>(link->subselect);
  if (query->commandType != CMD_SELECT || query->rtable != NIL ||
      query->cteList != NIL || query->jointree == nullptr ||
      query->jointree->quals != nullptr || query->hasAggs ||
      query->hasTargetSRFs || query->hasSubLinks || query->groupClause != NIL ||
      query->havingQual != nullptr || query->limitCount != nullptr ||
      query->limitOffset != nullptr || query->setOperations != nullptr ||
      list_length(query->targetList) != 1) {
    return false;
  }
  const auto* entry =
      static_cast<const TargetEntry*>(linitial(query->targetList));
  const Node* expr = reinterpret_cast<const Node*>(entry->expr);
  if (expr == nullptr || !IsA(expr, FuncExpr)) return false;
  const auto* call = reinterpret_cast<const FuncExpr*>(expr);
  if (call->funcid != F_HAS_TABLE_PRIVILEGE_OID_TEXT ||
      list_length(call->args) != 2) {
    return false;
  }
  const Const* relation =
      constant_of(static_cast<const Node*>(linitial(call->args)), REGCLASSOID);
  const Const* privilege =
      constant_of(static_cast<const Node*>(lsecond(call->args)), TEXTOID);
  return relation != nullptr && privilege != nullptr &&
         DatumGetObjectId(relation->constvalue) == table &&
         text_view(privilege->constvalue) == "SELECT";
}

// The relation's one policy if it is named `name`, for all commands and all
// roles, permissive; nullptr otherwise.
const RowSecurityPolicy* sole_policy(Relation relation, const char* name) {
  const RowSecurityDesc* security = relation->rd_rsdesc;
  if (security == nullptr || list_length(security->policies) != 1) {
    return nullptr;
  }
  const auto* policy =
      static_cast<const RowSecurityPolicy*>(linitial(security->policies));
  if (std::strcmp(policy->policy_name, name) != 0 || policy->polcmd != '*' ||
      !policy->permissive || !applies_to_everyone(policy)) {
    return nullptr;
  }
  return policy;
}

}  // namespace

bool only_tenant_policy(Relation jobs, int company_id_attnum) {
  const RowSecurityPolicy* policy = sole_policy(jobs, "jobs_tenant");
  // The new version of a moved job is checked against WITH CHECK (USING
  // when there is none): it must be the same filter, which a move that
  // keeps company_id always passes.
  const auto* with_check =
      reinterpret_cast<const Node*>(policy ? policy->with_check_qual : nullptr);
  return policy != nullptr && !policy->hassublinks &&
         is_tenant_filter(reinterpret_cast<const Node*>(policy->qual),
                          company_id_attnum) &&
         (with_check == nullptr ||
          is_tenant_filter(with_check, company_id_attnum));
}

bool only_queue_reader_policy(Relation queue, int company_id_attnum, Oid jobs) {
  const RowSecurityPolicy* policy = sole_policy(queue, "job_queue_readers");
  if (policy == nullptr) return false;
  const Node* qual = reinterpret_cast<const Node*>(policy->qual);
  if (qual == nullptr || !IsA(qual, BoolExpr)) return false;
  const auto* both = reinterpret_cast<const BoolExpr*>(qual);
  return both->boolop == AND_EXPR && list_length(both->args) == 2 &&
         is_select_privilege_test(
             static_cast<const Node*>(linitial(both->args)), jobs) &&
         is_tenant_filter(static_cast<const Node*>(lsecond(both->args)),
                          company_id_attnum);
}

}  // namespace jc::pg
