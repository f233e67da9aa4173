// Queues in a Redis Cluster and on a master watched by Redis Sentinel, against real redis-server
// instances the test starts on 127.0.0.1: three cluster masters (18310-18312, made a cluster with
// redis-cli --cluster create), and a master (18320, a password), a second server (18321) and a
// sentinel (18322, a password of its own: redis-server --sentinel).
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <set>
#include <thread>

#include "metrics/redis_cluster.h"
#include "metrics/redis_sentinel.h"
#include "servers.h"

namespace gearbox::metrics::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kTopologyDir = "/tmp/gearbox-redis-topology-test";
constexpr int kClusterPorts[] = {18310, 18311, 18312};
constexpr int kMasterPort = 18320, kOtherPort = 18321, kSentinelPort = 18322;
constexpr int kSinglePort = 18330;
constexpr const char* kMasterPassword = "master-pass";
constexpr const char* kSentinelPassword = "sentinel-pass";

std::string Cli(int port, const std::string& args, const char* password = nullptr) {
  std::string auth = password ? std::string(" -a ") + password + " --no-auth-warning" : "";
  int rc = 0;
  std::string out = Sh("redis-cli -p " + std::to_string(port) + auth + " " + args, &rc);
  EXPECT_EQ(rc, 0) << out;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

bool WaitForCommand(const std::string& cmd, std::chrono::seconds limit) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    int rc = 0;
    Sh(cmd, &rc);
    if (rc == 0) return true;
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

void StartRedis(int port, const std::string& extra) {
  const std::string dir = kTopologyDir;
  const std::string p = std::to_string(port);
  int rc = 0;
  std::string out = Sh("redis-server --port " + p + " --bind 127.0.0.1 --save '' --appendonly no" +
                           " --dir " + dir + " --daemonize yes --pidfile " + dir + "/" + p +
                           ".pid --logfile " + dir + "/" + p + ".log " + extra,
                       &rc);
  ASSERT_EQ(rc, 0) << out;
}

// Every server of the test stopped (a killed run may have left them), and their files gone.
void StopAll() {
  Sh(std::string("for f in ") + kTopologyDir +
     "/*.pid; do [ -f $f ] || continue; p=$(cat $f); kill -9 $p 2>/dev/null; "
     "for i in $(seq 50); do s=$(cut -d' ' -f3 /proc/$p/stat 2>/dev/null); "
     "[ -n \"$s\" ] && [ \"$s\" != Z ] || break; sleep 0.1; done; done; rm -rf " +
     kTopologyDir + "; true");
}

RedisOptions Node(std::chrono::milliseconds timeout = 2s) {
  RedisOptions o;
  o.timeout = timeout;
  return o;
}

Result<Reading> ReadQueue(std::shared_ptr<RedisCommands> redis, QueueSpec spec) {
  return RedisQueueMetric(std::move(redis), std::move(spec)).Read();
}

// The value a queue reads as; a failed read fails the test, with its message.
double ValueOf(std::shared_ptr<RedisCommands> redis, QueueSpec spec) {
  auto r = ReadQueue(std::move(redis), std::move(spec));
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? r->value : -1;
}

class RedisClusterQueues : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    std::signal(SIGPIPE, SIG_IGN);  // as the controller's main does (hiredis writes with write())
    StopAll();
    Sh(std::string("mkdir -p ") + kTopologyDir);
    std::string nodes;
    for (int port : kClusterPorts) {
      StartRedis(port, "--cluster-enabled yes --cluster-config-file nodes-" + std::to_string(port) +
                           ".conf --cluster-node-timeout 2000");
      nodes += " 127.0.0.1:" + std::to_string(port);
    }
    for (int port : kClusterPorts)
      ASSERT_TRUE(
          WaitForCommand("redis-cli -p " + std::to_string(port) + " ping | grep -q PONG", 10s));
    int rc = 0;
    std::string out = Sh("redis-cli --cluster create" + nodes + " --cluster-yes", &rc);
    ASSERT_EQ(rc, 0) << out;
    for (int port : kClusterPorts) {
      ASSERT_TRUE(WaitForCommand(
          "redis-cli -p " + std::to_string(port) + " cluster info | grep -q cluster_state:ok",
          15s));
    }
  }
  static void TearDownTestSuite() { StopAll(); }

 protected:
  // A cluster known by its first node only: the others are found through CLUSTER SLOTS.
  static std::shared_ptr<RedisCluster> Cluster(AllowAddress allow = {}) {
    return std::make_shared<RedisCluster>(
        RedisClusterOptions{{{"127.0.0.1", kClusterPorts[0]}}, Node(), std::move(allow)});
  }
  // The port of the master that owns a key's slot now.
  static int OwnerPort(const std::string& key) {
    // The node that runs a keyed command without redirecting it.
    for (int port : kClusterPorts) {
      int rc = 0;
      std::string out = Sh("redis-cli -p " + std::to_string(port) + " type '" + key + "'", &rc);
      if (out.find("MOVED") == std::string::npos && out.find("ASK") == std::string::npos)
        return port;
    }
    return 0;
  }
};

