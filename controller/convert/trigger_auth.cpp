// See trigger_auth.h.
#include "convert/trigger_auth.h"

#include "convert/document.h"
#include "convert/fields.h"

namespace gearbox::convert {

namespace {

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
        const std::string parameter = TextAt(e, "parameter");
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
  auth.pod_identity = TextAt(identity, "provider");
  auth.identity_id = TextAt(identity, "identityId");
  if (auth.identity_id.empty()) auth.identity_id = TextAt(identity, "roleArn");
}

}  // namespace

bool TriggerAuthentications::Add(const YAML::Node& object) {
  const std::string kind = TextAt(object, "kind");
  if (kind != "TriggerAuthentication" && kind != "ClusterTriggerAuthentication") return false;
  const bool cluster = kind == "ClusterTriggerAuthentication";
  const YAML::Node metadata = object["metadata"];
  const std::string name = metadata ? TextAt(metadata, "name") : "";
  const std::string ns = cluster || !metadata ? "" : TextAt(metadata, "namespace");
  TriggerAuth auth;
  auth.what = kind + " " + (ns.empty() ? "" : ns + "/") + name;
  auth.cluster_scoped = cluster;
  const YAML::Node spec = object["spec"];
  if (spec && spec.IsMap()) {
    const YAML::Node refs = spec["secretTargetRef"];
    for (std::size_t i = 0; refs && refs.IsSequence() && i < refs.size(); ++i) {
      const std::string parameter = TextAt(refs[i], "parameter");
      if (!parameter.empty())
        auth.secrets[parameter] = {TextAt(refs[i], "name"), TextAt(refs[i], "key"), cluster};
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
  if (TextAt(document, "kind") == "List" && items && items.IsSequence()) {
    for (const auto& item : items) AddAll(item);
    return;
  }
  if (!Add(document)) targets_.Add(document);
}

void TriggerAuthentications::Merge(const TriggerAuthentications& other) {
  by_key_.insert(other.by_key_.begin(), other.by_key_.end());
  targets_.Merge(other.targets_);
}

std::optional<TriggerAuth> TriggerAuthentications::Find(const YAML::Node& ref,
                                                        const std::string& ns) const {
  if (!ref || !ref.IsMap()) return std::nullopt;
  std::string kind = TextAt(ref, "kind");
  if (kind.empty()) kind = "TriggerAuthentication";
  const std::string where = kind == "ClusterTriggerAuthentication" ? "" : ns;
  auto found = by_key_.find(kind + "/" + where + "/" + TextAt(ref, "name"));
  // One without a namespace goes where it is applied, the ScaledObject's as likely as any.
  if (found == by_key_.end()) found = by_key_.find(kind + "//" + TextAt(ref, "name"));
  if (found == by_key_.end()) return std::nullopt;
  return found->second;
}

std::string TriggerAuthentications::NamespaceOf(const YAML::Node& ref) const {
  const std::string kind =
      TextAt(ref, "kind").empty() ? "TriggerAuthentication" : TextAt(ref, "kind");
  const std::string prefix = kind + "/", suffix = "/" + TextAt(ref, "name");
  for (const auto& [key, auth] : by_key_) {
    if (key.rfind(prefix, 0) != 0 || key.size() <= prefix.size() + suffix.size() ||
        key.compare(key.size() - suffix.size(), suffix.size(), suffix) != 0)
      continue;
    return key.substr(prefix.size(), key.size() - prefix.size() - suffix.size());
  }
  return "";
}

YAML::Node SecretRefNode(const AuthSecret& secret) {
  YAML::Node node;
  node["name"] = Text(secret.name);
  node["key"] = Text(secret.key);
  return node;
}

std::string NamedAuthentication(const YAML::Node& ref) {
  if (!ref || !ref.IsMap()) return "";
  const std::string kind = TextAt(ref, "kind");
  return (kind.empty() ? "TriggerAuthentication" : kind) + " " + TextAt(ref, "name");
}

}  // namespace gearbox::convert
