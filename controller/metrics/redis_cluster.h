// Queues in a Redis Cluster: each command goes to the master that owns its key's slot (hash tags
// respected: bull's "{prefix}" keys all live on one node). The slot map comes from CLUSTER SLOTS,
// asked of the addresses given in order; a MOVED answer is followed once (and the map read again
// on the next read), an ASK answer once after ASKING. A node a cluster names must pass `allow`
// (the source access rules) before it is connected to, and is never shown: messages name the
// addresses the policy gave and the slot. Every command of one read shares one deadline.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "metrics/redis_queue.h"

namespace gearbox::metrics {

// Whether the controller may connect to a server an answer named (host, port).
using AllowAddress = std::function<Status(const std::string& host, int port)>;

struct RedisAddress {
  std::string host;
  int port = 6379;
};

// "host:port" (IPv6 in brackets: "[::1]:6379"); the port is required.
Result<RedisAddress> ParseRedisAddress(const std::string& text);
std::string ToString(const RedisAddress& a);

struct RedisClusterOptions {
  std::vector<RedisAddress> addresses;  // some nodes of the cluster (all of them, best)
  RedisOptions node;                    // credentials, TLS and timeout of every node
  AllowAddress allow;                   // empty: every node is allowed
};

class RedisCluster final : public RedisCommands {
 public:
  explicit RedisCluster(RedisClusterOptions options) : options_(std::move(options)) {}

  Result<std::unique_ptr<RedisReply>> Run(const std::vector<std::string>& argv) override;
  void StartRead() override;
  void EndRead() override;
  std::string Describe() const override;

 private:
  // The connection to a node, made (and checked against `allow`) when first needed, with the
  // read's deadline.
  Result<RedisConnection*> Node(const RedisAddress& address, bool named_by_answer);
  Result<RedisConnection*> Owner(int slot);
  Status LoadSlots();
  Result<std::unique_ptr<RedisReply>> Follow(const Redirect& to, int slot,
                                             const std::vector<std::string>& argv);

  RedisClusterOptions options_;
  std::vector<SlotRange> slots_;
  std::map<std::string, std::unique_ptr<RedisConnection>> nodes_;  // by "host:port"
  std::chrono::steady_clock::time_point deadline_;
};

}  // namespace gearbox::metrics
