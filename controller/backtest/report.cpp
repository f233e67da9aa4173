// See report.h.
#include "backtest/report.h"

#include <algorithm>
#include <fstream>
#include <iomanip>
#include <set>
#include <sstream>

#include "base/time_format.h"

namespace gearbox::backtest {

namespace {

std::string When(policy::Time t) { return FormatRfc3339(t, TimePrecision::kMillisWhenNonZero); }

// As status shows readings: 4 significant digits.
std::string Number(double v) {
  std::ostringstream s;
  s << std::setprecision(10) << policy::RoundForStatus(v);
  return s.str();
}

std::string PolicyName(const reconcile::ParsedPolicy& p) {
  return p.ns.empty() ? p.name : p.ns + "/" + p.name;
}

// "the policy's query", or why a metric is not replayed.
std::string Source(const MetricPlan& plan) {
  switch (plan.from) {
    case MetricPlan::From::kPolicy:
      return plan.query + "   (the policy's query)";
    case MetricPlan::From::kFlag:
      return plan.query + "   (--query; the controller reads it as a " + plan.kind + " metric)";
    case MetricPlan::From::kNowhere:
      break;
  }
  return "NOT REPLAYED: a " + plan.kind +
         " metric is not in Prometheus, so it is unreadable at every step (give --query " +
         plan.name + "=PROMQL to replay it from a recording)";
}

void PrintStart(std::ostream& out, const Backtest& b) {
  out << "  start:";
  const char* sep = " ";
  for (const auto& c : b.policy.spec.components) {
    const Start& s = b.start.at(c.name);
    out << sep << c.name << " " << s.replicas << " (" << s.from << ")";
    sep = ", ";
  }
  out << "\n";
}

// "Medium", "Medium (Large pending, switch at 2026-...)"
std::string PhaseText(const StepRecord& s) {
  std::string text = s.phase.empty() ? "-" : s.phase;
  if (s.pending)
    text += " (" + s.pending->name + " pending, switch at " + When(s.pending->switch_at) + ")";
  return text;
}

// "app 3->4 [3..20]", "redis 1 [1..1]"
std::string ComponentText(const std::string& name, const ComponentStep& c) {
  std::string replicas = std::to_string(c.before);
  if (c.after != c.before) replicas += "->" + std::to_string(c.after);
  return name + " " + replicas + " [" + std::to_string(c.min) + ".." + std::to_string(c.max) + "]";
}

void PrintStep(std::ostream& out, const policy::Spec& spec, const StepRecord& s) {
  out << When(s.at) << "  " << PhaseText(s);
  for (size_t k = 0; k < s.components.size(); ++k)
    out << "  " << ComponentText(spec.components[k].name, s.components[k]);
  out << "  |";
  for (size_t m = 0; m < s.metrics.size(); ++m)
    out << " " << spec.metrics[m] << " " << (s.metrics[m] ? Number(*s.metrics[m]) : "?");
  out << "\n";
  for (const auto& e : s.events)
    out << "    " << (e.type == "Normal" ? "" : e.type + " ") << e.reason << ": " << e.note << "\n";
}

// The metrics a component's rules read, by index into spec.metrics.
std::vector<size_t> RuleMetrics(const policy::Spec& spec, const policy::Component& c) {
  std::set<std::string> names;
  for (const auto* set : {&c.scale_up, &c.scale_down})
    if (*set)
      for (const auto& r : (*set)->rules) names.insert(r.metric);
  std::vector<size_t> slots;
  for (size_t m = 0; m < spec.metrics.size(); ++m)
    if (names.count(spec.metrics[m])) slots.push_back(m);
  return slots;
}

void Count(ComponentSummary& sum, const ComponentStep& c, const StepRecord& s,
           const std::vector<size_t>& metrics, double step_minutes) {
  sum.scale_ups += c.after > c.before;
  sum.scale_downs += c.after < c.before;
  sum.replica_minutes += c.after * step_minutes;
  sum.lowest = std::min(sum.lowest, c.after);
  sum.highest = std::max(sum.highest, c.after);
  bool unreadable = false;
  for (size_t m : metrics) unreadable = unreadable || !s.metrics[m];
  sum.unreadable_steps += unreadable;
}

}  // namespace

Summary Summarize(const policy::Spec& spec, const std::vector<StepRecord>& steps,
                  policy::Duration step) {
  Summary sum;
  const double step_minutes = std::chrono::duration<double, std::ratio<60>>(step).count();
  for (size_t k = 0; k < spec.components.size(); ++k) {
    ComponentSummary c{spec.components[k].name};
    c.lowest = steps.empty() ? 0 : steps.front().components[k].after;
    c.highest = c.lowest;
    const auto metrics = RuleMetrics(spec, spec.components[k]);
    for (const auto& s : steps) Count(c, s.components[k], s, metrics, step_minutes);
    sum.components.push_back(c);
  }
  for (const auto& name : spec.metrics) sum.unreadable_steps[name] = 0;
  for (size_t i = 0; i < steps.size(); ++i) {
    sum.phase_changes += i > 0 && steps[i].phase != steps[i - 1].phase;
    for (size_t m = 0; m < spec.metrics.size(); ++m)
      sum.unreadable_steps[spec.metrics[m]] += !steps[i].metrics[m];
  }
  return sum;
}

void PrintHeader(std::ostream& out, const Backtest& b) {
  out << "Backtest of ScalingPolicy " << PolicyName(b.policy) << " (" << b.file << ") from "
      << b.prometheus << "\n";
  out << "  range: " << When(b.grid.start) << " .. " << When(b.grid.end()) << ", every "
      << policy::FormatDuration(b.grid.step) << ": " << b.grid.count << " steps\n";
  out << "  metrics:\n";
  for (const auto& plan : b.plans) out << "    " << plan.name << ": " << Source(plan) << "\n";
  PrintStart(out, b);
  out << "  assumes: every write was made at once (current = ready = desired from the next step), "
         "a resized topology target was ready at once";
  if (b.policy.spec.mode == policy::Mode::kDryRun) out << ", and Enforce (the policy is DryRun)";
  out << "\n\n";
}

void PrintSteps(std::ostream& out, const Backtest& b, bool quiet) {
  for (const auto& s : b.steps)
    if (!quiet || s.Changed()) PrintStep(out, b.policy.spec, s);
}

void PrintSummary(std::ostream& out, const Backtest& b) {
  const Summary sum = Summarize(b.policy.spec, b.steps, b.grid.step);
  out << "\nSummary over " << b.steps.size() << " steps: " << sum.phase_changes
      << " phase changes, ending in " << (b.steps.empty() ? "-" : PhaseText(b.steps.back()))
      << "\n";
  for (const auto& c : sum.components) {
    out << "  " << c.name << ": " << c.scale_ups << " scale-ups, " << c.scale_downs
        << " scale-downs, " << Number(c.replica_minutes) << " replica-minutes, " << c.lowest << ".."
        << c.highest << " replicas, " << c.unreadable_steps
        << " steps with a metric of its rules unreadable\n";
  }
  for (const auto& metric : b.policy.spec.metrics)
    if (const int steps = sum.unreadable_steps.at(metric); steps > 0)
      out << "  " << metric << " unreadable at " << steps << " steps\n";
}

Status WriteTsv(const std::string& path, const Backtest& b) {
  std::ofstream tsv(path);
  if (!tsv) return Error::Of(Error::Kind::kConfig, path + ": cannot be written");
  const policy::Spec& spec = b.policy.spec;
  tsv << "time";
  for (const auto& m : spec.metrics) tsv << "\t" << m;
  tsv << "\tphase";
  for (const auto& c : spec.components)
    tsv << "\t" << c.name << "\t" << c.name << "_min\t" << c.name << "_max";
  tsv << "\n" << std::setprecision(10);
  for (const auto& s : b.steps) {
    tsv << std::chrono::duration_cast<std::chrono::seconds>(s.at.time_since_epoch()).count();
    for (const auto& v : s.metrics) tsv << "\t" << (v ? Number(*v) : "");
    tsv << "\t" << s.phase;
    for (const auto& c : s.components) tsv << "\t" << c.after << "\t" << c.min << "\t" << c.max;
    tsv << "\n";
  }
  if (!tsv) return Error::Of(Error::Kind::kConfig, path + ": write failed");
  return OkStatus();
}

}  // namespace gearbox::backtest
