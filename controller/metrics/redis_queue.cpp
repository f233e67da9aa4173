#include "metrics/redis_queue.h"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "metrics/redacted_url.h"
#include "metrics/socket_deadline.h"

namespace gearbox::metrics {

Result<RedisOptions> ParseRedisUrl(const std::string& url) {
  auto fail = [&](const std::string& why) -> Result<RedisOptions> {
    return Error::Of(Error::Kind::kConfig, "redis url \"" + RedactedUrl(url) + "\": " + why);
  };
  RedisOptions o;
  o.tls = url.rfind("rediss://", 0) == 0;
  const std::string scheme = o.tls ? "rediss://" : "redis://";
  if (url.rfind(scheme, 0) != 0) return fail("must start with redis:// or rediss://");
  std::string rest = url.substr(scheme.size());
  auto at = rest.rfind('@');
  if (at != std::string::npos) {
    std::string userinfo = rest.substr(0, at);
    auto colon = userinfo.find(':');
    o.password = colon == std::string::npos ? userinfo : userinfo.substr(colon + 1);
    rest = rest.substr(at + 1);
  }
  auto slash = rest.find('/');
  std::string hostport = rest.substr(0, slash);
  if (slash != std::string::npos && slash + 1 < rest.size()) {
    std::string db = rest.substr(slash + 1);
    char* end = nullptr;
    long n = std::strtol(db.c_str(), &end, 10);
    if (*end || n < 0 || n > 1000) return fail("the database index \"" + db + "\" is not a number");
    o.db = static_cast<int>(n);
  }
  auto colon = hostport.rfind(':');
  if (colon != std::string::npos) {
    char* end = nullptr;
    long p = std::strtol(hostport.c_str() + colon + 1, &end, 10);
    if (*end || p <= 0 || p > 65535) return fail("bad port");
    o.port = static_cast<int>(p);
    hostport = hostport.substr(0, colon);
  }
  if (hostport.empty()) return fail("no host");
  o.host = hostport;
  return o;
}

RedisConnection::~RedisConnection() { Drop(); }

void RedisConnection::Drop() {
  if (ctx_) redisFree(ctx_);
  ctx_ = nullptr;
  tls_.reset();
}

std::string RedisConnection::Describe() const {
  if (!options_.label.empty()) return options_.label;
  return "redis " + options_.host + ":" + std::to_string(options_.port) + "/" +
         std::to_string(options_.db);
}

namespace {
timeval ToTimeval(std::chrono::milliseconds d) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(d.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>(d.count() % 1000 * 1000);
  return tv;
}

Error IoError(const std::string& what, redisContext* c, std::chrono::milliseconds timeout) {
  std::string m = c ? c->errstr : "out of memory";
  bool timed_out =
      c && c->err == REDIS_ERR_IO &&
      (errno == EAGAIN || errno == EWOULDBLOCK || m.find("timed out") != std::string::npos ||
       m.find("Resource temporarily") != std::string::npos);
  if (timed_out) {
    return Error::Of(Error::Kind::kTimeout,
                     what + ": no answer within " + std::to_string(timeout.count()) + " ms");
  }
  if (c && c->err == REDIS_ERR_PROTOCOL) {
    // hiredis' words quote the bytes it did not expect: they are the server's, not shown
    return Error::Of(Error::Kind::kDecode, what + ": the server does not speak Redis");
  }
  if (c && c->err == REDIS_ERR_EOF) {
    return Error::Of(Error::Kind::kTransport, what + ": the server closed the connection");
  }
  return Error::Of(Error::Kind::kTransport, what + ": " + m);
}
}  // namespace

void RedisConnection::StartRead() {
  read_deadline_ = std::chrono::steady_clock::now() + options_.timeout;
}

void RedisConnection::StartReadUntil(std::chrono::steady_clock::time_point deadline) {
  read_deadline_ = deadline;
}

// What connecting may take: the timeout, or what is left of the read's (at least 1 ms: a
// deadline already past still gets its answer, a timeout, from the connect).
std::chrono::milliseconds RedisConnection::ConnectBudget() const {
  if (!read_deadline_) return options_.timeout;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      *read_deadline_ - std::chrono::steady_clock::now());
  return std::clamp(left, std::chrono::milliseconds(1), options_.timeout);
}

void RedisConnection::EndRead() { read_deadline_.reset(); }

redisReply* RedisConnection::Command(const std::vector<std::string>& argv, bool* timed_out) {
  if (tls_) {
    auto reply = tls_->Command(
        argv, read_deadline_.value_or(std::chrono::steady_clock::now() + options_.timeout));
    *timed_out = !reply && reply.error().kind == Error::Kind::kTimeout;
    if (reply) return *reply;
    command_error_ = reply.error();
    return nullptr;
  }
  if (read_deadline_ && *read_deadline_ <= std::chrono::steady_clock::now()) {
    *timed_out = true;  // nothing sent: the read's time is spent (a cluster's earlier node)
    return nullptr;
  }
  SocketDeadline deadline(
      ctx_->fd, read_deadline_.value_or(std::chrono::steady_clock::now() + options_.timeout));
  redisReply* reply = PlainCommand(argv);
  *timed_out = deadline.fired();
  return reply;
}

