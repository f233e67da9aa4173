// See target_index.h.
#include "reconcile/target_index.h"

#include <tuple>

#include "kube/json_fields.h"
#include "reconcile/targets.h"

namespace gearbox::reconcile {

using Json = web::json::value;
using kube::StringAt;

bool TargetIndex::Claim::operator<(const Claim& o) const {
  return std::tie(created, name, api_version, kind) <
         std::tie(o.created, o.name, o.api_version, o.kind);
}

void TargetIndex::Update(const Json& policy) {
  const Json& meta = policy.at("metadata");
  const std::string ns = StringAt(meta, {"namespace"}), name = StringAt(meta, {"name"});
  const std::string key = ns + "/" + name;
  MutexLock lock(mu_);
  RemoveLocked(key);
  if (!policy.has_object_field("spec") || !policy.at("spec").has_array_field("components")) return;
  auto& targets = by_policy_[key];
  for (const auto& c : policy.at("spec").at("components").as_array()) {
    if (!c.has_object_field("target")) continue;
    const Json& t = c.at("target");
    std::string target_key = ns + "/" + StringAt(t, {"name"});
    by_target_[target_key].insert(Claim{StringAt(meta, {"creationTimestamp"}), name,
                                        StringAt(t, {"apiVersion"}), StringAt(t, {"kind"})});
    targets.push_back(target_key);
  }
}

void TargetIndex::Remove(const std::string& policy_key) {
  MutexLock lock(mu_);
  RemoveLocked(policy_key);
}

void TargetIndex::RemoveLocked(const std::string& policy_key) {
  auto it = by_policy_.find(policy_key);
  if (it == by_policy_.end()) return;
  const std::string name = policy_key.substr(policy_key.find('/') + 1);
  for (const auto& target_key : it->second) {
    auto& claims = by_target_[target_key];
    std::erase_if(claims, [&](const Claim& c) { return c.name == name; });
    if (claims.empty()) by_target_.erase(target_key);
  }
  by_policy_.erase(it);
}

std::vector<std::string> TargetIndex::PoliciesNaming(const std::string& ns, const std::string& kind,
                                                     const std::string& name) const {
  std::vector<std::string> out;
  MutexLock lock(mu_);
  auto it = by_target_.find(ns + "/" + name);
  if (it == by_target_.end()) return out;
  for (const auto& c : it->second) {
    // Watch events carry the kind; listed items may not (the informer adds only apiVersion).
    if (kind.empty() || c.kind == kind) out.push_back(ns + "/" + c.name);
  }
  return out;
}

std::optional<std::string> TargetIndex::OlderPolicyOn(const std::string& policy_key,
                                                      const std::string& ns,
                                                      const TargetRef& target) const {
  const std::string name = policy_key.substr(policy_key.find('/') + 1);
  MutexLock lock(mu_);
  auto it = by_target_.find(ns + "/" + target.name);
  if (it == by_target_.end()) return std::nullopt;
  // Claims are ordered oldest first: the first claim on this kind decides.
  for (const auto& c : it->second) {
    if (c.kind != target.kind || GroupOf(c.api_version) != target.Group()) continue;
    if (c.name == name) return std::nullopt;
    return c.name;
  }
  return std::nullopt;
}

size_t TargetIndex::size() const {
  MutexLock lock(mu_);
  return by_policy_.size();
}

}  // namespace gearbox::reconcile
