// The fast path of the decision engine: a Spec compiled once into an Engine (every metric,
// component, rule and timer has an integer slot), observations and state held in vectors indexed
// by those slots, and an Evaluation the caller keeps and passes again, so that an evaluation
// allocates nothing once its vectors have grown. It decides in numbers and causes; the words
// (reasons, Event notes, condition messages) are made only when asked, by Reason(), RenderEvent()
// and Render(). The reconciler keeps one Engine per policy, compiled once per generation, and the
// backtest one per replay; Evaluate() of policy.h is this path plus the conversions, for tests
// that hold the map forms.
//
//   Engine engine(spec);
//   IndexedObserved in = engine.NewObserved();        // fill by MetricSlot()/ComponentSlot()
//   IndexedState state = engine.Index(State{});       // or engine.Index(StateFromStatus(...))
//   Evaluation e;
//   each interval:
//     in.metrics[cpu].value = ...;
//     engine.Evaluate(in, state, now, e);
//     ... make the writes of e.components[k].change and e.topology_step ...
//     engine.Commit(state, applied, e);               // e.state follows what was written
//     for (const EventRecord& r : e.events) Record(engine.RenderEvent(e, in, r));
//     std::swap(state, e.state);
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/policy.h"

namespace gearbox::policy {

namespace internal {
struct Compiled;
}

// What was observed, by slot: metrics by Engine::MetricSlot(), targets by Engine::ComponentSlot().
struct IndexedObserved {
  std::vector<MetricReading> metrics;
  std::vector<TargetReading> targets;
  std::vector<char> paused;  // by component slot; empty or 0: not paused
};

// The state carried from one evaluation to the next, by slot (State says what each part means).
struct IndexedState {
  static constexpr Time kNotRunning = Time::min();

  struct Flight {
    int component = -1;  // slot; -1: a component the spec no longer has
    int from = 0;
    int to = 0;
    Time since{};
    int retries = 0;
  };

  std::vector<Time> timers;  // by timer slot (Engine::TimerKey() names it); kNotRunning: stopped
  int phase = -1;            // index into spec.phases->list; -1: none yet
  int workload_phase = -1;
  std::optional<Flight> in_flight;
  std::vector<std::vector<std::pair<Time, int>>> down_recommendations;  // by component slot
  std::vector<std::vector<ScaleEvent>> scale_events;                    // by component slot
  std::vector<std::optional<int>> dry_run_steps;                        // by component slot
  std::vector<int> failed_reads;                                        // by component slot
};

// One rule's outcome in an evaluation.
struct RuleOutcome {
  bool available = false;  // its metric was read (and is a finite number)
  bool holds = false;
  bool fires = false;  // held for its `for`
  double value = 0;    // after perReplica
  Time since{};        // since when it holds (its `for` timer)
};

// Where a component's effective bounds come from.
enum class BoundsFrom {
  kComponent,           // its own replicas
  kPhase,               // the phase's bounds, inside its own
  kComponentAndPhase,   // the overlap of the two
  kPhaseOverComponent,  // the phase's, outside its own: the phase wins
  kPhaseSize,           // a topology component sized by the phase
  kNotSized,            // a topology component the phase gives no size
};

// How the rules' recommendation of a workload was sized (sizing.h).
enum class SizingNote {
  kNone,
  kProportional,     // by a proportional rule's reading (ComponentOutcome::sized_by)
  kWithinTolerance,  // a stated target's reading within its 10% band: the count stays
  kGateStep,         // only gates fired (or only gates scale down): a bounded step
  kStartingPods,     // only gates fired, and pods of the last scale-up are still starting
  kGateSpacing,      // only gates fired, within their `for` of the last scale-up
  kScaleUpGuard,     // a scale-down stopped where a scale-up rule would fire (sized_by)
};

// One component's decision in numbers; ComponentDecision is the same with the words.
struct ComponentOutcome {
  bool target_found = true;
  int current = 0;
  int ready = 0;
  int desired = 0;
  int min = 0;
  int max = 0;
  int recommended = 0;  // what the rules asked for, before stabilization, limits and bounds
  bool change = false;  // a write is due (never in DryRun)
  Cause cause = Cause::kNoRuleFires;
  unsigned limits = 0;  // LimitFlag bits
  BoundsFrom bounds_from = BoundsFrom::kComponent;
  int bounds_phase = -1;  // the phase the bounds come from
  int missing = 0;        // metrics of its rules that could not be read
  int step_allowed = 0;   // kLimitedPerStep: the most the budget let it move now
  int moved = 0;          // kLimitedPerStep: what it moved earlier within the period
  Time last_scale{};      // k*HeldByStabilization: when it last scaled the other way;
                          // SizingNote::kGateSpacing: when it last scaled up
  int waits_for = -1;     // kTopologyWaitsItsTurn: the component whose change is in flight
  bool stays = false;     // kScaleDownRulesFired: limited or held to the current count
  bool paused = false;    // by the annotation: decided, not written
  int failed_reads = 0;   // evaluations in a row with a metric of its rules unreadable
  Time fallback_since{};  // kFallback: since when
  Time idle_since{};      // scaleToZero: since when no activation holds (kIdleToZero)
  // The open schedule window (index into spec.schedules) that raised the minimum; capped: to the
  // maximum, below the window's own minimum.
  int bounds_schedule = -1;
  bool schedule_capped = false;
  // How the rules' recommendation was sized; sized_by: the rule slot whose reading set it (-1:
  // none); predicted: kScaleUpGuard, that rule's value one replica below the recommendation.
  SizingNote sizing = SizingNote::kNone;
  int sized_by = -1;
  double predicted = 0;
  int measured = 0;  // kStartingPods: the pods its reading covers (or the ready ones, for a gate)
};

// An Event in numbers; RenderEvent() makes the Event.
struct EventRecord {
  EventKind kind = EventKind::kOther;
  int component = -1;  // slot; -1: about the policy as a whole
  int alert = -1;      // kAlertFiring, kAlertResolved
  int metric = -1;     // kMetricUnavailable: index into spec.metrics
  int phase_from = -1;
  int phase_to = -1;
  std::optional<double> value = std::nullopt;  // the phase or alert metric
  int from = 0;                                // topology: the counts of the change
  int to = 0;
  int ready = 0;
  Time since{};  // kTopologyReady: since when the change was in flight
  // kScheduleOpened, kScheduleClosed: index into spec.schedules (since: the window's start)
  int schedule = -1;
};

// A schedule window open in this evaluation.
struct ScheduleOutcome {
  int schedule = 0;  // index into spec.schedules
  Window window;
};

struct AlertOutcome {
  int alert = 0;  // index into spec.alerts
  Time since{};
  double value = 0;
};

// A condition without its message (Render() writes it).
struct ConditionStatus {
  const char* type = "";
  bool status = false;
  const char* reason = "";
  int component = -1;  // AbleToScale/TopologyChangeInFlight: the component in flight ...
  int to = 0;          // ... and the count it goes to
};

struct Evaluation {
  struct Pending {
    int phase = -1;
    Time since{};
    Time switch_at{};
  };
  struct Step {
    int component = -1;
    int from = 0;
    int to = 0;
  };

