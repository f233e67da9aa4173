// KEDA's TriggerAuthentication and ClusterTriggerAuthentication objects given beside the
// ScaledObjects (the same files, or the cluster): the Secret key each parameter of a trigger
// comes from (spec.secretTargetRef), so that convert writes Secret references (passwordSecretRef,
// connectionSecretRef, ...) instead of asking for them. Parameters taken from elsewhere (env,
// Vault, a cloud secret manager) are known by name only: the converted policy says to set them by
// hand. A pod identity (podIdentity.provider) is kept apart: Prometheus maps it to an auth mode of
// the controller's own cloud identity.
// One index serves every trigger type (Prometheus, Redis, PostgreSQL, metrics-api, RabbitMQ, ...),
// and every file of a run (a TriggerAuthentication may be in another file than its ScaledObject).
// It also keeps the workloads given in the run, whose container environment the triggers'
// `...FromEnv` parameters name (target_env.h).
#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "convert/target_env.h"

namespace gearbox::convert {

struct AuthSecret {
  std::string name, key;
  // From a ClusterTriggerAuthentication: the Secret is in KEDA's namespace, not the policy's.
  bool cluster_scoped = false;
};

// What one authenticationRef resolves to.
struct TriggerAuth {
  std::string what;                           // "TriggerAuthentication shop/pg-auth"
  bool cluster_scoped = false;                // a ClusterTriggerAuthentication
  std::map<std::string, AuthSecret> secrets;  // parameter -> its Secret key
  std::vector<std::string> elsewhere;         // parameters from env, Vault, ... (not an identity)
  std::string pod_identity;  // podIdentity.provider: aws, aws-eks, gcp, azure-workload...; "" none
  std::string identity_id;   // podIdentity.identityId (Azure), roleArn (AWS): another identity
};

class TriggerAuthentications {
 public:
  // Keeps a TriggerAuthentication or ClusterTriggerAuthentication; false for any other object.
  bool Add(const YAML::Node& object);
  // Adds every TriggerAuthentication and workload of a document: the object itself, or a List's
  // items.
  void AddAll(const YAML::Node& document);
  // Adds those of `other` this one does not have (its own come first).
  void Merge(const TriggerAuthentications& other);
  // The authentication a trigger's authenticationRef names, from a ScaledObject in `ns`; none
  // when it was not among the inputs.
  std::optional<TriggerAuth> Find(const YAML::Node& authentication_ref,
                                  const std::string& ns) const;
  // The namespace of a TriggerAuthentication of the name `authentication_ref` gives that is in
  // another namespace than the ScaledObject's (where KEDA would not find it); "" when none.
  std::string NamespaceOf(const YAML::Node& authentication_ref) const;
  // The workloads given in the run, for the triggers' `...FromEnv` parameters.
  const TargetEnvironments& targets() const { return targets_; }

 private:
  std::map<std::string, TriggerAuth> by_key_;  // "kind/namespace/name"
  TargetEnvironments targets_;
};

// A Secret reference {name, key} of a policy, as convert writes it.
YAML::Node SecretRefNode(const AuthSecret& secret);

// What an authenticationRef names, for comments: "TriggerAuthentication rabbitmq-auth"; "" when
// there is none.
std::string NamedAuthentication(const YAML::Node& authentication_ref);

}  // namespace gearbox::convert
