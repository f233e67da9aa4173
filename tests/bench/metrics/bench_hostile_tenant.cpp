// bench_hostile_tenant: one tenant must not hurt the others. 50 namespaces of well-behaved
// policies read a fast Prometheus-like server on 127.0.0.1, beside one hostile namespace whose
// "Prometheus" servers trickle a byte a second, send an endless 1 GiB chunked body, or never
// answer. The policies run as the controller runs them: keys on its work queue (ControllerLoop,
// 4 workers, a namespace's share of them half), each pass reading through its MetricReader (8
// threads). Prints the evaluation lag of the well-behaved policies (from when a pass was due to
// when its readings were in) and how much this process's RSS grew once the hostile tenant began.
//
//   bench_hostile_tenant [SECONDS=60] [--unshared]    (--unshared: no share, for comparison)
//
// The servers run in a child process, so that the RSS is the reader's and the clients' alone.
// Goal: lag p99 <= 1 s, RSS growth <= 20 MB.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "kube/controller_loop.h"
#include "loopback_http_server.h"
#include "metrics/prometheus.h"
#include "reconcile/metric_reader.h"

using namespace gearbox;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kNamespaces = 50;
constexpr int kPoliciesPerNamespace = 2;
constexpr int kMetricsPerPolicy = 2;
constexpr int kHostilePolicies = 5;
constexpr auto kInterval = 1s;
constexpr auto kTimeout = 5s;  // the default of spec.sources.prometheus.timeout
constexpr int kWorkers = 4;    // the controller's default --concurrency

long RssKiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return 0;
}

struct Servers {
  pid_t child = 0;
  std::vector<std::string> urls;  // fast, trickle, chunked, silent
};

// Starts the servers in a child process and reads back their URLs.
Servers StartServers() {
  int fds[2];
  if (pipe(fds) != 0) std::abort();
  Servers s;
  s.child = fork();
  if (s.child == 0) {
    close(fds[0]);
    testing::LoopbackHttpServer fast(testing::Answer(
        200, R"({"status":"success","data":{"resultType":"scalar","result":[1,"42"]}})"));
    testing::LoopbackHttpServer trickle(testing::Trickle(1s, 1h));
    testing::LoopbackHttpServer chunked(testing::EndlessChunked(size_t{1} << 30));
    testing::LoopbackHttpServer silent(testing::NeverAnswer());
    const std::string urls =
        fast.url() + "\n" + trickle.url() + "\n" + chunked.url() + "\n" + silent.url() + "\n";
    if (write(fds[1], urls.data(), urls.size()) < 0) std::abort();
    close(fds[1]);
    pause();  // until the parent kills it
    _exit(0);
  }
  close(fds[1]);
  std::string text;
  char buf[512];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;)
    text.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  for (size_t start = 0, end; (end = text.find('\n', start)) != std::string::npos; start = end + 1)
    s.urls.push_back(text.substr(start, end - start));
  return s;
}

std::shared_ptr<metrics::PrometheusClient> Client(const std::string& url) {
  return *metrics::PrometheusClient::Create({url, "", "", kTimeout});
}

struct Policy {
  reconcile::PolicySources sources;
  bool hostile = false;
};

std::vector<Policy> Policies(const Servers& servers) {
  std::vector<Policy> out;
  auto fast = Client(servers.urls[0]);
  for (int n = 0; n < kNamespaces; ++n) {
    for (int p = 0; p < kPoliciesPerNamespace; ++p) {
      Policy policy;
      policy.sources.ns = "team-" + std::to_string(n);
      for (int m = 0; m < kMetricsPerPolicy; ++m) {
        const std::string query = "q" + std::to_string(n) + "_" + std::to_string(p) + "_" +
                                  std::to_string(m);  // distinct: no merged requests
        policy.sources.by_metric[query] = {
            std::make_shared<metrics::PrometheusMetric>(fast, query, 0ms), {}, "prometheus"};
      }
      out.push_back(std::move(policy));
    }
  }
  for (int p = 0; p < kHostilePolicies; ++p) {
    Policy policy;
    policy.hostile = true;
    policy.sources.ns = "hostile";
    const char* names[] = {"trickle", "chunked", "silent"};
    for (int k = 0; k < 3; ++k)
      policy.sources.by_metric[names[k]] = {
          std::make_shared<metrics::PrometheusMetric>(Client(servers.urls[k + 1]), "up", 0ms),
          {},
          "prometheus"};
    out.push_back(std::move(policy));
  }
  return out;
}

struct Figures {
  std::mutex mu;
  std::vector<double> lag_ms;  // of the well-behaved passes
  long well_behaved_failed = 0, hostile_reads = 0, peak_rss_kib = 0;
};

