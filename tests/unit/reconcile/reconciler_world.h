// The world one reconciler table case runs in: a scripted API server (tests/lib), a policy cache,
// the target index, scripted metric sources, a fake clock, and the Reconciler wired to them as the
// controller wires it. Helpers build the objects a case needs in a line each.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "../../lib/scripted_client.h"
#include "kube/clock.h"
#include "kube/discovery.h"
#include "kube/event_recorder.h"
#include "kube/object_store.h"
#include "reconcile/reconciler.h"

namespace gearbox::testing {

using namespace std::chrono_literals;

// What one metric source answers: a value, or an error; after a delay played on the fake clock.
struct ScriptedMetric {
  std::optional<double> value;
  Error error = Error::Of(Error::Kind::kNoData, "no data");
  std::chrono::milliseconds delay{0};
};
inline ScriptedMetric Value(double v) { return {v, {}, 0ms}; }
inline ScriptedMetric Failing(Error::Kind kind, std::string message) {
  return {std::nullopt, Error::Of(kind, std::move(message)), 0ms};
}
inline ScriptedMetric Slow(double v, std::chrono::milliseconds delay) { return {v, {}, delay}; }

// Makes every metric's source from the table in `metrics`; a server whose Secret could not be
// read gives sources that read as that error, as the real factory does.
class ScriptedSources final : public reconcile::SourceFactory {
 public:
  ScriptedSources(std::map<std::string, ScriptedMetric>& metrics, kube::FakeClock& clock)
      : metrics_(metrics), clock_(clock) {}
  reconcile::BuiltSource Make(const reconcile::ParsedPolicy& policy,
                              const reconcile::MetricDef& metric,
                              const reconcile::Connections& connections) override;
  std::string last_bearer_token;  // what the Prometheus connection was made with
  int built = 0;

 private:
  std::map<std::string, ScriptedMetric>& metrics_;
  kube::FakeClock& clock_;
};

// The informer caches of the targets' kinds and of HorizontalPodAutoscalers, as the controller
// has them once synced; off (a cache not synced yet: the reader asks the API server) until a case
// turns it on.
class WorldCache final : public reconcile::TargetCache {
 public:
  std::optional<kube::ObjectPtr> Lookup(const kube::ResourceRef& ref, const std::string& ns,
                                        const std::string& name) override;
  std::optional<std::vector<kube::ObjectPtr>> ListIn(const kube::ResourceRef& ref,
                                                     const std::string& ns) override;
  bool synced = false;
  std::map<std::string, kube::ObjectPtr> objects;  // "resource/namespace/name"
  std::vector<kube::ObjectPtr> hpas;
};

class World {
 public:
  World();

  // ---- objects ----
  // The policy under test: "shop/web-policy", created at 2026-01-01T00:00:00Z.
  kube::Json& policy() { return policy_; }
  // A component {name, target Deployment `deployment`, replicas min..max}.
  static kube::Json Workload(const std::string& name, const std::string& deployment, int min,
                             int max);
  static kube::Json Topology(const std::string& name, const std::string& api_version,
                             const std::string& kind, const std::string& target,
                             const std::string& replicas_field = "");
  static kube::Json Rule(const std::string& metric, const std::string& op, double threshold,
                         const std::string& for_ = "");
  // A Deployment at `replicas` (ready) and its /scale, as the API server would answer them.
  void Deployment(const std::string& name, int replicas, std::optional<int> ready = {});
  // A CloudNativePG Cluster (has /scale) and an Opstree RedisCluster (spec.clusterSize).
  void PostgresCluster(const std::string& name, int instances, int ready);
  void RedisCluster(const std::string& name, int size, int ready);
  void Hpa(const std::string& name, const std::string& deployment);
  // Another policy in the same namespace naming `deployment`, created at `created`.
  void OtherPolicy(const std::string& name, const std::string& deployment,
                   const std::string& created);
  void Secret(const std::string& name, const std::string& key, const std::string& value);

  // The reconciler as the controller makes it: a policy's first requeue spread over its interval.
  void SpreadFirstRequeue();
  // The reconciler checks the servers and replicasFields policies name against the cluster
  // admin's rules (null: not checked; they must outlive the world).
  void UseAdmissionRules(const reconcile::SourceAccess* access,
                         const reconcile::ReplicasFieldRules* fields);
  // A new controller process (a restart, or another replica taking the Lease): a reconciler with
  // nothing in memory, which reads the engine state back from the policy's status.
  void Restart();
  // The targets and HPAs are read from synced informer caches from now on.
  void UseCaches() { cache_.synced = true; }

  // ---- running ----
  // One reconcile of the policy, with the policy as it is now (its status compacted in the cache,
  // as the controller's cache keeps it).
  kube::ReconcileResult Pass();
  void Delete();  // the policy is gone from the cache from now on
  // The requests of the last pass, as "METHOD path [body]", discovery reads left out.
  std::vector<std::string> Calls() const;
  std::vector<std::string> Writes() const;               // PATCHes of targets
  std::vector<std::string> Events() const;               // "Reason: note" of the Events created
  std::optional<kube::Json> Status() const;              // the last status written in the last pass
  std::string Condition(const std::string& type) const;  // "False/Reason: message"
  kube::Json Component(const std::string& name) const;   // status.components[name]

  ScriptedClient& api() { return *api_; }
  kube::FakeClock& clock() { return clock_; }
  std::map<std::string, ScriptedMetric>& metrics() { return metric_table_; }
  ScriptedSources& sources() { return sources_; }
  kube::MapStore& store() { return store_; }
  reconcile::TargetIndex& index() { return index_; }
  reconcile::Reconciler& reconciler() { return *reconciler_; }
  prometheus::Registry& registry() { return registry_; }

 private:
  void ScriptDiscovery();

  kube::FakeClock clock_;
  std::shared_ptr<ScriptedClient> api_;
  kube::Json policy_;
  bool deleted_ = false;
  kube::Json hpas_ = kube::Json::array();
  kube::MapStore store_;
  reconcile::TargetIndex index_;
  kube::Discovery discovery_;
  WorldCache cache_;
  reconcile::TargetReader targets_;
  std::map<std::string, ScriptedMetric> metric_table_;
  ScriptedSources sources_;
  prometheus::Registry registry_;
  telemetry::SourceMetrics source_metrics_{registry_};
  reconcile::MetricReader reader_;
  kube::EventRecorder recorder_;
  std::ostringstream log_out_;
  telemetry::Logger log_;
  std::unique_ptr<reconcile::Reconciler> reconciler_;
};

}  // namespace gearbox::testing
