// Queue depth from Redis over hiredis. Flavors:
//   bull, bullmq  waiting jobs = LLEN <prefix>:<name>:wait + LLEN :paused (+ ZCARD :prioritized,
//                 bullmq's priority jobs); delayed, active, completed and failed jobs do not count.
//                 oldestWaitSeconds = now - (timestamp + delay) of the oldest waiting job (both
//                 ends of the wait list are looked at, and the first prioritized job).
//   list          LLEN <name>
//   stream        for consumer group <group> of stream <name>: lag (entries not yet delivered to
//                 the group) + pending (delivered, not acknowledged)
// The connection (password, database index) is kept and re-made after an error; every command
// is bounded by the timeout, and a whole read too (socket_deadline.h).
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

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
};

// redis://[:password@]host[:port][/db] (rediss:// over TLS), or an Error (kConfig) saying why it
// is not one.
Result<RedisOptions> ParseRedisUrl(const std::string& url);

// One connection, shared by the queues of one server (calls are serialized).
class RedisConnection {
 public:
  explicit RedisConnection(RedisOptions options) : options_(std::move(options)) {}
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  struct Reply;  // an owned hiredis reply
  // Runs a command (argv form) and reads its answer as the type it should be.
  Result<long long> Integer(const std::vector<std::string>& argv);
  Result<std::vector<std::optional<std::string>>> Strings(const std::vector<std::string>& argv);
  Result<StreamGroupCounts> StreamGroup(const std::string& key, const std::string& group);

  // The read that begins now (under mutex()) has the timeout for all of its commands together,
  // not for each socket read: the connection is shut down when it passes.
  void StartRead();
  void EndRead();  // commands run outside a read have the timeout each
  std::mutex& mutex() { return mu_; }
  std::string Describe() const;

 private:
  Status Connect();
  Status Open();
  Result<std::unique_ptr<Reply>> Run(const std::vector<std::string>& argv);
  // Sends `argv` and reads its reply before the read's deadline; null when that failed, with
  // `timed_out` saying whether the deadline cut it.
  redisReply* Command(const std::vector<std::string>& argv, bool* timed_out);
  // The same over the plain connection, its reply cut at kMaxRedisReplyBytes.
  redisReply* PlainCommand(const std::vector<std::string>& argv);
  Error CommandError(const std::string& what, bool timed_out) const;
  void Drop();

  RedisOptions options_;
  std::mutex mu_;
  redisContext* ctx_ = nullptr;          // redis://
  std::unique_ptr<RedisTlsStream> tls_;  // rediss://
  // Why the last command failed when its socket did not say (a TLS error, a reply over the cap).
  std::optional<Error> command_error_;
  std::optional<std::chrono::steady_clock::time_point> read_deadline_;  // of the read running
};

struct QueueSpec {
  std::string flavor;  // bull | bullmq | list | stream
  std::string name;
  std::string measure = "backlog";  // backlog | oldestWaitSeconds
  std::string prefix = "bull";
  std::string group;
};

class RedisQueueMetric : public MetricSource {
 public:
  RedisQueueMetric(std::shared_ptr<RedisConnection> connection, QueueSpec spec)
      : conn_(std::move(connection)), spec_(std::move(spec)) {}
  Result<Reading> Read() override;
  std::string Describe() const override;

 private:
  Result<Reading> Backlog();
  Result<Reading> OldestWait();
  Result<std::vector<std::string>> EndIds(const std::string& base);

  std::shared_ptr<RedisConnection> conn_;
  QueueSpec spec_;
};

}  // namespace gearbox::metrics
