// See explain.h. The wording is the one Events and status have always carried; tests and docs
// match it.
#include "policy/explain.h"

#include <algorithm>
#include <cmath>

#include "policy/hpa_text.h"
#include "policy/stages.h"
#include "policy/text.h"

namespace gearbox::policy::internal {

namespace {

struct Words {
  const Compiled& c;
  const Evaluation& e;
  const IndexedObserved& in;
  int k;
  const CompiledComponent& cc;
  const ComponentOutcome& d;

  std::string Bounds() const { return BoundsText(c, k, d); }
  std::string Ago() const { return FormatDuration(Since(d.last_scale, e.now)); }
  std::string FiredUp() const { return FiredText(c, e, cc.up_begin, cc.up_end); }
  std::string FiredDown() const { return FiredText(c, e, cc.down_begin, cc.down_end); }
};

// "cpu, p95": the metrics of its rules that could not be read, sorted, each once.
std::string MissingText(const Words& w) {
  std::vector<std::string> names;
  for (int i = w.cc.up_begin; i < w.cc.down_end; ++i)
    if (!w.e.rules[Pass::Ix(i)].available &&
        !MetricAtRest(w.c, w.in, w.c.rules[Pass::Ix(i)].metric))
      names.push_back(w.c.rules[Pass::Ix(i)].rule->metric);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return Join(names, ", ");
}

std::string CountingText(const Words& w) {
  std::vector<std::string> parts;
  for (int i = w.cc.up_begin; i < w.cc.down_end; ++i) {
    const RuleOutcome& o = w.e.rules[Pass::Ix(i)];
    const Rule& r = *w.c.rules[Pass::Ix(i)].rule;
    if (!o.holds || o.fires || r.for_.count() <= 0) continue;
    parts.push_back(RuleText(r, i < w.cc.up_end) + " for " + ToTheSecond(Since(o.since, w.e.now)) +
                    " of " + FormatDuration(r.for_));
  }
  return "counting: " + Join(parts, ", ");
}

std::string LimitNote(const Words& w, char sign, const Limits& l) {
  std::string note = std::string("limited to ") + sign + std::to_string(w.d.step_allowed) +
                     " per " + FormatDuration(PeriodOf(w.c.spec, l)) + " (maxPods " +
                     std::to_string(l.max_pods) + ", maxPercent " + std::to_string(l.max_percent);
  if (w.d.moved > 0) note += "; " + std::to_string(w.d.moved) + " moved within it";
  return note + ")";
}

// The HPA form's notes: its windows, its policies, the bounds (the maximum only when it moved).
std::vector<std::string> HpaNotes(const Words& w) {
  const bool up = w.d.cause == Cause::kScaleUpRulesFired;
  if (!up && w.d.cause != Cause::kScaleDownRulesFired && w.d.cause != Cause::kReturnToMinimum)
    return {};
  const HpaRules& r = up ? w.cc.spec->hpa->up : w.cc.spec->hpa->down;
  std::vector<std::string> notes;
  if (w.d.limits & (up ? kUpStabilizationWindow : kStabilizationWindow))
    notes.push_back(std::string("the ") + (up ? "lowest" : "highest") +
                    " recommendation of the last " + FormatDuration(r.stabilization_window));
  if (w.d.limits & kLimitedPerStep)
    notes.push_back(HpaLimitText(r, up, w.d.step_allowed, w.d.moved));
  if ((w.d.limits & kCappedAtMaximum) && w.d.desired != w.d.current)
    notes.push_back("capped at the maximum of " + w.Bounds());
  if (w.d.limits & kHeldAtMinimum) notes.push_back("held at the minimum of " + w.Bounds());
  return notes;
}

// What held the recommendation back, in the order the limits apply. A component that stays at its
// maximum has no notes: WorkloadReason already says "already at the maximum", and the step limit
// of a move that was not made says nothing; one that stays at its minimum says only that.
std::vector<std::string> Notes(const Words& w) {
  std::vector<std::string> notes;
  const Component& comp = *w.cc.spec;
  if (comp.hpa) return HpaNotes(w);
  if (w.d.cause == Cause::kScaleUpRulesFired && w.d.desired != w.d.current) {
    if (w.d.limits & kLimitedPerStep) notes.push_back(LimitNote(w, '+', comp.up));
    if (w.d.limits & kCappedAtMaximum) notes.push_back("capped at the maximum of " + w.Bounds());
  } else if (w.d.cause == Cause::kScaleDownRulesFired || w.d.cause == Cause::kReturnToMinimum) {
    // Held back by a scale-up within the window (limits.cpp's HeldDown; its rules' words are
    // kScaleDownHeldByStabilization's).
    if (w.d.cause == Cause::kReturnToMinimum && w.d.last_scale != Time{})
      notes.push_back("scaled up " + w.Ago() + " ago (scale-down stabilization " +
                      FormatDuration(comp.down.stabilization_window) + ")");
    if (w.d.limits & kStabilizationWindow)
      notes.push_back("the highest recommendation of the last " +
                      FormatDuration(comp.down.stabilization_window));
    // Held at the minimum is the whole story of a component that stays; the step limit matters
    // only when it is what keeps the component where it is.
    const bool held = (w.d.limits & kHeldAtMinimum) != 0;
    if ((w.d.limits & kLimitedPerStep) && !(held && w.d.desired == w.d.current))
      notes.push_back(LimitNote(w, '-', comp.down));
    if (held) notes.push_back("held at the minimum of " + w.Bounds());
  }
  return notes;
}

// How the rules' count was sized, when that is why it moves less than the rule's words say, or
// not at all: "cpu asks for 4", "waiting for the pods of the last step (2 of 4 in the cpu
// reading)", "no rule that fired sizes a step: +1", "at 2, cpu would be 82.5 above 70".
std::string SizingText(const Words& w) {
  const ComponentOutcome& d = w.d;
  const bool has_rule = d.sized_by >= 0;
  const CompiledRule* cr = has_rule ? &w.c.rules[Pass::Ix(d.sized_by)] : nullptr;
  const std::string counted =
      std::to_string(d.measured) + " of " + std::to_string(d.current) +
      (d.sizing == SizingNote::kStartingPods && cr ? " in the " + cr->rule->metric + " reading"
                                                   : " ready");
  switch (d.sizing) {
    case SizingNote::kProportional:
      return cr ? cr->rule->metric + " asks for " + std::to_string(d.recommended) : "";
    case SizingNote::kWithinTolerance:
      return cr ? cr->rule->metric + " within 10% of its target " + Num(cr->target) : "";
    case SizingNote::kStartingPods:
      return "waiting for the pods of the last step (" + counted + ")";
    case SizingNote::kGateSpacing:
      return "no rule that fired sizes a step, and the last scale-up was " +
             ToTheSecond(Since(d.last_scale, w.e.now)) + " ago: a gate steps once per its for";
    case SizingNote::kGateStep:
      return d.cause == Cause::kScaleUpRulesFired
                 ? "no rule that fired sizes a step: +" + std::to_string(d.recommended - d.current)
                 : "no rule that fired sizes a step: -1";
    case SizingNote::kScaleUpGuard:
      return "at " + std::to_string(d.recommended - 1) + ", " + cr->rule->metric + " would be " +
             Num(d.predicted) + " above " + Num(cr->rule->threshold);
    default:
      return "";
  }
}

// "; stays at 4: cpu asks for 4 (2 of 4 ready)", or the sizing in brackets after a move that is
// not what the rule's ratio alone would say (a gate's bounded step, a guarded scale-down).
std::string StaysOrSized(const Words& w) {
  const std::string sizing = SizingText(w);
  if (w.d.stays) {
    // The law's own count is why it stays, or a limit is (the notes say which).
    const bool up = w.d.cause == Cause::kScaleUpRulesFired;
    const bool law = up ? w.d.recommended <= w.d.current : w.d.recommended >= w.d.current;
    return "; stays at " + std::to_string(w.d.current) +
           (law && !sizing.empty() ? ": " + sizing : "");
  }
  const bool told = w.d.sizing == SizingNote::kGateStep || w.d.sizing == SizingNote::kScaleUpGuard;
  return told && !sizing.empty() ? " (" + sizing + ")" : "";
}

std::string Unavailable(const Words& w) {
  return MissingText(w) + (w.d.missing == 1 ? " is" : " are") + " unavailable";
}

// "p95 unavailable for 3 evaluations (fallback after 3): 6 replicas"
std::string FallbackText(const Words& w) {
  const Fallback& f = *w.cc.spec->fallback;
  const std::string missing = MissingText(w);
  return (missing.empty() ? std::string("an activation metric") : missing) + " unavailable" +
         (w.d.failed_reads > 0 ? " for " + std::to_string(w.d.failed_reads) + " evaluations" : "") +
         " (fallback after " + std::to_string(f.failure_threshold) +
         "): " + std::to_string(w.d.desired) + " replicas";
}

// "backlog 3 above 0" (the activations that hold, when `holding`), else "backlog 0 not above 0"
// (every activation), "backlog ?" for one not read.
std::string ActivityText(const Words& w, bool holding) {
  std::vector<std::string> parts;
  const std::vector<Activation>& spec = w.cc.spec->scale_to_zero->activation;
  for (size_t i = 0; i < spec.size(); ++i) {
    const MetricReading& m = w.in.metrics[Pass::Ix(w.cc.activation[i])];
    const bool read = m.value && std::isfinite(*m.value);
    const bool holds = read && *m.value > spec[i].above;
    if (holding != holds) continue;
    parts.push_back(spec[i].metric + " " + (read ? Num(*m.value) : "?") +
                    (holds ? " above " : " not above ") + Num(spec[i].above));
  }
  return Join(parts, ", ");
}

// The causes a workload's rules decide.
std::string RulesReason(const Words& w) {
  const Component& comp = *w.cc.spec;
  const ComponentOutcome& d = w.d;
  switch (d.cause) {
    case Cause::kScaleUpRulesFired:
      if (d.stays || d.desired != d.current) return w.FiredUp() + StaysOrSized(w);
      return w.FiredUp() + "; already at the maximum of " + w.Bounds();
    case Cause::kScaleUpHeldByStabilization:
      return w.FiredUp() + ", but scaled down " + w.Ago() + " ago (scale-up stabilization " +
             FormatDuration(comp.up.stabilization_window) + ")";
    case Cause::kScaleDownBlockedByMissingMetric:
      return w.FiredDown() + ", but not scaling down while " + Unavailable(w);
    case Cause::kScaleDownHeldByStabilization:
      return w.FiredDown() + ", but scaled up " + w.Ago() + " ago (scale-down stabilization " +
             FormatDuration(comp.down.stabilization_window) + ")";
    case Cause::kScaleDownRulesFired:
      return w.FiredDown() + StaysOrSized(w);
    case Cause::kCounting:
      return CountingText(w);
    default:
      break;
  }
  return "no rule fires" + (d.missing > 0 ? " (" + MissingText(w) + " unavailable)" : "");
}

std::string WorkloadReason(const Words& w) {
  const Component& comp = *w.cc.spec;
  switch (w.d.cause) {
    case Cause::kBelowMinimum:
      return "below the minimum of " + w.Bounds();
    case Cause::kAboveMaximum:
      return "above the maximum of " + w.Bounds();
    case Cause::kFallback:
      return FallbackText(w);
    case Cause::kWokenFromZero:
      return "woken from 0: " + ActivityText(w, true);
    case Cause::kRestingAtZero:
      return "resting at 0: " + ActivityText(w, false);
    case Cause::kReturnToMinimum:
      return "only schedules raise it: back to the minimum of " + w.Bounds() + StaysOrSized(w);
    case Cause::kIdleToZero:
      return "idle for " + FormatDuration(comp.scale_to_zero->cooldown) + ": " +
             ActivityText(w, false) + " (scaleToZero cooldown)";
    default:
      return RulesReason(w);
  }
}

std::string TopologyReason(const Words& w) {
  const ComponentOutcome& d = w.d;
  const std::string& name = w.cc.spec->name;
  switch (d.cause) {
    case Cause::kTopologyStep:
      return StepText(w.c, w.k, d.current, d.desired, w.e.phase);
    case Cause::kTopologyWaitingForReady:
      return "waiting for " + name + " to be ready: " + std::to_string(d.ready) + "/" +
             std::to_string(d.desired) + " ready";
    case Cause::kTopologyWaitsItsTurn:
      return d.waits_for >= 0
                 ? "waits for the change of " + w.c.components[Pass::Ix(d.waits_for)].spec->name
                 : "waits for its turn (one topology change at a time)";
    case Cause::kTopologyAtPhaseSize:
      return "at the size of phase " + w.c.PhaseAt(w.e.phase).name;
    default:
      break;
  }
  return "no size in this phase";
}

}  // namespace

std::string Explain(const Compiled& c, const Evaluation& e, const IndexedObserved& in, int k) {
  const Words w{c, e, in, k, c.components[Pass::Ix(k)], e.components[Pass::Ix(k)]};
  if (w.d.cause == Cause::kTargetUnreadable)
    return "target not readable: " + in.targets[Pass::Ix(k)].error;
  if (w.cc.topology())
    return w.d.paused ? "paused (gearbox.dev/paused): " + TopologyReason(w) : TopologyReason(w);
  std::string reason = WorkloadReason(w);
  const std::vector<std::string> notes = Notes(w);
  if (!notes.empty()) reason += " (" + Join(notes, "; ") + ")";
  if (w.d.bounds_from == BoundsFrom::kPhaseOverComponent && w.d.desired != w.d.current)
    reason += "; the phase's bounds win";
  return w.d.paused ? "paused (gearbox.dev/paused): " + reason : reason;
}

}  // namespace gearbox::policy::internal
