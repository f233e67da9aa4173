// See redis_sentinel.h.
#include "metrics/redis_sentinel.h"

namespace gearbox::metrics {

RedisSentinel::RedisSentinel(RedisSentinelOptions options) : options_(std::move(options)) {
  for (const RedisAddress& a : options_.sentinels) {
    RedisOptions o = options_.sentinel;
    o.host = a.host;
    o.port = a.port;
    o.db = 0;
    o.label = "redis sentinel " + ToString(a);
    sentinels_.push_back(std::make_unique<RedisConnection>(o));
  }
}

std::string RedisSentinel::Describe() const {
  std::string out = "redis sentinel master " + options_.master_name + " (";
  for (size_t i = 0; i < options_.sentinels.size(); ++i)
    out += (i ? "," : "") + ToString(options_.sentinels[i]);
  return out + ")";
}

void RedisSentinel::StartRead() {
  deadline_ = std::chrono::steady_clock::now() + options_.master.timeout;
  master_found_ = false;
}

void RedisSentinel::EndRead() {
  for (auto& s : sentinels_) s->EndRead();
  if (master_) master_->EndRead();
}

Result<RedisAddress> RedisSentinel::AskSentinel(RedisConnection& sentinel) {
  sentinel.StartReadUntil(deadline_);
  ASSIGN_OR_RETURN(auto answer,
                   sentinel.Strings({"SENTINEL", "get-master-addr-by-name", options_.master_name}));
  if (answer.size() != 2 || !answer[0] || !answer[1]) {
    return Error::Of(Error::Kind::kNoData,
                     sentinel.Describe() + ": knows no master named " + options_.master_name);
  }
  char* end = nullptr;
  long port = std::strtol(answer[1]->c_str(), &end, 10);
  if (answer[0]->empty() || *end || port <= 0 || port > 65535)
    return Error::Of(Error::Kind::kDecode, sentinel.Describe() + ": not a master address");
  return RedisAddress{*answer[0], static_cast<int>(port)};
}

// The first answer of the sentinels, in order; the last one's error when none answers.
Result<RedisAddress> RedisSentinel::AskSentinels() {
  std::optional<Error> last;
  for (auto& sentinel : sentinels_) {
    if (last && std::chrono::steady_clock::now() >= deadline_) break;  // the read's time is spent
    auto address = AskSentinel(*sentinel);
    if (address) return address;
    last = address.error();
  }
  if (last) return *last;
  return Error::Of(Error::Kind::kConfig, Describe() + ": no sentinel given");
}

Status RedisSentinel::CheckRole() {
  master_->StartReadUntil(deadline_);
  ASSIGN_OR_RETURN(auto role, master_->Strings({"ROLE"}));
  if (role.empty() || role[0] != "master") {
    master_.reset();  // ask again next time: a failover may be under way
    return Error::Of(Error::Kind::kApi,
                     Describe() + ": the server the sentinels named is not a master (ROLE)");
  }
  return OkStatus();
}

// The master's connection for this read: the sentinels' answer, allowed, connected, a master.
Status RedisSentinel::FindMaster() {
  ASSIGN_OR_RETURN(RedisAddress address, AskSentinels());
  if (!master_ || master_address_ != ToString(address)) {
    master_.reset();
    if (options_.allow) {
      Status allowed = options_.allow(address.host, address.port);
      if (!allowed.ok())
        return Error::Of(allowed.error().kind, Describe() + ": " + allowed.error().message);
    }
    RedisOptions o = options_.master;
    o.host = address.host;
    o.port = address.port;
    o.label = Describe();
    master_ = std::make_unique<RedisConnection>(o);
    master_address_ = ToString(address);
  }
  RETURN_IF_ERROR(CheckRole());
  master_found_ = true;
  return OkStatus();
}

Result<std::unique_ptr<RedisReply>> RedisSentinel::Run(const std::vector<std::string>& argv) {
  if (!master_found_ || !master_) RETURN_IF_ERROR(FindMaster());
  master_->StartReadUntil(deadline_);
  return master_->Run(argv);
}

}  // namespace gearbox::metrics