// redisCommandArgv, with the reply's size watched: hiredis keeps reading a bulk string however
// long the server says it is, so the socket is read here, a buffer at a time.
redisReply* RedisConnection::PlainCommand(const std::vector<std::string>& argv) {
  std::vector<const char*> args;
  std::vector<size_t> lens;
  for (const auto& a : argv) {
    args.push_back(a.c_str());
    lens.push_back(a.size());
  }
  if (redisAppendCommandArgv(ctx_, static_cast<int>(args.size()), args.data(), lens.data()) !=
      REDIS_OK)
    return nullptr;
  for (int written = 0; !written;)
    if (redisBufferWrite(ctx_, &written) != REDIS_OK) return nullptr;
  void* reply = nullptr;
  while (redisGetReplyFromReader(ctx_, &reply) == REDIS_OK && !reply) {
    if (redisBufferRead(ctx_) != REDIS_OK) return nullptr;
    if (ctx_->reader->len > kMaxRedisReplyBytes) {
      command_error_ = Error::Of(Error::Kind::kDecode,
                                 "a reply over " + std::to_string(kMaxRedisReplyBytes) + " bytes");
      return nullptr;
    }
  }
  return static_cast<redisReply*>(reply);
}

Error RedisConnection::CommandError(const std::string& what, bool timed_out) const {
  if (!timed_out && command_error_)
    return Error::Of(command_error_->kind, what + ": " + command_error_->message);
  if (!timed_out) return IoError(what, ctx_, options_.timeout);
  return Error::Of(Error::Kind::kTimeout, what + ": no complete answer within " +
                                              std::to_string(options_.timeout.count()) + " ms");
}

// A plain connection with hiredis, or a TLS one (redis_tls.h) for rediss://.
Status RedisConnection::Open() {
  const std::chrono::milliseconds budget = ConnectBudget();
  if (options_.tls) {
    auto stream =
        RedisTlsStream::Connect({options_.host, options_.port, options_.ca_pem, options_.cert_pem,
                                 options_.key_pem, options_.server_name, budget});
    if (!stream) return stream.error();
    tls_ = std::move(*stream);
    return OkStatus();
  }
  ctx_ = redisConnectWithTimeout(options_.host.c_str(), options_.port, ToTimeval(budget));
  if (!ctx_ || ctx_->err) {
    Error e = IoError(Describe() + ": cannot connect", ctx_, budget);
    Drop();
    return e;
  }
  redisSetTimeout(ctx_, ToTimeval(options_.timeout));
  return OkStatus();
}

// A command of the connection's own (AUTH, SELECT): Ok or its error.
Status RedisConnection::Simple(const std::vector<std::string>& argv, const char* what) {
  RedisReply reply;
  bool timed_out = false;
  reply.r = Command(argv, &timed_out);
  if (!reply.r) return CommandError(Describe() + ": " + what, timed_out);
  if (reply.r->type == REDIS_REPLY_ERROR) {
    std::string m(reply.r->str, reply.r->len);
    return Error::Of(ReplyErrorKind(m), Describe() + ": " + what + ": " + ReplyErrorCode(m));
  }
  return OkStatus();
}

Status RedisConnection::Connect() {
  if (ctx_ || tls_) return OkStatus();
  command_error_.reset();
  RETURN_IF_ERROR(Open());
  Status s = OkStatus();
  if (!options_.password.empty()) {
    std::vector<std::string> auth = {"AUTH", options_.password};
    if (!options_.username.empty()) auth.insert(auth.begin() + 1, options_.username);
    s = Simple(auth, "AUTH (are username and passwordSecretRef right?)");
  }
  if (s.ok() && options_.db != 0) s = Simple({"SELECT", std::to_string(options_.db)}, "SELECT");
  if (!s.ok()) Drop();
  return s;
}

Result<std::unique_ptr<RedisReply>> RedisConnection::RunRaw(const std::vector<std::string>& argv) {
  RETURN_IF_ERROR(Connect());
  auto reply = std::make_unique<RedisReply>();
  bool timed_out = false;
  reply->r = Command(argv, &timed_out);
  if (!reply->r) {
    Error e = CommandError(Describe() + ": " + argv[0], timed_out);
    Drop();  // the connection is in an unknown state: make a new one next time
    return e;
  }
  return reply;
}

Result<std::unique_ptr<RedisReply>> RedisConnection::Run(const std::vector<std::string>& argv) {
  ASSIGN_OR_RETURN(auto reply, RunRaw(argv));
  if (reply->r->type == REDIS_REPLY_ERROR) return RedisErrorReply(Describe(), argv, *reply->r);
  return reply;
}

