// spec.sources.postgresql, spec.sources.redis.{cluster,sentinel} and metrics[].postgresql as the
// controller reads them (reconcile/policy_spec.h): parsed, refused with the field's path when
// their shape is wrong (for objects that did not come through the CRD's rules), and checked
// against the source access rules like the other servers (reconcile/sources.h).
#include <gtest/gtest.h>

#include <cpprest/asyncrt_utils.h>

#include "kube/client.h"
#include "reconcile/policy_spec.h"
#include "reconcile/secret_watches.h"
#include "reconcile/sources.h"
#include "scripted_client.h"

namespace gearbox::reconcile {
namespace {

// A policy with `sources` and `metrics` (JSON texts) and one workload.
kube::Json Policy(const std::string& sources, const std::string& metrics) {
  return kube::Json::parse(R"({"metadata": {"namespace": "shop", "name": "p", "generation": 1},
    "spec": {"sources": )" +
                           sources + R"(, "metrics": )" + metrics + R"(,
             "components": [{"name": "web", "target": {"apiVersion": "apps/v1",
                             "kind": "Deployment", "name": "web"}, "replicas": {"min": 1, "max": 5}}]}})");
}

const char* kPgMetric =
    R"([{"name": "jobs", "postgresql": {"query": "SELECT count(*) FROM jobs"}}])";
const char* kListMetric = R"([{"name": "jobs", "queue": {"flavor": "list", "name": "jobs"}}])";

std::string Refusal(const kube::Json& policy) {
  auto parsed = ParsePolicy(policy);
  return parsed ? "" : parsed.error().message;
}

TEST(PostgresqlSpec, FieldsAndTimeoutsAreRead) {
  auto parsed = ParsePolicy(Policy(R"({"postgresql": {"host": "db.shop.svc", "port": 6432,
      "database": "app", "user": "reader", "passwordSecretRef": {"name": "pg", "key": "password"},
      "sslmode": "require", "statementTimeout": "2s", "timeout": "4s"}})",
                                   kPgMetric));
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_TRUE(parsed->postgresql);
  EXPECT_EQ(parsed->postgresql->host, "db.shop.svc");
  EXPECT_EQ(parsed->postgresql->port, 6432);
  EXPECT_EQ(parsed->postgresql->password->name, "pg");
  EXPECT_EQ(parsed->postgresql->statement_timeout, std::chrono::seconds(2));
  EXPECT_EQ(parsed->postgresql->connect_timeout, std::chrono::seconds(5));
  EXPECT_EQ(parsed->metrics.at(0).type, MetricDef::Type::kPostgres);
  EXPECT_EQ(parsed->metrics.at(0).sql, "SELECT count(*) FROM jobs");
  EXPECT_STREQ(SourceKind(parsed->metrics.at(0)), "postgresql");
}

TEST(PostgresqlSpec, WrongShapesAreRefusedWithTheirPath) {
  EXPECT_EQ(Refusal(Policy(R"({"postgresql": {"host": "db", "database": "app", "user": "r",
                                "connectionSecretRef": {"name": "pg", "key": "dsn"}}})",
                           kPgMetric)),
            "spec.sources.postgresql: give either connectionSecretRef or host");
  EXPECT_EQ(Refusal(Policy(R"({"postgresql": {"host": "db", "database": "app"}})", kPgMetric)),
            "spec.sources.postgresql: with host, database and user are required");
  EXPECT_EQ(Refusal(Policy(R"({"postgresql": {"host": "db", "database": "app", "user": "r",
                                "statementTimeout": "10s", "timeout": "10s"}})",
                           kPgMetric))
                .rfind("spec.sources.postgresql.statementTimeout must be less than timeout", 0),
            0u);
  EXPECT_EQ(Refusal(Policy(R"({"postgresql": {"host": "db", "database": "app", "user": "r",
                                "sslmode": "sometimes"}})",
                           kPgMetric))
                .rfind("spec.sources.postgresql.sslmode must be", 0),
            0u);
  EXPECT_EQ(Refusal(Policy("{}", kPgMetric)), "metric jobs needs spec.sources.postgresql");
}

// The server's CA (caSecretRef) verifies it: only with sslmode verify-ca or verify-full, where it
// is what checks the certificate (with require, libpq would verify too, unasked).
TEST(PostgresqlSpec, ACaSecretNeedsAVerifyingSslmode) {
  auto parsed = ParsePolicy(Policy(R"({"postgresql": {"host": "db", "database": "app",
      "user": "r", "sslmode": "verify-full", "caSecretRef": {"name": "pg-ca", "key": "ca.crt"}}})",
                                   kPgMetric));
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_TRUE(parsed->postgresql->ca);
  EXPECT_EQ(parsed->postgresql->ca->name, "pg-ca");
  EXPECT_EQ(parsed->postgresql->ca->key, "ca.crt");
  for (const char* sslmode : {R"("sslmode": "require", )", ""}) {
    EXPECT_EQ(Refusal(Policy(std::string(R"({"postgresql": {"host": "db", "database": "app",
        "user": "r", )") + sslmode +
                                 R"("caSecretRef": {"name": "pg-ca", "key": "ca.crt"}}})",
                             kPgMetric))
                  .rfind("spec.sources.postgresql.caSecretRef needs sslmode verify-ca or "
                         "verify-full",
                         0),
              0u)
        << sslmode;
  }
}

