// The rabbitmq source (metrics/rabbitmq.h) against a real rabbitmq-server (Debian's package) that
// this binary starts once, on loopback ports of its own (AMQP 18201, distribution 18202, epmd
// 18203, management 18204) with its data and logs in a temporary directory, and stops at its end.
// Messages are published through the management API's publish endpoint; the broker refreshes its
// queue figures every 500 ms here (collect_statistics_interval, samples kept at 1 s granularity),
// so a read is retried until it shows them.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <thread>

#include "metrics/rabbitmq.h"
#include "servers.h"

namespace gearbox::metrics::testing {
namespace {

using namespace std::chrono_literals;

constexpr int kManagementPort = 18204;
constexpr const char* kUser = "gearbox-monitor";
constexpr const char* kPassword = "monitor-pass";

std::string g_dir;

std::string ManagementUrl() { return "http://127.0.0.1:" + std::to_string(kManagementPort); }

std::string Env() {
  return "HOME=" + g_dir + " RABBITMQ_NODENAME=gearbox-test@localhost " +
         "RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT=18201 RABBITMQ_DIST_PORT=18202 " +
         "ERL_EPMD_PORT=18203 ERL_EPMD_ADDRESS=127.0.0.1 RABBITMQ_MNESIA_BASE=" + g_dir +
         "/mnesia RABBITMQ_LOG_BASE=" + g_dir + "/log RABBITMQ_CONFIG_FILE=" + g_dir +
         "/rabbitmq.conf RABBITMQ_ENABLED_PLUGINS_FILE=" + g_dir +
         "/enabled_plugins RABBITMQ_PID_FILE=" + g_dir + "/pid RABBITMQ_CONF_ENV_FILE=" + g_dir +
         "/env.conf RABBITMQ_ADVANCED_CONFIG_FILE=" + g_dir +
         "/advanced.config RABBITMQ_PLUGINS_EXPAND_DIR=" + g_dir + "/plugins";
}

// A management API call with the broker's user (curl's exit status and the HTTP code).
std::string Api(const std::string& method, const std::string& path, const std::string& body = "") {
  return Sh("curl -s -o /dev/null -w '%{http_code}' -u " + std::string(kUser) + ":" + kPassword +
            " -X " + method + " -H 'content-type: application/json' " +
            (body.empty() ? "" : "-d '" + body + "' ") + ManagementUrl() + path);
}

void Publish(const std::string& vhost_path, const std::string& queue, int count) {
  const std::string message = R"({"properties":{},"routing_key":")" + queue +
                              R"(","payload":"job","payload_encoding":"string"})";
  for (int i = 0; i < count; ++i)
    ASSERT_EQ(Api("POST", "/api/exchanges/" + vhost_path + "/amq.default/publish", message), "200");
}

