// How the Redis queue source reads hiredis replies: each function takes a reply as hiredis decoded
// it from the server's bytes and never trusts its shape (a server that is not Redis, or an
// unexpected version, answers anything). redis_queue.cpp calls these on live replies; the fuzz
// target tests/fuzz/redis_reply_fuzz.cpp feeds them replies decoded from arbitrary bytes.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"

struct redisReply;

namespace gearbox::metrics {

struct StreamGroupCounts {
  long long lag = 0;      // entries not yet delivered to the group
  long long pending = 0;  // delivered, not acknowledged
};

// The kind of failure an ERROR reply's message says (kAuth for a refused or missing password).
Error::Kind ReplyErrorKind(const std::string& message);
// What an error reply may show of itself: its code ("WRONGTYPE", "NOAUTH"), never its text, which
// may quote the keys' contents (a Lua script's error, a module's).
std::string ReplyErrorCode(const std::string& message);

// An INTEGER reply's value, or an Error (kDecode) saying `what` did not answer an integer.
Result<long long> ReplyInteger(const redisReply& reply, const std::string& what);

// Each element of an ARRAY reply (or the reply itself) as text: strings, statuses and integers;
// none for anything else (nil, nested arrays, errors).
std::vector<std::optional<std::string>> ReplyStrings(const redisReply& reply);

// The counts of consumer group `group` in an XINFO GROUPS reply about stream `key`; `where`
// ("redis host:port/db") starts the messages.
Result<StreamGroupCounts> ReplyStreamGroup(const redisReply& reply, const std::string& where,
                                           const std::string& key, const std::string& group);

// When a bull/bullmq job became ready to run (its timestamp + delay, in ms since the epoch) from
// the answer to HMGET <job> timestamp delay: none when the job is gone (taken meanwhile), an Error
// (kDecode) when a field is not a finite number (strtod alone would read "nan" as NaN and "x" as
// 0, a job waiting since 1970).
Result<std::optional<double>> JobReadyAtMs(const std::vector<std::optional<std::string>>& hmget);

}  // namespace gearbox::metrics

namespace gearbox::metrics {

// Redis Cluster: the slots [first, last] one master serves, from a CLUSTER SLOTS reply.
struct SlotRange {
  int first = 0, last = 0;
  std::string host;  // "": the host the question went to (Redis answers so when it cannot tell)
  int port = 0;
};

// The masters' slot ranges in a CLUSTER SLOTS reply; entries not of its shape are left out.
std::vector<SlotRange> ReplyClusterSlots(const redisReply& reply);

// A redirection in a cluster: the error reply "MOVED <slot> <host>:<port>" (the slot lives there
// now) or "ASK <slot> <host>:<port>" (it is moving there: ask that node once, after ASKING).
struct Redirect {
  bool ask = false;
  std::string host;
  int port = 0;
};
std::optional<Redirect> ParseRedirect(const std::string& error_message);

// The cluster slot of a key: CRC16 (XMODEM) of the key mod 16384, or of its hash tag, the text
// between the first { and the next }, when that is not empty.
int KeySlot(const std::string& key);

}  // namespace gearbox::metrics
