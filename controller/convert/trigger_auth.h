// KEDA's TriggerAuthentication and ClusterTriggerAuthentication objects given to convert beside
// the ScaledObjects (in the same files, or any file of the run), so that a trigger's
// authenticationRef can be followed: which Secret key holds each parameter (secretTargetRef),
// which pod identity it used (podIdentity.provider), and what else it read credentials from
// (env, Vault, a cloud secret manager...), which Gearbox cannot follow.
#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <string>
#include <vector>

namespace gearbox::convert {

struct SecretKey {
  std::string name, key;
};

struct TriggerAuth {
  std::string kind;  // TriggerAuthentication or ClusterTriggerAuthentication
  std::string name;
  std::map<std::string, SecretKey> secrets;  // parameter -> the Secret key holding it
  std::string pod_identity;  // podIdentity.provider: aws, aws-eks, gcp, azure-workload...
  std::string identity_id;   // podIdentity.identityId (Azure), roleArn (AWS): another identity
  std::vector<std::string> other_sources;  // "env", "hashiCorpVault", ...: not followed
};

class TriggerAuthIndex {
 public:
  // A TriggerAuthentication or ClusterTriggerAuthentication (keda.sh/v1alpha1); false for any
  // other object.
  bool Add(const YAML::Node& object);
  // What `authenticationRef` (name, kind) names for a ScaledObject in `ns`; null if not given.
  const TriggerAuth* Find(const YAML::Node& authentication_ref, const std::string& ns) const;

 private:
  std::map<std::string, TriggerAuth> by_key_;  // "kind/namespace/name"
};

}  // namespace gearbox::convert
