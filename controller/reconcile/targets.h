// What Gearbox needs to know about a scale target, read from its object (and its /scale), whatever
// its kind: Deployments and StatefulSets, CloudNativePG Clusters, Opstree RedisClusters, any
// custom resource with a /scale subresource, or one sized by a field (replicasField).
#pragma once

#include <cpprest/json.h>

#include <string>

namespace gearbox::reconcile {

struct TargetRef {
  std::string api_version;  // "apps/v1", "postgresql.cnpg.io/v1"
  std::string kind;
  std::string name;
  std::string replicas_field;  // "spec.clusterSize"; empty: use the /scale subresource

  std::string Group() const;     // "" for the core group, "apps", ...
  std::string Describe() const;  // "Deployment storefront-web"
};

// The API group of an apiVersion: "" for "v1", "apps" for "apps/v1".
std::string GroupOf(const std::string& api_version);

struct TargetState {
  int desired = 0;             // what the target is asked for now (spec)
  int current = 0;             // what it has (status), or desired when it does not say
  int ready = 0;               // of those, ready
  bool reports_ready = false;  // false: the kind has no readiness we know; ready = current
  std::string selector;        // the pods' label selector (from /scale's status.selector), if any
  int64_t generation = 0;
  int64_t observed_generation = -1;  // -1: the kind does not report it

  // The target has settled at `replicas`: asked for, reached, ready, and its controller has seen
  // it.
  bool ReadyAt(int replicas) const;
};

// Reads the state from the object and, when the target uses /scale, its Scale object (may be null).
// Readiness comes from the first of status.readyReplicas (Deployment, StatefulSet, ReplicaSet),
// status.readyInstances (CloudNativePG), status.readyLeaderReplicas (Opstree Redis) present.
TargetState ReadTargetState(const web::json::value& object, const web::json::value* scale,
                            const std::string& replicas_field);

// Whether this autoscaling/v2 HorizontalPodAutoscaler's scaleTargetRef is `target`: Gearbox then
// reports it and does not fight.
bool HpaDrives(const web::json::value& hpa, const TargetRef& target);

}  // namespace gearbox::reconcile
