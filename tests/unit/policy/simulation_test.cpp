// A synthetic day through the engine: 24 hours in 1-minute steps, users rising from a few hundred
// to 300,000 at noon and back, with CPU, latency and a job queue that answer to the replica counts
// the engine sets. Checks: bounds are always honoured, no direction reversal inside a
// stabilization window, the phases follow the users curve with the configured hold, topology
// changes go database-then-redis up and the reverse down.
#include <cmath>

#include "storefront.h"

namespace gearbox::policy::testing {
namespace {

double Users(double hour) {
  double s = std::sin(M_PI * hour / 24.0);
  return 300.0 * std::pow(1000.0, s * s);  // 300 at midnight, 300,000 at noon
}

std::string WantedPhase(const Spec& spec, double users) {
  for (const auto& p : spec.phases->list)
    if (p.up_to && users < *p.up_to) return p.name;
  return spec.phases->list.back().name;
}

TEST(Simulation, ADayOfTraffic) {
  Spec spec = Storefront();
  spec.components[1].up.stabilization_window = 3min;  // so that both windows are exercised
  Driver d(spec);
  d.ready_after = 2;
  uint64_t seed = 42;
  auto noise = [&] {  // +-3%, deterministic
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return 1.0 + (static_cast<double>((seed >> 33) % 6001) - 3000.0) / 100000.0;
  };
  double backlog = 0;
  std::vector<std::string> wanted;  // the phase the users curve asks for, per minute
  std::vector<std::string> phases_seen, topology;
  std::map<std::string, Time> last_up, last_down;
  int evaluations = 0, changes = 0;

  for (int minute = 0; minute <= 24 * 60; ++minute) {
    double users = Users(minute / 60.0) * noise();
    int app = std::max(d.Current("app"), 1), workers = std::max(d.Current("worker"), 1);
    double cpu = std::min(100.0, 100.0 * users / (app * 3000.0));
    double processed = workers * 250.0, arrivals = users / 20.0;
    backlog = std::max(0.0, backlog + arrivals - processed);
    d.Metric("users", users);
    d.Metric("cpu", cpu);
    d.Metric("p95", 0.05 + 0.6 * std::pow(cpu / 100.0, 4));
    d.Metric("backlog", backlog);
    d.Metric("jobWait", backlog / processed * 60.0);
    d.Metric("dbCpu", 30);
    d.Metric("redisMemory", 40);
    d.Metric("errorRate", 0.5);
    wanted.push_back(WantedPhase(spec, users));

    const Decision& r = d.Step(1min);
    ++evaluations;
    if (phases_seen.empty() || phases_seen.back() != r.phase) phases_seen.push_back(r.phase);
    for (const auto& e : r.events) {
      if (e.reason == "TopologyResize") topology.push_back(e.note);
      if (e.reason == "PhaseChanged") {
        // The hold: the curve asked for the new phase through the whole hold before the switch.
        for (int k = 0; k < 10; ++k) {
          ASSERT_EQ(wanted[wanted.size() - 1 - static_cast<size_t>(k)], r.phase)
              << "minute " << minute << ": switched to " << r.phase << " without a 10m hold";
        }
      }
    }
    // The phase follows the curve: never wanted elsewhere for longer than the hold (plus a step).
    if (wanted.size() > 11) {
      bool all_elsewhere = true;
      for (int k = 0; k < 11; ++k) {
        if (wanted[wanted.size() - 1 - static_cast<size_t>(k)] == r.phase) all_elsewhere = false;
      }
      bool steady = true;
      for (int k = 0; k < 11; ++k) {
        if (wanted[wanted.size() - 1 - static_cast<size_t>(k)] != wanted.back()) steady = false;
      }
      ASSERT_FALSE(all_elsewhere && steady)
          << "minute " << minute << ": phase " << r.phase << " but the curve asked for "
          << wanted.back() << " for over 10m";
    }
    for (const auto& c : r.components) {
      if (c.role != Role::kWorkload) continue;
      ASSERT_GE(c.desired, c.min) << c.name << " minute " << minute;
      ASSERT_LE(c.desired, c.max) << c.name << " minute " << minute;
      ASSERT_GE(d.Current(c.name), c.min) << c.name << " minute " << minute;
      ASSERT_LE(d.Current(c.name), c.max) << c.name << " minute " << minute;
      if (!c.change) continue;
      ++changes;
      const Component& spec_c = c.name == "app" ? spec.components[0] : spec.components[1];
      bool bounds_forced = c.reason.find("the minimum of") != std::string::npos ||
                           c.reason.find("the maximum of") != std::string::npos;
      if (c.desired < c.current) {
        if (last_up.count(c.name) && !bounds_forced) {
          ASSERT_GE(d.now - last_up[c.name], spec_c.down.stabilization_window)
              << c.name << " scaled down "
              << " at minute " << minute
              << " inside the scale-down stabilization window: " << c.reason;
        }
        last_down[c.name] = d.now;
      } else {
        if (last_down.count(c.name) && !bounds_forced) {
          ASSERT_GE(d.now - last_down[c.name], spec_c.up.stabilization_window)
              << c.name << " scaled up at minute " << minute << " inside the window";
        }
        last_up[c.name] = d.now;
      }
    }
  }
  EXPECT_EQ(phases_seen, (std::vector<std::string>{"Small", "Medium", "Large", "Enterprise",
                                                   "Large", "Medium", "Small"}));
  std::vector<std::string> expected_topology = {
      "database 1 -> 3 for phase Large",      "redis 1 -> 3 for phase Large",
      "database 3 -> 5 for phase Enterprise", "redis 3 -> 6 for phase Enterprise",
      "redis 6 -> 3 for phase Large",         "database 5 -> 3 for phase Large",
      "redis 3 -> 1 for phase Medium",        "database 3 -> 1 for phase Medium"};
  EXPECT_EQ(topology, expected_topology);
  EXPECT_EQ(d.Current("app"), 2);
  EXPECT_EQ(d.Current("worker"), 2);
  EXPECT_GT(changes, 20);
  std::cout << evaluations << " evaluations, " << changes << " workload changes, phases:";
  for (const auto& p : phases_seen) std::cout << " " << p;
  std::cout << "\n";
}

}  // namespace
}  // namespace gearbox::policy::testing
