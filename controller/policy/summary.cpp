// See summary.h. The wording of the lines is pinned by tests/unit/policy/summary_test.cpp; times
// of day are UTC. Relative times ("for 3m12s of 5m", "in 8s") appear only while something counts
// toward a deadline, so that a steady policy's status does not change from one pass to the next.
#include "policy/summary.h"

#include <algorithm>
#include <cmath>

#include "base/time_format.h"
#include "policy/explain.h"
#include "policy/schedule_text.h"
#include "policy/stages.h"
#include "policy/text.h"

namespace gearbox::policy {
namespace internal {

namespace {

// "06:42:54Z" on the day of `now`, else the whole date and time.
std::string Clock(Time t, Time now) {
  const std::string at = FormatRfc3339(t, TimePrecision::kSeconds);
  const std::string today = FormatRfc3339(now, TimePrecision::kSeconds);
  return at.compare(0, 10, today, 0, 10) == 0 ? at.substr(11) : at;
}

// The reading as status.metrics has it (RoundForStatus).
std::optional<double> ValueOf(const IndexedObserved& in, int slot) {
  const MetricReading& m = in.metrics[Pass::Ix(slot)];
  if (!m.value || !std::isfinite(*m.value)) return std::nullopt;
  return RoundForStatus(*m.value);
}

std::string PhaseLine(const Compiled& c, const Evaluation& e, const IndexedObserved& in) {
  const std::optional<double> v = ValueOf(in, c.phase_metric);
  const std::string& metric = c.spec.phases->metric;
  if (e.phase < 0) return "No phase yet: " + metric + " is unavailable";
  std::string line = "Phase " + c.PhaseAt(e.phase).name;
  if (const auto& p = e.pending_phase; p && v) {
    line += ", to " + c.PhaseAt(p->phase).name + " in " + ToTheSecond(Since(e.now, p->switch_at)) +
            " (at " + Clock(p->switch_at, e.now) + ") if it holds: " + PhaseWhy(c, *v, p->phase);
  } else {
    line += v ? ": " + PhaseWhy(c, *v, e.phase) : ": " + metric + " unavailable, the phase stays";
  }
  const int follows = e.state.workload_phase;
  if (follows >= 0 && follows != e.phase)
    line += "; the workloads keep the bounds of " + c.PhaseAt(follows).name +
            " until the topology is ready";
  return line;
}

// "app 4 → 6 (2..10, 3 ready): cpu 90 above 70"
std::string ComponentLine(const Compiled& c, const Evaluation& e, const IndexedObserved& in,
                          int k) {
  const CompiledComponent& cc = c.components[Pass::Ix(k)];
  const ComponentOutcome& d = e.components[Pass::Ix(k)];
  std::string line = cc.spec->name;
  if (d.target_found) {
    line += " " + std::to_string(d.current);
    if (d.desired != d.current) line += " → " + std::to_string(d.desired);
    std::vector<std::string> notes;
    if (!cc.topology()) notes.push_back(std::to_string(d.min) + ".." + std::to_string(d.max));
    if (d.ready != d.current) notes.push_back(std::to_string(d.ready) + " ready");
    if (!notes.empty()) line += " (" + Join(notes, ", ") + ")";
  }
  return line + ": " + Explain(c, e, in, k);
}

// "> 70 for 3m12s of 5m", "> 70 for 5m met", "not < 30".
std::string Clause(bool above, double threshold, Duration for_, bool holds, bool met, Time since,
                   Time now) {
  const std::string test = std::string(above ? "> " : "< ") + Num(threshold);
  if (!holds) return "not " + test;
  if (met) return test + (for_.count() > 0 ? " for " + FormatDuration(for_) : "") + " met";
  return test + " for " + ToTheSecond(Since(since, now)) + " of " + FormatDuration(for_);
}

// The rules and alerts that read metric slot `slot`, each as a clause with its owner.
std::vector<std::string> Clauses(const Compiled& c, const Evaluation& e, int slot) {
  std::vector<std::string> out;
  for (const CompiledComponent& cc : c.components) {
    for (int i = cc.up_begin; i < cc.down_end; ++i) {
      const CompiledRule& cr = c.rules[Pass::Ix(i)];
      if (cr.metric != slot) continue;
      const RuleOutcome& o = e.rules[Pass::Ix(i)];
      const Rule& r = *cr.rule;
      // "not > 1000 (worker up, 166.667 per replica)"
      out.push_back(Clause(r.above, r.threshold, r.for_, o.holds, o.fires, o.since, e.now) + " (" +
                    cc.spec->name + (i < cc.up_end ? " up" : " down") +
                    (r.per_replica ? ", " + Num(RoundForStatus(o.value)) + " per replica)" : ")"));
    }
  }
  for (size_t i = 0; i < c.alerts.size(); ++i) {
    const CompiledAlert& ca = c.alerts[i];
    if (ca.metric != slot) continue;
    const Time since = e.state.timers[Pass::Ix(ca.timer)];
    const bool holds = since != IndexedState::kNotRunning;
    const bool firing = std::any_of(e.alerts.begin(), e.alerts.end(), [&](const AlertOutcome& a) {
      return a.alert == static_cast<int>(i);
    });
    const Alert& a = *ca.spec;
    out.push_back(Clause(a.above, a.threshold, a.for_, holds, firing, since, e.now) + " (alert " +
                  a.name + (firing ? " fires)" : ")"));
  }
  return out;
}

// "cpu 82: > 70 for 3m12s of 5m (app up); not < 30 (app down)", "p95 unavailable since ...".
std::string MetricLine(const Compiled& c, const Evaluation& e, const IndexedObserved& in,
                       size_t i) {
  const std::string& name = c.spec.metrics[i];
  const int slot = c.declared[i];
  const std::optional<double> v = ValueOf(in, slot);
  if (!v) {
    const std::string& error = in.metrics[Pass::Ix(slot)].error;
    const Time since = e.state.timers[Pass::Ix(c.unavailable_timers[i])];
    return name + " unavailable since " + Clock(since, e.now) + ": " +
           (error.empty() ? "no value" : error);
  }
  const std::vector<std::string> clauses = Clauses(c, e, slot);
  return name + " " + Num(*v) + (clauses.empty() ? "" : ": " + Join(clauses, "; "));
}

// Whether metric slot `slot` is read by a rule or by the phases.
bool Main(const Compiled& c, int slot) {
  if (slot == c.phase_metric) return true;
  return std::any_of(c.rules.begin(), c.rules.end(),
                     [&](const CompiledRule& r) { return r.metric == slot; });
}

}  // namespace

std::vector<std::string> SummaryLines(const Compiled& c, const Evaluation& e,
                                      const IndexedObserved& in) {
  std::vector<std::string> lines;
  if (e.dry_run)
    lines.push_back("DryRun: nothing is written; a count after → is what it would set");
  if (c.has_phases()) lines.push_back(PhaseLine(c, e, in));
  for (size_t k = 0; k < c.components.size(); ++k)
    lines.push_back(ComponentLine(c, e, in, static_cast<int>(k)));
  for (size_t i = 0; i < c.declared.size(); ++i) lines.push_back(MetricLine(c, e, in, i));
  for (auto& line : ScheduleLines(c, e)) lines.push_back(std::move(line));
  for (const AlertOutcome& a : e.alerts)
    lines.push_back("Alert " +
                    AlertText(*c.alerts[Pass::Ix(a.alert)].spec, RoundForStatus(a.value)) +
                    ", firing since " + Clock(a.since, e.now));
  for (const std::string& warning : c.warnings) lines.push_back("Warning: " + warning);
  return lines;
}

std::string ReplicaCounts(const Compiled& c, const Evaluation& e) {
  std::vector<std::string> parts;
  for (size_t k = 0; k < c.components.size(); ++k) {
    const ComponentOutcome& d = e.components[k];
    std::string count = std::to_string(d.current);
    if (!d.target_found)
      count = "?";
    else if (!c.components[k].topology() || d.desired != d.current)
      count += "/" + std::to_string(d.desired);
    parts.push_back(c.components[k].spec->name + " " + count);
  }
  return Join(parts, " ");
}

std::string MetricValues(const Compiled& c, const IndexedObserved& in) {
  const bool any_main =
      std::any_of(c.declared.begin(), c.declared.end(), [&](int slot) { return Main(c, slot); });
  std::vector<std::string> parts;
  for (size_t i = 0; i < c.declared.size(); ++i) {
    const int slot = c.declared[i];
    if (any_main && !Main(c, slot)) continue;
    const std::optional<double> v = ValueOf(in, slot);
    parts.push_back(c.spec.metrics[i] + " " + (v ? Num(*v) : "?"));
  }
  return Join(parts, " ");
}

}  // namespace internal

double RoundForStatus(double v) {
  if (v == 0 || !std::isfinite(v)) return v;
  const double scale = std::pow(10.0, 3 - static_cast<int>(std::floor(std::log10(std::fabs(v)))));
  return std::round(v * scale) / scale;
}

std::vector<std::string> ConditionLines(const std::vector<Condition>& conditions) {
  std::vector<std::string> lines;
  for (const Condition& cond : conditions) {
    const std::string& t = cond.type;
    // Said by the metric, component and alert lines of the summary.
    if (t == "MetricsAvailable" || t == "ScalingLimited" || t == "AlertFiring") continue;
    if ((t == "Ready" || t == "AbleToScale") && cond.status) continue;
    lines.push_back(t + " " + (cond.status ? "True" : "False") + " (" + cond.reason +
                    "): " + cond.message);
  }
  return lines;
}

}  // namespace gearbox::policy
