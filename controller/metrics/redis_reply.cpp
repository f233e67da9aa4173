// See redis_reply.h.
#include "metrics/redis_reply.h"

#include <hiredis/hiredis.h>

#include <boost/crc.hpp>

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

namespace gearbox::metrics {

namespace {

// An integer element of a reply, when it is one within [low, high].
std::optional<long long> IntegerIn(const redisReply& r, long long low, long long high) {
  if (r.type != REDIS_REPLY_INTEGER || r.integer < low || r.integer > high) return std::nullopt;
  return r.integer;
}

// "host:port" (the host may be an IPv6 address: the port follows the last colon).
std::optional<std::pair<std::string, int>> HostPort(const std::string& text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 >= text.size() || colon + 6 < text.size())
    return std::nullopt;
  const std::string digits = text.substr(colon + 1);
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  const int port = std::stoi(digits);
  if (port < 1 || port > 65535) return std::nullopt;
  return std::pair{text.substr(0, colon), port};
}

}  // namespace

std::vector<SlotRange> ReplyClusterSlots(const redisReply& reply) {
  std::vector<SlotRange> out;
  if (reply.type != REDIS_REPLY_ARRAY) return out;
  for (size_t i = 0; i < reply.elements; ++i) {
    const redisReply& range = *reply.element[i];
    if (range.type != REDIS_REPLY_ARRAY || range.elements < 3) continue;
    auto first = IntegerIn(*range.element[0], 0, 16383);
    auto last = IntegerIn(*range.element[1], 0, 16383);
    const redisReply& master = *range.element[2];
    if (!first || !last || *last < *first || master.type != REDIS_REPLY_ARRAY ||
        master.elements < 2 || master.element[0]->type != REDIS_REPLY_STRING)
      continue;
    auto port = IntegerIn(*master.element[1], 1, 65535);
    if (!port) continue;
    std::string host(master.element[0]->str, master.element[0]->len);
    if (host == "?") continue;  // Redis 7: the node's endpoint is unknown
    out.push_back(
        {static_cast<int>(*first), static_cast<int>(*last), host, static_cast<int>(*port)});
  }
  return out;
}

std::optional<Redirect> ParseRedirect(const std::string& m) {
  Redirect r;
  r.ask = m.rfind("ASK ", 0) == 0;
  if (!r.ask && m.rfind("MOVED ", 0) != 0) return std::nullopt;
  auto space = m.rfind(' ');
  auto address = HostPort(m.substr(space + 1));
  if (!address || address->first.empty()) return std::nullopt;
  r.host = address->first;
  r.port = address->second;
  return r;
}

int KeySlot(const std::string& key) {
  std::string hashed = key;
  auto open = key.find('{');
  if (open != std::string::npos) {
    auto close = key.find('}', open + 1);
    if (close != std::string::npos && close > open + 1)
      hashed = key.substr(open + 1, close - open - 1);
  }
  boost::crc_optimal<16, 0x1021, 0, 0, false, false> crc;  // CRC-16/XMODEM, as Redis Cluster uses
  crc.process_bytes(hashed.data(), hashed.size());
  return crc.checksum() % 16384;
}

}  // namespace gearbox::metrics
