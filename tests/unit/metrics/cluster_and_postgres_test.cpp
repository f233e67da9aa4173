// The parts of the Redis Cluster and PostgreSQL sources that need no server: the key's slot (the
// vectors of the Redis Cluster specification), MOVED/ASK and addresses read, and which connection
// strings are refused without quoting them (CLUSTER SLOTS replies: redis_reply_test.cpp).
#include <gtest/gtest.h>

#include "metrics/postgresql.h"
#include "metrics/redis_cluster.h"
#include "metrics/redis_reply.h"

namespace gearbox::metrics {
namespace {

// The Redis Cluster specification: CRC16 of "123456789" is 0x31C3; hash tags per its examples.
TEST(KeySlot, IsCrc16OfTheKeyOrItsHashTag) {
  EXPECT_EQ(KeySlot("123456789"), 0x31C3 % 16384);
  EXPECT_EQ(KeySlot("{user1000}.following"), KeySlot("user1000"));
  EXPECT_EQ(KeySlot("{user1000}.followers"), KeySlot("user1000"));
  EXPECT_EQ(KeySlot("foo{}{bar}"), KeySlot("foo{}{bar}"));  // an empty tag: the whole key
  EXPECT_NE(KeySlot("foo{}{bar}"), KeySlot("bar"));
  EXPECT_EQ(KeySlot("foo{{bar}}zap"), KeySlot("{bar"));
  EXPECT_EQ(KeySlot("foo{bar}{zap}"), KeySlot("bar"));
  EXPECT_EQ(KeySlot("{bull}:mail:wait"), KeySlot("{bull}:mail:paused"));
}

TEST(Redirect, MovedAndAskAreReadAndAnythingElseIsNot) {
  auto moved = ParseRedirect("MOVED 3999 127.0.0.1:6381");
  ASSERT_TRUE(moved);
  EXPECT_FALSE(moved->ask);
  EXPECT_EQ(moved->host, "127.0.0.1");
  EXPECT_EQ(moved->port, 6381);
  auto ask = ParseRedirect("ASK 3999 ::1:6382");
  ASSERT_TRUE(ask);
  EXPECT_TRUE(ask->ask);
  EXPECT_EQ(ask->host, "::1");
  EXPECT_FALSE(ParseRedirect("WRONGTYPE Operation against a key"));
  EXPECT_FALSE(ParseRedirect("MOVED 3999 host:99999"));
  EXPECT_FALSE(ParseRedirect("MOVED 3999 :6379"));
}

TEST(RedisAddress, HostPortAndBracketedV6) {
  auto v4 = ParseRedisAddress("10.0.0.1:6379");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->host, "10.0.0.1");
  auto v6 = ParseRedisAddress("[fd00::1]:7000");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "fd00::1");
  EXPECT_EQ(ToString(*v6), "[fd00::1]:7000");
  EXPECT_FALSE(ParseRedisAddress("redis"));
  EXPECT_FALSE(ParseRedisAddress("redis:0"));
  EXPECT_FALSE(ParseRedisAddress("redis:port"));
}

// The last host of a connection string, as "host:port".
std::string LastHost(const std::string& conninfo, size_t* count = nullptr) {
  PostgresOptions o;
  o.conninfo = conninfo;
  auto hosts = PostgresHosts(o);
  if (!hosts) return hosts.error().message;
  if (count) *count = hosts->size();
  return hosts->back().host + ":" + std::to_string(hosts->back().port);
}

TEST(PostgresHosts, NetworkHostsOfFieldsAndConnectionStrings) {
  PostgresOptions fields;
  fields.host = "db.shop.svc";
  fields.port = 6432;
  auto one = PostgresHosts(fields);
  ASSERT_TRUE(one);
  EXPECT_EQ(one->at(0).host, "db.shop.svc");
  EXPECT_EQ(one->at(0).port, 6432);
  size_t count = 0;
  EXPECT_EQ(LastHost("host=a,b port=5433,5434 dbname=app user=r password=hunter2", &count),
            "b:5434");
  EXPECT_EQ(count, 2u);
  EXPECT_EQ(LastHost("postgresql://r:hunter2@db.example:5432/app?sslmode=require"),
            "db.example:5432");
}

// A connection string may say where and how to connect, not make libpq read the controller's
// files or connect elsewhere than the host the rules check; refusals never quote it.
TEST(PostgresHosts, KeywordsOutsideWhereAndHowAndUnixSocketsAreRefusedUnquoted) {
  struct Case {
    const char* conninfo;
    const char* says;
  } cases[] = {
      {"host=db passfile=/var/run/secrets/token password=hunter2", "may not set passfile"},
      {"host=db sslkey=/etc/ssl/private/key.pem password=hunter2", "may not set sslkey"},
      {"host=db hostaddr=169.254.169.254 password=hunter2", "may not set hostaddr"},
      {"service=prod password=hunter2", "may not set service"},
      {"host=/var/run/postgresql password=hunter2", "Unix socket"},
      {"dbname=app password=hunter2", "no host"},
      {"host='db password=hunter2", "does not parse"},
  };
  for (const Case& c : cases) {
    PostgresOptions o;
    o.conninfo = c.conninfo;
    auto hosts = PostgresHosts(o);
    ASSERT_FALSE(hosts) << c.conninfo;
    EXPECT_EQ(hosts.error().kind, Error::Kind::kConfig);
    EXPECT_NE(hosts.error().message.find(c.says), std::string::npos) << hosts.error().message;
    EXPECT_EQ(hosts.error().message.find("hunter2"), std::string::npos) << hosts.error().message;
    EXPECT_EQ(hosts.error().message.find("/etc"), std::string::npos) << hosts.error().message;
  }
}

}  // namespace
}  // namespace gearbox::metrics
