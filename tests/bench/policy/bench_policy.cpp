// bench_policy: evaluations per second of the storefront policy (4 components, 8 metrics,
// 4 phases, 5 alerts), with the metrics moving so that timers start, fire and reset.
//
//   bench_policy [EVALUATIONS=1000000]
#include <sys/resource.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "../../unit/policy/storefront.h"

using namespace gearbox::policy;
using namespace gearbox::policy::testing;

int main(int argc, char** argv) {
  long n = argc > 1 ? std::atol(argv[1]) : 1000000;
  Driver d(Storefront());
  d.ready_after = 1;
  d.Replicas("app", 5);
  d.Replicas("worker", 5);
  long changes = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (long i = 0; i < n; ++i) {
    double phase = std::sin(static_cast<double>(i) / 5000.0);
    d.Metric("users", 50000 + 45000 * phase);
    d.Metric("cpu", 50 + 40 * std::sin(static_cast<double>(i) / 97.0));
    d.Metric("p95", 0.3 + 0.25 * std::sin(static_cast<double>(i) / 131.0));
    d.Metric("backlog", 4000 + 4000 * std::sin(static_cast<double>(i) / 71.0));
    d.Metric("jobWait", 30 + 40 * std::sin(static_cast<double>(i) / 53.0));
    d.Metric("dbCpu", 70 + 20 * phase);
    d.Metric("redisMemory", 50);
    d.Metric("errorRate", 1);
    const Result& r = d.Step(std::chrono::seconds(15));
    for (const auto& c : r.components) changes += c.change;
  }
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::printf("storefront policy: %ld evaluations in %.2f s = %.0f evaluations/s (%.2f us each)\n",
              n, s, n / s, s / n * 1e6);
  std::printf("%ld changes decided; peak RSS %.1f MiB\n", changes, ru.ru_maxrss / 1024.0);
  return changes > 0 ? 0 : 1;
}