// A rotated PostgreSQL or Sentinel password must reach the sources: their Secrets are watched
// like every other source's.
TEST(NewSourcesSecrets, PostgresqlAndSentinelSecretsAreWatched) {
  EXPECT_EQ(SecretsNamedBy(Policy(R"({"postgresql": {"connectionSecretRef":
                                      {"name": "pg-conn", "key": "dsn"}}})",
                                  kPgMetric)),
            (std::vector<std::string>{"pg-conn"}));
  EXPECT_EQ(SecretsNamedBy(Policy(R"({"postgresql": {"host": "db", "database": "d", "user": "u",
                                      "passwordSecretRef": {"name": "pg-pass", "key": "p"}}})",
                                  kPgMetric)),
            (std::vector<std::string>{"pg-pass"}));
  EXPECT_EQ(SecretsNamedBy(Policy(R"({"redis": {"url": "redis://m:6379",
      "passwordSecretRef": {"name": "master", "key": "p"},
      "sentinel": {"addresses": ["s:26379"], "masterName": "m",
                   "passwordSecretRef": {"name": "sentinels", "key": "p"}}}})",
                                  kListMetric)),
            (std::vector<std::string>{"master", "sentinels"}));
}

TEST(RedisTopologySpec, ClusterAndSentinelAreRead) {
  auto cluster = ParsePolicy(Policy(
      R"({"redis": {"cluster": {"addresses": ["10.0.0.1:6379", "[fd00::2]:6379"]}, "tls": {}}})",
      kListMetric));
  ASSERT_TRUE(cluster) << cluster.error().message;
  EXPECT_EQ(cluster->redis->cluster->addresses.size(), 2u);
  EXPECT_TRUE(cluster->redis->url.empty());
  auto sentinel = ParsePolicy(Policy(R"({"redis": {"sentinel": {"addresses": ["s1:26379"],
      "masterName": "mymaster", "database": 3, "passwordSecretRef": {"name": "s", "key": "p"}},
      "passwordSecretRef": {"name": "m", "key": "p"}}})",
                                     kListMetric));
  ASSERT_TRUE(sentinel) << sentinel.error().message;
  EXPECT_EQ(sentinel->redis->sentinel->master_name, "mymaster");
  EXPECT_EQ(sentinel->redis->sentinel->database, 3);
  EXPECT_EQ(sentinel->redis->sentinel->password->name, "s");
  EXPECT_EQ(sentinel->redis->password->name, "m");
}

TEST(RedisTopologySpec, WrongShapesAreRefusedWithTheirPath) {
  EXPECT_EQ(Refusal(Policy(R"({"redis": {"url": "redis://a:6379",
                                "cluster": {"addresses": ["b:6379"]}}})",
                           kListMetric)),
            "spec.sources.redis: give exactly one of url, cluster and sentinel");
  EXPECT_EQ(
      Refusal(Policy(R"({"redis": {"cluster": {"addresses": ["a:6379", "b"]}}})", kListMetric)),
      "spec.sources.redis.cluster.addresses[1]: redis address \"b\": needs host:port");
  EXPECT_EQ(Refusal(Policy(R"({"redis": {"sentinel": {"addresses": ["s:26379"]}}})", kListMetric)),
            "spec.sources.redis.sentinel.masterName is required");
  EXPECT_EQ(Refusal(Policy(R"({"redis": {"cluster": {"addresses": []}}})", kListMetric)),
            "spec.sources.redis.cluster.addresses needs at least one host:port");
}

// A resolver for the rules: literals only.
SourceAccess Rules(std::vector<std::string> allow = {}) {
  SourceAccessOptions o;
  o.allow = std::move(allow);
  auto access = SourceAccess::Make(o, [](const std::string& host) -> Result<Addresses> {
    boost::system::error_code ec;
    auto a = boost::asio::ip::make_address(host, ec);
    if (ec) return Error::Of(Error::Kind::kTransport, host + " does not resolve");
    return Addresses{a};
  });
  EXPECT_TRUE(access);
  return *std::move(access);
}

