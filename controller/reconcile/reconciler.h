// One pass over one ScalingPolicy, in the order a reader follows it in reconciler.cpp:
//   Load     the policy from the cache, parsed once per generation, its sources built
//   Read     its targets (counts, readiness, who else drives them) and its metrics
//   Decide   the engine's evaluation: the spec compiled once per generation (policy/engine.h),
//            its state carried by slot from pass to pass, read back from status after a restart
//   Write    each replica count that must change (not in DryRun, not on a contested target)
//   Commit   the engine state from what was actually written
//   Report   status (when it changed) and Events (never one per evaluation)
//   Requeue  at the interval, or sooner when a timer completes
// The pass returns what happened (kube::ReconcileResult), so a failed write is an error to the
// loop and to the metrics. Everything a policy holds is released when it is deleted (Forget).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "kube/client.h"
#include "kube/clock.h"
#include "kube/controller_loop.h"
#include "kube/event_recorder.h"
#include "kube/object_store.h"
#include "reconcile/metric_reader.h"
#include "reconcile/policy_spec.h"
#include "reconcile/replicas_fields.h"
#include "reconcile/sources.h"
#include "reconcile/target_index.h"
#include "reconcile/target_reader.h"
#include "telemetry/log.h"
#include "telemetry/policy_metrics.h"

namespace gearbox::reconcile {

inline const kube::ResourceRef kScalingPolicies{"gearbox.dev", "v1alpha1", "scalingpolicies", true};

struct ReconcilerDeps {
  kube::Client& client;
  const kube::ObjectStore& policies;  // the ScalingPolicy cache
  TargetReader& targets;
  const TargetIndex& index;
  SourceFactory& sources;
  MetricReader& reader;
  kube::EventRecorder& recorder;
  const kube::Clock& clock;
  prometheus::Registry& registry;  // the per-policy families are registered on it
  telemetry::Logger& log;
  // A policy's first evaluation by this controller comes back after a share of 0.5..1.5 of its
  // interval chosen by its name, not after the interval: policies applied or found together (at
  // start, 10,000 at once) are then spread over the interval instead of all falling due in the
  // same instant every interval. Off in tests that assert exact requeues.
  bool spread_first_requeue = false;
  // The cluster admin's rules on where a policy may point the controller; null: not checked
  // (tests of other logic). A refused source leaves the policy not evaluated, Ready=False.
  const SourceAccess* access = nullptr;
  // The replicasFields the cluster admin allows per kind; null: not checked (tests of other logic).
  const ReplicasFieldRules* replicas_fields = nullptr;
};

class Reconciler {
 public:
  explicit Reconciler(ReconcilerDeps deps);
  ~Reconciler();

  kube::ReconcileResult Reconcile(const std::string& key);
  // Releases everything the policy held: parsed spec, sources, engine state, metric series.
  void Forget(const std::string& key) EXCLUDES(mu_);
  // A Secret the policy names has changed: its sources are built again on its next pass.
  void SecretChanged(const std::string& key) EXCLUDES(mu_);
  size_t policies_held() const;
  // Specs compiled into an Engine since this reconciler was made: one per policy and generation
  // that parses, however many passes evaluate it (the tests count them).
  uint64_t compilations() const { return compilations_.load(); }

 private:
  struct Runtime;
  struct Pass;

  std::shared_ptr<Runtime> RuntimeFor(const std::string& key);
  bool Load(Pass& pass);
  void Compile(Runtime& rt);
  void ReportInvalid(Pass& pass, const Error& error, const char* reason = "InvalidSpec");
  kube::Json StoredStatus(const Pass& pass);
  bool Admitted(Pass& pass, const ParsedPolicy& parsed);
  void ReadTargets(Pass& pass);
  void ReadTarget(Pass& pass, const policy::Component& component,
                  const std::vector<kube::ObjectPtr>* hpas);
  void ReadMetrics(Pass& pass);
  void ReadPauseAnnotation(Pass& pass);
  void Decide(Pass& pass);
  static constexpr std::chrono::seconds kApiReadAllowance{10};
  bool TooLate(Pass& pass);
  void WriteTargets(Pass& pass);
  void WriteTarget(Pass& pass, int component);
  void ReportConflicts(Pass& pass);
  void Commit(Pass& pass);
  void WriteStatus(Pass& pass, const kube::Json& status);
  void RecordEvents(Pass& pass);
  void Record(const Pass& pass, bool warning, const std::string& reason, const std::string& note);
  void ExportMetrics(Pass& pass, const kube::ReconcileResult& result);
  kube::ReconcileResult Requeue(const Pass& pass) const;

  ReconcilerDeps d_;
  mutable Mutex mu_;
  std::map<std::string, std::shared_ptr<Runtime>> runtimes_ GUARDED_BY(mu_);
  telemetry::PolicyMetrics metrics_;
  std::atomic<uint64_t> compilations_{0};
};

}  // namespace gearbox::reconcile
