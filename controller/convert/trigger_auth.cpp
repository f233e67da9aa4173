// See trigger_auth.h.
#include "convert/trigger_auth.h"

namespace gearbox::convert {

namespace {

std::string ScalarOr(const YAML::Node& node, const std::string& fallback) {
  return node && node.IsScalar() ? node.Scalar() : fallback;
}

// The child `key` of a map; an undefined node otherwise (yaml-cpp throws on a key of an absent
// one).
YAML::Node Child(const YAML::Node& node, const char* key) {
  if (!node || !node.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
  const YAML::Node child = node[key];
  return child ? child : YAML::Node(YAML::NodeType::Undefined);
}

}  // namespace

bool IsTriggerAuth(const std::string& kind) {
  return kind == "TriggerAuthentication" || kind == "ClusterTriggerAuthentication";
}

void KeepTriggerAuth(const YAML::Node& object, const std::string& kind, TriggerAuths& auths) {
  const std::string name = ScalarOr(Child(Child(object, "metadata"), "name"), "");
  if (!name.empty()) auths[kind + "/" + name] = object;
}

std::optional<SecretKey> TriggerAuthRef::Secret(const std::string& parameter) const {
  if (!object) return std::nullopt;
  const YAML::Node refs = Child(Child(*object, "spec"), "secretTargetRef");
  if (!refs || !refs.IsSequence()) return std::nullopt;
  for (const auto& ref : refs) {
    if (!ref.IsMap() || ScalarOr(Child(ref, "parameter"), "") != parameter) continue;
    SecretKey secret{ScalarOr(Child(ref, "name"), ""), ScalarOr(Child(ref, "key"), "")};
    if (!secret.name.empty() && !secret.key.empty()) return secret;
  }
  return std::nullopt;
}

std::optional<TriggerAuthRef> ResolveAuthRef(const YAML::Node& trigger, const TriggerAuths& auths) {
  const YAML::Node ref = Child(trigger, "authenticationRef");
  if (!ref.IsMap()) return std::nullopt;
  TriggerAuthRef out;
  out.kind = ScalarOr(Child(ref, "kind"), out.kind);
  out.name = ScalarOr(Child(ref, "name"), "");
  const auto it = auths.find(out.kind + "/" + out.name);
  if (it != auths.end()) out.object = &it->second;
  return out;
}

}  // namespace gearbox::convert
