// bench_policy: evaluations per second of the storefront policy (4 components, 8 metrics,
// 4 phases, 5 alerts), with the metrics moving so that timers start, fire and reset.
//
// The fast path is driven as a caller that keeps its policy would drive it: the spec compiled
// once, metrics written into their slots, the Evaluation reused, the writes applied to the
// targets, the state committed and swapped, and the Events rendered (in words) when there are
// any. It counts the heap allocations Evaluate and Commit make. Then the reconciler's path: the
// same, with the whole evaluation rendered in words every time (Render: reasons, conditions, the
// summary and state for status), as the reconciler does once per pass. The same loop through
// Evaluate() (compile, convert and render every time: the reconciler's path before it kept its
// policies compiled) is measured for comparison. First, the memory a kept Engine and its state
// cost.
//
//   bench_policy [EVALUATIONS=3000000]
#include <sys/resource.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "../../unit/policy/storefront.h"
#include "policy/engine.h"

long HeapAllocations();  // count_allocations.cpp

using namespace gearbox::policy;
using namespace gearbox::policy::testing;

namespace {

// The metric values of evaluation i.
struct Load {
  double users, cpu, p95, backlog, job_wait, db_cpu;
  explicit Load(long i) {
    const double x = static_cast<double>(i);
    const double phase = std::sin(x / 5000.0);
    users = 50000 + 45000 * phase;
    cpu = 50 + 40 * std::sin(x / 97.0);
    p95 = 0.3 + 0.25 * std::sin(x / 131.0);
    backlog = 4000 + 4000 * std::sin(x / 71.0);
    job_wait = 30 + 40 * std::sin(x / 53.0);
    db_cpu = 70 + 20 * phase;
  }
};

struct Figures {
  double seconds = 0;
  long changes = 0;
  long events = 0;
  long chars = 0;        // of the Event notes rendered
  long allocations = 0;  // made by Evaluate and Commit
};

// The storefront compiled once, its metrics written into their slots, its targets following
// the writes (a topology resize is ready one evaluation later).
struct KeptPolicy {
  const Engine engine{Storefront()};
  IndexedObserved in = engine.NewObserved();
  const int users = engine.MetricSlot("users"), cpu = engine.MetricSlot("cpu"),
            p95 = engine.MetricSlot("p95"), backlog = engine.MetricSlot("backlog"),
            job_wait = engine.MetricSlot("jobWait"), db_cpu = engine.MetricSlot("dbCpu");
  std::vector<int> pending_ready;  // evaluations until a resize is ready

  KeptPolicy() {
    for (const char* calm : {"redisMemory", "errorRate"})
      in.metrics[static_cast<size_t>(engine.MetricSlot(calm))] = MetricReading{1, Time{}, ""};
    for (auto& t : in.targets) t = TargetReading{true, 1, 1, ""};
    in.targets[static_cast<size_t>(engine.ComponentSlot("app"))] = TargetReading{true, 5, 5, ""};
    in.targets[static_cast<size_t>(engine.ComponentSlot("worker"))] = TargetReading{true, 5, 5, ""};
    pending_ready.assign(in.targets.size(), 0);
  }

  void Observe(long i, Time now) {
    const Load l(i);
    for (auto [slot, v] : {std::pair{users, l.users},
                           {cpu, l.cpu},
                           {p95, l.p95},
                           {backlog, l.backlog},
                           {job_wait, l.job_wait},
                           {db_cpu, l.db_cpu}}) {
      in.metrics[static_cast<size_t>(slot)].value = v;
      in.metrics[static_cast<size_t>(slot)].time = now;
    }
    for (size_t k = 0; k < pending_ready.size(); ++k)
      if (pending_ready[k] > 0 && --pending_ready[k] == 0)
        in.targets[k].ready = in.targets[k].current;
  }

