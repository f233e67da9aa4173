// Redis queues, with jobs enqueued by the real bull and bullmq packages from npm.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "metrics/redis_queue.h"
#include "servers.h"

namespace gearbox::metrics::testing {
namespace {

using namespace std::chrono_literals;

std::shared_ptr<RedisConnection> Conn(int port = kRedisPort, int db = 0, std::string password = "",
                                      std::chrono::milliseconds timeout = 2s) {
  RedisOptions o;
  o.port = port;
  o.db = db;
  o.password = std::move(password);
  o.timeout = timeout;
  return std::make_shared<RedisConnection>(o);
}

void Enqueue(const std::string& flavor, const std::string& queue, int waiting, int oldest_age_s,
             int delayed,
             const std::string& url = "redis://127.0.0.1:" + std::to_string(kRedisPort) + "/0") {
  int rc = 0;
  std::string out = Sh("NODE_PATH=" + NodePath() + " REDIS_URL='" + url + "' node " +
                           GEARBOX_SOURCE_DIR + "/tests/integration/metrics/enqueue.js " + flavor +
                           " " + queue + " " + std::to_string(waiting) + " " +
                           std::to_string(oldest_age_s) + " " + std::to_string(delayed),
                       &rc);
  ASSERT_EQ(rc, 0) << out;
}

void Cli(const std::string& args) {
  int rc = 0;
  std::string out = Sh("redis-cli -p " + std::to_string(kRedisPort) + " " + args, &rc);
  ASSERT_EQ(rc, 0) << out;
}

TEST(RedisQueues, BullWaitingJobsReadAsBacklogAndDelayedOnesDoNot) {
  Enqueue("bull", "mail", 37, 0, 5);
  RedisQueueMetric m(Conn(), {"bull", "mail", "backlog", "bull", ""});
  Result<Reading> s = m.Read();
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->value, 37);
  EXPECT_EQ(s->detail, "wait 37, paused 0");
}

TEST(RedisQueues, BullMQWaitingJobsReadAsBacklog) {
  Enqueue("bullmq", "orders", 23, 0, 4);
  RedisQueueMetric m(Conn(), {"bullmq", "orders", "backlog", "bull", ""});
  Result<Reading> s = m.Read();
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->value, 23);
}

TEST(RedisQueues, OldestWaitOfBullAndBullMQ) {
  Enqueue("bull", "aged", 4, 90, 0);
  Enqueue("bullmq", "aged-mq", 4, 45, 0);
  Result<Reading> bull =
      RedisQueueMetric(Conn(), {"bull", "aged", "oldestWaitSeconds", "bull", ""}).Read();
  Result<Reading> mq =
      RedisQueueMetric(Conn(), {"bullmq", "aged-mq", "oldestWaitSeconds", "bull", ""}).Read();
  ASSERT_TRUE(bull.ok()) << bull.error().message;
  ASSERT_TRUE(mq.ok()) << mq.error().message;
  EXPECT_NEAR(bull->value, 90, 3);
  EXPECT_NEAR(mq->value, 45, 3);
  // And it grows with time: a job enqueued now reads about 0, then about T later.
  Enqueue("bullmq", "fresh", 1, 0, 0);
  RedisQueueMetric fresh(Conn(), {"bullmq", "fresh", "oldestWaitSeconds", "bull", ""});
  EXPECT_NEAR(fresh.Read()->value, 0, 1.5);
  std::this_thread::sleep_for(2s);
  EXPECT_NEAR(fresh.Read()->value, 2, 1);
  // An empty queue waits for nothing.
  EXPECT_EQ(
      RedisQueueMetric(Conn(), {"bull", "empty", "oldestWaitSeconds", "bull", ""}).Read()->value,
      0);
}

