// See redis_reply.h.
#include "metrics/redis_reply.h"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace gearbox::metrics {

Error::Kind ReplyErrorKind(const std::string& message) {
  bool auth = message.find("WRONGPASS") != std::string::npos ||
              message.find("NOAUTH") != std::string::npos ||
              message.find("invalid password") != std::string::npos;
  return auth ? Error::Kind::kAuth : Error::Kind::kApi;
}

std::string ReplyErrorCode(const std::string& message) {
  const std::string code = message.substr(0, message.find(' '));
  const bool word =
      !code.empty() && code.size() <= 16 &&
      std::all_of(code.begin(), code.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
  return word ? "Redis error " + code : "a Redis error";
}

Result<long long> ReplyInteger(const redisReply& reply, const std::string& what) {
  if (reply.type != REDIS_REPLY_INTEGER)
    return Error::Of(Error::Kind::kDecode, what + " did not answer an integer");
  return static_cast<long long>(reply.integer);
}

namespace {

std::optional<std::string> Text(const redisReply& r) {
  if (r.type == REDIS_REPLY_STRING || r.type == REDIS_REPLY_STATUS)
    return std::string(r.str, r.len);
  if (r.type == REDIS_REPLY_INTEGER) return std::to_string(r.integer);
  return std::nullopt;
}

struct GroupFields {
  std::string name;
  std::optional<long long> lag, pending;
};

// The fields of one group of XINFO GROUPS: a flat array of name, value, name, value...
GroupFields ReadGroup(const redisReply& fields) {
  GroupFields g;
  for (size_t i = 0; i + 1 < fields.elements; i += 2) {
    std::optional<std::string> f = Text(*fields.element[i]);
    const redisReply& v = *fields.element[i + 1];
    if (!f) continue;
    if (*f == "name" && v.type == REDIS_REPLY_STRING) g.name.assign(v.str, v.len);
    if (*f == "lag" && v.type == REDIS_REPLY_INTEGER) g.lag = v.integer;
    if (*f == "pending" && v.type == REDIS_REPLY_INTEGER) g.pending = v.integer;
  }
  return g;
}

}  // namespace

std::vector<std::optional<std::string>> ReplyStrings(const redisReply& reply) {
  std::vector<std::optional<std::string>> out;
  if (reply.type != REDIS_REPLY_ARRAY) {
    out.push_back(Text(reply));
    return out;
  }
  for (size_t i = 0; i < reply.elements; ++i) out.push_back(Text(*reply.element[i]));
  return out;
}

Result<StreamGroupCounts> ReplyStreamGroup(const redisReply& reply, const std::string& where,
                                           const std::string& key, const std::string& group) {
  if (reply.type != REDIS_REPLY_ARRAY)
    return Error::Of(Error::Kind::kDecode, where + ": XINFO GROUPS: not an array");
  for (size_t i = 0; i < reply.elements; ++i) {
    if (reply.element[i]->type != REDIS_REPLY_ARRAY) continue;
    GroupFields g = ReadGroup(*reply.element[i]);
    if (g.name != group) continue;
    if (!g.pending) return Error::Of(Error::Kind::kDecode, where + ": no pending count");
    if (!g.lag) {
      return Error::Of(Error::Kind::kNoData, where + ": stream " + key + " group " + group +
                                                 ": the lag is unknown (entries were deleted, "
                                                 "or Redis < 7)");
    }
    return StreamGroupCounts{*g.lag, *g.pending};
  }
  return Error::Of(Error::Kind::kNoData,
                   where + ": stream " + key + " has no consumer group " + group);
}

namespace {

// A job field that must be a finite number, all of it.
Result<double> JobNumber(const char* field, const std::string& text) {
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0' || !std::isfinite(v)) {
    return Error::Of(Error::Kind::kDecode,
                     std::string("a waiting job's ") + field + " is not a number");
  }
  return v;
}

}  // namespace

Result<std::optional<double>> JobReadyAtMs(const std::vector<std::optional<std::string>>& hmget) {
  if (hmget.size() < 2 || !hmget[0]) return std::optional<double>();
  ASSIGN_OR_RETURN(double ts, JobNumber("timestamp", *hmget[0]));
  double delay = 0;
  if (hmget[1]) {
    ASSIGN_OR_RETURN(delay, JobNumber("delay", *hmget[1]));
  }
  if (!std::isfinite(ts + delay))
    return Error::Of(Error::Kind::kDecode, "a waiting job's timestamp + delay is not a number");
  return std::optional<double>(ts + delay);
}

}  // namespace gearbox::metrics
