// Reading and writing one component's target, whatever its kind: the object from its kind's
// informer cache (or a GET when that cache has not synced), its counts from the object itself
// (Deployments, StatefulSets, ReplicaSets), its /scale subresource (other kinds) or its
// replicasField, and the write of a new replica count to the same place. Also who else may drive
// a target: the HorizontalPodAutoscalers of a namespace, from their informer cache too. A target
// that cannot be read completely is an error, never a count of 0: no write may follow from a count
// not read.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kube/client.h"
#include "kube/discovery.h"
#include "kube/object_store.h"
#include "reconcile/targets.h"

namespace gearbox::reconcile {

// Where target objects are looked up before asking the API server.
class TargetCache {
 public:
  virtual ~TargetCache() = default;
  // The object (null: not there) from a synced cache of its kind in `ns`; nullopt when there is no
  // synced cache of it yet, so the caller must GET it.
  virtual std::optional<kube::ObjectPtr> Lookup(const kube::ResourceRef& ref, const std::string& ns,
                                                const std::string& name) = 0;
  // Every object of the kind in `ns` from its synced cache; nullopt when there is none yet.
  virtual std::optional<std::vector<kube::ObjectPtr>> ListIn(const kube::ResourceRef& ref,
                                                             const std::string& ns) = 0;
};

inline const kube::ResourceRef kHorizontalPodAutoscalers{"autoscaling", "v2",
                                                         "horizontalpodautoscalers", true};

struct TargetSnapshot {
  kube::ResourceRef ref;  // the resource the target's kind maps to
  TargetState state;
};

class TargetReader {
 public:
  TargetReader(kube::Client& client, kube::Discovery& discovery, TargetCache* cache)
      : client_(client), discovery_(discovery), cache_(cache) {}

  Result<TargetSnapshot> Read(const std::string& ns, const TargetRef& target);
  // Sets the target's replicas through /scale, or its replicasField with a merge patch.
  Status Write(const TargetSnapshot& snapshot, const std::string& ns, const TargetRef& target,
               int replicas);
  // The HorizontalPodAutoscalers in `ns`: cached, or LISTed while their cache has not synced.
  Result<std::vector<kube::ObjectPtr>> HorizontalPodAutoscalers(const std::string& ns);

 private:
  Result<kube::ObjectPtr> Object(const kube::ResourceRef& ref, const std::string& ns,
                                 const TargetRef& target);

  kube::Client& client_;
  kube::Discovery& discovery_;
  TargetCache* cache_;  // may be null: always GET
};

}  // namespace gearbox::reconcile
