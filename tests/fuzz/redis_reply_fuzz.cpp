// The Redis queue source's reading of replies (metrics/redis_reply.h) on whatever hiredis decodes
// from arbitrary bytes, as a server that is not Redis could send them: every reply is read as an
// integer, as strings, as XINFO GROUPS, as a job's HMGET, as CLUSTER SLOTS and (an error) as a
// MOVED/ASK redirection, without a crash; a job's ready time is a finite number, slot ranges and
// ports are within their bounds, and every string's key slot is one of the 16384.
#include <hiredis/hiredis.h>

#include <cctype>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "metrics/redis_reply.h"

namespace {

namespace m = gearbox::metrics;

// Redis Cluster's answers: what is read of them is within bounds, whatever they were.
void ReadAsCluster(const redisReply& reply) {
  for (const m::SlotRange& r : m::ReplyClusterSlots(reply)) {
    if (r.first < 0 || r.last > 16383 || r.first > r.last || r.port < 1 || r.port > 65535)
      std::abort();
  }
  if (reply.type == REDIS_REPLY_ERROR) {
    auto redirect = m::ParseRedirect(std::string(reply.str, reply.len));
    if (redirect && (redirect->host.empty() || redirect->port < 1 || redirect->port > 65535))
      std::abort();
  }
  for (const auto& text : m::ReplyStrings(reply)) {
    if (text && (m::KeySlot(*text) < 0 || m::KeySlot(*text) > 16383)) std::abort();
  }
}

void ReadEveryWay(const redisReply& reply) {
  if (reply.type == REDIS_REPLY_ERROR) (void)m::ReplyErrorKind(std::string(reply.str, reply.len));
  ReadAsCluster(reply);
  (void)m::ReplyInteger(reply, "LLEN");
  (void)m::ReplyStreamGroup(reply, "redis", "stream", "group");
  auto ready = m::JobReadyAtMs(m::ReplyStrings(reply));
  if (ready && ready->has_value() && !std::isfinite(**ready)) std::abort();
}

// Whether the input holds an array header (*N) promising more elements than it has bytes. hiredis
// allocates an array's N element pointers as soon as it reads the header, so such an input only
// makes it ask for up to 8 * N bytes (libFuzzer's out-of-memory) for a reply that cannot complete.
// A '*' inside a string payload may skip an input needlessly; that costs nothing.
bool PromisesTooMuch(std::string_view input) {
  for (size_t at = input.find('*'); at != std::string_view::npos; at = input.find('*', at + 1)) {
    size_t n = 0, i = at + 1;
    while (i < input.size() && std::isdigit(static_cast<unsigned char>(input[i])) &&
           n <= input.size())
      n = n * 10 + static_cast<size_t>(input[i++] - '0');
    if (n > input.size()) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  if (PromisesTooMuch(input)) return 0;
  std::unique_ptr<redisReader, void (*)(redisReader*)> reader(redisReaderCreate(), redisReaderFree);
  if (redisReaderFeed(reader.get(), input.data(), input.size()) != REDIS_OK) return 0;
  for (;;) {
    void* reply = nullptr;
    if (redisReaderGetReply(reader.get(), &reply) != REDIS_OK || reply == nullptr) return 0;
    ReadEveryWay(*static_cast<redisReply*>(reply));
    freeReplyObject(reply);
  }
}
