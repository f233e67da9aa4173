// See text.h.
#include "policy/text.h"

#include <cstdio>

#include "policy/schedule_text.h"

namespace gearbox::policy::internal {

std::string Num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  std::string s = buf;
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s == "-0" ? "0" : s;
}

std::string ToTheSecond(Duration d) {
  return FormatDuration(std::chrono::round<std::chrono::seconds>(d));
}

std::string Join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : sep) + p;
  return out;
}

std::string RuleText(const Rule& r, bool up) {
  return std::string(up ? "scaleUp " : "scaleDown ") + r.metric +
         (r.per_replica ? " per replica" : "") + (r.above ? " > " : " < ") + Num(r.threshold);
}

std::string FiredText(const Compiled& c, const Evaluation& e, int begin, int end) {
  std::vector<std::string> parts;
  for (int i = begin; i < end; ++i) {
    const RuleOutcome& o = e.rules[static_cast<size_t>(i)];
    if (!o.fires) continue;
    const Rule& r = *c.rules[static_cast<size_t>(i)].rule;
    std::string t = r.metric + (r.per_replica ? " per replica " : " ") + Num(o.value) +
                    (r.above ? " above " : " below ") + Num(r.threshold);
    if (r.for_.count() > 0) t += " for " + FormatDuration(r.for_);
    parts.push_back(t);
  }
  return Join(parts, " and ");
}

namespace {

std::string OwnOrPhaseText(const Compiled& c, int component, const ComponentOutcome& d) {
  const std::string phase = d.bounds_phase >= 0 ? c.PhaseAt(d.bounds_phase).name : "";
  switch (d.bounds_from) {
    case BoundsFrom::kComponent:
      return "component";
    case BoundsFrom::kPhase:
    case BoundsFrom::kPhaseSize:
      return "phase " + phase;
    case BoundsFrom::kComponentAndPhase:
      return "component and phase " + phase;
    case BoundsFrom::kPhaseOverComponent: {
      const Bounds own = OwnBounds(*c.components[static_cast<size_t>(component)].spec);
      return "phase " + phase + " (outside the component's " + std::to_string(own.min) + ".." +
             std::to_string(own.max) + ")";
    }
    case BoundsFrom::kNotSized:
      break;
  }
  return "not sized by the current phase";
}

}  // namespace

// "phase Medium", and ", schedule sale" when an open window raised the minimum.
std::string BoundsFromText(const Compiled& c, int component, const ComponentOutcome& d) {
  return OwnOrPhaseText(c, component, d) + ScheduleBoundsText(c, component, d);
}

std::string BoundsText(const Compiled& c, int component, const ComponentOutcome& d) {
  return std::to_string(d.min) + ".." + std::to_string(d.max) + " (" +
         BoundsFromText(c, component, d) + ")";
}

std::string PhaseWhy(const Compiled& c, double v, int to) {
  const Phase& p = c.PhaseAt(to);
  std::string s = c.spec.phases->metric + " " + Num(v);
  if (p.up_to) s += " < " + Num(*p.up_to);
  if (to > 0 && c.PhaseAt(to - 1).up_to)
    s += (p.up_to ? ", >= " : " >= ") + Num(*c.PhaseAt(to - 1).up_to);
  return s;
}

std::string StepText(const Compiled& c, int component, int from, int to, int phase) {
  return c.components[static_cast<size_t>(component)].spec->name + " " + std::to_string(from) +
         " -> " + std::to_string(to) + " for phase " + c.PhaseAt(phase).name;
}

std::string AlertText(const Alert& a, double value) {
  std::string text = a.name + ": " + a.metric + " " + Num(value) +
                     (a.above ? " above " : " below ") + Num(a.threshold);
  if (a.for_.count() > 0) text += " for " + FormatDuration(a.for_);
  return text;
}

}  // namespace gearbox::policy::internal
