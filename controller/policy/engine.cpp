// Evaluate(): see policy.h for the contract and docs/engine.md for the semantics and formulas.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "policy/policy.h"

namespace gearbox::policy {

const ComponentDecision* Result::Find(const std::string& component) const {
  for (const auto& c : components)
    if (c.name == component) return &c;
  return nullptr;
}

const Condition* Result::FindCondition(const std::string& type) const {
  for (const auto& c : conditions)
    if (c.type == type) return &c;
  return nullptr;
}

namespace {

// "82", "0.512", "1234.5": up to 3 decimals, no trailing zeros.
std::string Num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  std::string s = buf;
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s == "-0" ? "0" : s;
}

std::string RuleText(const Rule& r) {
  return r.metric + (r.per_replica ? " per replica" : "") + (r.above ? " > " : " < ") +
         Num(r.threshold);
}

std::string Join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : sep) + p;
  return out;
}

Duration Since(Time from, Time now) { return std::chrono::duration_cast<Duration>(now - from); }

// One evaluation's bookkeeping: the timers carried over are only those touched now, so a timer
// whose condition stopped holding (or whose rule left the spec) is gone.
struct Timers {
  const std::map<std::string, Time>& before;
  std::map<std::string, Time>& next;
  Time now;

  // Starts (or continues) the timer `key`; returns since when it has run.
  Time Hold(const std::string& key) {
    auto it = before.find(key);
    Time since = it != before.end() && it->second <= now ? it->second : now;
    next[key] = since;
    return since;
  }
  bool Had(const std::string& key) const { return before.count(key) > 0; }
  std::optional<Time> Get(const std::string& key) const {
    auto it = before.find(key);
    if (it == before.end()) return std::nullopt;
    return it->second;
  }
  void Keep(const std::string& key) {
    auto it = before.find(key);
    if (it != before.end()) next[key] = it->second;
  }
  void Set(const std::string& key, Time t) { next[key] = t; }
};

struct RuleOutcome {
  const Rule* rule = nullptr;
  bool available = false;
  std::string unavailable_why;
  double value = 0;  // after perReplica
  bool holds = false;
  bool fires = false;
  Time since{};
};

struct SetOutcome {
  std::vector<RuleOutcome> rules;
  bool fires = false;
  std::vector<std::string> missing;  // metrics that could not be read
};

SetOutcome EvaluateSet(const RuleSet& set, const std::string& key_prefix, const Observed& observed,
                       int current, Timers& timers) {
  SetOutcome out;
  bool all = true, any = false;
  for (size_t i = 0; i < set.rules.size(); ++i) {
    const Rule& r = set.rules[i];
    RuleOutcome o;
    o.rule = &r;
    auto it = observed.metrics.find(r.metric);
    if (it == observed.metrics.end() || !it->second.value || !std::isfinite(*it->second.value)) {
      o.unavailable_why = it == observed.metrics.end() ? "not read"
                          : it->second.error.empty()   ? "no value"
                                                       : it->second.error;
      out.missing.push_back(r.metric);
    } else {
      o.available = true;
      o.value = *it->second.value;
      if (r.per_replica) o.value /= std::max(current, 1);
      o.holds = r.above ? o.value > r.threshold : o.value < r.threshold;
      if (o.holds) {
        o.since = timers.Hold(key_prefix + std::to_string(i) + "/" + r.metric);
        o.fires = Since(o.since, timers.now) >= r.for_;
      }
    }
    all = all && o.fires;
    any = any || o.fires;
    out.rules.push_back(o);
  }
  out.fires = !set.rules.empty() && (set.all_of ? all : any);
  return out;
}

// How far the metric is past its threshold, as a factor on the replica count (docs/engine.md).
double UpRatio(const RuleOutcome& o) {
  const Rule& r = *o.rule;
  if (r.above) return r.threshold > 0 ? o.value / r.threshold : 2.0;
  return o.value > 0 ? r.threshold / o.value : 2.0;
}

