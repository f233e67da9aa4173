// The decision engine of Gearbox. In: a ScalingPolicy's spec, what was observed (metric values
// with their time or their error, current and ready replicas of every target), the state kept
// from the evaluation before (timers, phase, the topology change in flight) and the time. Out: the
// desired replicas of every component with its bounds and a plain-language reason, the phase and
// any pending phase, the next topology step, firing alerts, conditions, Events, and the new state.
// No I/O and no clock reads: Evaluate() is a pure function, so every rule can be tested with
// made-up time. docs/engine.md gives the semantics and the formulas; engine.h the fast path (a
// spec compiled once, state by slot, words made on demand) that Evaluate() wraps.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "policy/duration.h"
#include "policy/schedule_window.h"

namespace gearbox::policy {

using Time = std::chrono::system_clock::time_point;

// The spec: a mirror of ScalingPolicy.spec (metric sources are not the engine's business).
enum class Mode { kEnforce, kDryRun };
enum class Role { kWorkload, kTopology };

struct Rule {
  std::string metric;
  bool above = true;  // above: holds when value > threshold; else below: value < threshold
  double threshold = 0;
  Duration for_{0};
  bool per_replica = false;
  // The value per pod (per replica with per_replica; the percent of a utilization) that a step
  // sizes the component to, as the HPA's target: replicas = ceil(pods x value / target), nothing
  // within its 10% tolerance. Absent: the threshold sizes the step (docs/engine.md).
  std::optional<double> target;
};

struct RuleSet {
  bool all_of = false;  // allOf; else anyOf
  std::vector<Rule> rules;
};

// How fast a component may move: at most max(maxPods, maxPercent of the count at the start of the
// period) replicas within any `period` (the HPA's periodSeconds), however often it is evaluated.
struct Limits {
  int max_pods;
  int max_percent;
  Duration stabilization_window;
  Duration period;  // 0: the policy's interval
};

// behavior in the HPA's form (autoscaling/v2 HPAScalingRules), with the HPA's meaning
// (docs/engine.md, "behavior in the HPA form"): a window over past recommendations, and policies
// of which selectPolicy picks the one that allows the biggest (Max) or smallest (Min) change.
enum class SelectPolicy { kMax, kMin, kDisabled };

struct RatePolicy {
  bool percent = false;  // Percent: value percent of the count at the period's start; else Pods
  int value = 0;
  Duration period{0};  // periodSeconds

  bool operator==(const RatePolicy&) const = default;
};

struct HpaRules {
  Duration stabilization_window{0};  // stabilizationWindowSeconds
  SelectPolicy select = SelectPolicy::kMax;
  std::vector<RatePolicy> policies;

  bool operator==(const HpaRules&) const = default;
};

struct HpaBehavior {
  HpaRules up;
  HpaRules down;

