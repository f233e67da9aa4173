// Queue depth from Redis over hiredis. Flavors:
//   bull, bullmq  waiting jobs = LLEN <prefix>:<name>:wait + LLEN :paused (+ ZCARD :prioritized,
//                 bullmq's priority jobs); delayed, active, completed and failed jobs do not count.
//                 oldestWaitSeconds = now - (timestamp + delay) of the oldest waiting job (both
//                 ends of the wait list are looked at, and the first prioritized job).
//   list          LLEN <name>
//   stream        for consumer group <group> of stream <name>: lag (entries not yet delivered to
//                 the group) + pending (delivered, not acknowledged); measure "length": XLEN
//                 <name>, the entries in the stream (KEDA's redis-streams streamLength)
// The connection (password, database index) is kept and re-made after an error; every command
// is bounded by the timeout, and a whole read too (socket_deadline.h).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "metrics/redis_commands.h"
#include "metrics/redis_reply.h"
#include "metrics/redis_tls.h"
#include "metrics/source.h"

struct redisContext;
struct redisReply;

namespace gearbox::metrics {

struct RedisOptions {
  std::string host = "127.0.0.1";
  int port = 6379;
  int db = 0;
  std::string password;
  std::chrono::milliseconds timeout{2000};
  std::string username;  // the ACL user; "": AUTH with the password alone
  bool tls = false;      // rediss://: over TLS (redis_tls.h), with these (PEM; empty: none)
  std::string ca_pem, cert_pem, key_pem, server_name;
  // What messages call this server; "": "redis host:port/db". A node a cluster or a sentinel named
  // has a label of its own, since its address is their answer.
  std::string label;
};

// redis://[:password@]host[:port][/db] (rediss:// over TLS), or an Error (kConfig) saying why it
// is not one.
Result<RedisOptions> ParseRedisUrl(const std::string& url);

// One connection, shared by the queues of one server (calls are serialized).
class RedisConnection final : public RedisCommands {
 public:
  explicit RedisConnection(RedisOptions options) : options_(std::move(options)) {}
  ~RedisConnection() override;
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  Result<std::unique_ptr<RedisReply>> Run(const std::vector<std::string>& argv) override;
  // Like Run, but an error reply is returned as the reply (a cluster reads MOVED and ASK in it).
  Result<std::unique_ptr<RedisReply>> RunRaw(const std::vector<std::string>& argv);

  // The read that begins now has the timeout for all of its commands together, not for each
  // socket read: the connection is shut down when it passes.
  void StartRead() override;
  // A read whose deadline is another's (a cluster's or a sentinel's read, over several servers);
  // connecting counts against it too.
  void StartReadUntil(std::chrono::steady_clock::time_point deadline);
  void EndRead() override;
  std::string Describe() const override;
  const RedisOptions& options() const { return options_; }

 private:
  Status Connect();
  Status Open();
  Status Simple(const std::vector<std::string>& argv, const char* what);
  // Sends `argv` and reads its reply before the read's deadline; null when that failed, with
  // `timed_out` saying whether the deadline cut it.
  redisReply* Command(const std::vector<std::string>& argv, bool* timed_out);
  // The same over the plain connection, its reply cut at kMaxRedisReplyBytes.
  redisReply* PlainCommand(const std::vector<std::string>& argv);
  Error CommandError(const std::string& what, bool timed_out) const;
  std::chrono::milliseconds ConnectBudget() const;
  void Drop();

  RedisOptions options_;
  redisContext* ctx_ = nullptr;          // redis://
  std::unique_ptr<RedisTlsStream> tls_;  // rediss://
  // Why the last command failed when its socket did not say (a TLS error, a reply over the cap).
  std::optional<Error> command_error_;
  std::optional<std::chrono::steady_clock::time_point> read_deadline_;  // of the read running
};

struct QueueSpec {
  std::string flavor;  // bull | bullmq | list | stream
  std::string name;
  std::string measure = "backlog";  // backlog | oldestWaitSeconds | length (stream)
  std::string prefix = "bull";
  std::string group;
};

class RedisQueueMetric : public MetricSource {
 public:
  RedisQueueMetric(std::shared_ptr<RedisCommands> connection, QueueSpec spec)
      : conn_(std::move(connection)), spec_(std::move(spec)) {}
  Result<Reading> Read() override;
  std::string Describe() const override;

 private:
  Result<Reading> Backlog();
  Result<Reading> StreamBacklog();
  Result<Reading> OldestWait();
  Result<std::vector<std::string>> EndIds(const std::string& base);

  std::shared_ptr<RedisCommands> conn_;
  QueueSpec spec_;
};

}  // namespace gearbox::metrics