TEST(RedisQueues, AStreamWithAConsumerGroupReadsItsLag) {
  Cli("del events >/dev/null");
  for (int i = 0; i < 10; ++i) Cli("xadd events '*' n " + std::to_string(i));
  Cli("xgroup create events workers 0");
  Cli("xreadgroup group workers w1 count 3 streams events '>'");
  Cli("xack events workers $(redis-cli -p " + std::to_string(kRedisPort) +
      " xrange events - + count 1 | head -1)");
  RedisOptions options;
  options.port = kRedisPort;
  RedisConnection conn(options);
  auto counts = conn.StreamGroup("events", "workers");
  ASSERT_TRUE(counts.ok()) << counts.error().message;
  EXPECT_EQ(counts->lag, 7) << "10 entries, 3 delivered";
  EXPECT_EQ(counts->pending, 2) << "3 delivered, 1 acknowledged";
  Result<Reading> backlog =
      RedisQueueMetric(Conn(), {"stream", "events", "backlog", "", "workers"}).Read();
  ASSERT_TRUE(backlog.ok());
  EXPECT_EQ(backlog->value, 9);
  EXPECT_EQ(backlog->detail, "lag 7 + pending 2");
  Result<Reading> nogroup =
      RedisQueueMetric(Conn(), {"stream", "events", "backlog", "", "nobody"}).Read();
  EXPECT_FALSE(nogroup.ok());
  EXPECT_NE(nogroup.error().message.find("has no consumer group nobody"), std::string::npos);
}

TEST(RedisQueues, APlainListIsItsLength) {
  Cli("del jobs >/dev/null");
  Cli("rpush jobs a b c d e f");
  Result<Reading> s = RedisQueueMetric(Conn(), {"list", "jobs", "backlog", "", ""}).Read();
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->value, 6);
}

TEST(RedisQueues, PasswordAndDatabaseIndex) {
  std::string url = "redis://:" + std::string(kRedisPassword) +
                    "@127.0.0.1:" + std::to_string(kRedisAuthPort) + "/3";
  Enqueue("bull", "secret", 12, 0, 0, url);
  auto opts = ParseRedisUrl(url);
  ASSERT_TRUE(opts) << opts.error().message;
  EXPECT_EQ(opts->db, 3);
  EXPECT_EQ(opts->password, kRedisPassword);
  Result<Reading> s = RedisQueueMetric(std::make_shared<RedisConnection>(*opts),
                                       {"bull", "secret", "backlog", "bull", ""})
                          .Read();
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->value, 12);
  Result<Reading> db0 = RedisQueueMetric(Conn(kRedisAuthPort, 0, kRedisPassword),
                                         {"bull", "secret", "backlog", "bull", ""})
                            .Read();
  ASSERT_TRUE(db0.ok());
  EXPECT_EQ(db0->value, 0) << "database 0 holds nothing of it";
  Result<Reading> wrong =
      RedisQueueMetric(Conn(kRedisAuthPort, 3, "nope"), {"bull", "secret", "backlog", "bull", ""})
          .Read();
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().kind, Error::Kind::kAuth) << wrong.error().message;
  Result<Reading> none =
      RedisQueueMetric(Conn(kRedisAuthPort, 3, ""), {"bull", "secret", "backlog", "bull", ""})
          .Read();
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().kind, Error::Kind::kAuth) << none.error().message;
}

TEST(RedisQueues, BadUrlsAreRefusedWithAReason) {
  auto http = ParseRedisUrl("http://127.0.0.1:6379");
  ASSERT_FALSE(http);
  EXPECT_NE(http.error().message.find("must start with redis://"), std::string::npos);
  auto db = ParseRedisUrl("redis://127.0.0.1:6379/x");
  ASSERT_FALSE(db);
  EXPECT_NE(db.error().message.find("database index"), std::string::npos);
  EXPECT_FALSE(ParseRedisUrl("redis://127.0.0.1:99999"));
}