double DownRatio(const RuleOutcome& o) {
  const Rule& r = *o.rule;
  if (!r.above) return r.threshold > 0 ? std::max(o.value, 0.0) / r.threshold : 0.5;
  return o.value > 0 ? r.threshold / o.value : 0.5;
}

// "cpu 82 > 70 for 5m" for the rules that fired.
std::string FiredText(const SetOutcome& s) {
  std::vector<std::string> parts;
  for (const auto& o : s.rules) {
    if (!o.fires) continue;
    std::string t = o.rule->metric + (o.rule->per_replica ? " per replica " : " ") + Num(o.value) +
                    (o.rule->above ? " above " : " below ") + Num(o.rule->threshold);
    if (o.rule->for_.count() > 0) t += " for " + FormatDuration(o.rule->for_);
    parts.push_back(t);
  }
  return Join(parts, " and ");
}

int PhaseIndex(const Phases& p, const std::string& name) {
  for (size_t i = 0; i < p.list.size(); ++i)
    if (p.list[i].name == name) return static_cast<int>(i);
  return -1;
}

struct EffectiveBounds {
  int min = 0, max = 0;
  std::string from;
  bool conflict = false;  // the phase's bounds lie outside the component's
};

EffectiveBounds WorkloadBounds(const Component& c, const Phase* phase) {
  EffectiveBounds b;
  Bounds own = c.replicas.value_or(Bounds{0, 1 << 20});
  b.min = own.min;
  b.max = own.max;
  b.from = "component";
  if (!phase) return b;
  auto it = phase->components.find(c.name);
  if (it == phase->components.end() || !it->second.min || !it->second.max) return b;
  int pmin = *it->second.min, pmax = *it->second.max;
  int lo = std::max(own.min, pmin), hi = std::min(own.max, pmax);
  if (lo <= hi) {
    b.min = lo;
    b.max = hi;
    b.from = (lo == pmin && hi == pmax)         ? "phase " + phase->name
             : (lo == own.min && hi == own.max) ? "component"
                                                : "component and phase " + phase->name;
  } else {  // the roadmap is the more specific statement: the phase wins
    b.min = pmin;
    b.max = pmax;
    b.conflict = true;
    b.from = "phase " + phase->name + " (outside the component's " + std::to_string(own.min) +
             ".." + std::to_string(own.max) + ")";
  }
  return b;
}

std::optional<int> TopologyTarget(const Component& c, const Phase* phase) {
  if (!phase) return std::nullopt;
  auto it = phase->components.find(c.name);
  if (it == phase->components.end() || !it->second.replicas) return std::nullopt;
  return *it->second.replicas;
}

Condition MakeCondition(std::string type, bool status, std::string reason, std::string message) {
  return {std::move(type), status, std::move(reason), std::move(message)};
}

}  // namespace

