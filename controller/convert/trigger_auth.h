// KEDA's TriggerAuthentication and ClusterTriggerAuthentication objects of the input, for the
// triggers whose authenticationRef names them: each secretTargetRef {parameter, name, key} is a
// Secret key a ScalingPolicy can name (usernameSecretRef, bearerTokenSecretRef, ...). The
// ClusterTriggerAuthentication's Secrets are in KEDA's namespace, not the policy's: the comment
// says so. Env, pod identity and Vault references have no Secret to name.
#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <optional>
#include <string>

namespace gearbox::convert {

struct SecretKey {
  std::string name;
  std::string key;
};

// "TriggerAuthentication/name" or "ClusterTriggerAuthentication/name" -> the object.
using TriggerAuths = std::map<std::string, YAML::Node>;

bool IsTriggerAuth(const std::string& kind);

// Adds an object of the input (a TriggerAuthentication or ClusterTriggerAuthentication).
void KeepTriggerAuth(const YAML::Node& object, const std::string& kind, TriggerAuths& auths);

// What a trigger's authenticationRef resolves to.
struct TriggerAuthRef {
  std::string kind = "TriggerAuthentication";
  std::string name;
  const YAML::Node* object = nullptr;  // null: not in the input
  // The Secret key of `parameter` (secretTargetRef), if the object gives one.
  std::optional<SecretKey> Secret(const std::string& parameter) const;
  // "TriggerAuthentication rabbitmq-auth", for comments.
  std::string Describe() const { return kind + " " + name; }
};

// The trigger's authenticationRef (none: the trigger has none).
std::optional<TriggerAuthRef> ResolveAuthRef(const YAML::Node& trigger, const TriggerAuths& auths);

}  // namespace gearbox::convert
