// See target_env.h.
#include "convert/target_env.h"

#include "convert/fields.h"

namespace gearbox::convert {

namespace {

YAML::Node Child(const YAML::Node& node, const char* key) {
  return node.IsDefined() && node.IsMap() && node[key] ? node[key] : YAML::Node();
}

// env[].valueFrom: a Secret's key or a ConfigMap's (a fieldRef or resourceFieldRef is neither).
EnvValue ValueFrom(const YAML::Node& from) {
  EnvValue out;
  if (const YAML::Node secret = Child(from, "secretKeyRef"); secret.IsMap())
    out.secret = SecretKey{TextAt(secret, "name"), TextAt(secret, "key")};
  else if (const YAML::Node map = Child(from, "configMapKeyRef"); map.IsMap())
    out.config_map = TextAt(map, "name");
  return out;
}

std::string Key(const std::string& kind, const std::string& ns, const std::string& name) {
  return kind + "/" + ns + "/" + name;
}

}  // namespace

ContainerEnv::ContainerEnv(const YAML::Node& container) {
  const YAML::Node env = Child(container, "env");
  for (std::size_t i = 0; env.IsSequence() && i < env.size(); ++i) {
    const std::string name = TextAt(env[i], "name");
    if (name.empty()) continue;
    EnvValue value;
    if (const YAML::Node from = Child(env[i], "valueFrom"); from.IsMap())
      value = ValueFrom(from);
    else
      value.value = TextAt(env[i], "value");
    entries_[name] = value;
  }
  const YAML::Node from = Child(container, "envFrom");
  for (std::size_t i = 0; from.IsSequence() && i < from.size(); ++i) {
    From source{TextAt(from[i], "prefix"), {}};
    if (const YAML::Node secret = Child(from[i], "secretRef"); secret.IsMap())
      source.source.secret = SecretKey{TextAt(secret, "name"), ""};
    else if (const YAML::Node map = Child(from[i], "configMapRef"); map.IsMap())
      source.source.config_map = TextAt(map, "name");
    else
      continue;
    from_.push_back(source);
  }
}

std::optional<EnvValue> ContainerEnv::Lookup(const std::string& name) const {
  if (const auto entry = entries_.find(name); entry != entries_.end()) return entry->second;
  std::optional<EnvValue> found;
  for (const From& from : from_) {
    if (name.rfind(from.prefix, 0) != 0 || name.size() == from.prefix.size()) continue;
    if (found) return std::nullopt;  // several sources could hold it: which one is not known
    found = from.source;
    if (found->secret) found->secret->key = name.substr(from.prefix.size());
  }
  return found;
}

bool TargetEnvironments::Add(const YAML::Node& object) {
  if (!object.IsMap()) return false;
  const YAML::Node containers =
      Child(Child(Child(Child(object, "spec"), "template"), "spec"), "containers");
  const std::string kind = TextAt(object, "kind"), name = TextAt(object["metadata"], "name");
  if (!containers.IsSequence() || kind.empty() || name.empty()) return false;
  containers_[Key(kind, TextAt(object["metadata"], "namespace"), name)] = containers;
  return true;
}

void TargetEnvironments::Merge(const TargetEnvironments& other) {
  containers_.insert(other.containers_.begin(), other.containers_.end());
}

std::optional<ContainerEnv> TargetEnvironments::Find(const std::string& kind,
                                                     const std::string& name, const std::string& ns,
                                                     const std::string& container) const {
  const auto found = containers_.find(Key(kind, ns, name));
  if (found == containers_.end() || found->second.size() == 0) return std::nullopt;
  if (container.empty()) return ContainerEnv(found->second[0]);
  for (const auto& c : found->second)
    if (TextAt(c, "name") == container) return ContainerEnv(c);
  return std::nullopt;
}

}  // namespace gearbox::convert
