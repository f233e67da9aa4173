#include "servers.h"

#include "kube/config.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <thread>

namespace gearbox::metrics::testing {
namespace {

std::unique_ptr<server::HttpServer> g_target, g_garbage;
int g_silent_fd = -1;
uint16_t g_silent_port = 0;
int g_raw_fd = -1;
uint16_t g_raw_port = 0;
std::thread g_raw_thread;

int ListenLoopback(uint16_t* port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd, 16) != 0) {
    close(fd);
    return -1;
  }
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  *port = ntohs(addr.sin_port);
  return fd;
}

const char* kExposition =
    R"(# HELP gearbox_test_request_duration_seconds Request durations with known observations.
# TYPE gearbox_test_request_duration_seconds histogram
gearbox_test_request_duration_seconds_bucket{le="0.1"} 50
gearbox_test_request_duration_seconds_bucket{le="0.25"} 80
gearbox_test_request_duration_seconds_bucket{le="0.5"} 94
gearbox_test_request_duration_seconds_bucket{le="1"} 99
gearbox_test_request_duration_seconds_bucket{le="+Inf"} 100
gearbox_test_request_duration_seconds_sum 23.5
gearbox_test_request_duration_seconds_count 100
# HELP gearbox_test_users Users per shard.
# TYPE gearbox_test_users gauge
gearbox_test_users{shard="a"} 10
gearbox_test_users{shard="b"} 20
)";

