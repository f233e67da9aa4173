// See targets.h.
#include "reconcile/targets.h"

#include <optional>

#include "kube/json_fields.h"
#include "reconcile/dotted_path.h"

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

}  // namespace gearbox::reconcile