TEST_F(RedisClusterQueues, ListsAreReadFromTheNodeOwningTheirSlot) {
  std::set<int> owners;
  for (int i = 0; i < 6; ++i) {
    const std::string key = "jobs-" + std::to_string(i);
    Sh("redis-cli -c -p " + std::to_string(kClusterPorts[0]) + " del " + key);
    for (int n = 0; n <= i; ++n)
      Sh("redis-cli -c -p " + std::to_string(kClusterPorts[0]) + " rpush " + key + " x");
    owners.insert(OwnerPort(key));
  }
  EXPECT_GE(owners.size(), 2u) << "the keys should live on several nodes";
  auto cluster = Cluster();
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(ValueOf(cluster, {"list", "jobs-" + std::to_string(i), "backlog", "bull", ""}), i + 1)
        << "jobs-" << i;
  }
}

TEST_F(RedisClusterQueues, BullKeysWithAHashTagAndStreamsAreRead) {
  const std::string c = "redis-cli -c -p " + std::to_string(kClusterPorts[1]) + " ";
  // bull in a cluster takes a prefix with a hash tag, so all of a queue's keys share a slot.
  Sh(c + "rpush '{bull}:mail:wait' 1 2 3");
  Sh(c + "rpush '{bull}:mail:paused' 4");
  Sh(c + "xadd events '*' n 1 && " + c + "xadd events '*' n 2 && " + c + "xadd events '*' n 3");
  Sh(c + "xgroup create events workers 0");
  Sh(c + "xreadgroup group workers w1 count 1 streams events '>'");
  auto cluster = Cluster();
  auto bull = ReadQueue(cluster, {"bull", "mail", "backlog", "{bull}", ""});
  ASSERT_TRUE(bull.ok()) << bull.error().message;
  EXPECT_EQ(bull->value, 4);
  EXPECT_EQ(ValueOf(cluster, {"stream", "events", "length", "bull", ""}), 3);
  EXPECT_EQ(ReadQueue(cluster, {"stream", "events", "length", "bull", ""})->detail, "XLEN events");
  auto lag = ReadQueue(cluster, {"stream", "events", "backlog", "bull", "workers"});
  ASSERT_TRUE(lag.ok()) << lag.error().message;
  EXPECT_EQ(lag->value, 3);  // 2 not delivered + 1 pending
}

// A slot moved to another node while the client's map still names the old one: during the move
// the old node answers ASK (followed once, after ASKING), after it MOVED (followed once, and the
// map read again).
TEST_F(RedisClusterQueues, AskAndMovedRedirectionsAreFollowed) {
  const std::string key = "moving-queue";
  const int slot = KeySlot(key);
  Sh("redis-cli -c -p " + std::to_string(kClusterPorts[0]) + " rpush " + key + " a b c d e");
  const int from = OwnerPort(key);
  const int to = from == kClusterPorts[0] ? kClusterPorts[1] : kClusterPorts[0];
  auto cluster = Cluster();
  auto before = ReadQueue(cluster, {"list", key, "backlog", "bull", ""});
  ASSERT_TRUE(before.ok()) << before.error().message;
  ASSERT_EQ(before->value, 5);

  const std::string from_id = Cli(from, "cluster myid"), to_id = Cli(to, "cluster myid");
  const std::string s = std::to_string(slot);
  ASSERT_EQ(Cli(to, "cluster setslot " + s + " importing " + from_id), "OK");
  ASSERT_EQ(Cli(from, "cluster setslot " + s + " migrating " + to_id), "OK");
  ASSERT_EQ(Cli(from, "migrate 127.0.0.1 " + std::to_string(to) + " " + key + " 0 5000"), "OK");
  EXPECT_EQ(ValueOf(cluster, {"list", key, "backlog", "bull", ""}), 5);

  for (int port : kClusterPorts) Cli(port, "cluster setslot " + s + " node " + to_id);
  EXPECT_EQ(ValueOf(cluster, {"list", key, "backlog", "bull", ""}), 5);
  Sh("redis-cli -c -p " + std::to_string(to) + " rpush " + key + " f");
  EXPECT_EQ(ValueOf(cluster, {"list", key, "backlog", "bull", ""}), 6);
}