bool Waits(const std::string& cmd, int seconds) {
  for (int i = 0; i < seconds * 4; ++i) {
    int rc = 0;
    Sh(cmd, &rc);
    if (rc == 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  return false;
}

// Stops the servers a run started and waits until they are gone: each test case is its own
// process, and the next one's servers must not find the ports still taken (a daemonized
// redis-server that cannot bind exits quietly, and the old one would answer the PING). SIGKILL:
// their data is thrown away, and Prometheus takes seconds to shut down cleanly. A killed daemon
// may stay a zombie until init reaps it; it holds no port then, so a zombie counts as gone.
void StopServers(const std::string& dir) {
  Sh("for f in " + dir + "/redis.pid " + dir + "/redis-auth.pid " + dir + "/redis-tls.pid " + dir +
     "/prometheus.pid; do [ -f $f ] || continue; p=$(cat $f); kill -9 $p 2>/dev/null; "
     "for i in $(seq 100); do s=$(cut -d' ' -f3 /proc/$p/stat 2>/dev/null); "
     "[ -n \"$s\" ] && [ \"$s\" != Z ] || break; sleep 0.1; done; rm -f $f; done; true");
}

// Whether the run includes a case of this suite (the filter is applied before the environment
// is set up): each case is its own process, and a Redis case need not wait for Prometheus.
bool Runs(const std::string& suite) {
  auto* unit = ::testing::UnitTest::GetInstance();
  for (int i = 0; i < unit->total_test_suite_count(); ++i) {
    const auto* s = unit->GetTestSuite(i);
    if (s->name() == suite && s->test_to_run_count() > 0) return true;
  }
  return false;
}

// A TCP server that answers any bytes with text that is no protocol at all.
void StartRawGarbage() {
  g_raw_fd = ListenLoopback(&g_raw_port);
  ASSERT_GE(g_raw_fd, 0);
  g_raw_thread = std::thread([fd = g_raw_fd] {
    while (true) {
      int c = accept(fd, nullptr, nullptr);
      if (c < 0) return;
      char buf[512];
      if (read(c, buf, sizeof buf) > 0) {
        const char answer[] = "<html>this is not redis</html>\r\n";
        (void)!write(c, answer, sizeof answer - 1);
      }
      close(c);
    }
  });
}

// An open redis-server and one with a password, answering PING.
void StartRedis(const std::string& dir) {
  for (bool auth : {false, true}) {
    int port = auth ? kRedisAuthPort : kRedisPort;
    std::string name = auth ? "redis-auth" : "redis";
    std::string password = auth ? std::string(" --requirepass ") + kRedisPassword : "";
    int rc = 0;
    std::string out = Sh("redis-server --port " + std::to_string(port) +
                             " --bind 127.0.0.1 --save '' --appendonly no --dir " + dir +
                             " --daemonize yes --pidfile " + dir + "/" + name + ".pid --logfile " +
                             dir + "/" + name + ".log" + password,
                         &rc);
    ASSERT_EQ(rc, 0) << out;
    std::string auth_args = auth ? std::string(" -a ") + kRedisPassword + " --no-auth-warning" : "";
    ASSERT_TRUE(
        Waits("redis-cli -p " + std::to_string(port) + auth_args + " ping | grep -q PONG", 10))
        << Sh("tail -5 " + dir + "/" + name + ".log");
  }
}

// redis-server on kRedisTlsPort only, client certificates required, the default user off.
void StartTlsRedis(const std::string& dir) {
  MakeCertificates(dir);
  const std::string tls = dir + "/tls";
  int rc = 0;
  std::string out = Sh(
      "redis-server --port 0 --tls-port " + std::to_string(kRedisTlsPort) + " --tls-cert-file " +
          tls + "/server.crt --tls-key-file " + tls + "/server.key --tls-ca-cert-file " + tls +
          "/ca.crt --tls-auth-clients yes" + " --bind 127.0.0.1 --save '' --appendonly no --dir " +
          dir + " --daemonize yes --pidfile " + dir + "/redis-tls.pid --logfile " + dir +
          "/redis-tls.log --user default off --user " + kRedisTlsUser + " on '>" +
          kRedisTlsPassword + "' '~*' '+@all'",
      &rc);
  ASSERT_EQ(rc, 0) << out;
  ASSERT_TRUE(Waits("redis-cli --tls --cacert " + tls + "/ca.crt --cert " + tls +
                        "/client.crt --key " + tls + "/client.key -h localhost -p " +
                        std::to_string(kRedisTlsPort) + " --user " + kRedisTlsUser + " --pass " +
                        kRedisTlsPassword + " --no-auth-warning ping | grep -q PONG",
                    10))
      << Sh("tail -5 " + dir + "/redis-tls.log");
}

// Prometheus scraping the target every second, once it has scraped the histogram.
void StartPrometheus(const std::string& dir, uint16_t target_port) {
  std::ofstream(dir + "/prometheus.yml")
      << "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
         "scrape_configs:\n"
         "  - job_name: target\n"
         "    static_configs: [{targets: ['127.0.0.1:"
      << target_port << "']}]\n";
  Sh("prometheus --config.file=" + dir + "/prometheus.yml --storage.tsdb.path=" + dir +
     "/prometheus --web.listen-address=127.0.0.1:" + std::to_string(kPrometheusPort) + " >" + dir +
     "/prometheus.log 2>&1 & echo $! >" + dir + "/prometheus.pid");
  ASSERT_TRUE(Waits("curl -fsG http://127.0.0.1:" + std::to_string(kPrometheusPort) +
                        "/api/v1/query --data-urlencode "
                        "'query=gearbox_test_request_duration_seconds_count' | grep -q '\"100\"'",
                    60))
      << Sh("tail -20 " + dir + "/prometheus.log");
}

}  // namespace

void MakeCertificates(const std::string& dir) {
  const std::string tls = dir + "/tls";
  auto key_and_csr = [&](const std::string& name, const std::string& cn) {
    return "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=" + cn +
           " -keyout " + tls + "/" + name + ".key -out " + tls + "/" + name + ".csr";
  };
  auto sign = [&](const std::string& name, const std::string& ext) {
    return "openssl x509 -req -in " + tls + "/" + name + ".csr -CA " + tls + "/ca.crt -CAkey " +
           tls + "/ca.key -CAcreateserial -days 2 -extfile " + tls + "/" + ext + " -out " + tls +
           "/" + name + ".crt";
  };
  int rc = 0;
  std::string out =
      Sh("mkdir -p " + tls + " && printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >" + tls +
             "/server.ext && printf 'extendedKeyUsage=clientAuth\n' >" + tls + "/client.ext && " +
             "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 "
             "-subj /CN=gearbox-test-ca -keyout " +
             tls + "/ca.key -out " + tls + "/ca.crt && " + key_and_csr("server", "localhost") +
             " && " + sign("server", "server.ext") + " && " + key_and_csr("client", "gearbox") +
             " && " + sign("client", "client.ext") + " 2>&1",
         &rc);
  ASSERT_EQ(rc, 0) << out;
}

std::string Sh(const std::string& command, int* rc) {
  std::string full = command + " 2>&1";
  FILE* p = popen(full.c_str(), "r");
  std::string out;
  std::array<char, 4096> buf{};
  size_t n;
  while (p && (n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  int status = p ? pclose(p) : -1;
  if (rc) *rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

std::shared_ptr<kube::Client> TestClusterClient() {
  const char* path = std::getenv("KUBECONFIG");
  if (!path) return nullptr;
  auto config = kube::LoadKubeconfig(path);
  if (!config) return nullptr;
  auto client = kube::HttpClient::Create(*config);
  return client ? *client : nullptr;
}

void KubectlApply(const std::string& ns, const std::string& yaml) {
  int rc = 0;
  std::string out = Sh("kubectl -n " + ns + " apply -f - <<'YAML'\n" + yaml + "\nYAML\n", &rc);
  ASSERT_EQ(rc, 0) << out;
}

std::string NodePath() {
  std::string p = Sh(std::string("bash ") + GEARBOX_SOURCE_DIR + "/hack/node-deps.sh path");
  while (!p.empty() && (p.back() == '\n' || p.back() == ' ')) p.pop_back();
  return p;
}

// GEARBOX_METRICS_TEST_DIR lets two checkouts run their cases at once without stopping each
// other's servers (the pid files are here).
std::string Servers::Dir() {
  const char* dir = std::getenv("GEARBOX_METRICS_TEST_DIR");
  return dir && *dir ? dir : "/tmp/gearbox-metrics-test";
}
uint16_t Servers::target_port() { return g_target ? g_target->port() : 0; }
uint16_t Servers::garbage_port() { return g_garbage ? g_garbage->port() : 0; }
uint16_t Servers::silent_port() { return g_silent_port; }
uint16_t Servers::raw_garbage_port() { return g_raw_port; }

void Servers::SetUp() {
  const std::string dir = Dir();
  TearDown();        // a run that was killed may have left servers behind
  StopServers(dir);  // a run that was killed may have left them behind
  Sh("rm -rf " + dir + " && mkdir -p " + dir + "/prometheus");

  auto target = server::HttpServer::Start(
      "127.0.0.1:0", {{"/metrics", [] {
                         return server::HttpResponse{200, "text/plain; version=0.0.4", kExposition};
                       }}});
  ASSERT_TRUE(target && *target);
  g_target = std::move(*target);
  auto garbage = server::HttpServer::Start(
      "127.0.0.1:0", {{"/api/v1/query", [] {
                         return server::HttpResponse{200, "text/html", "<html>surprise</html>"};
                       }}});
  ASSERT_TRUE(garbage && *garbage);
  g_garbage = std::move(*garbage);
  g_silent_fd = ListenLoopback(&g_silent_port);  // connections complete in the backlog, unserved
  ASSERT_GE(g_silent_fd, 0);
  StartRawGarbage();
  if (Runs("RedisQueues")) StartRedis(dir);
  if (Runs("RedisTls")) StartTlsRedis(dir);
  if (Runs("Prometheus")) StartPrometheus(dir, target_port());
}

void Servers::TearDown() {
  const std::string dir = Dir();
  StopServers(dir);
  if (g_target) g_target->Stop();
  if (g_garbage) g_garbage->Stop();
  g_target.reset();
  g_garbage.reset();
  if (g_silent_fd >= 0) close(g_silent_fd);
  g_silent_fd = -1;
  if (g_raw_fd >= 0) {
    shutdown(g_raw_fd, SHUT_RDWR);
    close(g_raw_fd);
  }
  g_raw_fd = -1;
  if (g_raw_thread.joinable()) g_raw_thread.join();
}

}  // namespace gearbox::metrics::testing
