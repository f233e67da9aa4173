// Which fields a policy may have the controller write as a target's replica count (replicasField),
// by kind: the cluster admin's list (--replicas-field KIND.GROUP=PATH; chart:
// rbac.extraScaleTargets[].replicasField). A free path would let a policy author patch any
// integer field of any object the controller may patch (a RedisCluster's port, a Cluster's
// storage size). Without flags, the known topology kinds' own fields are allowed.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "base/result.h"
#include "reconcile/policy_spec.h"

namespace gearbox::reconcile {

class ReplicasFieldRules {
 public:
  // The known topology kinds' replica fields (Opstree RedisCluster and RedisReplication).
  ReplicasFieldRules();
  // "KIND.GROUP=PATH" each ("RedisCluster.redis.redis.opstreelabs.in=spec.clusterSize"), or an
  // Error (kInvalid) naming the rule that does not parse. An empty list allows no field.
  static Result<ReplicasFieldRules> Parse(const std::vector<std::string>& rules);

  // Ok, or why a component's replicasField is refused (kConfig, naming what is allowed).
  Status Check(const ParsedPolicy& policy) const;

 private:
  std::set<std::string> allowed_;  // "KIND.GROUP=PATH"
};

}  // namespace gearbox::reconcile
