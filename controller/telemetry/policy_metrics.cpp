// See policy_metrics.h.
#include "telemetry/policy_metrics.h"

#include <set>

#include "telemetry/buckets.h"

namespace gearbox::telemetry {

namespace {

prometheus::Family<prometheus::Gauge>& GaugeFamily(prometheus::Registry& r, const std::string& name,
                                                   const std::string& help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(r);
}

prometheus::Histogram& Seconds(prometheus::Registry& r, const std::string& name,
                               const std::string& help, const std::vector<double>& buckets) {
  return prometheus::BuildHistogram().Name(name).Help(help).Register(r).Add({}, buckets);
}

template <typename T>
void RemoveIfSet(prometheus::Family<T>& family, T*& metric) {
  if (metric) family.Remove(metric);
  metric = nullptr;
}

}  // namespace

PolicyMetrics::PolicyMetrics(prometheus::Registry& r)
    : phase_(GaugeFamily(r, "gearbox_policy_phase",
                         "1 for the current phase of each ScalingPolicy (only that phase's "
                         "series exists).")),
      ready_(GaugeFamily(r, "gearbox_policy_ready",
                         "1 when the ScalingPolicy's Ready condition is True, else 0.")),
      current_(GaugeFamily(r, "gearbox_component_current_replicas",
                           "Replicas of a component's target as read in the last evaluation.")),
      desired_(GaugeFamily(r, "gearbox_component_desired_replicas",
                           "Replicas the last evaluation decided for a component.")),
      min_(GaugeFamily(r, "gearbox_component_min_replicas",
                       "The minimum in force for a component (its own bounds and its phase's).")),
      max_(GaugeFamily(r, "gearbox_component_max_replicas",
                       "The maximum in force for a component (its own bounds and its phase's).")),
      value_(GaugeFamily(r, "gearbox_metric_value",
                         "The last value read of a policy's metric (no series while it cannot "
                         "be read).")),
      threshold_(GaugeFamily(r, "gearbox_metric_threshold",
                             "The threshold of a scaling rule of a component (per replica for "
                             "perReplica rules).")),
      alert_(GaugeFamily(r, "gearbox_alert_firing",
                         "1 while an alert of a policy's spec.alerts fires, 0 while it does not.")),
      decisions_(prometheus::BuildCounter()
                     .Name("gearbox_scaling_decisions_total")
                     .Help("Replica changes decided, by component, direction and cause (rule, "
                           "bounds, phase, topology); dry_run=true: reported, not applied.")
                     .Register(r)),
      lag_(Seconds(r, "gearbox_evaluation_lag_seconds",
                   "From the time an evaluation was due (the interval or a requeue after the "
                   "last one) to the time it started.",
                   LagBuckets())),
      scale_write_(Seconds(r, "gearbox_scale_write_seconds",
                           "From the start of an evaluation to the new replica count accepted by "
                           "the API server.",
                           SecondsBuckets())) {}

std::shared_ptr<PolicySeries> PolicyMetrics::For(const std::string& ns, const std::string& name) {
  MutexLock lock(mu_);
  auto& slot = series_[ns + "/" + name];
  if (!slot) slot = std::make_shared<PolicySeries>(*this, ns, name);
  return slot;
}

void PolicyMetrics::Remove(const std::string& ns, const std::string& name) {
  std::shared_ptr<PolicySeries> series;
  {
    MutexLock lock(mu_);
    auto it = series_.find(ns + "/" + name);
    if (it == series_.end()) return;
    series = std::move(it->second);
    series_.erase(it);
  }
  series->Remove();
}

PolicySeries::PolicySeries(PolicyMetrics& families, std::string ns, std::string name)
    : f_(families), ns_(std::move(ns)), name_(std::move(name)) {}

prometheus::Labels PolicySeries::With(
    std::initializer_list<prometheus::Labels::value_type> more) const {
  prometheus::Labels labels{{"namespace", ns_}, {"policy", name_}};
  labels.insert(more.begin(), more.end());
  return labels;
}

PolicySeries::ComponentGauges PolicySeries::MakeComponent(const std::string& component) const {
  const auto labels = With({{"component", component}});
  return {&f_.current_.Add(labels), &f_.desired_.Add(labels), &f_.min_.Add(labels),
          &f_.max_.Add(labels)};
}

void PolicySeries::RemoveComponent(const ComponentGauges& g) const {
  f_.current_.Remove(g.current);
  f_.desired_.Remove(g.desired);
  f_.min_.Remove(g.min);
  f_.max_.Remove(g.max);
}

bool PolicySeries::HasShape(int64_t generation) const {
  MutexLock lock(mu_);
  return removed_ || generation_ == generation;
}

void PolicySeries::SetShape(int64_t generation, const PolicyShape& shape) {
  MutexLock lock(mu_);
  if (removed_) return;
  generation_ = generation;
  SetComponentsLocked(shape.components);
  SetMetricsLocked(shape.metrics);
  SetThresholdsLocked(shape.thresholds);
}

// Components kept keep their series (and their decision counters); the others lose them.
void PolicySeries::SetComponentsLocked(const std::vector<std::string>& components) {
  std::map<std::string, ComponentGauges> old;
  for (size_t i = 0; i < components_.size(); ++i) old[components_[i]] = replicas_[i];
  replicas_.clear();
  for (const auto& c : components) {
    auto it = old.find(c);
    replicas_.push_back(it == old.end() ? MakeComponent(c) : it->second);
    if (it != old.end()) old.erase(it);
  }
  for (const auto& [name, gauges] : old) {
    RemoveComponent(gauges);
    for (auto it = decisions_.begin(); it != decisions_.end();) {
      if (std::get<0>(it->first) != name) {
        ++it;
        continue;
      }
      f_.decisions_.Remove(it->second);
      it = decisions_.erase(it);
    }
  }
  components_ = components;
}

void PolicySeries::SetMetricsLocked(const std::vector<std::string>& metrics) {
  std::map<std::string, prometheus::Gauge*> old;
  for (size_t i = 0; i < metrics_.size(); ++i) old[metrics_[i]] = values_[i];
  values_.assign(metrics.size(), nullptr);
  for (size_t i = 0; i < metrics.size(); ++i) {
    auto it = old.find(metrics[i]);
    if (it == old.end()) continue;
    values_[i] = it->second;
    old.erase(it);
  }
  for (auto& [_, gauge] : old) RemoveIfSet(f_.value_, gauge);
  metrics_ = metrics;
}

// The first rule of a component, direction, metric and operator gives the series its value
// (two such rules in one rule set would have the same labels).
void PolicySeries::SetThresholdsLocked(const std::vector<Threshold>& thresholds) {
  for (auto* g : thresholds_) f_.threshold_.Remove(g);
  thresholds_.clear();
  std::set<prometheus::Labels> seen;
  for (const auto& t : thresholds) {
    auto labels = With({{"component", t.component},
                        {"direction", t.direction},
                        {"metric", t.metric},
                        {"operator", t.op}});
    if (!seen.insert(labels).second) continue;
    thresholds_.push_back(&f_.threshold_.Add(labels));
    thresholds_.back()->Set(t.value);
  }
}

void PolicySeries::SetPhase(const std::string& phase) {
  MutexLock lock(mu_);
  if (removed_ || phase == phase_) return;
  RemoveIfSet(f_.phase_, phase_gauge_);
  phase_ = phase;
  if (phase.empty()) return;
  phase_gauge_ = &f_.phase_.Add(With({{"phase", phase}}));
  phase_gauge_->Set(1);
}

void PolicySeries::SetReady(bool ready) {
  MutexLock lock(mu_);
  if (removed_) return;
  if (!ready_) ready_ = &f_.ready_.Add(With({}));
  ready_->Set(ready ? 1 : 0);
}

void PolicySeries::SetReplicas(size_t component, const Replicas& r) {
  MutexLock lock(mu_);
  if (removed_ || component >= replicas_.size()) return;
  const ComponentGauges& g = replicas_[component];
  g.current->Set(r.current);
  g.desired->Set(r.desired);
  g.min->Set(r.min);
  g.max->Set(r.max);
}

void PolicySeries::SetValue(size_t metric, std::optional<double> value) {
  MutexLock lock(mu_);
  if (removed_ || metric >= values_.size()) return;
  prometheus::Gauge*& g = values_[metric];
  if (!value) {
    RemoveIfSet(f_.value_, g);
    return;
  }
  if (!g) g = &f_.value_.Add(With({{"metric", metrics_[metric]}}));
  g->Set(*value);
}

void PolicySeries::SetAlerts(const std::vector<AlertState>& alerts) {
  MutexLock lock(mu_);
  if (removed_) return;
  std::map<std::pair<std::string, std::string>, prometheus::Gauge*> now;
  for (const auto& a : alerts) {
    auto key = std::make_pair(a.name, a.severity);
    auto it = alerts_.find(key);
    prometheus::Gauge* g = nullptr;
    if (it != alerts_.end()) {
      g = it->second;
      alerts_.erase(it);
    } else {
      g = &f_.alert_.Add(With({{"alert", a.name}, {"severity", a.severity}}));
    }
    g->Set(a.firing ? 1 : 0);
    now.emplace(key, g);
  }
  for (auto& [_, g] : alerts_) f_.alert_.Remove(g);  // no longer declared
  alerts_ = std::move(now);
}

void PolicySeries::CountDecision(size_t component, bool up, const char* cause, bool dry_run) {
  MutexLock lock(mu_);
  if (removed_ || component >= components_.size()) return;
  DecisionKey key{components_[component], up, cause, dry_run};
  auto it = decisions_.find(key);
  if (it == decisions_.end()) {
    auto& counter = f_.decisions_.Add(With({{"component", components_[component]},
                                            {"direction", up ? "up" : "down"},
                                            {"cause", cause},
                                            {"dry_run", dry_run ? "true" : "false"}}));
    it = decisions_.emplace(std::move(key), &counter).first;
  }
  it->second->Increment();
}

void PolicySeries::Due(SteadyTime at) {
  MutexLock lock(mu_);
  due_ = at;
}

void PolicySeries::Started(SteadyTime at) {
  MutexLock lock(mu_);
  if (removed_ || !due_) return;
  if (at >= *due_) f_.lag_.Observe(std::chrono::duration<double>(at - *due_).count());
  due_.reset();
}

void PolicySeries::Remove() {
  MutexLock lock(mu_);
  if (removed_) return;
  removed_ = true;
  RemoveAllLocked();
}

void PolicySeries::RemoveAllLocked() {
  for (const auto& g : replicas_) RemoveComponent(g);
  replicas_.clear();
  for (auto*& g : values_) RemoveIfSet(f_.value_, g);
  for (auto* g : thresholds_) f_.threshold_.Remove(g);
  thresholds_.clear();
  RemoveIfSet(f_.phase_, phase_gauge_);
  RemoveIfSet(f_.ready_, ready_);
  for (auto& [_, g] : alerts_) f_.alert_.Remove(g);
  alerts_.clear();
  for (auto& [_, c] : decisions_) f_.decisions_.Remove(c);
  decisions_.clear();
}

}  // namespace gearbox::telemetry
