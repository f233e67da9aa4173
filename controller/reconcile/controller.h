// The reconcile loop: an informer on ScalingPolicies (all namespaces or the ones given), informers
// on the kinds of their targets (started when a policy first names a kind in a namespace), a work
// queue keyed by namespace/name, and workers that, for each policy, read its targets (from those
// caches, and their /scale) and its metrics, run the engine, write /scale only when a count
// must change, write /status only when it changed, and record an Event for every change (never
// one per evaluation). A target also driven by an HPA or by an older ScalingPolicy is reported
// (AbleToScale=False) and left alone. Each policy is evaluated again after spec.interval, or
// sooner when a rule's `for` or a phase's hold completes before that, or when a target's replica
// or ready count changes (a topology change becoming ready, someone else scaling it).
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "kube/client.h"
#include "kube/discovery.h"
#include "kube/event_recorder.h"
#include "kube/informer.h"
#include "kube/work_queue.h"
#include "metrics/prometheus.h"
#include "metrics/redis_queue.h"
#include "metrics/resource_metrics.h"
#include "reconcile/policy_spec.h"
#include "reconcile/status.h"
#include "telemetry/log.h"
#include "telemetry/registry.h"

namespace gearbox::reconcile {

inline const kube::ResourceRef kScalingPolicies{"gearbox.dev", "v1alpha1", "scalingpolicies", true};

struct ControllerOptions {
  std::vector<std::string> namespaces;  // empty: all
  int concurrency = 2;
  std::string instance = "gearbox";  // this replica, for Events
};

class Controller {
 public:
  Controller(std::shared_ptr<kube::Client> client, ControllerOptions options,
             telemetry::Registry& registry, telemetry::Logger& log);
  ~Controller();

  void StartInformers();
  bool Synced() const;
  std::string NotReadyReason() const;  // "" when the caches are synced
  void StartWorkers();                 // once leading
  void Stop();

 private:
  struct Runtime;  // per policy: parsed spec, metric sources, engine state
  void Worker();
  // Returns the delay until the policy should be evaluated again (nullopt: only on change).
  std::optional<std::chrono::milliseconds> Reconcile(const std::string& key);
  void BuildSources(Runtime& rt);
  std::string Secret(const std::string& ns, const SecretKeyRef& ref, std::string* error);
  void WriteStatus(const kube::Json& object, const kube::Json& status);
  void Record(const kube::Json& object, const std::string& type, const std::string& reason,
              const std::string& note);
  // The target from its informer's cache (started on first use); nullopt: not cached yet, GET it.
  std::optional<std::optional<kube::Json>> CachedTarget(const kube::ResourceRef& ref,
                                                        const std::string& ns,
                                                        const std::string& name);
  void EnqueuePoliciesFor(const kube::Json& target);

  std::shared_ptr<kube::Client> client_;
  ControllerOptions options_;
  telemetry::Logger& log_;
  kube::Discovery discovery_;
  kube::EventRecorder recorder_;
  kube::WorkQueue queue_;
  metrics::PrometheusPool prometheus_;
  std::mutex redis_mu_;
  std::map<std::string, std::shared_ptr<metrics::RedisConnection>> redis_;
  std::vector<std::unique_ptr<kube::Informer>> informers_;
  std::mutex targets_mu_;
  std::map<std::string, std::unique_ptr<kube::Informer>> target_informers_;  // resource/ns
  std::mutex runtimes_mu_;
  std::map<std::string, std::shared_ptr<Runtime>> runtimes_;
  std::vector<std::thread> workers_;
  std::atomic<bool> stopping_{false};

  telemetry::Family& reconciles_;
  telemetry::Family& reconcile_seconds_;
  telemetry::Family& decisions_;
  telemetry::Family& source_errors_;
  telemetry::Family& phase_;
  telemetry::Family& write_seconds_;
};

}  // namespace gearbox::reconcile
