// Which ScalingPolicies name which targets, kept up to date from the policy informer's events,
// so that finding who else drives a target (the older policy keeps it) and which policies to look
// at again when a target changes costs a map lookup, not a scan of every policy.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <cpprest/json.h>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "reconcile/targets.h"

namespace gearbox::reconcile {

class TargetIndex {
 public:
  // Adds or replaces what the policy object names.
  void Update(const web::json::value& policy);
  void Remove(const std::string& policy_key);

  // The policies ("namespace/name") that name a target of this kind and name in `ns`.
  std::vector<std::string> PoliciesNaming(const std::string& ns, const std::string& kind,
                                          const std::string& name) const;
  // The name of a policy older than `policy_key` (created earlier; on a tie, the smaller name)
  // that names the same target, if any: that one keeps the target.
  std::optional<std::string> OlderPolicyOn(const std::string& policy_key, const std::string& ns,
                                           const TargetRef& target) const;
  size_t size() const;

 private:
  struct Claim {
    std::string created;  // creationTimestamp (RFC 3339 sorts as text)
    std::string name;
    std::string api_version;
    std::string kind;
    bool operator<(const Claim& o) const;
  };
  // "ns/name" (the target's) -> claims on it
  std::map<std::string, std::set<Claim>> by_target_ GUARDED_BY(mu_);
  // policy key -> the target keys it names
  std::map<std::string, std::vector<std::string>> by_policy_ GUARDED_BY(mu_);
  mutable Mutex mu_;

  void RemoveLocked(const std::string& policy_key) REQUIRES(mu_);
};

}  // namespace gearbox::reconcile