  bool operator==(const HpaBehavior&) const = default;
};

// The HPA's defaults (pkg/apis/autoscaling/v2/defaults.go) for what a pasted block omits: up
// window 0, Percent 100 and Pods 4 per 15s, Max; down window 300s, Percent 100 per 15s, Max.
HpaRules HpaScaleUpDefaults();
HpaRules HpaScaleDownDefaults();

struct Bounds {
  int min = 0;
  int max = 0;
};

// KEDA's fallback: after `failure_threshold` evaluations in a row with a metric of the component's
// rules unreadable, the component goes to `replicas` (inside its effective bounds) and stays there
// until every metric can be read again.
struct Fallback {
  int failure_threshold = 3;
  int replicas = 0;
};

// The work that wakes a component resting at 0: holds when `metric` is above `above`.
struct Activation {
  std::string metric;
  double above = 0;
};

// A workload that may rest at 0 replicas: it goes to 0 when no activation has held for `cooldown`
// (all of them read), and wakes to 1 the first evaluation one holds; from 1 its rules scale it,
// never below 1.
struct ScaleToZero {
  std::vector<Activation> activation;
  Duration cooldown = std::chrono::minutes(5);
};

struct Component {
  std::string name;
  Role role = Role::kWorkload;
  std::optional<Bounds> replicas;  // required for workloads
  std::optional<RuleSet> scale_up;
  std::optional<RuleSet> scale_down;
  Limits up{4, 100, Duration{0}, Duration{0}};
  Limits down{1, 10, std::chrono::minutes(5), Duration{0}};
  std::optional<Fallback> fallback;
  std::optional<ScaleToZero> scale_to_zero;
  // behavior in the HPA form: when set, it replaces up and down (the stabilization windows and
  // rate limits of both directions follow the HPA's algorithm).
  std::optional<HpaBehavior> hpa;
};

struct PhaseBounds {
  std::optional<int> min, max;  // workloads
  std::optional<int> replicas;  // topology
};

struct Phase {
  std::string name;
  std::optional<double> up_to;  // absent on the last phase
  std::map<std::string, PhaseBounds> components;
};

struct Phases {
  std::string metric;
  Duration hold = std::chrono::minutes(10);
  std::vector<Phase> list;
};

struct Alert {
  std::string name;
  std::string metric;
  bool above = true;
  double threshold = 0;
  Duration for_{0};
  std::string severity = "Warning";
};

struct Spec {
  Duration interval = std::chrono::seconds(15);
  // A topology step not ready after this long is reported (AbleToScale=False, a Warning Event)
  // and written again; it is never skipped.
  Duration topology_step_timeout = std::chrono::minutes(10);
  Mode mode = Mode::kEnforce;
  std::vector<std::string> metrics;  // the declared metric names
  // The resource metrics (CPU, memory of a component's pods) by metric name -> the component: one
  // of a component at 0 replicas has nothing to measure, and is not reported as unreadable.
  std::map<std::string, std::string> resource_metrics;
  std::vector<Component> components;
  std::optional<Phases> phases;
  std::vector<Alert> alerts;
  std::vector<Schedule> schedules;  // windows that raise workload minimums (schedule_window.h)
};

// What was observed.
struct MetricReading {
  std::optional<double> value;  // absent: the metric could not be read
  Time time{};
  std::string error;  // why it could not be read
  // A per-pod average (a resource metric): the pods it averaged over; -1: not known (the
  // target's ready pods stand in for them).
  int pods = -1;
};

struct TargetReading {
  bool found = true;  // false: the target could not be read (error says why)
  int current = 0;    // the target's desired replicas (spec.replicas or its replicasField)
  int ready = 0;
  std::string error;
};

struct Observed {
  std::map<std::string, MetricReading> metrics;  // by metric name
  std::map<std::string, TargetReading> targets;  // by component name
  // The components paused by the annotation gearbox.dev/paused: decided and reported, not written.
  std::vector<std::string> paused;
};

// The state carried from one evaluation to the next.
struct InFlight {
  std::string component;
  int from = 0;
  int to = 0;
  Time since{};     // when it was (last) written
  int retries = 0;  // times it was written again after timing out

  bool operator==(const InFlight&) const = default;
};

struct ScaleEvent {
  Time at{};
  int delta = 0;  // replicas added (> 0) or removed (< 0)

  bool operator==(const ScaleEvent&) const = default;
};

struct State {
  // Durable timers (status.timers): "for" timers of rules and alerts, the phase hold, the time of
  // each component's last scale-up and scale-down. They survive a restart through status JSON.
  std::map<std::string, Time> timers;
  std::string phase;           // the committed phase (status.phase); empty before the first
  std::string workload_phase;  // the phase whose bounds the workloads follow (status.topology)
  std::optional<InFlight> in_flight;  // the one topology change being applied
  // Recent scale-down recommendations per component, for the stabilization window. Not durable:
  // after a restart the window starts over (which can only delay a scale-down). A component whose
  // behavior is in the HPA form keeps every evaluation's recommendation here, both directions'.
  std::map<std::string, std::vector<std::pair<Time, int>>> down_recommendations;
  // The changes made per component, for the rate limits' budget per period. Not durable: after a
  // restart the budget starts full (as the HPA's).
  std::map<std::string, std::vector<ScaleEvent>> scale_events;
  // DryRun: what was last reported per component, so a WouldScale Event is not repeated.
  std::map<std::string, int> dry_run_steps;
  // Evaluations in a row with a metric of the component's rules unreadable, for its fallback. Not
  // durable: after a restart the count starts over (a fallback already applied stays applied: its
  // timer "<component>/fallback" is durable).
  std::map<std::string, int> failed_reads;