  Time now{};
  bool dry_run = false;
  int phase = -1;  // the committed phase; -1 without phases
  std::optional<Pending> pending_phase;
  std::vector<ComponentOutcome> components;  // by component slot, spec order
  std::vector<RuleOutcome> rules;            // by rule slot
  std::optional<Step> topology_step;
  std::vector<AlertOutcome> alerts;
  std::vector<ScheduleOutcome> schedules;  // the windows open now
  std::vector<ConditionStatus> conditions;
  std::vector<EventRecord> events;
  IndexedState state;  // the proposed state: as if every write is made (see Commit)
};

// A Spec compiled for evaluation. Cheap to copy (the compiled form is shared and immutable).
class Engine {
 public:
  explicit Engine(const Spec& spec);

  const Spec& spec() const;
  // Slots; -1 for a name the spec does not have.
  int MetricSlot(std::string_view metric) const;
  int ComponentSlot(std::string_view component) const;
  int TimerSlot(std::string_view key) const;
  size_t metric_count() const;
  size_t component_count() const;
  const std::string& TimerKey(int slot) const;  // "app/scaleUp/0/cpu", as status.timers keeps it

  // Every metric and every target "not read", to fill by slot.
  IndexedObserved NewObserved() const;
  IndexedObserved Index(const Observed& observed) const;
  // Timers, recommendations and steps of names the spec does not have are dropped.
  IndexedState Index(const State& state) const;
  State Export(const IndexedState& state) const;

  // Decides. `out` may hold a previous evaluation: its vectors are reused, so that nothing is
  // allocated once they have grown to their sizes. `in` and `before` are sized by this engine
  // (NewObserved, Index, its evaluations); others are cut or padded to its slots, at a cost.
  void Evaluate(const IndexedObserved& in, const IndexedState& before, Time now,
                Evaluation& out) const;
  // Makes `evaluated.state` follow what was written: see policy::Commit.
  void Commit(const IndexedState& before, const Applied& applied, Evaluation& evaluated) const;

  // The words, made when asked.
  std::string Reason(const Evaluation& e, const IndexedObserved& in, int component) const;
  Event RenderEvent(const Evaluation& e, const IndexedObserved& in, const EventRecord& r) const;
  Decision Render(const Evaluation& e, const IndexedObserved& in) const;

 private:
  std::shared_ptr<const internal::Compiled> c_;
};

}  // namespace gearbox::policy
