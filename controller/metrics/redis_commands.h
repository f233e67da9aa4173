// What a queue read needs of Redis, whichever way Redis is deployed: one server
// (RedisConnection, redis_queue.h), a Redis Cluster (the node that owns each key's slot,
// redis_cluster.h) or a master found through Redis Sentinel (redis_sentinel.h). A read holds
// mutex() and runs its commands between StartRead() and EndRead(): they share one deadline,
// however many servers they go to.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/mutex.h"
#include "base/result.h"
#include "metrics/redis_reply.h"

struct redisReply;

namespace gearbox::metrics {

// A hiredis reply, owned.
struct RedisReply {
  redisReply* r = nullptr;
  RedisReply() = default;
  RedisReply(const RedisReply&) = delete;
  RedisReply& operator=(const RedisReply&) = delete;
  ~RedisReply();
};

class RedisCommands {
 public:
  virtual ~RedisCommands() = default;

  // Runs a command (argv form); an error reply is an Error that shows only its code.
  virtual Result<std::unique_ptr<RedisReply>> Run(const std::vector<std::string>& argv) = 0;
  // The read that begins now (under mutex()) has the timeout for all of its commands together.
  virtual void StartRead() = 0;
  virtual void EndRead() = 0;  // commands run outside a read have the timeout each
  // "redis 10.0.0.1:6379/0", for messages: the servers the policy named, never an answer.
  virtual std::string Describe() const = 0;

  Mutex& mutex() RETURN_CAPABILITY(mu_) { return mu_; }

  // A command's answer read as the type it should be.
  Result<long long> Integer(const std::vector<std::string>& argv);
  Result<std::vector<std::optional<std::string>>> Strings(const std::vector<std::string>& argv);
  Result<StreamGroupCounts> StreamGroup(const std::string& key, const std::string& group);

 private:
  Mutex mu_;
};

// The Error an ERROR reply to `argv` stands for (its code, never its text), from `where`.
Error RedisErrorReply(const std::string& where, const std::vector<std::string>& argv,
                      const redisReply& reply);

}  // namespace gearbox::metrics