  bool operator==(const State&) const = default;
};

// The result.
struct Counting {
  std::string rule;  // "scaleUp cpu > 70"
  Time since{};
  Duration for_{0};

  bool operator==(const Counting&) const = default;
};

// Why a component's desired count is what it is, for callers and metrics; `reason` says the same
// in words.
enum class Cause {
  kTargetUnreadable,
  kBelowMinimum,
  kAboveMaximum,
  kScaleUpRulesFired,
  kScaleUpHeldByStabilization,  // scaled down within the scale-up stabilization window
  kScaleDownRulesFired,
  kScaleDownBlockedByMissingMetric,
  kScaleDownHeldByStabilization,  // scaled up within the scale-down stabilization window
  kCounting,                      // a rule holds and counts toward its `for`
  kNoRuleFires,
  kTopologyStep,
  kTopologyWaitingForReady,
  kTopologyWaitsItsTurn,
  kTopologyAtPhaseSize,
  kTopologyNotSized,
  kFallback,       // a metric unreadable failureThreshold evaluations in a row
  kWokenFromZero,  // at 0, an activation holds
  kRestingAtZero,  // at 0, no activation holds
  kIdleToZero,     // no activation has held for the cooldown
  // A workload without rules, only schedules raise: back to its minimum once their windows close
  kReturnToMinimum,
};

// What bounded a recommendation (bit flags of ComponentDecision::limits).
enum LimitFlag : unsigned {
  kLimitedPerStep = 1,       // behavior maxPods / maxPercent
  kCappedAtMaximum = 2,      // the effective maximum
  kHeldAtMinimum = 4,        // the effective minimum
  kStabilizationWindow = 8,  // a higher recommendation within the scale-down window
  // HPA form: a lower recommendation within the scale-up window (stabilizationWindowSeconds)
  kUpStabilizationWindow = 16,
};

struct ComponentDecision {
  std::string name;
  Role role = Role::kWorkload;
  bool target_found = true;
  int current = 0;
  int ready = 0;
  int desired = 0;
  int min = 0;
  int max = 0;
  std::string bounds_from;  // "component", "phase Medium", "component and phase Medium", ...
  bool change = false;      // desired != current: a write is due (not in DryRun)
  std::string reason;       // why desired is what it is
  Cause cause = Cause::kNoRuleFires;
  unsigned limits = 0;  // LimitFlag bits
  int recommended = 0;  // what the rules asked for, before stabilization, limits and bounds
  std::vector<Counting> counting;
  bool paused = false;                 // by the annotation: `desired` is not written
  std::optional<Time> fallback_since;  // the fallback replicas apply

  bool operator==(const ComponentDecision&) const = default;
};

struct PendingPhase {
  std::string name;
  Time since{};
  Time switch_at{};

  bool operator==(const PendingPhase&) const = default;
};

struct TopologyStep {
  std::string component;
  int from = 0;
  int to = 0;
  std::string reason;

  bool operator==(const TopologyStep&) const = default;
};

struct FiringAlert {
  std::string name;
  std::string severity;
  Time since{};
  double value = 0;

  bool operator==(const FiringAlert&) const = default;
};

struct Condition {
  std::string type;
  bool status = false;
  std::string reason;
  std::string message;