// The policies as the controller runs them: keys "namespace/name" on its work queue, taken by
// `workers` threads (the controller's default --concurrency is 2), each pass reading the policy's
// metrics and requeued after kInterval. A well-behaved pass's lag runs from when it was due to
// when its readings were in.
class Loop {
 public:
  Loop(std::vector<Policy>& policies, reconcile::MetricReader& reader, Figures& figures,
       size_t per_namespace)
      : policies_(policies),
        reader_(reader),
        figures_(figures),
        loop_([this](const std::string& key) { return Pass(key); }, nullptr, nullptr,
              Options(per_namespace)) {}

  void Add(bool hostile) {
    for (size_t i = 0; i < policies_.size(); ++i) {
      if (policies_[i].hostile != hostile) continue;
      const std::string key = policies_[i].sources.ns + "/" + std::to_string(i);
      {
        std::lock_guard lock(mu_);
        due_[key] = Clock::now();
      }
      loop_.queue().Add(key);
    }
  }
  void Start(int workers) { loop_.Start(workers); }
  void Stop() { loop_.Stop(); }

 private:
  static kube::WorkQueue::Options Options(size_t per_namespace) {
    kube::WorkQueue::Options o;
    o.per_namespace = per_namespace;
    return o;
  }

  kube::ReconcileResult Pass(const std::string& key) {
    Policy& policy = policies_[std::stoul(key.substr(key.find('/') + 1))];
    const auto budget = std::chrono::duration_cast<std::chrono::milliseconds>(kTimeout + 1s);
    auto readings = reader_.ReadAll(policy.sources, budget);
    const auto now = Clock::now();
    long failed = 0;
    for (const auto& [name, o] : readings) failed += o.reading.ok() ? 0 : 1;
    Clock::time_point due;
    {
      std::lock_guard lock(mu_);
      due = due_[key];
      due_[key] = now + kInterval;
    }
    Record(policy, readings.size(), failed, now - due);
    kube::ReconcileResult result;
    result.requeue_after = std::chrono::duration_cast<std::chrono::milliseconds>(kInterval);
    return result;
  }

  void Record(const Policy& policy, size_t reads, long failed, Clock::duration lag) {
    std::lock_guard lock(figures_.mu);
    if (policy.hostile) {
      figures_.hostile_reads += static_cast<long>(reads);
    } else {
      figures_.lag_ms.push_back(std::chrono::duration<double, std::milli>(lag).count());
      figures_.well_behaved_failed += failed;
    }
  }

  std::vector<Policy>& policies_;
  reconcile::MetricReader& reader_;
  Figures& figures_;
  std::mutex mu_;
  std::map<std::string, Clock::time_point> due_;
  kube::ControllerLoop loop_;
};

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  const int seconds = argc > 1 ? std::atoi(argv[1]) : 60;
  // --unshared: no namespace's share of the workers, to show what the share buys.
  const bool unshared = argc > 2 && std::string(argv[2]) == "--unshared";
  Servers servers = StartServers();
  std::vector<Policy> policies = Policies(servers);
  reconcile::MetricReader reader(8, kube::RealClock::Instance());
  Figures figures;
  Loop loop(policies, reader, figures, unshared ? 0 : kWorkers / 2);
  loop.Add(false);
  loop.Start(kWorkers);
  std::this_thread::sleep_for(5s);  // the well-behaved alone: the baseline
  const long baseline = RssKiB();
  {
    std::lock_guard lock(figures.mu);
    figures.lag_ms.clear();
  }
  loop.Add(true);
  for (int s = 0; s < seconds; ++s) {
    std::this_thread::sleep_for(1s);
    std::lock_guard lock(figures.mu);
    figures.peak_rss_kib = std::max(figures.peak_rss_kib, RssKiB());
  }
  loop.Stop();
  kill(servers.child, SIGTERM);
  waitpid(servers.child, nullptr, 0);

  std::printf(
      "well-behaved: %d namespaces x %d policies x %d metrics, every %lld s; hostile: %d "
      "policies (trickle, 1 GiB chunked, no answer), %d s; %d workers, a namespace's share %s\n",
      kNamespaces, kPoliciesPerNamespace, kMetricsPerPolicy,
      static_cast<long long>(kInterval.count()), kHostilePolicies, seconds, kWorkers,
      unshared ? "unlimited (--unshared)" : "half of them");
  std::printf("well-behaved passes: %zu, reads failed: %ld; hostile reads: %ld\n",
              figures.lag_ms.size(), figures.well_behaved_failed, figures.hostile_reads);
  std::printf("evaluation lag of the well-behaved: p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
              Percentile(figures.lag_ms, 0.5), Percentile(figures.lag_ms, 0.99),
              Percentile(figures.lag_ms, 1.0));
  std::printf("RSS: %.1f MiB before the hostile tenant, peak %.1f MiB, growth %.1f MiB\n",
              baseline / 1024.0, figures.peak_rss_kib / 1024.0,
              (figures.peak_rss_kib - baseline) / 1024.0);
  return 0;
}
