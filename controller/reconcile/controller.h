// The ScalingPolicy controller, assembled: informers on ScalingPolicies (all namespaces or the ones
// given) feeding the target index and the work queue, informers on the targets' kinds (started
// when a policy first names a kind in a namespace) requeueing the policies that name a target
// whose counts changed, and workers running the Reconciler. main.cpp builds one and starts it.
// Its metrics (the work queue's, the reconciles', the sources' and the policies') are registered
// on the registry it is given.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "kube/client.h"
#include "kube/controller_loop.h"
#include "kube/discovery.h"
#include "kube/event_recorder.h"
#include "kube/informer.h"
#include "reconcile/metric_reader.h"
#include "reconcile/reconciler.h"
#include "reconcile/secret_watches.h"
#include "reconcile/shard.h"
#include "reconcile/sources.h"
#include "reconcile/target_index.h"
#include "reconcile/target_reader.h"
#include "reconcile/target_watches.h"
#include "telemetry/log.h"
#include "telemetry/reconcile_metrics.h"
#include "telemetry/source_metrics.h"
#include "telemetry/workqueue_metrics.h"

namespace gearbox::reconcile {

struct ControllerOptions {
  std::vector<std::string> namespaces;  // empty: all
  int concurrency = 4;
  size_t metric_read_threads = 8;  // the pool every metric read runs on
  // A namespace's share of the workers and of the readers, so that one team whose sources are
  // slow cannot hold them all (0: half the workers, a quarter of the readers; at least 1 each).
  size_t reconciles_per_namespace = 0;
  size_t reads_per_namespace = 0;
  std::string instance = "gearbox";    // this replica, for Events
  Shard shard;                         // the namespaces whose policies this replica serves
  SourceAccess source_access;          // where policies may point the controller
  ReplicasFieldRules replicas_fields;  // the replicasFields policies may write, per kind
  std::chrono::milliseconds stalled_after{std::chrono::minutes(5)};  // a stuck reconcile (healthz)
};

class Controller {
 public:
  Controller(std::shared_ptr<kube::Client> client, ControllerOptions options,
             prometheus::Registry& registry, telemetry::Logger& log);
  ~Controller();

  void StartInformers();
  bool Synced() const;                 // safe to call from any thread at any time (the probes do)
  std::string NotReadyReason() const;  // "" when the caches are synced
  // "" unless a reconcile has run for options.stalled_after or longer at `now` (for /healthz:
  // every read and write of a pass has a deadline far shorter, so such a worker is stuck).
  std::string NotLiveReason(std::chrono::steady_clock::time_point now) const;
  void StartWorkers();  // once leading; does nothing after Stop()
  void Stop();

  // Brings the gauges of the work in progress up to date (before a scrape).
  void RefreshMetrics() const;

 private:
  // The ScalingPolicy informers seen as one store.
  class PolicyStore final : public kube::ObjectStore {
   public:
    explicit PolicyStore(const std::vector<std::unique_ptr<kube::Informer>>& informers)
        : informers_(informers) {}
    kube::ObjectPtr Get(const std::string& key) const override;
    std::vector<kube::ObjectPtr> List() const override;

   private:
    const std::vector<std::unique_ptr<kube::Informer>>& informers_;
  };

  void MakePolicyInformers();
  void OnPolicyChanged(const kube::Json& cached);
  void OnPolicyDeleted(const kube::Json& object);
  void OnTargetChanged(const kube::Json& target);
  void OnSecretChanged(const std::string& ns, const std::string& name);
  void CountOutcome(const kube::ReconcileResult& result, std::chrono::steady_clock::duration took);
  kube::ReconcileResult Reconcile(const std::string& key);

  std::shared_ptr<kube::Client> client_;
  ControllerOptions options_;
  telemetry::Logger& log_;
  std::vector<std::unique_ptr<kube::Informer>> informers_;
  PolicyStore store_{informers_};
  kube::Discovery discovery_;
  kube::EventRecorder recorder_;
  TargetIndex index_;
  TargetWatches watches_;
  SecretWatches secrets_;
  TargetReader targets_;
  LiveSourceFactory sources_;
  telemetry::SourceMetrics source_metrics_;
  MetricReader reader_;
  telemetry::ReconcileMetrics reconcile_metrics_;
  telemetry::WorkQueueMetrics queue_metrics_;
  Reconciler reconciler_;
  kube::ControllerLoop loop_;
  bool stopped_ = false;
};

}  // namespace gearbox::reconcile
