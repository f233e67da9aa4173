// bench_informer: how long an informer takes to list and cache N objects from a real API
// server, how fast its watch follows N updates, and what it costs in memory.
//
//   KUBECONFIG=... bench_informer [N=10000] [WRITERS=8]
//
// The objects (ConfigMaps of ~200 bytes, in a namespace of their own, deleted at the end) are
// written by a child process (this program run with --create/--update NS N WRITERS), so the
// figures of this process are those of the informer alone.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "kube/client.h"
#include "kube/config.h"
#include "kube/informer.h"

using namespace gearbox::kube;
using Clock = std::chrono::steady_clock;

namespace {

const ResourceRef kConfigMaps{"", "v1", "configmaps", true};
const ResourceRef kNamespaces{"", "v1", "namespaces", false};

long StatusKb(const std::string& field) {  // VmRSS / VmHWM from /proc/self/status, in kB
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::atol(line.c_str() + field.size() + 1);
  }
  return -1;
}

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

std::shared_ptr<Client> NewClient() {
  const char* path = std::getenv("KUBECONFIG");
  auto config = LoadKubeconfig(path ? path : "");
  if (!config) {
    std::cerr << config.error().ToString() << "\n";
    std::exit(2);
  }
  auto client = HttpClient::Create(*config);
  if (!client) {
    std::cerr << client.error().ToString() << "\n";
    std::exit(2);
  }
  return *client;
}

// The writes themselves, in the child: `writers` threads create (or patch) objects 0..n-1.
int WriterMain(const std::string& ns, int n, int writers, bool update) {
  std::atomic<int> next{0}, failed{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&] {
      auto c = NewClient();
      for (int i; (i = next++) < n;) {
        std::string name = "obj-" + std::to_string(i);
        Json body = Json::object();
        body["data"]["payload"] = Json::string(std::string(update ? 150 : 160, 'x'));
        body["data"]["generation"] = Json::string(update ? "2" : "1");
        Result<Json> r = Error{};
        if (update) {
          r = c->Patch(kConfigMaps, ns, name, PatchType::kMerge, body);
        } else {
          body["apiVersion"] = Json::string("v1");
          body["kind"] = Json::string("ConfigMap");
          body["metadata"]["name"] = Json::string(name);
          r = c->Create(kConfigMaps, ns, body);
        }
        if (!r && failed++ < 3) std::cerr << r.error().ToString() << "\n";
      }
    });
  }
  for (auto& t : threads) t.join();
  return failed == 0 ? 0 : 1;
}

// Runs this program again as a writer (a fresh process: fork alone would copy a process whose
// HTTP thread pool is running) and returns how long it took.
double WriteAll(const std::string& ns, int n, int writers, bool update) {
  auto t0 = Clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    std::string ns_arg = ns, n_arg = std::to_string(n), w_arg = std::to_string(writers);
    const char* mode = update ? "--update" : "--create";
    execl("/proc/self/exe", "bench_informer", mode, ns_arg.c_str(), n_arg.c_str(), w_arg.c_str(),
          static_cast<char*>(nullptr));
    std::_Exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::cerr << "writing the objects failed\n";
    std::exit(1);
  }
  return Seconds(t0);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 5 && (std::string(argv[1]) == "--create" || std::string(argv[1]) == "--update")) {
    return WriterMain(argv[2], std::atoi(argv[3]), std::atoi(argv[4]),
                      std::string(argv[1]) == "--update");
  }
  int n = argc > 1 ? std::atoi(argv[1]) : 10000;
  int writers = argc > 2 ? std::atoi(argv[2]) : 8;
  std::string ns = "gearbox-bench-" + std::to_string(getpid());

  {  // the namespace: a client made here only for this is gone before the measurement
    Json body = Json::object();
    body["metadata"]["name"] = Json::string(ns);
    auto r = NewClient()->Create(kNamespaces, "", body);
    if (!r) {
      std::cerr << r.error().ToString() << "\n";
      return 1;
    }
  }
  double created = WriteAll(ns, n, writers, false);
  std::printf("created %d objects in %.1f s (%.0f/s, %d writers, another process)\n", n, created,
              n / created, writers);

  long rss_before = StatusKb("VmRSS");
  auto client = NewClient();
  Informer informer(client, kConfigMaps, ns);
  std::atomic<int> updates{0};
  informer.AddHandlers({nullptr, [&](const Json&, const Json&) { ++updates; }, nullptr});
  auto t0 = Clock::now();
  informer.Start();
  if (!informer.WaitForSync(std::chrono::minutes(5))) {
    std::cerr << "the informer did not sync\n";
    return 1;
  }
  double sync = Seconds(t0);
  long rss_synced = StatusKb("VmRSS");
  std::printf("list: %zu objects synced in %.3f s (%.0f objects/s, pages of 500)\n",
              informer.Size(), sync, informer.Size() / sync);
  std::printf("memory: RSS %.1f MiB before the informer, %.1f MiB synced (%.0f bytes/object)\n",
              rss_before / 1024.0, rss_synced / 1024.0,
              (rss_synced - rss_before) * 1024.0 / static_cast<double>(informer.Size()));

  auto t1 = Clock::now();
  double written = WriteAll(ns, n, writers, true);
  while (updates < n && Seconds(t1) < 300)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  double seen = Seconds(t1);
  std::printf(
      "watch: %d updates written in %.1f s, all %d seen by the watch %.3f s after the "
      "last write (%.0f events/s)\n",
      n, written, updates.load(), seen - written, updates / seen);
  std::printf("peak RSS (VmHWM): %.1f MiB\n", StatusKb("VmHWM") / 1024.0);
  informer.Stop();
  (void)client->Delete(kNamespaces, "", ns);
  return updates >= n ? 0 : 1;
}