  bool operator==(const Condition&) const = default;
};

// What an Event is about, for callers that must tell them apart (the reconciler drops the Events
// of writes it could not make) without reading their text.
enum class EventKind {
  kOther,
  kPhaseSelected,
  kPhaseChanged,
  kPhasePending,
  kTopologyReady,
  kTopologyResize,        // a topology write
  kTopologyStepTimedOut,  // a topology step not ready within its timeout: written again
  kWouldResize,
  kScaledUp,  // a workload write
  kScaledDown,
  kWouldScaleUp,
  kWouldScaleDown,
  kAlertFiring,
  kAlertResolved,
  // A declared metric that could not be read (a Warning, as the HPA's FailedGetResourceMetric),
  // once when it becomes unreadable; nothing when it can be read again (as the HPA).
  kMetricUnavailable,
  kPaused,  // a component paused by the annotation (Normal), once
  kResumed,
  kFallbackStarted,  // Warning, once
  kFallbackEnded,
  kScheduleOpened,  // a schedule's window opened (Normal), once per opening
  kScheduleClosed,  // and closed
};

// A schedule window open now (status.schedules).
struct OpenSchedule {
  std::string name;
  Time opened_at{};
  Time closes_at{};

  bool operator==(const OpenSchedule&) const = default;
};

struct Event {
  std::string type;  // Normal or Warning
  std::string reason;
  std::string note;
  std::string component;  // the component it is about; empty for the policy as a whole
  EventKind kind = EventKind::kOther;

  bool operator==(const Event&) const = default;
};

// What one evaluation decided, rendered in words: the phase, each component's replicas and why,
// the conditions, events and summary for status, and the state to pass to the next evaluation.
// (Not gearbox::Result, the error-or-value type.)
struct Decision {
  bool dry_run = false;
  std::string phase;
  std::optional<PendingPhase> pending_phase;
  std::vector<ComponentDecision> components;  // in spec order
  std::optional<TopologyStep> topology_step;  // the topology write to make now, if any
  std::vector<FiringAlert> alerts;
  std::vector<OpenSchedule> schedules;  // the windows open now
  std::vector<Condition> conditions;
  std::vector<Event> events;  // what changed in this evaluation, never repeats of a steady state
  State state;                // to pass to the next evaluation
  // The evaluation in a few lines for people, status.abstract (summary.cpp): the phase and why,
  // each component, each metric against its thresholds, the alerts firing.
  std::vector<std::string> summary;
  std::string replica_counts;  // "app 5/6 worker 10/10 database 3": status.replicaCounts
  std::string metric_values;   // "cpu 72 p95 0.41 backlog 1200": status.metricValues

  bool operator==(const Decision&) const = default;

  const ComponentDecision* Find(const std::string& component) const;
  const Condition* FindCondition(const std::string& type) const;
};

// For tests, which hold the map forms: compiles the spec, evaluates and renders every word, some
// 10 us for the storefront. Nothing in the controller calls it: the reconciler and the backtest
// keep an Engine (engine.h), compiled once per spec, and its state by slot. A thin wrapper of that
// Engine, so that it decides exactly as they do.
Decision Evaluate(const Spec& spec, const Observed& observed, const State& before, Time now);

// The writes of an evaluation that were due and not made (the API refused them, or another
// autoscaler drives the target).
struct Applied {
  std::vector<std::string> not_applied;  // component names
};

// The state to carry to the next evaluation: `evaluated.state` for what was written; for a
// component whose write was not made, as if it had not been decided, so that the next evaluation
// decides it again: its last-scale timers are not moved, its rules keep counting from when they
// started, the change spends none of the rate limit's budget, and a topology step it was to take
// is not in flight. With nothing in `not_applied` it is `evaluated.state`. On the map forms, for
// tests with Evaluate(); the controller calls Engine::Commit, its slot form (engine_test proves
// the two keep the same state).
State Commit(const State& before, const Decision& evaluated, const Applied& applied);

// The lines of status.abstract about conditions: those not in their good state, less those the
// engine's summary already says in other words (MetricsAvailable, ScalingLimited, AlertFiring).
std::vector<std::string> ConditionLines(const std::vector<Condition>& conditions);

// A reading as status shows it: rounded to 4 significant digits, so that noise below that neither
// rewrites status nor clutters a column (79.9987 -> 80, 0.067861 -> 0.06786).
double RoundForStatus(double v);

// Time stamps as status writes them.
std::string FormatTime(Time t);  // RFC 3339, UTC, milliseconds when not zero
std::optional<Time> ParseTime(const std::string& text);

}  // namespace gearbox::policy
