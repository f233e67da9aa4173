// A Spec compiled for evaluation (compile.cpp): every metric, component, rule and timer has an
// integer slot, each timer keeps the key status.timers knows it by, and the bounds every phase
// gives every component are worked out once. Internal to policy/.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "policy/bounds.h"
#include "policy/engine.h"

namespace gearbox::policy::internal {

// How a rule's reading sizes its component (sizing.cpp; docs/engine.md, "The size of a step").
enum class Sizing {
  kGate,        // a signal the count does not divide (latency, an error rate, a total): it may
                // trigger a step, never size one
  kPerReplica,  // a total divided across the replicas (perReplica): replicas = ceil(total / target)
  kPerPod,      // a per-pod average over the ready pods (the component's own resource metric, or
                // a rule with a target): replicas = ceil(ready x value / target)
};

struct CompiledRule {
  const Rule* rule = nullptr;  // into Compiled::spec
  int metric = -1;             // metric slot
  int timer = -1;              // its `for`: "<component>/scaleUp/<i>/<metric>"
  Sizing sizing = Sizing::kGate;
  // The value per pod a step sizes to: a scale-up rule's target, else its threshold; a
  // scale-down rule's landing: its target, else the target of the scale-up rule on the same
  // metric, else that rule's threshold less the tolerance, else its own threshold.
  double target = 0;
  bool tolerance = false;  // a stated target: nothing moves within the HPA's 10% band
};

struct CompiledComponent {
  const Component* spec = nullptr;
  int up_begin = 0, up_end = 0;          // its scale-up rules: rule slots [up_begin, up_end)
  int down_begin = 0, down_end = 0;      // its scale-down rules
  int last_up = -1, last_down = -1;      // "<component>/lastScaleUp", "/lastScaleDown" (workloads)
  std::vector<EffectiveBounds> bounds;   // by phase index + 1 (0: no phase)
  std::vector<std::optional<int>> size;  // topology: by phase index + 1
  int paused_timer = -1;                 // "<component>/paused": paused by the annotation
  int fallback_timer = -1;               // "<component>/fallback": its fallback applies
  int idle_timer = -1;                   // "<component>/idle": scaleToZero, no activation holds
  std::vector<int> activation;           // scaleToZero: the metric slot of each activation
  // No rules of its own, and a schedule raises its minimum: nothing but the schedules moves it,
  // so it returns to its minimum when their windows close (KEDA's cron semantics).
  bool schedule_only = false;

  bool topology() const { return spec->role == Role::kTopology; }
  const EffectiveBounds& BoundsIn(int phase) const { return bounds[phase + 1]; }
  std::optional<int> SizeIn(int phase) const { return size[phase + 1]; }
};

struct CompiledAlert {
  const Alert* spec = nullptr;
  int metric = -1;
  int timer = -1;         // "alert/<name>": its condition holds
  int firing_timer = -1;  // "alertFiring/<name>": it fires
};

struct CompiledSchedule {
  const Schedule* spec = nullptr;
  int timer = -1;         // "schedule/<name>": the start of the window open now
  std::vector<int> mins;  // by component slot: its minimum while the window is open; -1: none
};

// Lookup by name without building a std::string.
struct NameHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using SlotMap = std::unordered_map<std::string, int, NameHash, std::equal_to<>>;

struct Compiled {
  Spec spec;
  std::vector<std::string> metrics;     // by slot: the declared ones first, in spec order
  std::vector<int> declared;            // the slot of each of spec.metrics
  std::vector<std::string> timer_keys;  // by slot
  SlotMap metric_slots, component_slots, timer_slots;
  std::vector<CompiledComponent> components;  // spec order
  std::vector<CompiledRule> rules;
  int phase_metric = -1;
  std::vector<int> phase_timers;  // "phase/<name>", by phase index
  std::vector<CompiledAlert> alerts;
  std::vector<int> unavailable_timers;  // "unavailable/<metric>", by index into spec.metrics
  std::vector<int> resource_of;  // by metric slot: the component whose resource metric it is, or -1
  // spec.schedules, in spec order
  std::vector<CompiledSchedule> schedules;
  // What in the spec will not work as its author likely means (sizing.cpp): a workload with no
  // scale-down path, a target outside its thresholds, thresholds one pod apart.
  std::vector<std::string> warnings;

  explicit Compiled(const Spec& s);
  Compiled(const Compiled&) = delete;
  Compiled& operator=(const Compiled&) = delete;

  bool has_phases() const { return spec.phases && !spec.phases->list.empty(); }
  const Phase& PhaseAt(int i) const { return spec.phases->list[static_cast<size_t>(i)]; }
  int Find(const SlotMap& m, std::string_view name) const {
    auto it = m.find(name);
    return it == m.end() ? -1 : it->second;
  }

 private:
  void AddComponent(const Component& c);
  void AddOperations(CompiledComponent& cc);
  void AddSchedule(const Schedule& s);
  void AddRules(const Component& c, const std::optional<RuleSet>& set, const char* what);
  void ClassifyRules(int component);
  int TimerOf(const std::string& key);
};

}  // namespace gearbox::policy::internal