// A source that is down, one that hangs, one that answers garbage: an error value within the
// timeout, and nothing crashes.
TEST(RedisQueues, DownHangingAndGarbageServersGiveErrorsWithinTheTimeout) {
  struct Case {
    const char* what;
    int port;
    Error::Kind kind;
  };
  for (const Case& c : {Case{"down", 1, Error::Kind::kTransport},
                        Case{"hanging", Servers::silent_port(), Error::Kind::kTimeout},
                        Case{"garbage", Servers::raw_garbage_port(), Error::Kind::kDecode}}) {
    RedisQueueMetric m(Conn(c.port, 0, "", 1s), {"bull", "q", "backlog", "bull", ""});
    auto t0 = std::chrono::steady_clock::now();
    Result<Reading> s = m.Read();
    auto took = std::chrono::steady_clock::now() - t0;
    ASSERT_FALSE(s.ok()) << c.what;
    EXPECT_EQ(s.error().kind, c.kind) << c.what << ": " << s.error().message;
    EXPECT_LT(took, 1500ms) << c.what;
    std::cout << c.what << ": " << s.error().message << "\n";
  }
}

}  // namespace
}  // namespace gearbox::metrics::testing

namespace gearbox::metrics::testing {
namespace {

std::string TlsFile(const std::string& name) {
  std::ifstream in(Servers::Dir() + "/tls/" + name);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// rediss:// to the TLS-only server: its CA, a client certificate, the ACL user and password.
RedisOptions TlsOptions() {
  auto o = ParseRedisUrl("rediss://localhost:" + std::to_string(kRedisTlsPort) + "/0");
  EXPECT_TRUE(o && o->tls);
  o->username = kRedisTlsUser;
  o->password = kRedisTlsPassword;
  o->ca_pem = TlsFile("ca.crt");
  o->cert_pem = TlsFile("client.crt");
  o->key_pem = TlsFile("client.key");
  return *o;
}

void TlsCli(const std::string& args) {
  const std::string tls = Servers::Dir() + "/tls/";
  int rc = 0;
  std::string out =
      Sh("redis-cli --tls --cacert " + tls + "ca.crt --cert " + tls + "client.crt --key " + tls +
             "client.key -h localhost -p " + std::to_string(kRedisTlsPort) + " --user " +
             kRedisTlsUser + " --pass " + kRedisTlsPassword + " --no-auth-warning " + args,
         &rc);
  ASSERT_EQ(rc, 0) << out;
}

Result<Reading> ReadJobs(const RedisOptions& o) {
  return RedisQueueMetric(std::make_shared<RedisConnection>(o), {"list", "jobs", "backlog", "", ""})
      .Read();
}

TEST(RedisTls, AnAclUserReadsAQueueOverTlsWithAClientCertificate) {
  TlsCli("del jobs");
  TlsCli("rpush jobs a b c d");
  Result<Reading> jobs = ReadJobs(TlsOptions());
  ASSERT_TRUE(jobs.ok()) << jobs.error().message;
  EXPECT_EQ(jobs->value, 4);
}

TEST(RedisTls, AServerCertificateFromAnotherCaIsRefused) {
  RedisOptions o = TlsOptions();
  o.ca_pem.clear();  // the system's CAs, which did not sign it
  Result<Reading> jobs = ReadJobs(o);
  ASSERT_FALSE(jobs.ok());
  EXPECT_EQ(jobs.error().kind, Error::Kind::kTls) << jobs.error().message;
}

TEST(RedisTls, AWrongNameOrPasswordIsAnAuthError) {
  RedisOptions o = TlsOptions();
  o.password = "nope";
  Result<Reading> jobs = ReadJobs(o);
  ASSERT_FALSE(jobs.ok());
  EXPECT_EQ(jobs.error().kind, Error::Kind::kAuth) << jobs.error().message;
  EXPECT_EQ(jobs.error().message.find("nope"), std::string::npos) << "the password is not shown";
}

TEST(RedisTls, WithoutAClientCertificateTheServerRefusesTheConnection) {
  RedisOptions o = TlsOptions();
  o.cert_pem.clear();
  o.key_pem.clear();
  Result<Reading> jobs = ReadJobs(o);
  ASSERT_FALSE(jobs.ok()) << "the server requires one";
}

}  // namespace
}  // namespace gearbox::metrics::testing
