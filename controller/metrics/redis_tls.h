// A Redis connection over TLS (rediss://). hiredis 0.14, Debian 12's, has no TLS: the bytes go over
// Boost.Asio's OpenSSL stream, and hiredis only formats the commands and parses the replies
// (redisFormatCommandArgv, redisReader). The server's certificate is verified against the given CA
// (else the system's) and its name; a client certificate is presented when given. Every exchange
// (connect and handshake, or one command and its reply) has one deadline and a byte cap, whatever
// the server does.
#pragma once

#include <hiredis/hiredis.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"

namespace gearbox::metrics {

struct RedisTlsOptions {
  std::string host;
  int port = 6379;
  std::string ca_pem;       // the CA that signed the server's certificate; empty: the system's
  std::string cert_pem;     // a client certificate (mutual TLS); empty: none
  std::string key_pem;      // its key
  std::string server_name;  // the name the certificate must carry; empty: host
  std::chrono::milliseconds timeout{2000};
};

// The most a reply may take: a queue metric's reply is a number or a few small strings.
inline constexpr size_t kMaxRedisReplyBytes = 1 << 20;

class RedisTlsStream {
 public:
  // Connected and handshaken, or an Error: kTransport (unreachable), kTls (the certificate or the
  // handshake refused), kTimeout.
  static Result<std::unique_ptr<RedisTlsStream>> Connect(const RedisTlsOptions& options);
  ~RedisTlsStream();

  // One command and its reply by `deadline`, owned by the caller (freeReplyObject). After an
  // Error the stream is in an unknown state: drop it.
  Result<redisReply*> Command(const std::vector<std::string>& argv,
                              std::chrono::steady_clock::time_point deadline);

  struct Impl;  // the stream and its context (redis_tls.cpp)

 private:
  explicit RedisTlsStream(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace gearbox::metrics
