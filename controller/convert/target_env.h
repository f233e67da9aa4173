// The container environment of the workloads given beside the ScaledObjects (a Deployment or a
// StatefulSet in any file of the run): what KEDA's `...FromEnv` trigger parameters name. KEDA
// reads them from the scale target's container named scaleTargetRef.envSourceContainerName, else
// its first container: `env` (a value, or a Secret or ConfigMap key) and `envFrom` (every key of a
// Secret or ConfigMap, with its prefix). convert does the same with what it was given: a value is
// the parameter's value, a Secret key becomes a Secret reference of the policy, and a ConfigMap
// key or a variable not found stays unknown (the trigger says so).
#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace gearbox::convert {

struct SecretKey {
  std::string name, key;
};

// One environment variable of the target's container, as far as convert can know it.
struct EnvValue {
  std::optional<std::string> value;  // env[].value
  std::optional<SecretKey> secret;   // env[].valueFrom.secretKeyRef, or envFrom[].secretRef
  std::string config_map;            // env[].valueFrom.configMapKeyRef or envFrom: its name
};

// A container's environment: its env entries, and its envFrom sources for the other names.
class ContainerEnv {
 public:
  explicit ContainerEnv(const YAML::Node& container);
  // What the variable `name` holds: an env entry, else the one envFrom source whose prefix it
  // has (a Secret's key is the name less the prefix; which keys the Secret has is not known). None
  // when no entry names it, or several envFrom sources could.
  std::optional<EnvValue> Lookup(const std::string& name) const;

 private:
  struct From {
    std::string prefix;
    EnvValue source;  // secret (its key left empty) or config_map
  };
  std::map<std::string, EnvValue> entries_;
  std::vector<From> from_;
};

class TargetEnvironments {
 public:
  // Keeps a Deployment's or StatefulSet's containers; false for any other object.
  bool Add(const YAML::Node& object);
  // Adds those of `other` this one does not have.
  void Merge(const TargetEnvironments& other);
  // The environment of the container KEDA reads for a ScaledObject in `ns` whose target is
  // kind/name (container: envSourceContainerName, "" for the first); none when the target was
  // not among the inputs, or has no such container.
  std::optional<ContainerEnv> Find(const std::string& kind, const std::string& name,
                                   const std::string& ns, const std::string& container) const;

 private:
  std::map<std::string, YAML::Node> containers_;  // "Kind/namespace/name" -> spec.containers
};

}  // namespace gearbox::convert