Result Evaluate(const Spec& spec, const Observed& observed, const State& before, Time now) {
  Result res;
  res.dry_run = spec.mode == Mode::kDryRun;
  State& next = res.state;
  Timers timers{before.timers, next.timers, now};
  std::vector<std::string> limited;  // for ScalingLimited
  bool limited_up = false;

  auto reading = [&](const std::string& metric) -> std::optional<double> {
    auto it = observed.metrics.find(metric);
    if (it == observed.metrics.end() || !it->second.value || !std::isfinite(*it->second.value))
      return std::nullopt;
    return *it->second.value;
  };
  auto target_of = [&](const std::string& component) {
    auto it = observed.targets.find(component);
    if (it == observed.targets.end()) {
      TargetReading t;
      t.found = false;
      t.error = "not read";
      return t;
    }
    return it->second;
  };

  // ---- the phase: chosen by the phase metric, changed only after `hold` ----
  const Phase* committed = nullptr;
  const Phase* workload_phase = nullptr;
  if (spec.phases && !spec.phases->list.empty()) {
    const Phases& ph = *spec.phases;
    int ci = PhaseIndex(ph, before.phase);
    std::optional<double> v = reading(ph.metric);
    int want = ci;
    if (v) {
      want = static_cast<int>(ph.list.size()) - 1;
      for (size_t i = 0; i < ph.list.size(); ++i) {
        if (ph.list[i].up_to && *v < *ph.list[i].up_to) {
          want = static_cast<int>(i);
          break;
        }
      }
    }
    auto why = [&](int to) {
      const Phase& p = ph.list[static_cast<size_t>(to)];
      std::string s = ph.metric + " " + Num(*v);
      if (p.up_to) s += " < " + Num(*p.up_to);
      if (to > 0 && ph.list[static_cast<size_t>(to) - 1].up_to)
        s += (p.up_to ? ", >= " : " >= ") + Num(*ph.list[static_cast<size_t>(to) - 1].up_to);
      return s;
    };
    if (ci < 0 && want < 0) want = 0;  // nothing known yet: start from the first phase
    if (ci < 0) {                      // the first evaluation: no hold
      ci = want;
      res.events.push_back({"Normal", "PhaseSelected",
                            "phase " + ph.list[static_cast<size_t>(ci)].name +
                                (v ? ": " + why(ci) : ": " + ph.metric + " not available yet"),
                            "", EventKind::kPhaseSelected});
    } else if (want != ci) {
      std::string key = "phase/" + ph.list[static_cast<size_t>(want)].name;
      bool started = !timers.Had(key);
      Time since = timers.Hold(key);
      if (Since(since, now) >= ph.hold) {
        res.events.push_back({"Normal", "PhaseChanged",
                              ph.list[static_cast<size_t>(ci)].name + " -> " +
                                  ph.list[static_cast<size_t>(want)].name + ": " + why(want) +
                                  " for " + FormatDuration(ph.hold),
                              "", EventKind::kPhaseChanged});
        next.timers.erase(key);
        ci = want;
      } else {
        res.pending_phase =
            PendingPhase{ph.list[static_cast<size_t>(want)].name, since, since + ph.hold};
        if (started)
          res.events.push_back({"Normal", "PhasePending",
                                ph.list[static_cast<size_t>(want)].name + " in " +
                                    FormatDuration(ph.hold) + " if it holds: " + why(want),
                                "", EventKind::kPhasePending});
      }
    }
    committed = &ph.list[static_cast<size_t>(ci)];
    next.phase = committed->name;
    res.phase = committed->name;

    int wi = PhaseIndex(ph, before.workload_phase);
    if (wi < 0 || res.dry_run || ci < wi) wi = ci;  // going down: the workloads shrink first
    // ---- topology: one change at a time, up in spec order, down in reverse ----
    std::optional<InFlight> in_flight = before.in_flight;
    if (in_flight) {
      const Component* c = nullptr;
      for (const auto& comp : spec.components)
        if (comp.name == in_flight->component && comp.role == Role::kTopology) c = &comp;
      if (!c) in_flight.reset();
    }
    if (in_flight && !res.dry_run) {
      TargetReading t = target_of(in_flight->component);
      if (t.found && t.current == in_flight->to && t.ready >= in_flight->to) {
        res.events.push_back({"Normal", "TopologyReady",
                              in_flight->component + " ready at " + std::to_string(t.ready) + "/" +
                                  std::to_string(in_flight->to) + " after " +
                                  FormatDuration(Since(in_flight->since, now)),
                              in_flight->component, EventKind::kTopologyReady});
        in_flight.reset();
      }
    }
    if (!in_flight) {
      std::optional<TopologyStep> step;
      for (const auto& c : spec.components) {  // growing: in spec order
        if (c.role != Role::kTopology) continue;
        auto target = TopologyTarget(c, committed);
        TargetReading t = target_of(c.name);
        if (target && t.found && *target > t.current) {
          step = TopologyStep{c.name, t.current, *target,
                              c.name + " " + std::to_string(t.current) + " -> " +
                                  std::to_string(*target) + " for phase " + committed->name};
          break;
        }
      }
      if (!step && ci > wi) wi = ci;  // the topology is ready: the workloads get the new bounds
      if (!step && wi == ci) {
        bool workloads_inside = true;
        for (const auto& c : spec.components) {
          if (c.role != Role::kWorkload) continue;
          TargetReading t = target_of(c.name);
          EffectiveBounds b = WorkloadBounds(c, committed);
          if (t.found && (t.current < b.min || t.current > b.max)) workloads_inside = false;
        }
        for (auto it = spec.components.rbegin(); it != spec.components.rend() && workloads_inside;
             ++it) {  // shrinking: in reverse order, after the workloads
          if (it->role != Role::kTopology) continue;
          auto target = TopologyTarget(*it, committed);
          TargetReading t = target_of(it->name);
          if (target && t.found && *target < t.current) {
            step = TopologyStep{it->name, t.current, *target,
                                it->name + " " + std::to_string(t.current) + " -> " +
                                    std::to_string(*target) + " for phase " + committed->name};
            break;
          }
        }
      }
      if (step) {
        res.topology_step = step;
        if (!res.dry_run) {
          in_flight = InFlight{step->component, step->from, step->to, now};
          res.events.push_back({"Normal", "TopologyResize", step->reason, step->component,
                                EventKind::kTopologyResize});
        } else if (before.dry_run_steps.count(step->component) == 0 ||
                   before.dry_run_steps.at(step->component) != step->to) {
          res.events.push_back({"Normal", "WouldResize", "DryRun: " + step->reason, step->component,
                                EventKind::kWouldResize});
        }
        if (res.dry_run) next.dry_run_steps[step->component] = step->to;
      }
    }
    next.in_flight = in_flight;
    workload_phase = &ph.list[static_cast<size_t>(wi)];
    next.workload_phase = workload_phase->name;
  }

  // ---- every component ----
  for (const auto& c : spec.components) {
    ComponentDecision d;
    d.name = c.name;
    d.role = c.role;
    TargetReading t = target_of(c.name);
    d.target_found = t.found;
    d.current = t.current;
    d.ready = t.ready;
    d.desired = t.current;

    if (c.role == Role::kTopology) {
      auto target = TopologyTarget(c, committed);
      d.min = d.max = target.value_or(t.current);
      d.bounds_from = target ? "phase " + committed->name : "not sized by the current phase";
      if (!t.found) {
        d.reason = "target not readable: " + t.error;
      } else if (res.topology_step && res.topology_step->component == c.name) {
        d.desired = res.topology_step->to;
        d.change = !res.dry_run;
        d.reason = res.topology_step->reason;
      } else if (next.in_flight && next.in_flight->component == c.name) {
        d.desired = next.in_flight->to;
        d.reason = "waiting for " + c.name + " to be ready: " + std::to_string(t.ready) + "/" +
                   std::to_string(next.in_flight->to) + " ready";
      } else if (target && *target != t.current) {
        d.desired = *target;
        d.reason = next.in_flight ? "waits for the change of " + next.in_flight->component
                                  : "waits for its turn (one topology change at a time)";
      } else {
        d.reason = target ? "at the size of phase " + committed->name : "no size in this phase";
      }
      res.components.push_back(d);
      continue;
    }

    EffectiveBounds b = WorkloadBounds(c, workload_phase);
    d.min = b.min;
    d.max = b.max;
    d.bounds_from = b.from;
    const std::string up_prefix = c.name + "/scaleUp/", down_prefix = c.name + "/scaleDown/";
    const std::string last_up_key = c.name + "/lastScaleUp",
                      last_down_key = c.name + "/lastScaleDown";
    timers.Keep(last_up_key);
    timers.Keep(last_down_key);
    SetOutcome up, down;
    if (c.scale_up) up = EvaluateSet(*c.scale_up, up_prefix, observed, t.current, timers);
    if (c.scale_down) down = EvaluateSet(*c.scale_down, down_prefix, observed, t.current, timers);
    for (const auto* s : {&up, &down}) {
      for (const auto& o : s->rules) {
        if (o.holds && !o.fires && o.rule->for_.count() > 0) {
          d.counting.push_back(
              {std::string(s == &up ? "scaleUp " : "scaleDown ") + RuleText(*o.rule), o.since,
               o.rule->for_});
        }
      }
    }
    std::vector<std::string> missing = up.missing;
    missing.insert(missing.end(), down.missing.begin(), down.missing.end());
    std::sort(missing.begin(), missing.end());
    missing.erase(std::unique(missing.begin(), missing.end()), missing.end());

    std::string bounds_text =
        std::to_string(b.min) + ".." + std::to_string(b.max) + " (" + b.from + ")";
    std::vector<std::string> notes;
    if (!t.found) {
      d.reason = "target not readable: " + t.error;
    } else if (t.current < b.min) {
      d.desired = b.min;
      d.reason = "below the minimum of " + bounds_text;
    } else if (t.current > b.max) {
      d.desired = b.max;
      d.reason = "above the maximum of " + bounds_text;
    } else if (up.fires) {
      double ratio = 0;
      for (const auto& o : up.rules)
        if (o.fires) ratio = std::max(ratio, UpRatio(o));
      int base = std::max(t.current, 1);
      int rec = std::max(t.current + 1, static_cast<int>(std::ceil(base * ratio - 1e-9)));
      int desired = rec;
      auto last_down = timers.Get(last_down_key);
      if (c.up.stabilization_window.count() > 0 && last_down &&
          Since(*last_down, now) < c.up.stabilization_window) {
        desired = t.current;
        d.reason = FiredText(up) + ", but scaled down " + FormatDuration(Since(*last_down, now)) +
                   " ago (scale-up stabilization " + FormatDuration(c.up.stabilization_window) +
                   ")";
      } else {
        int allowed = std::max(c.up.max_pods,
                               static_cast<int>(std::ceil(t.current * c.up.max_percent / 100.0)));
        if (desired > t.current + allowed) {
          desired = t.current + allowed;
          notes.push_back("limited to +" + std::to_string(allowed) + " per step (maxPods " +
                          std::to_string(c.up.max_pods) + ", maxPercent " +
                          std::to_string(c.up.max_percent) + ")");
        }
        if (desired > b.max) {
          desired = b.max;
          notes.push_back("capped at the maximum of " + bounds_text);
          limited.push_back(c.name + " wants " + std::to_string(rec) + ", capped at " +
                            std::to_string(b.max) + " (" + b.from + ")");
          limited_up = true;
        }
        d.reason = FiredText(up);
        if (desired == t.current) d.reason += "; already at the maximum of " + bounds_text;
      }
      d.desired = desired;
    } else if (down.fires && !missing.empty()) {
      d.reason = FiredText(down) + ", but not scaling down while " + Join(missing, ", ") +
                 (missing.size() == 1 ? " is" : " are") + " unavailable";
    } else if (down.fires) {
      double ratio = 0;
      for (const auto& o : down.rules)
        if (o.fires) ratio = std::max(ratio, DownRatio(o));
      int rec = std::max(
          0, std::min(t.current - 1, static_cast<int>(std::ceil(t.current * ratio - 1e-9))));
      // Stabilization: the highest recommendation within the window wins.
      auto& recs = next.down_recommendations[c.name];
      if (auto it = before.down_recommendations.find(c.name);
          it != before.down_recommendations.end()) {
        for (const auto& [when, n] : it->second)
          if (Since(when, now) < c.down.stabilization_window) recs.emplace_back(when, n);
      }
      recs.emplace_back(now, rec);
      int desired = rec;
      for (const auto& [when, n] : recs) desired = std::max(desired, n);
      auto last_up = timers.Get(last_up_key);
      if (last_up && Since(*last_up, now) < c.down.stabilization_window) {
        desired = t.current;
        d.reason = FiredText(down) + ", but scaled up " + FormatDuration(Since(*last_up, now)) +
                   " ago (scale-down stabilization " + FormatDuration(c.down.stabilization_window) +
                   ")";
      } else {
        if (desired > rec)
          notes.push_back("the highest recommendation of the last " +
                          FormatDuration(c.down.stabilization_window));
        int allowed = std::max(
            c.down.max_pods, static_cast<int>(std::floor(t.current * c.down.max_percent / 100.0)));
        if (desired < t.current - allowed) {
          desired = t.current - allowed;
          notes.push_back("limited to -" + std::to_string(allowed) + " per step (maxPods " +
                          std::to_string(c.down.max_pods) + ", maxPercent " +
                          std::to_string(c.down.max_percent) + ")");
        }
        if (desired < b.min) {
          desired = b.min;
          notes.push_back("held at the minimum of " + bounds_text);
          limited.push_back(c.name + " wants " + std::to_string(rec) + ", held at " +
                            std::to_string(b.min) + " (" + b.from + ")");
        }
        d.reason = FiredText(down);
        if (desired == t.current) d.reason += "; stays at " + std::to_string(t.current);
      }
      d.desired = std::min(desired, t.current);
    } else if (!d.counting.empty()) {
      std::vector<std::string> parts;
      for (const auto& k : d.counting)
        parts.push_back(k.rule + " for " + FormatDuration(Since(k.since, now)) + " of " +
                        FormatDuration(k.for_));
      d.reason = "counting: " + Join(parts, ", ");
    } else {
      d.reason = "no rule fires";
      if (!missing.empty()) d.reason += " (" + Join(missing, ", ") + " unavailable)";
    }
    if (!notes.empty()) d.reason += " (" + Join(notes, "; ") + ")";
    if (b.conflict && d.desired != t.current) d.reason += "; the phase's bounds win";

    d.change = t.found && d.desired != t.current;
    if (d.change) {
      std::string note = c.name + " " + std::to_string(t.current) + " -> " +
                         std::to_string(d.desired) + ": " + d.reason;
      bool up_change = d.desired > t.current;
      if (!res.dry_run) {
        res.events.push_back({"Normal", up_change ? "ScaledUp" : "ScaledDown", note, c.name,
                              up_change ? EventKind::kScaledUp : EventKind::kScaledDown});
        timers.Set(up_change ? last_up_key : last_down_key, now);
        if (up_change) {  // the new size must prove itself: its rules count again from now
          for (auto& [key, since] : next.timers) {
            if (key.rfind(up_prefix, 0) == 0 || key.rfind(down_prefix, 0) == 0) since = now;
          }
          for (auto& k : d.counting) k.since = now;
          next.down_recommendations.erase(c.name);
        }
      } else {
        auto prev = before.dry_run_steps.find(c.name);
        if (prev == before.dry_run_steps.end() || prev->second != d.desired)
          res.events.push_back({"Normal", up_change ? "WouldScaleUp" : "WouldScaleDown",
                                "DryRun: " + note, c.name,
                                up_change ? EventKind::kWouldScaleUp : EventKind::kWouldScaleDown});
        next.dry_run_steps[c.name] = d.desired;
      }
      if (res.dry_run) d.change = false;
    }
    res.components.push_back(d);
  }

  // ---- alerts ----
  std::vector<std::string> firing_text;
  for (const auto& a : spec.alerts) {
    std::optional<double> v = reading(a.metric);
    bool holds = v && (a.above ? *v > a.threshold : *v < a.threshold);
    bool fires = false;
    if (holds) {
      Time since = timers.Hold("alert/" + a.name);
      fires = Since(since, now) >= a.for_;
    }
    const std::string firing_key = "alertFiring/" + a.name;
    bool was = timers.Had(firing_key);
    std::string text = a.name + ": " + a.metric + " " + (v ? Num(*v) : "unavailable") +
                       (a.above ? " above " : " below ") + Num(a.threshold);
    if (a.for_.count() > 0) text += " for " + FormatDuration(a.for_);
    if (fires) {
      Time since = timers.Hold(firing_key);
      res.alerts.push_back({a.name, a.severity, since, *v});
      firing_text.push_back(text);
      if (!was)
        res.events.push_back({a.severity, "AlertFiring", text, "", EventKind::kAlertFiring});
    } else if (was) {
      res.events.push_back({"Normal", "AlertResolved",
                            a.name + " resolved: " + a.metric + " " + (v ? Num(*v) : "unavailable"),
                            "", EventKind::kAlertResolved});
    }
  }

  // ---- conditions ----
  std::vector<std::string> not_found;
  for (const auto& d : res.components)
    if (!d.target_found) not_found.push_back(d.name + ": " + target_of(d.name).error);
  res.conditions.push_back(
      not_found.empty()
          ? MakeCondition("Ready", true, "Evaluated",
                          "evaluated; " +
                              (res.phase.empty() ? std::string("no phases") : "phase " + res.phase))
          : MakeCondition("Ready", false, "TargetNotFound", Join(not_found, "; ")));
  std::vector<std::string> unavailable;
  for (const auto& name : spec.metrics) {
    auto it = observed.metrics.find(name);
    if (it == observed.metrics.end()) {
      unavailable.push_back(name + ": not read");
    } else if (!it->second.value || !std::isfinite(*it->second.value)) {
      unavailable.push_back(name + ": " +
                            (it->second.error.empty() ? "no value" : it->second.error));
    }
  }
  res.conditions.push_back(
      unavailable.empty()
          ? MakeCondition("MetricsAvailable", true, "AllMetricsAvailable",
                          std::to_string(spec.metrics.size()) + " metrics read")
          : MakeCondition(
                "MetricsAvailable", false, "MetricUnavailable",
                Join(unavailable, "; ") +
                    " (a component does not scale down while a metric of its rules is missing)"));
  if (res.dry_run) {
    res.conditions.push_back(MakeCondition(
        "AbleToScale", true, "DryRun",
        "DryRun: decisions are reported in status and Events; targets are not changed"));
  } else if (next.in_flight) {
    res.conditions.push_back(MakeCondition("AbleToScale", true, "TopologyChangeInFlight",
                                           "waiting for " + next.in_flight->component +
                                               " to reach " + std::to_string(next.in_flight->to) +
                                               " ready replicas before the next change"));
  } else {
    res.conditions.push_back(
        MakeCondition("AbleToScale", true, "ReadyForNewScale", "the targets can be scaled"));
  }
  res.conditions.push_back(limited.empty()
                               ? MakeCondition("ScalingLimited", false, "DesiredWithinRange",
                                               "the desired counts are within their bounds")
                               : MakeCondition("ScalingLimited", true,
                                               limited_up ? "TooManyReplicas" : "TooFewReplicas",
                                               Join(limited, "; ")));
  res.conditions.push_back(
      firing_text.empty()
          ? MakeCondition("AlertFiring", false, "NoAlerts", "no alert fires")
          : MakeCondition("AlertFiring", true, "AlertsFiring", Join(firing_text, "; ")));
  return res;
}