  // The writes of `e`, all made; returns how many.
  long Write(const Evaluation& e) {
    long changes = 0;
    for (size_t k = 0; k < e.components.size(); ++k) {
      const ComponentOutcome& d = e.components[k];
      if (!d.change) continue;
      ++changes;
      in.targets[k].current = d.desired;
      if (engine.spec().components[k].role == Role::kTopology) {
        pending_ready[k] = 1;
      } else {
        in.targets[k].ready = d.desired;
      }
    }
    return changes;
  }
};

// The fast path, as a caller keeping its policy drives it; `render`: the whole evaluation in
// words each time, as the reconciler writes status from it.
Figures Fast(long n, bool render) {
  KeptPolicy c;
  const Engine& engine = c.engine;
  IndexedState state = engine.Index(State{});
  Evaluation e;
  const Applied all_applied;
  Time now = T0();
  Figures f;
  const auto t0 = std::chrono::steady_clock::now();
  for (long i = 0; i < n; ++i) {
    now += std::chrono::seconds(15);
    c.Observe(i, now);
    const long allocated = HeapAllocations();
    engine.Evaluate(c.in, state, now, e);
    f.changes += c.Write(e);
    engine.Commit(state, all_applied, e);
    f.allocations += HeapAllocations() - allocated;
    if (render) {
      const Decision r = engine.Render(e, c.in);
      for (const Event& ev : r.events) f.chars += static_cast<long>(ev.note.size());
    } else {
      for (const EventRecord& r : e.events) f.chars += engine.RenderEvent(e, c.in, r).note.size();
    }
    f.events += static_cast<long>(e.events.size());
    std::swap(state, e.state);
  }
  f.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return f;
}

// The convenience path: Evaluate() and Commit() on the map forms, through the test driver.
Figures Convenient(long n) {
  Driver d(Storefront());
  d.ready_after = 1;
  d.Replicas("app", 5);
  d.Replicas("worker", 5);
  Figures f;
  const auto t0 = std::chrono::steady_clock::now();
  for (long i = 0; i < n; ++i) {
    const Load l(i);
    d.Metric("users", l.users);
    d.Metric("cpu", l.cpu);
    d.Metric("p95", l.p95);
    d.Metric("backlog", l.backlog);
    d.Metric("jobWait", l.job_wait);
    d.Metric("dbCpu", l.db_cpu);
    d.Metric("redisMemory", 50);
    d.Metric("errorRate", 1);
    const Decision& r = d.Step(std::chrono::seconds(15));
    for (const auto& c : r.components) f.changes += c.change;
    f.events += static_cast<long>(r.events.size());
  }
  f.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return f;
}

long PeakRssKiB() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

// A workload with one metric and a rule each way: the smallest policy users write.
Spec OneWorkload() {
  Spec s;
  s.metrics = {"cpu"};
  Component app;
  app.name = "app";
  app.replicas = Bounds{2, 10};
  app.scale_up = RuleSet{false, {Above("cpu", 70)}};
  app.scale_down = RuleSet{false, {Below("cpu", 30)}};
  s.components.push_back(app);
  return s;
}

// What the reconciler keeps per policy besides its parsed spec: the Engine (with its own copy of
// the spec) and the state by slot, in KiB, from the growth of the peak RSS over 2,000 of each spec
// (run first, and everything kept until the end, so that no freed memory is used again).
void PrintKeptMemory() {
  constexpr int kCopies = 2000;
  const std::vector<Spec> specs[] = {std::vector<Spec>(kCopies, OneWorkload()),
                                     std::vector<Spec>(kCopies, Storefront())};
  std::vector<Engine> engines;
  std::vector<IndexedState> states;
  engines.reserve(2 * kCopies);
  states.reserve(2 * kCopies);
  double kib[2];
  for (int i = 0; i < 2; ++i) {
    const long before = PeakRssKiB();
    for (const Spec& spec : specs[i]) {
      engines.emplace_back(spec);
      states.push_back(engines.back().Index(State{}));
    }
    kib[i] = static_cast<double>(PeakRssKiB() - before) / kCopies;
  }
  std::printf(
      "kept per policy (Engine and state): %.1f KiB (one workload), %.1f KiB (storefront)\n",
      kib[0], kib[1]);
}

}  // namespace

int main(int argc, char** argv) {
  const long n = argc > 1 ? std::atol(argv[1]) : 3000000;
  PrintKeptMemory();
  const Figures fast = Fast(n, false);
  std::printf(
      "storefront policy: %ld evaluations in %.2f s = %.0f evaluations/s (%.3f us each)\n"
      "  fast path (compiled once, state and output reused): %ld changes, %ld Events rendered "
      "(%ld characters); %ld heap allocations in all the Evaluate+Commit calls\n",
      n, fast.seconds, n / fast.seconds, fast.seconds / n * 1e6, fast.changes, fast.events,
      fast.chars, fast.allocations);
  const long r = std::max(1L, n / 5);
  const Figures reconciler = Fast(r, true);
  std::printf(
      "  the reconciler's path (compiled once, the whole evaluation rendered for status each "
      "time): %.0f evaluations/s (%.2f us each, %ld evaluations)\n",
      r / reconciler.seconds, reconciler.seconds / r * 1e6, r);
  const long m = std::max(1L, n / 20);
  const Figures slow = Convenient(m);
  std::printf(
      "  Evaluate() (compiles, converts and renders each time; the reconciler's path before it "
      "kept its policies compiled): %.0f evaluations/s (%.2f us each, %ld evaluations)\n",
      m / slow.seconds, slow.seconds / m * 1e6, m);
  std::printf("peak RSS %.1f MiB\n", PeakRssKiB() / 1024.0);
  return fast.changes > 0 ? 0 : 1;
}