TEST_F(RedisClusterQueues, ANodeTheRulesRefuseIsNotConnectedTo) {
  const std::string key = "refused-node-queue";
  Sh("redis-cli -c -p " + std::to_string(kClusterPorts[0]) + " rpush " + key + " a");
  const int owner = OwnerPort(key);
  int asked = 0;
  auto cluster = Cluster([&](const std::string&, int port) -> Status {
    ++asked;
    if (port == owner) return Error::Of(Error::Kind::kConfig, "refused by the test's rule");
    return OkStatus();
  });
  auto r = ReadQueue(cluster, {"list", key, "backlog", "bull", ""});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, Error::Kind::kConfig);
  EXPECT_NE(r.error().message.find("refused by the test's rule"), std::string::npos);
  EXPECT_GT(asked, 0);
}

TEST_F(RedisClusterQueues, OneDeadlineCoversTheWholeRead) {
  // A seed that accepts and never answers: the read ends at the timeout, not later.
  int rc = 0;
  Sh("python3 -c 'import socket,time; s=socket.socket(); "
     "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind((\"127.0.0.1\", 18319)); "
     "s.listen(8); time.sleep(30)' >/dev/null 2>&1 & echo $! > " +
         std::string(kTopologyDir) + "/silent.pid",
     &rc);
  ASSERT_TRUE(WaitForCommand("bash -c 'echo > /dev/tcp/127.0.0.1/18319'", 5s));
  auto cluster = std::make_shared<RedisCluster>(RedisClusterOptions{
      {{"127.0.0.1", 18319}, {"127.0.0.1", kClusterPorts[0]}}, Node(800ms), {}});
  auto start = std::chrono::steady_clock::now();
  auto r = ReadQueue(cluster, {"list", "jobs-1", "backlog", "bull", ""});
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, Error::Kind::kTimeout) << r.error().message;
  EXPECT_LT(took, 1500ms);
}

class RedisSentinelQueues : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    StopAll();
    const std::string dir = kTopologyDir;
    Sh("mkdir -p " + dir);
    for (int port : {kMasterPort, kOtherPort})
      StartRedis(port, std::string("--requirepass ") + kMasterPassword);
    std::ofstream(dir + "/sentinel.conf")
        << "port " << kSentinelPort << "\nbind 127.0.0.1\ndir " << dir << "\nrequirepass "
        << kSentinelPassword << "\nsentinel monitor mymaster 127.0.0.1 " << kMasterPort
        << " 1\nsentinel auth-pass mymaster " << kMasterPassword
        << "\nsentinel down-after-milliseconds mymaster 5000\n";
    int rc = 0;
    std::string out =
        Sh("redis-server " + dir + "/sentinel.conf --sentinel --daemonize yes " + "--pidfile " +
               dir + "/sentinel.pid --logfile " + dir + "/sentinel.log",
           &rc);
    ASSERT_EQ(rc, 0) << out;
    ASSERT_TRUE(WaitForCommand("redis-cli -p " + std::to_string(kSentinelPort) + " -a " +
                                   kSentinelPassword +
                                   " --no-auth-warning sentinel get-master-addr-by-name mymaster | "
                                   "grep -q " +
                                   std::to_string(kMasterPort),
                               10s))
        << Sh("tail -5 " + dir + "/sentinel.log");
  }
  static void TearDownTestSuite() { StopAll(); }

 protected:
  static std::shared_ptr<RedisSentinel> Sentinel(const char* master_password = kMasterPassword,
                                                 const char* sentinel_password = kSentinelPassword,
                                                 std::string name = "mymaster") {
    RedisSentinelOptions o;
    o.sentinels = {{"127.0.0.1", kSentinelPort}};
    o.master_name = std::move(name);
    o.sentinel = Node();
    o.sentinel.password = sentinel_password;
    o.master = Node();
    o.master.password = master_password;
    return std::make_shared<RedisSentinel>(o);
  }
};

TEST_F(RedisSentinelQueues, QueuesAreReadOnTheMasterTheSentinelsName) {
  Cli(kMasterPort, "rpush jobs a b c", kMasterPassword);
  Cli(kMasterPort, "xadd clicks '*' n 1", kMasterPassword);
  auto sentinel = Sentinel();
  EXPECT_EQ(ValueOf(sentinel, {"list", "jobs", "backlog", "bull", ""}), 3);
  EXPECT_EQ(ValueOf(sentinel, {"stream", "clicks", "length", "bull", ""}), 1);
}

