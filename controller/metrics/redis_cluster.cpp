// See redis_cluster.h.
#include "metrics/redis_cluster.h"

#include <hiredis/hiredis.h>

#include <algorithm>

namespace gearbox::metrics {

Result<RedisAddress> ParseRedisAddress(const std::string& text) {
  auto fail = [&](const char* why) -> Result<RedisAddress> {
    return Error::Of(Error::Kind::kConfig, "redis address \"" + text + "\": " + why);
  };
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return fail("needs host:port");
  std::string host = text.substr(0, colon);
  if (host.front() == '[') {
    if (host.back() != ']' || host.size() < 3) return fail("no closing ]");
    host = host.substr(1, host.size() - 2);
  }
  char* end = nullptr;
  long port = std::strtol(text.c_str() + colon + 1, &end, 10);
  if (*end || end == text.c_str() + colon + 1 || port <= 0 || port > 65535) return fail("bad port");
  return RedisAddress{host, static_cast<int>(port)};
}

std::string ToString(const RedisAddress& a) {
  const bool v6 = a.host.find(':') != std::string::npos;
  return (v6 ? "[" + a.host + "]" : a.host) + ":" + std::to_string(a.port);
}

namespace {

// The key a queue command names: XINFO GROUPS <key>, else <command> <key> ...
const std::string& KeyOf(const std::vector<std::string>& argv) {
  return argv[0] == "XINFO" && argv.size() > 2 ? argv[2] : argv[1];
}

}  // namespace

std::string RedisCluster::Describe() const {
  std::string out = "redis cluster ";
  for (size_t i = 0; i < options_.addresses.size(); ++i)
    out += (i ? "," : "") + ToString(options_.addresses[i]);
  return out;
}

void RedisCluster::StartRead() {
  deadline_ = std::chrono::steady_clock::now() + options_.node.timeout;
}

void RedisCluster::EndRead() {
  for (auto& [_, node] : nodes_) node->EndRead();
}

Result<RedisConnection*> RedisCluster::Node(const RedisAddress& address, bool named_by_answer) {
  // A cluster has at most a few hundred masters; a server naming ever new ones does not get a
  // connection kept for each.
  constexpr size_t kMaxNodes = 256;
  if (nodes_.size() >= kMaxNodes && !nodes_.count(ToString(address))) nodes_.clear();
  auto& node = nodes_[ToString(address)];
  if (!node) {
    if (named_by_answer && options_.allow) {
      Status allowed = options_.allow(address.host, address.port);
      if (!allowed.ok()) {
        nodes_.erase(ToString(address));
        return Error::Of(allowed.error().kind,
                         Describe() + ": a node the cluster named: " + allowed.error().message);
      }
    }
    RedisOptions o = options_.node;
    o.host = address.host;
    o.port = address.port;
    o.db = 0;  // a cluster has database 0 only
    if (named_by_answer) o.label = Describe() + " (a node it named)";
    node = std::make_unique<RedisConnection>(o);
  }
  node->StartReadUntil(deadline_);
  return node.get();
}

// The slot map, from the first address that answers CLUSTER SLOTS with one.
Status RedisCluster::LoadSlots() {
  std::optional<Error> last;
  for (const RedisAddress& seed : options_.addresses) {
    if (last && std::chrono::steady_clock::now() >= deadline_) break;  // the read's time is spent
    ASSIGN_OR_RETURN(RedisConnection * node, Node(seed, false));
    auto reply = node->Run({"CLUSTER", "SLOTS"});
    if (!reply) {
      last = reply.error();
      continue;
    }
    slots_ = ReplyClusterSlots(*(*reply)->r);
    for (SlotRange& range : slots_)
      if (range.host.empty()) range.host = seed.host;
    if (!slots_.empty()) return OkStatus();
  }
  if (last) return *last;
  return Error::Of(Error::Kind::kDecode, Describe() + ": CLUSTER SLOTS named no master");
}

Result<RedisConnection*> RedisCluster::Owner(int slot) {
  if (slots_.empty()) RETURN_IF_ERROR(LoadSlots());
  for (const SlotRange& range : slots_) {
    if (slot >= range.first && slot <= range.last) return Node({range.host, range.port}, true);
  }
  return Error::Of(Error::Kind::kApi,
                   Describe() + ": no master serves slot " + std::to_string(slot));
}

Result<std::unique_ptr<RedisReply>> RedisCluster::Follow(const Redirect& to, int slot,
                                                         const std::vector<std::string>& argv) {
  if (!to.ask) slots_.clear();  // the map is stale: read it again on the next read
  ASSIGN_OR_RETURN(RedisConnection * node, Node({to.host, to.port}, true));
  if (to.ask) RETURN_IF_ERROR(node->Run({"ASKING"}));
  ASSIGN_OR_RETURN(auto reply, node->RunRaw(argv));
  if (reply->r->type != REDIS_REPLY_ERROR) return reply;
  const std::string where = Describe() + " slot " + std::to_string(slot);
  if (ParseRedirect(std::string(reply->r->str, reply->r->len)))
    return Error::Of(Error::Kind::kApi, where + ": redirected twice (the cluster is resharding?)");
  return RedisErrorReply(where, argv, *reply->r);
}

Result<std::unique_ptr<RedisReply>> RedisCluster::Run(const std::vector<std::string>& argv) {
  const int slot = KeySlot(KeyOf(argv));
  ASSIGN_OR_RETURN(RedisConnection * node, Owner(slot));
  auto reply = node->RunRaw(argv);
  if (!reply) {
    slots_.clear();  // the node may be gone: read the map again next time
    return reply.error();
  }
  if ((*reply)->r->type != REDIS_REPLY_ERROR) return reply;
  const std::string message((*reply)->r->str, (*reply)->r->len);
  if (auto redirect = ParseRedirect(message)) return Follow(*redirect, slot, argv);
  return RedisErrorReply(Describe() + " slot " + std::to_string(slot), argv, *(*reply)->r);
}

}  // namespace gearbox::metrics
