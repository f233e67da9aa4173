// See cached_policy.h.
#include "reconcile/cached_policy.h"

#include "kube/json_fields.h"
#include "reconcile/status.h"

namespace gearbox::reconcile {

using Json = web::json::value;

namespace {

// The field as a tree: parsed back from its text in the cache, or as it is.
Json Tree(const Json& policy, const char* field) {
  const Json* value = kube::FieldAt(policy, {field});
  if (!value) return Json::object();
  if (!value->is_string()) return *value;
  try {
    return Json::parse(value->as_string());
  } catch (const std::exception&) {  // never: the cache wrote it from a tree
    return Json::object();
  }
}

}  // namespace

void CompactCachedPolicy(Json& policy) {
  if (policy.has_object_field("spec")) policy["spec"] = Json::string(policy.at("spec").serialize());
  if (policy.has_object_field("status"))
    policy["status"] = Json::string(CompactStatus(policy.at("status")).serialize());
}

Json CachedStatus(const Json& policy) { return Tree(policy, "status"); }

Json WithSpec(const Json& policy) {
  Json whole = policy;
  if (const Json* spec = kube::FieldAt(policy, {"spec"}); spec && spec->is_string())
    whole["spec"] = Tree(policy, "spec");
  return whole;
}

Json StatusWriteBody(const Json& policy, const Json& status) {
  Json body = Json::object();
  for (const char* key : {"apiVersion", "kind", "metadata"})
    if (const Json* v = kube::FieldAt(policy, {key})) body[key] = *v;
  body["status"] = status;
  return body;
}

}  // namespace gearbox::reconcile
