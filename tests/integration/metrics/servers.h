// The real servers the metric-source tests read from, started by the tests themselves on
// loopback: redis-server (one open, one with a password), Prometheus scraping a small target
// whose histogram holds known observations, and misbehaving servers (one that accepts and never
// answers, one that answers garbage).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "kube/client.h"
#include "server/http_server.h"

namespace gearbox::metrics::testing {

constexpr int kRedisPort = 26379;
constexpr int kRedisAuthPort = 26380;
constexpr const char* kRedisPassword = "s3cret-pass";
constexpr int kPrometheusPort = 29090;
// A redis-server over TLS only (a CA of the test's own, the server's certificate for localhost
// and 127.0.0.1, a client certificate it requires), whose default user is off and whose ACL user
// reads the queues: Servers::Dir() + "/tls/{ca,client}.{crt,key}".
constexpr int kRedisTlsPort = 26381;
constexpr const char* kRedisTlsUser = "queue-reader";
constexpr const char* kRedisTlsPassword = "reader-pass";

std::string Sh(const std::string& command, int* rc = nullptr);
std::string NodePath();  // where hack/node-deps.sh put bull and bullmq
// A CA, a server certificate for localhost and 127.0.0.1 and a client certificate (clientAuth),
// in dir/tls: {ca,server,client}.{crt,key}.
void MakeCertificates(const std::string& dir);

// The test cluster's API server ($KUBECONFIG, hack/test.sh); null without one.
std::shared_ptr<kube::Client> TestClusterClient();
// kubectl apply of `yaml` in `ns` (a test failure when it is refused).
void KubectlApply(const std::string& ns, const std::string& yaml);

// Started once for the whole binary, stopped at its end.
class Servers : public ::testing::Environment {
 public:
  void SetUp() override;
  void TearDown() override;
  static std::string Dir();
  static uint16_t target_port();       // the scrape target (histogram + gauges)
  static uint16_t garbage_port();      // answers "<html>..." to everything
  static uint16_t silent_port();       // accepts connections, never answers
  static uint16_t raw_garbage_port();  // answers any bytes with non-protocol text
};

}  // namespace gearbox::metrics::testing