namespace {

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

// The timers of `component` as they would be had its write not been decided: the last-scale
// times as before, and the rule timers that ran before from when they started.
void UnwindTimers(const State& before, const std::string& component, State& next) {
  for (const char* last : {"/lastScaleUp", "/lastScaleDown"}) {
    const std::string key = component + last;
    auto it = before.timers.find(key);
    if (it == before.timers.end()) {
      next.timers.erase(key);
    } else {
      next.timers[key] = it->second;
    }
  }
  for (auto& [key, since] : next.timers) {
    if (!StartsWith(key, component + "/scaleUp/") && !StartsWith(key, component + "/scaleDown/"))
      continue;
    auto it = before.timers.find(key);
    if (it != before.timers.end()) since = std::min(since, it->second);
  }
}

}  // namespace

State Commit(const State& before, const Result& evaluated, const Applied& applied) {
  State next = evaluated.state;
  for (const auto& component : applied.not_applied) {
    UnwindTimers(before, component, next);
    auto recs = before.down_recommendations.find(component);
    if (recs != before.down_recommendations.end() && !next.down_recommendations.count(component))
      next.down_recommendations[component] = recs->second;
    // A step whose write was not made is not in flight: the next evaluation proposes it again.
    if (next.in_flight && next.in_flight->component == component && evaluated.topology_step &&
        evaluated.topology_step->component == component)
      next.in_flight.reset();
  }
  return next;
}

}  // namespace gearbox::policy
