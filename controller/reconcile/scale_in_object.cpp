// See scale_in_object.h.
#include "reconcile/scale_in_object.h"

#include <vector>

#include "kube/json_fields.h"

namespace gearbox::reconcile {

bool ScaleIsInObject(const std::string& api_version, const std::string& kind) {
  return api_version == "apps/v1" &&
         (kind == "Deployment" || kind == "StatefulSet" || kind == "ReplicaSet");
}

namespace {

// "in (a,b)" for a matchExpressions entry; "" when its operator is not one of the four.
std::string Requirement(const web::json::value& e) {
  std::string key = kube::StringAt(e, {"key"});  // not const: returned, moved
  const std::string op = kube::StringAt(e, {"operator"});
  if (op == "Exists") return key;
  if (op == "DoesNotExist") return "!" + key;
  if (op != "In" && op != "NotIn") return "";
  std::string values;
  if (const auto* vs = kube::FieldAt(e, {"values"}); vs && vs->is_array())
    for (const auto& v : vs->as_array())
      if (v.is_string()) values += (values.empty() ? "" : ",") + v.as_string();
  return key + (op == "In" ? " in (" : " notin (") + values + ")";
}

}  // namespace

std::string LabelSelectorString(const web::json::value& selector) {
  std::vector<std::string> parts;
  if (const auto* labels = kube::FieldAt(selector, {"matchLabels"}); labels && labels->is_object())
    for (const auto& [k, v] : labels->as_object())
      if (v.is_string()) parts.push_back(k + "=" + v.as_string());
  if (const auto* exprs = kube::FieldAt(selector, {"matchExpressions"}); exprs && exprs->is_array())
    for (const auto& e : exprs->as_array())
      if (auto r = Requirement(e); !r.empty()) parts.push_back(r);
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ",") + p;
  return out;
}

namespace {

// Only `keys` of object[field], if it is an object.
void KeepOnly(web::json::value& object, const char* field,
              std::initializer_list<const char*> keys) {
  if (!object.has_object_field(field)) return;
  web::json::value& whole = object[field];
  web::json::value kept = web::json::value::object();
  for (const char* key : keys)
    if (whole.has_field(key)) kept[key] = std::move(whole[key]);
  whole = std::move(kept);
}

}  // namespace

void TrimAppsTarget(web::json::value& object) {
  KeepOnly(object, "metadata", {"name", "namespace", "resourceVersion", "generation"});
  if (object.has_object_field("spec")) {
    kube::EraseField(object["spec"], "template");
    kube::EraseField(object["spec"], "volumeClaimTemplates");
  }
  KeepOnly(object, "status", {"observedGeneration", "replicas", "readyReplicas"});
}

web::json::value ScaleFromObject(const web::json::value& object) {
  web::json::value scale = web::json::value::object();
  // A Deployment's spec.replicas defaults to 1 and the API server always fills it in.
  scale["spec"]["replicas"] = web::json::value::number(
      static_cast<int>(kube::IntAt(object, {"spec", "replicas"}).value_or(1)));
  scale["status"]["replicas"] = web::json::value::number(
      static_cast<int>(kube::IntAt(object, {"status", "replicas"}).value_or(0)));
  if (const auto* spec = kube::FieldAt(object, {"spec"}))
    if (const auto* selector = kube::FieldAt(*spec, {"selector"}))
      scale["status"]["selector"] = web::json::value::string(LabelSelectorString(*selector));
  return scale;
}

}  // namespace gearbox::reconcile
