// Gearbox's per-policy families, labelled namespace and policy: the phase, Ready, each
// component's replicas and bounds, each metric's last value and each rule's threshold, the alerts
// firing, the decisions by direction and cause; and, for all policies, the evaluation lag and the
// time to a scale write. docs/metrics.md lists them.
//
// A policy's series are held by its PolicySeries, which keeps the handle of every series it made
// (a pass sets values without looking a series up) and removes them all when the policy goes.
// The caller maps the engine's result onto it (reconcile/exported_metrics.h); this file knows no
// policy types.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "base/mutex.h"

namespace gearbox::telemetry {

// One rule's threshold: the labels and value of a gearbox_metric_threshold series.
struct Threshold {
  std::string component;
  std::string direction;  // up (scaleUp) or down (scaleDown)
  std::string metric;
  std::string op;  // above or below
  double value = 0;
};

// What a policy's spec declares; it fixes which series the policy has.
struct PolicyShape {
  std::vector<std::string> components;
  std::vector<std::string> metrics;
  std::vector<Threshold> thresholds;
};

struct Replicas {
  int current = 0, desired = 0, min = 0, max = 0;
};

// An alert of the policy's spec.alerts and whether it fires now.
struct AlertState {
  std::string name;
  std::string severity;
  bool firing = false;
};

class PolicyMetrics;

// The series of one policy. Thread-safe (each call takes its lock once); after Remove() every call
// does nothing, so a pass still holding it cannot bring the series back.
class PolicySeries {
 public:
  using SteadyTime = std::chrono::steady_clock::time_point;

  PolicySeries(PolicyMetrics& families, std::string ns, std::string name);

  // The spec the series follow, set when its generation changes: the series of components and
  // metrics it no longer declares go, the thresholds are set anew.
  bool HasShape(int64_t generation) const EXCLUDES(mu_);
  void SetShape(int64_t generation, const PolicyShape& shape) EXCLUDES(mu_);

  void SetPhase(const std::string& phase) EXCLUDES(mu_);  // "": a policy without phases
  void SetReady(bool ready) EXCLUDES(mu_);
  // By index into the shape's components and metrics.
  void SetReplicas(size_t component, const Replicas& replicas) EXCLUDES(mu_);
  void SetValue(size_t metric, std::optional<double> value) EXCLUDES(mu_);  // nullopt: unreadable
  // Every declared alert has a series, 1 while it fires and 0 otherwise (so a dashboard shows an
  // alert that stopped as 0, and rate of change works); an alert no longer declared loses its own.
  void SetAlerts(const std::vector<AlertState>& alerts) EXCLUDES(mu_);
  void CountDecision(size_t component, bool up, const char* cause, bool dry_run) EXCLUDES(mu_);

  // The evaluation lag: the next evaluation is due at `at` (the interval or a requeue from now);
  // Started() observes how late it began, when it was due (not for one started early by a
  // change).
  void Due(SteadyTime at) EXCLUDES(mu_);
  void Started(SteadyTime at) EXCLUDES(mu_);

  void Remove() EXCLUDES(mu_);

 private:
  struct ComponentGauges {
    prometheus::Gauge* current = nullptr;
    prometheus::Gauge* desired = nullptr;
    prometheus::Gauge* min = nullptr;
    prometheus::Gauge* max = nullptr;
  };
  using DecisionKey = std::tuple<std::string, bool, std::string, bool>;

  prometheus::Labels With(std::initializer_list<prometheus::Labels::value_type> more) const;
  ComponentGauges MakeComponent(const std::string& component) const;
  void RemoveComponent(const ComponentGauges& g) const;
  void SetComponentsLocked(const std::vector<std::string>& components) REQUIRES(mu_);
  void SetMetricsLocked(const std::vector<std::string>& metrics) REQUIRES(mu_);
  void SetThresholdsLocked(const std::vector<Threshold>& thresholds) REQUIRES(mu_);
  void RemoveAllLocked() REQUIRES(mu_);

  PolicyMetrics& f_;
  const std::string ns_, name_;
  mutable Mutex mu_;
  bool removed_ GUARDED_BY(mu_) = false;
  int64_t generation_ GUARDED_BY(mu_) = -1;
  std::vector<std::string> components_ GUARDED_BY(mu_);
  std::vector<ComponentGauges> replicas_ GUARDED_BY(mu_);
  std::vector<std::string> metrics_ GUARDED_BY(mu_);
  std::vector<prometheus::Gauge*> values_ GUARDED_BY(mu_);  // null while unreadable
  std::vector<prometheus::Gauge*> thresholds_ GUARDED_BY(mu_);
  std::string phase_ GUARDED_BY(mu_);
  prometheus::Gauge* phase_gauge_ GUARDED_BY(mu_) = nullptr;
  prometheus::Gauge* ready_ GUARDED_BY(mu_) = nullptr;
  std::map<std::pair<std::string, std::string>, prometheus::Gauge*> alerts_ GUARDED_BY(mu_);
  std::map<DecisionKey, prometheus::Counter*> decisions_ GUARDED_BY(mu_);
  std::optional<SteadyTime> due_ GUARDED_BY(mu_);
};

// The families, registered once, and the series of every policy by "namespace/name".
class PolicyMetrics {
 public:
  explicit PolicyMetrics(prometheus::Registry& registry);

  // The policy's series (made on first use); the same object until Remove().
  std::shared_ptr<PolicySeries> For(const std::string& ns, const std::string& name) EXCLUDES(mu_);
  // Removes every series of the policy (it was deleted).
  void Remove(const std::string& ns, const std::string& name) EXCLUDES(mu_);

  void ObserveScaleWrite(std::chrono::duration<double> since_evaluation_start) {
    scale_write_.Observe(since_evaluation_start.count());
  }

 private:
  friend class PolicySeries;

  prometheus::Family<prometheus::Gauge>& phase_;
  prometheus::Family<prometheus::Gauge>& ready_;
  prometheus::Family<prometheus::Gauge>& current_;
  prometheus::Family<prometheus::Gauge>& desired_;
  prometheus::Family<prometheus::Gauge>& min_;
  prometheus::Family<prometheus::Gauge>& max_;
  prometheus::Family<prometheus::Gauge>& value_;
  prometheus::Family<prometheus::Gauge>& threshold_;
  prometheus::Family<prometheus::Gauge>& alert_;
  prometheus::Family<prometheus::Counter>& decisions_;
  prometheus::Histogram& lag_;
  prometheus::Histogram& scale_write_;

  Mutex mu_;
  std::map<std::string, std::shared_ptr<PolicySeries>> series_ GUARDED_BY(mu_);
};

}  // namespace gearbox::telemetry