class RabbitBroker : public ::testing::Environment {
 public:
  void SetUp() override {
    char dir[] = "/tmp/gearbox-rabbitmq-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    g_dir = dir;
    Sh("printf '%s\\n' 'listeners.tcp.default = 127.0.0.1:18201' 'management.tcp.ip = 127.0.0.1' "
       "'management.tcp.port = " +
       std::to_string(kManagementPort) +
       "' 'collect_statistics_interval = 500' 'management.sample_retention_policies.global.minute"
       " = 1' 'management.sample_retention_policies.basic.minute = 1' "
       "'management.sample_retention_policies.detailed.10 = 1' 'default_user = " +
       kUser + "' 'default_pass = " + kPassword + "' > " + g_dir +
       "/rabbitmq.conf && echo '[rabbitmq_management].' > " + g_dir + "/enabled_plugins");
    const auto start = std::chrono::steady_clock::now();
    Sh("setsid env " + Env() + " /usr/lib/rabbitmq/bin/rabbitmq-server > " + g_dir +
       "/server.log 2>&1 & echo $! > " + g_dir + "/group");
    bool up = false;
    while (!up && std::chrono::steady_clock::now() - start < 40s) {
      up = Api("GET", "/api/overview") == "200";
      if (!up) std::this_thread::sleep_for(200ms);
    }
    ASSERT_TRUE(up) << Sh("tail -20 " + g_dir + "/server.log");
    std::printf("rabbitmq-server up in %.1f s\n",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }

  // SIGKILL: the data is thrown away. The broker's own epmd is stopped too, and the directory.
  void TearDown() override {
    if (g_dir.empty()) return;
    Sh("p=$(cat " + g_dir + "/pid 2>/dev/null); [ -n \"$p\" ] && kill -9 $p; g=$(cat " + g_dir +
       "/group 2>/dev/null); [ -n \"$g\" ] && kill -9 -$g; sleep 0.5; ERL_EPMD_PORT=18203 "
       "epmd -kill >/dev/null; rm -rf " +
       g_dir + "; true");
  }
};

std::shared_ptr<HttpJsonClient> Client(const std::string& password = kPassword) {
  HttpJsonOptions o;
  o.url = ManagementUrl();
  o.username = kUser;
  o.password = password;
  o.timeout = 2s;
  auto client = HttpJsonClient::Create(o, "rabbitmq");
  EXPECT_TRUE(client.ok());
  return *client;
}

// Reads until the value is `want` or 10 s have passed (the broker's figures lag by up to 500 ms).
Result<Reading> ReadUntil(RabbitQueueMetric& metric, const std::function<bool(double)>& want) {
  Result<Reading> r = metric.Read();
  for (auto until = std::chrono::steady_clock::now() + 10s;
       (!r.ok() || !want(r->value)) && std::chrono::steady_clock::now() < until;) {
    std::this_thread::sleep_for(200ms);
    r = metric.Read();
  }
  return r;
}

TEST(RabbitMQ, QueueLengthIsTheMessagesPublished) {
  ASSERT_EQ(Api("PUT", "/api/queues/%2F/orders", R"({"durable":false})"), "201");
  Publish("%2F", "orders", 7);
  RabbitQueueMetric messages(Client(), {"/", "orders", "messages"});
  auto r = ReadUntil(messages, [](double v) { return v == 7; });
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->value, 7);
  RabbitQueueMetric ready(Client(), {"/", "orders", "messagesReady"});
  auto ready_read = ReadUntil(ready, [](double v) { return v == 7; });
  ASSERT_TRUE(ready_read.ok()) << ready_read.error().message;
  EXPECT_EQ(ready_read->value, 7);  // nothing consumed: every message is ready
}

TEST(RabbitMQ, AQueueInAnotherVhostIsReadThere) {
  ASSERT_EQ(Api("PUT", "/api/vhosts/shop"), "201");
  // 204: the user that made the vhost has its permissions already; they are set all the same.
  const std::string permissions = Api("PUT", "/api/permissions/shop/" + std::string(kUser),
                                      R"({"configure":".*","write":".*","read":".*"})");
  ASSERT_TRUE(permissions == "201" || permissions == "204") << permissions;
  ASSERT_EQ(Api("PUT", "/api/queues/shop/orders", R"({"durable":false})"), "201");
  Publish("shop", "orders", 3);
  RabbitQueueMetric metric(Client(), {"shop", "orders", "messages"});
  auto r = ReadUntil(metric, [](double v) { return v == 3; });
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->value, 3);
}

TEST(RabbitMQ, PublishRateIsAboveZeroWhileMessagesArePublished) {
  ASSERT_EQ(Api("PUT", "/api/queues/%2F/events", R"({"durable":false})"), "201");
  RabbitQueueMetric rate(Client(), {"/", "events", "publishRate"});
  auto before = rate.Read();
  ASSERT_TRUE(before.ok()) << before.error().message;
  EXPECT_EQ(before->value, 0);  // nothing published yet
  std::atomic<bool> stop{false};
  std::thread publisher([&] {
    while (!stop) Publish("%2F", "events", 1);
  });
  auto r = ReadUntil(rate, [](double v) { return v > 0; });
  stop = true;
  publisher.join();
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_GT(r->value, 0);
}

TEST(RabbitMQ, AWrongPasswordIsAnAuthErrorThatQuotesNothing) {
  RabbitQueueMetric metric(Client("wrong"), {"/", "orders", "messages"});
  auto r = metric.Read();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, Error::Kind::kAuth);
  EXPECT_NE(r.error().message.find("HTTP 401"), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().message.find("not_authorised"), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().message.find("wrong"), std::string::npos) << r.error().message;
}

TEST(RabbitMQ, AQueueThatDoesNotExistIsNoData) {
  RabbitQueueMetric metric(Client(), {"/", "nosuchqueue", "messages"});
  auto r = metric.Read();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, Error::Kind::kNoData);
  EXPECT_NE(r.error().message.find("no queue nosuchqueue in vhost /"), std::string::npos);
}

}  // namespace
}  // namespace gearbox::metrics::testing

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new gearbox::metrics::testing::RabbitBroker);
  return RUN_ALL_TESTS();
}