TEST(NewSourcesAccess, EveryClusterNodeAndSentinelGivenIsChecked) {
  auto cluster = ParsePolicy(
      Policy(R"({"redis": {"cluster": {"addresses": ["10.0.0.1:6379", "169.254.169.254:80"]}}})",
             kListMetric));
  ASSERT_TRUE(cluster);
  Status refused = CheckSourceAccess(Rules(), *cluster);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("169.254.169.254"), std::string::npos)
      << refused.error().message;
  auto sentinel = ParsePolicy(
      Policy(R"({"redis": {"sentinel": {"addresses": ["127.0.0.1:26379"], "masterName": "m"}}})",
             kListMetric));
  ASSERT_TRUE(sentinel);
  EXPECT_FALSE(CheckSourceAccess(Rules(), *sentinel));
  EXPECT_TRUE(CheckSourceAccess(Rules({"127.0.0.1:26379"}), *sentinel));
}

TEST(NewSourcesAccess, APostgresqlHostIsChecked) {
  auto pg = ParsePolicy(
      Policy(R"({"postgresql": {"host": "127.0.0.1", "port": 5432, "database": "a", "user": "r"}})",
             kPgMetric));
  ASSERT_TRUE(pg);
  EXPECT_FALSE(CheckSourceAccess(Rules(), *pg));
  EXPECT_TRUE(CheckSourceAccess(Rules({"127.0.0.1:5432"}), *pg));
}

// A connection string's hosts are only known once its Secret is read: the factory checks them
// then, and a refused one gets no connection, only its error (which does not quote the string).
TEST(NewSourcesAccess, AConnectionStringsHostsAreCheckedOnceItsSecretIsRead) {
  for (const auto& [dsn, allowed] :
       {std::pair{"host=169.254.169.254 dbname=a user=r password=hunter2", false},
        std::pair{"host=10.1.2.3 dbname=a user=r password=hunter2", true}}) {
    auto client = std::make_shared<testing::ScriptedClient>();
    const std::string encoded = utility::conversions::to_base64(
        std::vector<unsigned char>(dsn, dsn + std::char_traits<char>::length(dsn)));
    client->On("GET", "/api/v1/namespaces/shop/secrets/pg",
               testing::ScriptedResponse::Ok(
                   kube::Json::parse(R"({"data": {"dsn": ")" + encoded + R"("}})")));
    SourceAccess access = Rules({"10.0.0.0/8"});
    LiveSourceFactory factory(client, &access);
    auto parsed = ParsePolicy(Policy(
        R"({"postgresql": {"connectionSecretRef": {"name": "pg", "key": "dsn"}}})", kPgMetric));
    ASSERT_TRUE(parsed) << parsed.error().message;
    ASSERT_TRUE(CheckSourceAccess(access, *parsed)) << "nothing to check before the Secret";
    PolicySources sources = BuildSources(*client, factory, *parsed);
    EXPECT_EQ(factory.open_postgres_connections(), allowed ? 1u : 0u) << dsn;
    if (allowed) continue;  // not read: 10.1.2.3 is not a test server
    auto read = sources.by_metric.at("jobs").source->Read();
    ASSERT_FALSE(read);
    EXPECT_EQ(read.error().kind, Error::Kind::kConfig) << read.error().message;
    EXPECT_EQ(read.error().message.find("hunter2"), std::string::npos) << read.error().message;
  }
}

// The CA is read from its Secret (and watched): a rotated one gives a new connection,
// the same one the connection there is.
TEST(PostgresqlSpec, TheCaSecretIsReadAndARotatedCaGetsANewConnection) {
  auto client = std::make_shared<testing::ScriptedClient>();
  auto serve = [&](const std::string& pem) {
    const std::string encoded =
        utility::conversions::to_base64(std::vector<unsigned char>(pem.begin(), pem.end()));
    client->On("GET", "/api/v1/namespaces/shop/secrets/pg-ca",
               testing::ScriptedResponse::Ok(
                   kube::Json::parse(R"({"data": {"ca.crt": ")" + encoded + R"("}})")));
  };
  SourceAccess access = Rules({"10.0.0.0/8"});
  LiveSourceFactory factory(client, &access);
  const kube::Json policy = Policy(R"({"postgresql": {"host": "10.1.2.3", "database": "a",
      "user": "r", "sslmode": "verify-full", "caSecretRef": {"name": "pg-ca", "key": "ca.crt"}}})",
                                   kPgMetric);
  auto parsed = ParsePolicy(policy);
  ASSERT_TRUE(parsed) << parsed.error().message;
  serve("first CA");
  PolicySources first = BuildSources(*client, factory, *parsed);
  EXPECT_EQ(factory.open_postgres_connections(), 1u);
  PolicySources again = BuildSources(*client, factory, *parsed);
  EXPECT_EQ(factory.open_postgres_connections(), 1u);
  serve("rotated CA");
  PolicySources rotated = BuildSources(*client, factory, *parsed);
  EXPECT_EQ(factory.open_postgres_connections(), 2u);
  EXPECT_EQ(SecretsNamedBy(policy), (std::vector<std::string>{"pg-ca"}));
}

}  // namespace
}  // namespace gearbox::reconcile
