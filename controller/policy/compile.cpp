// Compiling a Spec (compiled.h), and the conversions between the map forms of policy.h and the
// slot forms of engine.h.
#include <algorithm>

#include "policy/compiled.h"
#include "policy/sizing.h"
#include "policy/warnings.h"

namespace gearbox::policy {
namespace internal {

namespace {

int SlotOf(SlotMap& slots, std::vector<std::string>& names, const std::string& name) {
  auto [it, added] = slots.try_emplace(name, static_cast<int>(names.size()));
  if (added) names.push_back(name);
  return it->second;
}

// Whether a rule of the component on the same metric (and the same perReplica) states a target:
// the metric is then a per-pod value for all of them, as its target says.
bool MetricHasTarget(const Compiled& c, const CompiledComponent& cc, const CompiledRule& cr) {
  for (int i = cc.up_begin; i < cc.down_end; ++i) {
    const CompiledRule& other = c.rules[static_cast<size_t>(i)];
    if (other.metric == cr.metric && other.rule->per_replica == cr.rule->per_replica &&
        other.rule->target)
      return true;
  }
  return false;
}

// How a rule's reading sizes its component: a scale-up rule above a threshold or a scale-down
// rule below one, on a total divided across the replicas (perReplica) or a per-pod value (the
// component's own resource metric, or a metric a rule of the component gives a target). Anything
// else is a gate.
Sizing SizingOf(const Compiled& c, const CompiledRule& cr, int component, bool up) {
  const Rule& r = *cr.rule;
  if (r.above != up) return Sizing::kGate;
  if (r.per_replica) return Sizing::kPerReplica;
  const CompiledComponent& cc = c.components[static_cast<size_t>(component)];
  const bool own_resource = c.resource_of[static_cast<size_t>(cr.metric)] == component;
  return own_resource || MetricHasTarget(c, cc, cr) ? Sizing::kPerPod : Sizing::kGate;
}

// Where a proportional scale-down rule lands: its target; else the scale-up rule's on the same
// metric, or that rule's threshold less the tolerance (so that the count it lands on does not sit
// on the edge of a scale-up); else its own threshold.
double LandingOf(const Compiled& c, const CompiledComponent& cc, const CompiledRule& down) {
  if (down.rule->target) return *down.rule->target;
  for (int i = cc.up_begin; i < cc.up_end; ++i) {
    const CompiledRule& up = c.rules[static_cast<size_t>(i)];
    if (up.metric != down.metric || up.sizing != down.sizing) continue;
    return up.rule->target ? *up.rule->target : up.rule->threshold / (1 + kTolerance);
  }
  return down.rule->threshold;
}

}  // namespace

// The rules of one set of a workload, with their `for` timers ("app/scaleUp/0/cpu").
void Compiled::AddRules(const Component& c, const std::optional<RuleSet>& set, const char* what) {
  if (!set || c.role != Role::kWorkload) return;
  for (size_t i = 0; i < set->rules.size(); ++i) {
    const Rule& r = set->rules[i];
    rules.push_back({&r, SlotOf(metric_slots, metrics, r.metric),
                     TimerOf(c.name + what + std::to_string(i) + "/" + r.metric)});
  }
}

void Compiled::AddComponent(const Component& c) {
  component_slots.try_emplace(c.name, static_cast<int>(components.size()));
  CompiledComponent cc;
  cc.spec = &c;
  cc.up_begin = static_cast<int>(rules.size());
  AddRules(c, c.scale_up, "/scaleUp/");
  cc.up_end = cc.down_begin = static_cast<int>(rules.size());
  AddRules(c, c.scale_down, "/scaleDown/");
  cc.down_end = static_cast<int>(rules.size());
  if (c.role == Role::kWorkload) {
    cc.last_up = TimerOf(c.name + "/lastScaleUp");
    cc.last_down = TimerOf(c.name + "/lastScaleDown");
  }
  cc.bounds.push_back(WorkloadBounds(c, nullptr));
  cc.size.push_back(TopologyTarget(c, nullptr));
  if (spec.phases) {
    for (const auto& ph : spec.phases->list) {
      cc.bounds.push_back(WorkloadBounds(c, &ph));
      cc.size.push_back(TopologyTarget(c, &ph));
    }
  }
  components.push_back(std::move(cc));
}

// Pause, fallback and scaleToZero: their timers and the activations' metric slots.
void Compiled::AddOperations(CompiledComponent& cc) {
  const Component& c = *cc.spec;
  cc.paused_timer = TimerOf(c.name + "/paused");
  if (c.role != Role::kWorkload) return;
  if (c.fallback) cc.fallback_timer = TimerOf(c.name + "/fallback");
  if (!c.scale_to_zero) return;
  cc.idle_timer = TimerOf(c.name + "/idle");
  for (const Activation& a : c.scale_to_zero->activation)
    cc.activation.push_back(SlotOf(metric_slots, metrics, a.metric));
}

// A schedule's timer and the minimum it gives each workload by slot (names that are not
// workloads give none; the reconciler rejects them).
void Compiled::AddSchedule(const Schedule& s) {
  CompiledSchedule cs{&s, TimerOf("schedule/" + s.name), std::vector<int>(components.size(), -1)};
  for (const auto& [name, min] : s.mins) {
    const int k = Find(component_slots, name);
    if (k < 0 || components[static_cast<size_t>(k)].topology()) continue;
    CompiledComponent& cc = components[static_cast<size_t>(k)];
    cs.mins[static_cast<size_t>(k)] = min;
    cc.schedule_only = !cc.spec->scale_up && !cc.spec->scale_down;
  }
  schedules.push_back(std::move(cs));
}

void Compiled::ClassifyRules(int component) {
  const CompiledComponent& cc = components[static_cast<size_t>(component)];
  for (int i = cc.up_begin; i < cc.down_end; ++i) {
    CompiledRule& cr = rules[static_cast<size_t>(i)];
    const bool up = i < cc.up_end;
    cr.sizing = SizingOf(*this, cr, component, up);
    cr.tolerance = cr.rule->target.has_value();
    cr.target = cr.rule->target ? *cr.rule->target : cr.rule->threshold;
  }
  for (int i = cc.down_begin; i < cc.down_end; ++i) {
    CompiledRule& cr = rules[static_cast<size_t>(i)];
    if (cr.sizing != Sizing::kGate) cr.target = LandingOf(*this, cc, cr);
  }
  // A target that is not a positive number sizes nothing: such a rule is a gate.
  for (int i = cc.up_begin; i < cc.down_end; ++i) {
    CompiledRule& cr = rules[static_cast<size_t>(i)];
    if (!(cr.target > 0)) cr.sizing = Sizing::kGate;
  }
}

int Compiled::TimerOf(const std::string& key) { return SlotOf(timer_slots, timer_keys, key); }

Compiled::Compiled(const Spec& s) : spec(s) {
  for (const auto& m : spec.metrics) declared.push_back(SlotOf(metric_slots, metrics, m));
  for (const auto& c : spec.components) AddComponent(c);
  if (has_phases()) {
    phase_metric = SlotOf(metric_slots, metrics, spec.phases->metric);
    for (const auto& ph : spec.phases->list) phase_timers.push_back(TimerOf("phase/" + ph.name));
  }
  for (const auto& a : spec.alerts)
    alerts.push_back({&a, SlotOf(metric_slots, metrics, a.metric), TimerOf("alert/" + a.name),
                      TimerOf("alertFiring/" + a.name)});
  // Last, so that the slots of the timers above stay as they were before these were added.
  for (const auto& m : spec.metrics) unavailable_timers.push_back(TimerOf("unavailable/" + m));
  for (auto& cc : components) AddOperations(cc);  // last too, for the same reason
  resource_of.assign(metrics.size(), -1);
  for (const auto& [metric, component] : spec.resource_metrics) {
    const int m = Find(metric_slots, metric), k = Find(component_slots, component);
    if (m >= 0) resource_of[static_cast<size_t>(m)] = k;
  }
  for (const auto& s : spec.schedules) AddSchedule(s);
  for (size_t k = 0; k < components.size(); ++k) ClassifyRules(static_cast<int>(k));
  warnings = SpecWarnings(*this);
}

}  // namespace internal

Engine::Engine(const Spec& spec) : c_(std::make_shared<const internal::Compiled>(spec)) {}

const Spec& Engine::spec() const { return c_->spec; }
int Engine::MetricSlot(std::string_view metric) const { return c_->Find(c_->metric_slots, metric); }
int Engine::ComponentSlot(std::string_view component) const {
  return c_->Find(c_->component_slots, component);
}
int Engine::TimerSlot(std::string_view key) const { return c_->Find(c_->timer_slots, key); }
size_t Engine::metric_count() const { return c_->metrics.size(); }
size_t Engine::component_count() const { return c_->components.size(); }
const std::string& Engine::TimerKey(int slot) const {
  return c_->timer_keys[static_cast<size_t>(slot)];
}

IndexedObserved Engine::NewObserved() const {
  IndexedObserved in;
  in.metrics.assign(c_->metrics.size(), MetricReading{std::nullopt, Time{}, "not read"});
  in.targets.assign(c_->components.size(), TargetReading{false, 0, 0, "not read"});
  return in;
}

IndexedObserved Engine::Index(const Observed& observed) const {
  IndexedObserved in = NewObserved();
  for (size_t i = 0; i < c_->metrics.size(); ++i) {
    auto it = observed.metrics.find(c_->metrics[i]);
    if (it != observed.metrics.end()) in.metrics[i] = it->second;
  }
  for (size_t k = 0; k < c_->components.size(); ++k) {
    auto it = observed.targets.find(c_->components[k].spec->name);
    if (it != observed.targets.end()) in.targets[k] = it->second;
  }
  if (!observed.paused.empty()) in.paused.assign(c_->components.size(), 0);
  for (const std::string& name : observed.paused)
    if (int k = ComponentSlot(name); k >= 0) in.paused[static_cast<size_t>(k)] = 1;
  return in;
}

IndexedState Engine::Index(const State& s) const {
  const size_t n = c_->components.size();
  IndexedState out;
  out.timers.assign(c_->timer_keys.size(), IndexedState::kNotRunning);
  for (const auto& [key, since] : s.timers)
    if (int slot = TimerSlot(key); slot >= 0) out.timers[static_cast<size_t>(slot)] = since;
  if (c_->spec.phases) {
    out.phase = internal::PhaseIndex(*c_->spec.phases, s.phase);
    out.workload_phase = internal::PhaseIndex(*c_->spec.phases, s.workload_phase);
  }
  if (s.in_flight)
    out.in_flight = IndexedState::Flight{ComponentSlot(s.in_flight->component), s.in_flight->from,
                                         s.in_flight->to, s.in_flight->since, s.in_flight->retries};
  out.down_recommendations.resize(n);
  out.scale_events.resize(n);
  out.dry_run_steps.resize(n);
  out.failed_reads.assign(n, 0);
  for (size_t k = 0; k < n; ++k) {
    const std::string& name = c_->components[k].spec->name;
    if (auto it = s.failed_reads.find(name); it != s.failed_reads.end())
      out.failed_reads[k] = it->second;
    if (auto it = s.down_recommendations.find(name); it != s.down_recommendations.end())
      out.down_recommendations[k] = it->second;
    if (auto it = s.scale_events.find(name); it != s.scale_events.end())
      out.scale_events[k] = it->second;
    if (auto it = s.dry_run_steps.find(name); it != s.dry_run_steps.end())
      out.dry_run_steps[k] = it->second;
  }
  return out;
}

namespace {

// The per-component state of an Export, keyed by component name; empty entries are left out.
void ExportComponents(const internal::Compiled& c, const IndexedState& s, State& out) {
  for (size_t k = 0; k < c.components.size(); ++k) {
    const std::string& name = c.components[k].spec->name;
    if (k < s.down_recommendations.size() && !s.down_recommendations[k].empty())
      out.down_recommendations[name] = s.down_recommendations[k];
    if (k < s.scale_events.size() && !s.scale_events[k].empty())
      out.scale_events[name] = s.scale_events[k];
    if (k < s.dry_run_steps.size() && s.dry_run_steps[k])
      out.dry_run_steps[name] = *s.dry_run_steps[k];
    if (k < s.failed_reads.size() && s.failed_reads[k] > 0)
      out.failed_reads[name] = s.failed_reads[k];
  }
}

}  // namespace

State Engine::Export(const IndexedState& s) const {
  State out;
  for (size_t i = 0; i < s.timers.size() && i < c_->timer_keys.size(); ++i)
    if (s.timers[i] != IndexedState::kNotRunning) out.timers[c_->timer_keys[i]] = s.timers[i];
  if (s.phase >= 0) out.phase = c_->PhaseAt(s.phase).name;
  if (s.workload_phase >= 0) out.workload_phase = c_->PhaseAt(s.workload_phase).name;
  if (s.in_flight && s.in_flight->component >= 0)
    out.in_flight =
        InFlight{c_->components[static_cast<size_t>(s.in_flight->component)].spec->name,
                 s.in_flight->from, s.in_flight->to, s.in_flight->since, s.in_flight->retries};
  ExportComponents(*c_, s, out);
  return out;
}

}  // namespace gearbox::policy
