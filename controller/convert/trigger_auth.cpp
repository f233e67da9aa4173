// See trigger_auth.h.
#include "convert/trigger_auth.h"

#include "convert/document.h"

namespace gearbox::convert {

namespace {

std::string Scalar(const YAML::Node& node, const char* key) {
  const YAML::Node value = node.IsDefined() && node.IsMap() ? node[key] : YAML::Node();
  return value && value.IsScalar() ? value.Scalar() : "";
}

// The parameters a TriggerAuthentication's spec takes from other places than a Secret or a pod
// identity.
std::vector<std::string> Elsewhere(const YAML::Node& spec) {
  std::vector<std::string> out;
  for (const auto& item : spec) {
    const std::string source = item.first.Scalar();
    if (source == "secretTargetRef" || source == "podIdentity") continue;
    const YAML::Node entries = item.second;
    if (entries.IsSequence()) {
      for (const auto& e : entries) {
        const std::string parameter = Scalar(e, "parameter");
        out.push_back((parameter.empty() ? "?" : parameter) + " (from " + source + ")");
      }
    } else {
      out.push_back(source);  // hashiCorpVault {...}: the whole block
    }
  }
  return out;
}

// podIdentity {provider, identityId | roleArn}: the identity KEDA's operator used.
void ReadPodIdentity(const YAML::Node& identity, TriggerAuth& auth) {
  auth.pod_identity = Scalar(identity, "provider");
  auth.identity_id = Scalar(identity, "identityId");
  if (auth.identity_id.empty()) auth.identity_id = Scalar(identity, "roleArn");
}

}  // namespace

bool TriggerAuthentications::Add(const YAML::Node& object) {
  const std::string kind = Scalar(object, "kind");
  if (kind != "TriggerAuthentication" && kind != "ClusterTriggerAuthentication") return false;
  const bool cluster = kind == "ClusterTriggerAuthentication";
  const YAML::Node metadata = object["metadata"];
  const std::string name = metadata ? Scalar(metadata, "name") : "";
  const std::string ns = cluster || !metadata ? "" : Scalar(metadata, "namespace");
  TriggerAuth auth;
  auth.what = kind + " " + (ns.empty() ? "" : ns + "/") + name;
  auth.cluster_scoped = cluster;
  const YAML::Node spec = object["spec"];
  if (spec && spec.IsMap()) {
    const YAML::Node refs = spec["secretTargetRef"];
    for (std::size_t i = 0; refs && refs.IsSequence() && i < refs.size(); ++i) {
      const std::string parameter = Scalar(refs[i], "parameter");
      if (!parameter.empty())
        auth.secrets[parameter] = {Scalar(refs[i], "name"), Scalar(refs[i], "key"), cluster};
    }
    auth.elsewhere = Elsewhere(spec);
    ReadPodIdentity(spec["podIdentity"], auth);
  }
  by_key_[kind + "/" + ns + "/" + name] = std::move(auth);
  return true;
}

void TriggerAuthentications::AddAll(const YAML::Node& document) {
  if (!document || !document.IsMap()) return;
  const YAML::Node items = document["items"];
  if (Scalar(document, "kind") == "List" && items && items.IsSequence()) {
    for (const auto& item : items) AddAll(item);
    return;
  }
  Add(document);
}

void TriggerAuthentications::Merge(const TriggerAuthentications& other) {
  by_key_.insert(other.by_key_.begin(), other.by_key_.end());
}

std::optional<TriggerAuth> TriggerAuthentications::Find(const YAML::Node& ref,
                                                        const std::string& ns) const {
  if (!ref || !ref.IsMap()) return std::nullopt;
  std::string kind = Scalar(ref, "kind");
  if (kind.empty()) kind = "TriggerAuthentication";
  const std::string where = kind == "ClusterTriggerAuthentication" ? "" : ns;
  auto found = by_key_.find(kind + "/" + where + "/" + Scalar(ref, "name"));
  if (found == by_key_.end()) return std::nullopt;
  return found->second;
}

YAML::Node SecretRefNode(const AuthSecret& secret) {
  YAML::Node node;
  node["name"] = Text(secret.name);
  node["key"] = Text(secret.key);
  return node;
}

std::string NamedAuthentication(const YAML::Node& ref) {
  if (!ref || !ref.IsMap()) return "";
  const std::string kind = Scalar(ref, "kind");
  return (kind.empty() ? "TriggerAuthentication" : kind) + " " + Scalar(ref, "name");
}

}  // namespace gearbox::convert
