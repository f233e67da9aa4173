// See targets.h.
#include "reconcile/targets.h"

#include <sstream>
#include <vector>

#include "kube/json_fields.h"

namespace gearbox::reconcile {

namespace {

using kube::FieldAt;

const web::json::value* Field(const web::json::value& v, const std::string& key) {
  return FieldAt(v, {key.c_str()});
}

std::optional<int> IntField(const web::json::value& v, std::initializer_list<const char*> path) {
  auto n = kube::IntAt(v, path);
  if (!n) return std::nullopt;
  return static_cast<int>(*n);
}

std::vector<std::string> SplitPath(const std::string& dotted) {
  std::vector<std::string> parts;
  std::stringstream in(dotted);
  for (std::string part; std::getline(in, part, '.');) parts.push_back(part);
  return parts;
}

}  // namespace

std::string GroupOf(const std::string& api_version) {
  auto slash = api_version.find('/');
  return slash == std::string::npos ? "" : api_version.substr(0, slash);
}

std::string TargetRef::Group() const { return GroupOf(api_version); }

std::string TargetRef::Describe() const { return kind + " " + name; }

bool TargetState::ReadyAt(int replicas) const {
  bool observed = observed_generation < 0 || observed_generation >= generation;
  return observed && desired == replicas && current == replicas && ready >= replicas;
}

std::optional<int> IntAtPath(const web::json::value& object, const std::string& dotted_path) {
  const web::json::value* cur = &object;
  for (const auto& part : SplitPath(dotted_path)) {
    cur = Field(*cur, part);
    if (!cur) return std::nullopt;
  }
  if (!cur->is_integer()) return std::nullopt;
  return cur->as_integer();
}

web::json::value ReplicasMergePatch(const std::string& dotted_path, int replicas) {
  auto parts = SplitPath(dotted_path);
  web::json::value patch = web::json::value::number(replicas);
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
    web::json::value outer = web::json::value::object();
    outer[*it] = patch;
    patch = outer;
  }
  return patch;
}

TargetState ReadTargetState(const web::json::value& object, const web::json::value* scale,
                            const std::string& replicas_field) {
  TargetState s;
  s.generation = IntField(object, {"metadata", "generation"}).value_or(0);
  if (auto og = IntField(object, {"status", "observedGeneration"})) s.observed_generation = *og;
  if (!replicas_field.empty()) {
    s.desired = IntAtPath(object, replicas_field).value_or(0);
    s.current = s.desired;
  } else if (scale) {
    s.desired = IntField(*scale, {"spec", "replicas"}).value_or(0);
    s.current = IntField(*scale, {"status", "replicas"}).value_or(s.desired);
    s.selector = kube::StringAt(*scale, {"status", "selector"});
  }
  for (const char* field : {"readyReplicas", "readyInstances", "readyLeaderReplicas"}) {
    if (const auto* status = Field(object, "status"); status && Field(*status, field)) {
      s.reports_ready = true;
      s.ready = IntField(object, {"status", field}).value_or(0);
      break;
    }
  }
  if (!s.reports_ready) {
    // Deployments omit readyReplicas when it is 0; a status with replicas but no ready count
    // means none are ready. Kinds with no status at all are taken at their word.
    bool has_replica_status = IntField(object, {"status", "replicas"}).has_value() ||
                              IntField(object, {"status", "instances"}).has_value();
    s.reports_ready = has_replica_status;
    s.ready = has_replica_status ? 0 : s.current;
  }
  return s;
}

bool HpaDrives(const web::json::value& hpa, const TargetRef& target) {
  auto ref = [&](const char* key) { return kube::StringAt(hpa, {"spec", "scaleTargetRef", key}); };
  return ref("kind") == target.kind && ref("name") == target.name &&
         GroupOf(ref("apiVersion")) == target.Group();
}

bool ScaleIsInObject(const std::string& api_version, const std::string& kind) {
  return api_version == "apps/v1" &&
         (kind == "Deployment" || kind == "StatefulSet" || kind == "ReplicaSet");
}

namespace {

// "in (a,b)" for a matchExpressions entry; "" when its operator is not one of the four.
std::string Requirement(const web::json::value& e) {
  const std::string key = kube::StringAt(e, {"key"});
  const std::string op = kube::StringAt(e, {"operator"});
  if (op == "Exists") return key;
  if (op == "DoesNotExist") return "!" + key;
  if (op != "In" && op != "NotIn") return "";
  std::string values;
  if (const auto* vs = Field(e, "values"); vs && vs->is_array())
    for (const auto& v : vs->as_array())
      if (v.is_string()) values += (values.empty() ? "" : ",") + v.as_string();
  return key + (op == "In" ? " in (" : " notin (") + values + ")";
}

}  // namespace

std::string LabelSelectorString(const web::json::value& selector) {
  std::vector<std::string> parts;
  if (const auto* labels = Field(selector, "matchLabels"); labels && labels->is_object())
    for (const auto& [k, v] : labels->as_object())
      if (v.is_string()) parts.push_back(k + "=" + v.as_string());
  if (const auto* exprs = Field(selector, "matchExpressions"); exprs && exprs->is_array())
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
  scale["spec"]["replicas"] =
      web::json::value::number(IntField(object, {"spec", "replicas"}).value_or(1));
  scale["status"]["replicas"] =
      web::json::value::number(IntField(object, {"status", "replicas"}).value_or(0));
  if (const auto* spec = Field(object, "spec"))
    if (const auto* selector = Field(*spec, "selector"))
      scale["status"]["selector"] = web::json::value::string(LabelSelectorString(*selector));
  return scale;
}

}  // namespace gearbox::reconcile
