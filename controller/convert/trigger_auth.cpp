// See trigger_auth.h.
#include "convert/trigger_auth.h"

namespace gearbox::convert {

namespace {

std::string Scalar(const YAML::Node& node, const char* key) {
  const YAML::Node value = node.IsDefined() && node.IsMap() ? node[key] : YAML::Node();
  return value && value.IsScalar() ? value.Scalar() : "";
}

std::string Key(const std::string& kind, const std::string& ns, const std::string& name) {
  // A ClusterTriggerAuthentication has no namespace; a TriggerAuthentication's is the
  // ScaledObject's ("" when neither names one).
  return kind + "/" + (kind == "ClusterTriggerAuthentication" ? "" : ns) + "/" + name;
}

void ReadSecretTargets(const YAML::Node& refs, TriggerAuth& auth) {
  if (!refs.IsDefined() || !refs.IsSequence()) return;
  for (const auto& ref : refs) {
    const std::string parameter = Scalar(ref, "parameter");
    if (!parameter.empty()) auth.secrets[parameter] = {Scalar(ref, "name"), Scalar(ref, "key")};
  }
}

}  // namespace

bool TriggerAuthIndex::Add(const YAML::Node& object) {
  const std::string kind = Scalar(object, "kind");
  if (kind != "TriggerAuthentication" && kind != "ClusterTriggerAuthentication") return false;
  TriggerAuth auth;
  auth.kind = kind;
  auth.name = Scalar(object["metadata"], "name");
  const YAML::Node spec = object["spec"];
  if (spec && spec.IsMap()) {
    ReadSecretTargets(spec["secretTargetRef"], auth);
    auth.pod_identity = Scalar(spec["podIdentity"], "provider");
    auth.identity_id = Scalar(spec["podIdentity"], "identityId");
    if (auth.identity_id.empty()) auth.identity_id = Scalar(spec["podIdentity"], "roleArn");
    for (const char* other : {"env", "configMapTargetRef", "hashiCorpVault", "azureKeyVault",
                              "awsSecretManager", "gcpSecretManager", "boundServiceAccountToken"})
      if (spec[other]) auth.other_sources.emplace_back(other);
  }
  by_key_[Key(kind, Scalar(object["metadata"], "namespace"), auth.name)] = std::move(auth);
  return true;
}

const TriggerAuth* TriggerAuthIndex::Find(const YAML::Node& authentication_ref,
                                          const std::string& ns) const {
  std::string kind = Scalar(authentication_ref, "kind");
  if (kind.empty()) kind = "TriggerAuthentication";
  auto it = by_key_.find(Key(kind, ns, Scalar(authentication_ref, "name")));
  return it == by_key_.end() ? nullptr : &it->second;
}

}  // namespace gearbox::convert
