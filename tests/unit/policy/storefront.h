// The storefront policy of manifests/examples/storefront.yaml, as the engine sees it, and a small
// driver that plays the API server: it applies the engine's writes to the targets.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>

#include "policy/policy.h"

namespace gearbox::policy::testing {

using namespace std::chrono_literals;

inline Rule Above(std::string metric, double t, Duration for_ = Duration{0},
                  bool per_replica = false) {
  return Rule{std::move(metric), true, t, for_, per_replica, std::nullopt};
}
inline Rule Below(std::string metric, double t, Duration for_ = Duration{0},
                  bool per_replica = false) {
  return Rule{std::move(metric), false, t, for_, per_replica, std::nullopt};
}

inline Spec Storefront() {
  Spec s;
  s.metrics = {"cpu", "p95", "backlog", "jobWait", "users", "dbCpu", "redisMemory", "errorRate"};
  s.resource_metrics = {{"cpu", "app"}};  // resource: {name: cpu, component: app}
  Component app;
  app.name = "app";
  app.replicas = Bounds{3, 20};
  app.scale_up = RuleSet{false, {Above("cpu", 70, 5min), Above("p95", 0.5, 5min)}};
  app.scale_down = RuleSet{true, {Below("cpu", 30, 10min), Below("p95", 0.2)}};
  Component worker;
  worker.name = "worker";
  worker.replicas = Bounds{2, 50};
  worker.scale_up = RuleSet{false, {Above("backlog", 1000, 0s, true), Above("jobWait", 60)}};
  worker.scale_down = RuleSet{true, {Below("backlog", 100, 0s, true)}};
  Component database;
  database.name = "database";
  database.role = Role::kTopology;
  Component redis;
  redis.name = "redis";
  redis.role = Role::kTopology;
  s.components = {app, worker, database, redis};
  auto phase = [](std::string name, std::optional<double> up_to, int amin, int amax, int wmin,
                  int wmax, int redis_n, int db_n) {
    Phase p;
    p.name = std::move(name);
    p.up_to = up_to;
    p.components["app"] = PhaseBounds{amin, amax, std::nullopt};
    p.components["worker"] = PhaseBounds{wmin, wmax, std::nullopt};
    p.components["redis"] = PhaseBounds{std::nullopt, std::nullopt, redis_n};
    p.components["database"] = PhaseBounds{std::nullopt, std::nullopt, db_n};
    return p;
  };
  s.phases =
      Phases{"users",
             10min,
             {phase("Small", 1000, 2, 2, 2, 2, 1, 1), phase("Medium", 10000, 3, 5, 3, 5, 1, 1),
              phase("Large", 100000, 5, 10, 5, 10, 3, 3),
              phase("Enterprise", std::nullopt, 10, 20, 20, 50, 6, 5)}};
  s.alerts = {Alert{"QueueBacklog", "backlog", true, 10000, 0s, "Warning"},
              Alert{"DatabaseCPU", "dbCpu", true, 80, 5min, "Warning"},
              Alert{"RedisMemory", "redisMemory", true, 90, 0s, "Warning"},
              Alert{"SlowResponses", "p95", true, 1, 0s, "Warning"},
              Alert{"ErrorRate", "errorRate", true, 5, 0s, "Warning"}};
  return s;
}

inline Time T0() { return Time{} + std::chrono::hours(24 * 20000); }  // 2024-10-04T00:00:00Z

// Plays the API server and the targets: Step() evaluates, then applies the writes (in Enforce
// mode) but those of the components in `refuse`, and commits the state through Commit() as the
// reconciler does; topology targets become ready `ready_after` evaluations after a write.
struct Driver {
  Spec spec;
  Observed observed;
  State state;
  Time now = T0();
  Decision last;
  int ready_after = 1;
  std::map<std::string, int> pending_ready;  // topology component -> evaluations until ready
  std::set<std::string> refuse;              // components whose writes the API refuses
  Applied applied;                           // of the last step

  explicit Driver(Spec s) : spec(std::move(s)) {
    for (const auto& c : spec.components) observed.targets[c.name] = TargetReading{true, 1, 1, ""};
  }
  void Metric(const std::string& name, double v) {
    observed.metrics[name] = MetricReading{v, now, ""};
  }
  void Missing(const std::string& name, const std::string& why) {
    observed.metrics[name] = MetricReading{std::nullopt, now, why};
  }
  void Replicas(const std::string& component, int n) {
    observed.targets[component] = TargetReading{true, n, n, ""};
  }
  int Current(const std::string& component) { return observed.targets[component].current; }

  const Decision& Step(Duration advance = 0s) {
    now += advance;
    for (auto& [name, left] : pending_ready) {
      if (left > 0 && --left == 0) observed.targets[name].ready = observed.targets[name].current;
    }
    last = Evaluate(spec, observed, state, now);
    applied = Applied{};
    if (spec.mode == Mode::kEnforce) {
      for (const auto& d : last.components) {
        if (!d.change) continue;
        if (refuse.count(d.name)) {
          applied.not_applied.push_back(d.name);
          continue;
        }
        auto& t = observed.targets[d.name];
        t.current = d.desired;
        if (d.role == Role::kTopology) {
          pending_ready[d.name] = ready_after;
          if (ready_after == 0) t.ready = d.desired;
        } else {
          t.ready = d.desired;
        }
      }
    }
    state = Commit(state, last, applied);
    return last;
  }
  // Steps every `dt` for `total`; returns the number of evaluations.
  int Run(Duration total, Duration dt = 15s) {
    int n = 0;
    for (Duration t{0}; t < total; t += dt, ++n) Step(dt);
    return n;
  }
  bool HasEvent(const std::string& reason) const {
    for (const auto& e : last.events)
      if (e.reason == reason) return true;
    return false;
  }
};

// Phase Medium (app 3..5, worker 3..5) after one evaluation, every metric between its thresholds,
// the topology at its size.
inline Driver CalmMedium(int app = 3, double backlog = 500) {
  Driver d(Storefront());
  d.Metric("users", 5000);
  d.Metric("cpu", 50);
  d.Metric("p95", 0.3);
  d.Metric("backlog", backlog);
  d.Metric("jobWait", 5);
  for (const char* m : {"dbCpu", "redisMemory", "errorRate"}) d.Metric(m, 1);
  d.Replicas("app", app);
  d.Replicas("worker", 3);
  d.Step();
  return d;
}

}  // namespace gearbox::policy::testing
