// Shared pieces of the kube/ integration tests: a client for the test cluster (KUBECONFIG, as
// hack/test.sh exports it), a namespace of the test's own, shell commands (hack/cluster.sh restart
// and etcdctl), polling, and a TCP proxy on loopback that a test can cut to take a client off the
// network without touching the API server.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "kube/client.h"
#include "kube/config.h"

namespace gearbox::kube::testing {

inline const ResourceRef kConfigMaps{"", "v1", "configmaps", true};
inline const ResourceRef kNamespaces{"", "v1", "namespaces", false};
inline const ResourceRef kDeployments{"apps", "v1", "deployments", true};
inline const ResourceRef kStatefulSets{"apps", "v1", "statefulsets", true};
inline const ResourceRef kLeases{"coordination.k8s.io", "v1", "leases", true};

// The test cluster's admin configuration (client certificate), or a failed assertion.
Config AdminConfig();
std::shared_ptr<Client> AdminClient();
std::shared_ptr<Client> ClientFor(const Config& config);

// Runs `command` with bash; returns its stdout+stderr and sets *rc to its exit status.
std::string Sh(const std::string& command, int* rc = nullptr);
// bash <source>/hack/cluster.sh ARGS, in the environment hack/test.sh set up.
std::string ClusterSh(const std::string& args, int* rc = nullptr);

// Polls `pred` every 100 ms until it is true or `timeout` passes.
bool Eventually(std::chrono::milliseconds timeout, const std::function<bool()>& pred);

// A namespace made for one test and deleted after it.
class TestNamespace {
 public:
  explicit TestNamespace(const std::string& prefix);
  ~TestNamespace();
  const std::string& name() const { return name_; }

 private:
  std::string name_;
};

Json ConfigMap(const std::string& name, const std::string& key, const std::string& value);

// Listens on 127.0.0.1:<port()> and forwards every connection to 127.0.0.1:<upstream_port>.
// Cut() closes every open connection and refuses new ones until Restore(). Stall() keeps every
// connection open and accepts new ones, but forwards nothing (a black hole: calls hang until
// their timeout) until Restore().
class TcpProxy {
 public:
  explicit TcpProxy(int upstream_port);
  ~TcpProxy();
  int port() const { return port_; }
  void Cut();
  void Stall() { stalled_ = true; }
  void Restore();

 private:
  void AcceptLoop();
  void Pump(int client_fd, int upstream_fd);

  int upstream_port_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> cut_{false};
  std::atomic<bool> stalled_{false};
  std::mutex mu_;
  std::vector<int> open_fds_;
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

// The port of an https://127.0.0.1:PORT server URL.
int PortOf(const std::string& server);

}  // namespace gearbox::kube::testing