std::string RedisQueueMetric::Describe() const {
  return conn_->Describe() + ": " + spec_.flavor + " " + spec_.name + " " + spec_.measure;
}

Result<Reading> RedisQueueMetric::Read() {
  MutexLock lock(conn_->mutex());
  conn_->StartRead();
  Result<Reading> reading = spec_.measure == "oldestWaitSeconds" ? OldestWait() : Backlog();
  conn_->EndRead();
  return reading;
}

Result<Reading> RedisQueueMetric::Backlog() {
  if (spec_.flavor == "list") {
    ASSIGN_OR_RETURN(long long n, conn_->Integer({"LLEN", spec_.name}));
    return Reading{static_cast<double>(n), "LLEN " + spec_.name};
  }
  if (spec_.flavor == "stream") return StreamBacklog();
  if (spec_.flavor != "bull" && spec_.flavor != "bullmq")
    return Error::Of(Error::Kind::kConfig, Describe() + ": unknown flavor " + spec_.flavor);
  const std::string base = spec_.prefix + ":" + spec_.name + ":";
  long long prioritized = 0;
  ASSIGN_OR_RETURN(long long wait, conn_->Integer({"LLEN", base + "wait"}));
  ASSIGN_OR_RETURN(long long paused, conn_->Integer({"LLEN", base + "paused"}));
  if (spec_.flavor == "bullmq") {
    ASSIGN_OR_RETURN(prioritized, conn_->Integer({"ZCARD", base + "prioritized"}));
  }
  std::string detail = "wait " + std::to_string(wait) + ", paused " + std::to_string(paused);
  if (spec_.flavor == "bullmq") detail += ", prioritized " + std::to_string(prioritized);
  return Reading{static_cast<double>(wait + paused + prioritized), detail};
}

// A consumer group's lag + pending, or with measure length the entries in the stream.
Result<Reading> RedisQueueMetric::StreamBacklog() {
  if (spec_.measure == "length") {
    ASSIGN_OR_RETURN(long long n, conn_->Integer({"XLEN", spec_.name}));
    return Reading{static_cast<double>(n), "XLEN " + spec_.name};
  }
  if (spec_.group.empty())
    return Error::Of(Error::Kind::kConfig, Describe() + ": a stream needs a group");
  ASSIGN_OR_RETURN(auto counts, conn_->StreamGroup(spec_.name, spec_.group));
  return Reading{
      static_cast<double>(counts.lag + counts.pending),
      "lag " + std::to_string(counts.lag) + " + pending " + std::to_string(counts.pending)};
}

// The ids at both ends of the wait and paused lists, and bullmq's first prioritized job.
Result<std::vector<std::string>> RedisQueueMetric::EndIds(const std::string& base) {
  std::vector<std::string> ids;
  auto add = [&ids](const std::vector<std::optional<std::string>>& found) {
    for (const auto& e : found)
      if (e) ids.push_back(*e);
  };
  for (const char* list : {"wait", "paused"}) {
    ASSIGN_OR_RETURN(auto last, conn_->Strings({"LRANGE", base + list, "-1", "-1"}));
    add(last);
    ASSIGN_OR_RETURN(auto first, conn_->Strings({"LRANGE", base + list, "0", "0"}));
    add(first);
  }
  if (spec_.flavor == "bullmq") {
    ASSIGN_OR_RETURN(auto first, conn_->Strings({"ZRANGE", base + "prioritized", "0", "0"}));
    add(first);
  }
  return ids;
}

Result<Reading> RedisQueueMetric::OldestWait() {
  if (spec_.flavor != "bull" && spec_.flavor != "bullmq") {
    return Error::Of(Error::Kind::kConfig,
                     Describe() + ": oldestWaitSeconds needs a bull or bullmq queue");
  }
  const std::string base = spec_.prefix + ":" + spec_.name + ":";
  ASSIGN_OR_RETURN(auto ids, EndIds(base));
  double oldest_ms = -1;
  std::string oldest_id;
  for (const auto& id : ids) {
    ASSIGN_OR_RETURN(auto fields, conn_->Strings({"HMGET", base + id, "timestamp", "delay"}));
    auto ready = JobReadyAtMs(fields);
    if (!ready) {
      return Error::Of(Error::Kind::kDecode, Describe() + ": " + ready.error().message);
    }
    if (!ready->has_value()) continue;  // the job was taken meanwhile
    double at = **ready;
    if (oldest_ms < 0 || at < oldest_ms) {
      oldest_ms = at;
      oldest_id = id;
    }
  }
  if (oldest_ms < 0) return Reading{0, "no job waiting"};
  double now_ms = static_cast<double>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
  return Reading{std::max(0.0, (now_ms - oldest_ms) / 1000.0), "job " + oldest_id};
}

}  // namespace gearbox::metrics
