// Queues on a Redis master that Redis Sentinel watches: each read asks the sentinels, in order
// until one answers, SENTINEL get-master-addr-by-name <master>, connects to that address (kept
// while it stays the master's) and checks with ROLE that it is a master before reading, so a
// failover is followed by the next read. The address the sentinels give must pass `allow` (the
// source access rules) and is never shown. The sentinels and the master share the read's deadline.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "metrics/redis_cluster.h"

namespace gearbox::metrics {

struct RedisSentinelOptions {
  std::vector<RedisAddress> sentinels;
  std::string master_name;
  RedisOptions sentinel;  // credentials, TLS and timeout of the sentinels
  RedisOptions master;    // credentials, TLS and database of the master (host and port: asked)
  AllowAddress allow;     // empty: any master address is allowed
};

class RedisSentinel final : public RedisCommands {
 public:
  explicit RedisSentinel(RedisSentinelOptions options);

  Result<std::unique_ptr<RedisReply>> Run(const std::vector<std::string>& argv) override;
  void StartRead() override;
  void EndRead() override;
  std::string Describe() const override;

 private:
  Result<RedisAddress> AskSentinels();
  Result<RedisAddress> AskSentinel(RedisConnection& sentinel);
  Status FindMaster();
  Status CheckRole();

  RedisSentinelOptions options_;
  std::vector<std::unique_ptr<RedisConnection>> sentinels_;
  std::unique_ptr<RedisConnection> master_;
  std::string master_address_;  // "host:port" of master_
  bool master_found_ = false;   // in this read
  std::chrono::steady_clock::time_point deadline_;
};

}  // namespace gearbox::metrics