// The sentinels are asked on every read: once they name another master, the next read is there.
TEST_F(RedisSentinelQueues, ANewMasterIsFollowedOnTheNextRead) {
  Cli(kMasterPort, "del moved", kMasterPassword);
  Cli(kMasterPort, "rpush moved a", kMasterPassword);
  Cli(kOtherPort, "rpush moved a b c d", kMasterPassword);
  auto sentinel = Sentinel();
  EXPECT_EQ(ValueOf(sentinel, {"list", "moved", "backlog", "bull", ""}), 1);
  const std::string s = std::string("-a ") + kSentinelPassword + " --no-auth-warning ";
  Sh("redis-cli -p " + std::to_string(kSentinelPort) + " " + s + "sentinel remove mymaster");
  Sh("redis-cli -p " + std::to_string(kSentinelPort) + " " + s +
     "sentinel monitor mymaster 127.0.0.1 " + std::to_string(kOtherPort) + " 1");
  Sh("redis-cli -p " + std::to_string(kSentinelPort) + " " + s + "sentinel set mymaster " +
     "auth-pass " + kMasterPassword);
  EXPECT_EQ(ValueOf(sentinel, {"list", "moved", "backlog", "bull", ""}), 4);
  // Put things back for the other cases.
  Sh("redis-cli -p " + std::to_string(kSentinelPort) + " " + s + "sentinel remove mymaster");
  Sh("redis-cli -p " + std::to_string(kSentinelPort) + " " + s +
     "sentinel monitor mymaster 127.0.0.1 " + std::to_string(kMasterPort) + " 1");
  Sh("redis-cli -p " + std::to_string(kSentinelPort) + " " + s + "sentinel set mymaster " +
     "auth-pass " + kMasterPassword);
}

TEST_F(RedisSentinelQueues, AServerThatIsNoLongerAMasterIsNotRead) {
  Cli(kMasterPort, "rpush jobs a", kMasterPassword);
  // The named master becomes a replica before the sentinel notices.
  Cli(kOtherPort, "config set masterauth " + std::string(kMasterPassword), kMasterPassword);
  Cli(kMasterPort, "config set masterauth " + std::string(kMasterPassword), kMasterPassword);
  Cli(kMasterPort, "replicaof 127.0.0.1 " + std::to_string(kOtherPort), kMasterPassword);
  auto r = ReadQueue(Sentinel(), {"list", "jobs", "backlog", "bull", ""});
  Cli(kMasterPort, "replicaof no one", kMasterPassword);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, Error::Kind::kApi);
  EXPECT_NE(r.error().message.find("is not a master (ROLE)"), std::string::npos)
      << r.error().message;
}

TEST_F(RedisSentinelQueues, WrongPasswordsAreAuthErrorsAndAnUnknownMasterIsNamed) {
  auto master = ReadQueue(Sentinel("wrong-master-pass"), {"list", "jobs", "backlog", "bull", ""});
  ASSERT_FALSE(master.ok());
  EXPECT_EQ(master.error().kind, Error::Kind::kAuth) << master.error().message;
  EXPECT_EQ(master.error().message.find("wrong-master-pass"), std::string::npos);
  EXPECT_EQ(master.error().message.find(std::to_string(kMasterPort)), std::string::npos)
      << "the master's address is the sentinels' answer: " << master.error().message;
  auto sentinel =
      ReadQueue(Sentinel(kMasterPassword, "wrong"), {"list", "jobs", "backlog", "bull", ""});
  ASSERT_FALSE(sentinel.ok());
  EXPECT_EQ(sentinel.error().kind, Error::Kind::kAuth) << sentinel.error().message;
  auto unknown = ReadQueue(Sentinel(kMasterPassword, kSentinelPassword, "nosuchmaster"),
                           {"list", "jobs", "backlog", "bull", ""});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().kind, Error::Kind::kNoData);
  EXPECT_NE(unknown.error().message.find("knows no master named nosuchmaster"), std::string::npos)
      << unknown.error().message;
}

// One server, as before Cluster and Sentinel came: the same connection code under them (AUTH,
// SELECT, one deadline), read directly.
TEST_F(RedisSentinelQueues, OneServerWithAPasswordAndADatabaseIsStillReadDirectly) {
  StartRedis(kSinglePort, std::string("--requirepass ") + kMasterPassword);
  ASSERT_TRUE(WaitForCommand("redis-cli -p " + std::to_string(kSinglePort) + " -a " +
                                 kMasterPassword + " --no-auth-warning ping | grep -q PONG",
                             10s));
  Cli(kSinglePort, "-n 3 rpush jobs a b", kMasterPassword);
  RedisOptions o = Node();
  o.port = kSinglePort;
  o.db = 3;
  o.password = kMasterPassword;
  EXPECT_EQ(ValueOf(std::make_shared<RedisConnection>(o), {"list", "jobs", "backlog", "bull", ""}),
            2);
  o.password = "wrong";
  auto refused =
      ReadQueue(std::make_shared<RedisConnection>(o), {"list", "jobs", "backlog", "bull", ""});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().kind, Error::Kind::kAuth);
}

}  // namespace
}  // namespace gearbox::metrics::testing
