#include "harness.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <random>

namespace gearbox::kube::testing {

Config AdminConfig() {
  const char* path = std::getenv("KUBECONFIG");
  if (!path || !*path) {
    ADD_FAILURE() << "KUBECONFIG is not set: run the integration tests with hack/test.sh";
    return {};
  }
  auto config = LoadKubeconfig(path);
  if (!config) {
    ADD_FAILURE() << config.error().ToString();
    return {};
  }
  config->timeout = std::chrono::seconds(10);
  return *config;
}

std::shared_ptr<Client> ClientFor(const Config& config) {
  auto client = HttpClient::Create(config);
  if (!client) {
    ADD_FAILURE() << client.error().ToString();
    return nullptr;
  }
  return *client;
}

std::shared_ptr<Client> AdminClient() { return ClientFor(AdminConfig()); }

std::string Sh(const std::string& command, int* rc) {
  std::string full = command + " 2>&1";
  FILE* p = popen(full.c_str(), "r");
  if (!p) {
    if (rc) *rc = -1;
    return "popen failed";
  }
  std::string out;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  int status = pclose(p);
  if (rc) *rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

std::string ClusterSh(const std::string& args, int* rc) {
  return Sh(std::string("bash ") + GEARBOX_SOURCE_DIR + "/hack/cluster.sh " + args, rc);
}

bool Eventually(std::chrono::milliseconds timeout, const std::function<bool()>& pred) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (pred()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

TestNamespace::TestNamespace(const std::string& prefix) {
  std::mt19937 rng{std::random_device{}()};
  name_ = prefix + "-" + std::to_string(rng() % 1000000);
  auto client = AdminClient();
  if (!client) return;
  Json ns = Json::object();
  ns["apiVersion"] = Json::string("v1");
  ns["kind"] = Json::string("Namespace");
  ns["metadata"]["name"] = Json::string(name_);
  auto created = client->Create(kNamespaces, "", ns);
  if (!created) ADD_FAILURE() << created.error().ToString();
}

TestNamespace::~TestNamespace() {
  auto client = AdminClient();
  if (client) (void)client->Delete(kNamespaces, "", name_);
}

Json ConfigMap(const std::string& name, const std::string& key, const std::string& value) {
  Json cm = Json::object();
  cm["apiVersion"] = Json::string("v1");
  cm["kind"] = Json::string("ConfigMap");
  cm["metadata"]["name"] = Json::string(name);
  cm["data"][key] = Json::string(value);
  return cm;
}

int PortOf(const std::string& server) {
  auto colon = server.rfind(':');
  return colon == std::string::npos ? 443 : std::atoi(server.c_str() + colon + 1);
}

TcpProxy::TcpProxy(int upstream_port) : upstream_port_(upstream_port) {
  listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      listen(listen_fd_, 64) != 0) {
    ADD_FAILURE() << "proxy: cannot listen on 127.0.0.1";
    return;
  }
  socklen_t len = sizeof addr;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

TcpProxy::~TcpProxy() {
  stopping_ = true;
  shutdown(listen_fd_, SHUT_RDWR);
  close(listen_fd_);
  Cut();
  if (acceptor_.joinable()) acceptor_.join();
  for (auto& t : threads_) t.join();
}

void TcpProxy::Cut() {
  cut_ = true;
  std::lock_guard lock(mu_);
  for (int fd : open_fds_) shutdown(fd, SHUT_RDWR);
}

void TcpProxy::Restore() {
  cut_ = false;
  stalled_ = false;
}

void TcpProxy::AcceptLoop() {
  while (!stopping_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    int client = accept(listen_fd_, nullptr, nullptr);
    if (client < 0) continue;
    if (cut_) {  // the network is down: the connection is reset at once
      close(client);
      continue;
    }
    int upstream = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(upstream_port_));
    if (connect(upstream, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      close(upstream);
      close(client);
      continue;
    }
    std::lock_guard lock(mu_);
    open_fds_.push_back(client);
    open_fds_.push_back(upstream);
    threads_.emplace_back([this, client, upstream] { Pump(client, upstream); });
  }
}

void TcpProxy::Pump(int a, int b) {
  std::array<char, 16384> buf{};
  pollfd fds[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
  while (!stopping_ && !cut_) {
    if (stalled_) {  // hold the bytes where they are
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    if (poll(fds, 2, 100) <= 0) continue;
    bool done = false;
    for (int i = 0; i < 2 && !done; ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = read(fds[i].fd, buf.data(), buf.size());
      if (n <= 0) {
        done = true;
        break;
      }
      int to = fds[1 - i].fd;
      for (ssize_t off = 0; off < n;) {
        ssize_t w = write(to, buf.data() + off, static_cast<size_t>(n - off));
        if (w <= 0) {
          done = true;
          break;
        }
        off += w;
      }
    }
    if (done) break;
  }
  std::lock_guard lock(mu_);
  shutdown(a, SHUT_RDWR);
  shutdown(b, SHUT_RDWR);
  close(a);
  close(b);
  std::erase(open_fds_, a);
  std::erase(open_fds_, b);
}

}  // namespace gearbox::kube::testing
