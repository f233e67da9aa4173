// The words of an evaluation, made when asked: Event notes, condition messages, and the whole
// Decision (components with their reasons, the state with its status keys).
#include <cmath>

#include "policy/explain.h"
#include "policy/schedule_text.h"
#include "policy/stages.h"
#include "policy/summary.h"
#include "policy/text.h"

namespace gearbox::policy {
namespace internal {

namespace {

const std::string& NameOf(const Compiled& c, int k) { return c.components[Pass::Ix(k)].spec->name; }

std::string PhaseNote(const Compiled& c, const EventRecord& r) {
  const std::string& to = c.PhaseAt(r.phase_to).name;
  const Phases& ph = *c.spec.phases;
  switch (r.kind) {
    case EventKind::kPhaseSelected:
      return "phase " + to +
             (r.value ? ": " + PhaseWhy(c, *r.value, r.phase_to)
                      : ": " + ph.metric + " not available yet");
    case EventKind::kPhaseChanged:
      return c.PhaseAt(r.phase_from).name + " -> " + to + ": " + PhaseWhy(c, *r.value, r.phase_to) +
             " for " + FormatDuration(ph.hold);
    default:
      break;
  }
  return to + " in " + FormatDuration(ph.hold) +
         " if it holds: " + PhaseWhy(c, *r.value, r.phase_to);
}

// "app 3 -> 4: cpu 80 above 70 for 5m", "DryRun: app 3 -> 4: ..."
std::string ScaleNote(const Compiled& c, const Evaluation& e, const IndexedObserved& in,
                      const EventRecord& r) {
  const ComponentOutcome& d = e.components[Pass::Ix(r.component)];
  const bool dry = r.kind == EventKind::kWouldScaleUp || r.kind == EventKind::kWouldScaleDown;
  return (dry ? "DryRun: " : "") + NameOf(c, r.component) + " " + std::to_string(d.current) +
         " -> " + std::to_string(d.desired) + ": " + Explain(c, e, in, r.component);
}

std::string TopologyNote(const Compiled& c, const Evaluation& e, const EventRecord& r) {
  if (r.kind == EventKind::kTopologyReady)
    return NameOf(c, r.component) + " ready at " + std::to_string(r.ready) + "/" +
           std::to_string(r.to) + " after " + FormatDuration(Since(r.since, e.now));
  if (r.kind == EventKind::kTopologyStepTimedOut)
    return NameOf(c, r.component) + " not ready at " + std::to_string(r.to) + " after " +
           FormatDuration(Since(r.since, e.now)) + " (" + std::to_string(r.ready) +
           " ready; topologyStepTimeout " + FormatDuration(c.spec.topology_step_timeout) +
           "): writing " + std::to_string(r.to) + " again";
  return (r.kind == EventKind::kWouldResize ? "DryRun: " : "") +
         StepText(c, r.component, r.from, r.to, e.phase);
}

std::string AlertNote(const Compiled& c, const EventRecord& r) {
  const Alert& a = *c.alerts[Pass::Ix(r.alert)].spec;
  if (r.kind == EventKind::kAlertFiring) return AlertText(a, r.value.value_or(0));
  return a.name + " resolved: " + a.metric + " " + (r.value ? Num(*r.value) : "unavailable");
}

// "p95 cannot be read: connection refused"
std::string UnavailableNote(const Compiled& c, const IndexedObserved& in, const EventRecord& r) {
  const MetricReading& m = in.metrics[Pass::Ix(c.declared[Pass::Ix(r.metric)])];
  return c.spec.metrics[Pass::Ix(r.metric)] +
         " cannot be read: " + (m.error.empty() ? "no value" : m.error);
}

// Pause and fallback: "worker paused by the annotation gearbox.dev/paused: ...".
std::string OperationNote(const Compiled& c, const Evaluation& e, const IndexedObserved& in,
                          const EventRecord& r) {
  const std::string& name = NameOf(c, r.component);
  const ComponentOutcome& d = e.components[Pass::Ix(r.component)];
  switch (r.kind) {
    case EventKind::kPaused:
      return name + " paused by the annotation gearbox.dev/paused: its decisions are reported, " +
             "not written (now " + std::to_string(d.current) + ")";
    case EventKind::kResumed:
      return name + " resumed: the annotation gearbox.dev/paused no longer names it";
    case EventKind::kFallbackStarted:
      return name + " " + std::to_string(d.current) + " -> " + std::to_string(d.desired) + ": " +
             Explain(c, e, in, r.component);
    default:
      break;
  }
  return name + ": every metric of its rules can be read again; its rules decide";
}

using NoteWriter = std::string (*)(const Compiled&, const Evaluation&, const IndexedObserved&,
                                   const EventRecord&);

// Each EventKind's reason and how its note is written; the writers that need less than all four
// arguments are wrapped.
struct EventWords {
  EventKind kind;
  const char* reason;
  NoteWriter note;
};

constexpr NoteWriter kPhaseNote = [](const Compiled& c, const Evaluation&, const IndexedObserved&,
                                     const EventRecord& r) { return PhaseNote(c, r); };
constexpr NoteWriter kTopologyNote = [](const Compiled& c, const Evaluation& e,
                                        const IndexedObserved&,
                                        const EventRecord& r) { return TopologyNote(c, e, r); };
constexpr NoteWriter kAlertNote = [](const Compiled& c, const Evaluation&, const IndexedObserved&,
                                     const EventRecord& r) { return AlertNote(c, r); };
constexpr NoteWriter kUnavailableNote = [](const Compiled& c, const Evaluation&,
                                           const IndexedObserved& in, const EventRecord& r) {
  return UnavailableNote(c, in, r);
};
constexpr NoteWriter kScheduleNote = [](const Compiled& c, const Evaluation& e,
                                        const IndexedObserved&,
                                        const EventRecord& r) { return ScheduleNote(c, e, r); };

constexpr EventWords kEventWords[] = {
    {EventKind::kPhaseSelected, "PhaseSelected", kPhaseNote},
    {EventKind::kPhaseChanged, "PhaseChanged", kPhaseNote},
    {EventKind::kPhasePending, "PhasePending", kPhaseNote},
    {EventKind::kTopologyReady, "TopologyReady", kTopologyNote},
    {EventKind::kTopologyResize, "TopologyResize", kTopologyNote},
    {EventKind::kTopologyStepTimedOut, "TopologyStepTimedOut", kTopologyNote},
    {EventKind::kWouldResize, "WouldResize", kTopologyNote},
    {EventKind::kScaledUp, "ScaledUp", ScaleNote},
    {EventKind::kScaledDown, "ScaledDown", ScaleNote},
    {EventKind::kWouldScaleUp, "WouldScaleUp", ScaleNote},
    {EventKind::kWouldScaleDown, "WouldScaleDown", ScaleNote},
    {EventKind::kAlertFiring, "AlertFiring", kAlertNote},
    {EventKind::kAlertResolved, "AlertResolved", kAlertNote},
    {EventKind::kMetricUnavailable, "FailedGetMetric", kUnavailableNote},
    {EventKind::kPaused, "ScalingPaused", OperationNote},
    {EventKind::kResumed, "ScalingResumed", OperationNote},
    {EventKind::kFallbackStarted, "FallbackActive", OperationNote},
    {EventKind::kFallbackEnded, "FallbackEnded", OperationNote},
    {EventKind::kScheduleOpened, "ScheduleOpened", kScheduleNote},
    {EventKind::kScheduleClosed, "ScheduleClosed", kScheduleNote},
};

// The words of this kind; null for kOther (reason "Evaluated", no note).
const EventWords* WordsOf(EventKind kind) {
  for (const EventWords& w : kEventWords)
    if (w.kind == kind) return &w;
  return nullptr;
}

}  // namespace

Event RenderEvent(const Compiled& c, const Evaluation& e, const IndexedObserved& in,
                  const EventRecord& r) {
  Event ev;
  const bool warning = r.kind == EventKind::kTopologyStepTimedOut ||
                       r.kind == EventKind::kMetricUnavailable ||
                       r.kind == EventKind::kFallbackStarted;
  ev.type = r.kind == EventKind::kAlertFiring ? c.alerts[Pass::Ix(r.alert)].spec->severity
            : warning                         ? "Warning"
                                              : "Normal";
  const EventWords* words = WordsOf(r.kind);
  ev.reason = words ? words->reason : "Evaluated";
  ev.note = words ? words->note(c, e, in, r) : "";
  if (r.component >= 0) ev.component = NameOf(c, r.component);
  ev.kind = r.kind;
  return ev;
}

namespace {

std::string ReadyMessage(const Compiled& c, const Evaluation& e, const IndexedObserved& in) {
  std::vector<std::string> not_found;
  for (size_t k = 0; k < e.components.size(); ++k)
    if (!e.components[k].target_found)
      not_found.push_back(c.components[k].spec->name + ": " + in.targets[k].error);
  if (!not_found.empty()) return Join(not_found, "; ");
  return "evaluated; " +
         (e.phase < 0 ? std::string("no phases") : "phase " + c.PhaseAt(e.phase).name);
}

std::string MetricsMessage(const Compiled& c, const IndexedObserved& in) {
  std::vector<std::string> unavailable;
  for (size_t i = 0; i < c.declared.size(); ++i) {
    const MetricReading& m = in.metrics[Pass::Ix(c.declared[i])];
    if ((m.value && std::isfinite(*m.value)) || MetricAtRest(c, in, c.declared[i])) continue;
    unavailable.push_back(c.spec.metrics[i] + ": " + (m.error.empty() ? "no value" : m.error));
  }
  if (unavailable.empty()) return std::to_string(c.spec.metrics.size()) + " metrics read";
  return Join(unavailable, "; ") +
         " (a component does not scale down while a metric of its rules is missing)";
}

std::string LimitedMessage(const Compiled& c, const Evaluation& e) {
  std::vector<std::string> limited;
  for (size_t k = 0; k < e.components.size(); ++k) {
    const ComponentOutcome& d = e.components[k];
    const int slot = static_cast<int>(k);
    if (d.limits & kCappedAtMaximum)
      limited.push_back(NameOf(c, slot) + " wants " + std::to_string(d.recommended) +
                        ", capped at " + std::to_string(d.max) + " (" + BoundsFromText(c, slot, d) +
                        ")");
    if (d.limits & kHeldAtMinimum)
      limited.push_back(NameOf(c, slot) + " wants " + std::to_string(d.recommended) + ", held at " +
                        std::to_string(d.min) + " (" + BoundsFromText(c, slot, d) + ")");
  }
  return limited.empty() ? "the desired counts are within their bounds" : Join(limited, "; ");
}

std::string PausedMessage(const Compiled& c, const Evaluation& e) {
  std::vector<std::string> paused;
  for (size_t k = 0; k < e.components.size(); ++k)
    if (e.components[k].paused) paused.push_back(NameOf(c, static_cast<int>(k)));
  return "paused by the annotation gearbox.dev/paused: " + Join(paused, ", ") +
         " (decided and reported, not written; remove the annotation to resume)";
}

std::string ConditionMessage(const Compiled& c, const Evaluation& e, const IndexedObserved& in,
                             const ConditionStatus& s) {
  const std::string type = s.type;
  if (type == "Ready") return ReadyMessage(c, e, in);
  if (type == "MetricsAvailable") return MetricsMessage(c, in);
  if (type == "ScalingLimited") return LimitedMessage(c, e);
  if (type == "AlertFiring") {
    std::vector<std::string> firing;
    for (const AlertOutcome& a : e.alerts)
      firing.push_back(AlertText(*c.alerts[Pass::Ix(a.alert)].spec, a.value));
    return firing.empty() ? "no alert fires" : Join(firing, "; ");
  }
  if (std::string(s.reason) == "Paused") return PausedMessage(c, e);
  if (std::string(s.reason) == "DryRun")
    return "DryRun: decisions are reported in status and Events; targets are not changed";
  if (std::string(s.reason) == "TopologyStepTimedOut")
    return NameOf(c, s.component) + " did not reach " + std::to_string(s.to) +
           " ready replicas within topologyStepTimeout " +
           FormatDuration(c.spec.topology_step_timeout) +
           "; the step was written again and is waited for (no other change until it is ready)";
  if (s.component >= 0)
    return "waiting for " + NameOf(c, s.component) + " to reach " + std::to_string(s.to) +
           " ready replicas before the next change";
  return "the targets can be scaled";
}

// The rules counting toward their `for` (a step restarts none of them).
std::vector<Counting> CountingOf(const Compiled& c, const Evaluation& e, int k) {
  std::vector<Counting> out;
  const CompiledComponent& cc = c.components[Pass::Ix(k)];
  const ComponentOutcome& d = e.components[Pass::Ix(k)];
  const bool restarted = d.change && d.desired > d.current;
  for (int i = cc.up_begin; i < cc.down_end; ++i) {
    const RuleOutcome& o = e.rules[Pass::Ix(i)];
    const Rule& r = *c.rules[Pass::Ix(i)].rule;
    if (o.holds && !o.fires && r.for_.count() > 0)
      out.push_back({RuleText(r, i < cc.up_end), restarted ? e.now : o.since, r.for_});
  }
  // scaleToZero's cooldown counts toward 0 the same way (and the reconciler wakes for its end).
  if (d.idle_since != Time{} && d.cause != Cause::kIdleToZero)
    out.push_back({"scaleToZero idle", d.idle_since, cc.spec->scale_to_zero->cooldown});
  return out;
}

ComponentDecision DecisionOf(const Compiled& c, const Evaluation& e, const IndexedObserved& in,
                             int k) {
  const ComponentOutcome& d = e.components[Pass::Ix(k)];
  ComponentDecision out;
  out.name = NameOf(c, k);
  out.role = c.components[Pass::Ix(k)].spec->role;
  out.target_found = d.target_found;
  out.current = d.current;
  out.ready = d.ready;
  out.desired = d.desired;
  out.min = d.min;
  out.max = d.max;
  out.bounds_from = BoundsFromText(c, k, d);
  out.change = d.change;
  out.reason = Explain(c, e, in, k);
  out.cause = d.cause;
  out.limits = d.limits;
  out.recommended = d.recommended;
  out.counting = CountingOf(c, e, k);
  out.paused = d.paused;
  if (d.cause == Cause::kFallback) out.fallback_since = d.fallback_since;
  return out;
}

}  // namespace
}  // namespace internal

std::string Engine::Reason(const Evaluation& e, const IndexedObserved& in, int component) const {
  return internal::Explain(*c_, e, in, component);
}

Event Engine::RenderEvent(const Evaluation& e, const IndexedObserved& in,
                          const EventRecord& r) const {
  return internal::RenderEvent(*c_, e, in, r);
}

Decision Engine::Render(const Evaluation& e, const IndexedObserved& in) const {
  const internal::Compiled& c = *c_;
  Decision res;
  res.dry_run = e.dry_run;
  if (e.phase >= 0) res.phase = c.PhaseAt(e.phase).name;
  if (e.pending_phase)
    res.pending_phase = PendingPhase{c.PhaseAt(e.pending_phase->phase).name, e.pending_phase->since,
                                     e.pending_phase->switch_at};
  for (size_t k = 0; k < e.components.size(); ++k)
    res.components.push_back(internal::DecisionOf(c, e, in, static_cast<int>(k)));
  if (const auto& s = e.topology_step)
    res.topology_step = TopologyStep{internal::NameOf(c, s->component), s->from, s->to,
                                     internal::StepText(c, s->component, s->from, s->to, e.phase)};
  for (const AlertOutcome& a : e.alerts) {
    const Alert& spec = *c.alerts[internal::Pass::Ix(a.alert)].spec;
    res.alerts.push_back({spec.name, spec.severity, a.since, a.value});
  }
  res.schedules = internal::OpenScheduleList(c, e);
  for (const ConditionStatus& s : e.conditions)
    res.conditions.push_back({s.type, s.status, s.reason, internal::ConditionMessage(c, e, in, s)});
  for (const EventRecord& r : e.events) res.events.push_back(internal::RenderEvent(c, e, in, r));
  res.state = Export(e.state);
  res.summary = internal::SummaryLines(c, e, in);
  res.replica_counts = internal::ReplicaCounts(c, e);
  res.metric_values = internal::MetricValues(c, in);
  return res;
}

}  // namespace gearbox::policy
