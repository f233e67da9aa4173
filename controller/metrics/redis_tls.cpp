// See redis_tls.h.
#include "metrics/redis_tls.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <functional>
#include <optional>

namespace gearbox::metrics {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct RedisTlsStream::Impl {
  explicit Impl(const RedisTlsOptions& o) : options(o), ctx(asio::ssl::context::tls_client) {}
  ~Impl() { redisReaderFree(reader); }  // also when Connect fails

  // Runs what was started until `done` or `deadline`; on the deadline, cancels it.
  Status RunUntil(const bool& done, const std::string& what,
                  std::chrono::steady_clock::time_point deadline) {
    io.restart();
    io.run_until(deadline);
    if (done) return OkStatus();
    boost::system::error_code ignored;
    stream->lowest_layer().close(ignored);
    io.restart();
    io.run();  // lets the cancelled operation finish
    return Error::Of(Error::Kind::kTimeout, what + ": no answer within " +
                                                std::to_string(options.timeout.count()) + " ms");
  }

  RedisTlsOptions options;
  asio::io_context io;
  asio::ssl::context ctx;
  // Made once the context holds the client certificate: an SSL object copies it when made.
  std::optional<asio::ssl::stream<tcp::socket>> stream;
  redisReader* reader = redisReaderCreate();
};

namespace {

std::string Where(const RedisTlsOptions& o) {
  return "redis " + o.host + ":" + std::to_string(o.port);
}

// Trust (the given CA, else the system's), the client certificate, and the name to verify.
Status Configure(RedisTlsStream::Impl& s) {
  const RedisTlsOptions& o = s.options;
  boost::system::error_code ec;
  s.ctx.set_verify_mode(asio::ssl::verify_peer);
  if (o.ca_pem.empty()) {
    s.ctx.set_default_verify_paths(ec);
  } else {
    s.ctx.add_certificate_authority(asio::buffer(o.ca_pem), ec);
  }
  if (ec) return Error::Of(Error::Kind::kConfig, Where(o) + ": the CA does not parse");
  if (!o.cert_pem.empty()) {
    s.ctx.use_certificate_chain(asio::buffer(o.cert_pem), ec);
    if (!ec) s.ctx.use_private_key(asio::buffer(o.key_pem), asio::ssl::context::pem, ec);
    if (ec) return Error::Of(Error::Kind::kConfig, Where(o) + ": the client certificate or key");
  }
  const std::string name = o.server_name.empty() ? o.host : o.server_name;
  s.stream.emplace(s.io, s.ctx);
  s.stream->set_verify_callback(asio::ssl::host_name_verification(name));
  SSL_set_tlsext_host_name(s.stream->native_handle(), name.c_str());
  return OkStatus();
}

Status Dial(RedisTlsStream::Impl& s) {
  const RedisTlsOptions& o = s.options;
  tcp::resolver resolver(s.io);
  bool done = false;
  boost::system::error_code failed;
  resolver.async_resolve(
      o.host, std::to_string(o.port), [&](auto ec, tcp::resolver::results_type r) {
        if (ec) {
          failed = ec;
          done = true;
          return;
        }
        asio::async_connect(s.stream->lowest_layer(), r, [&](auto ec2, const tcp::endpoint&) {
          if (ec2) {
            failed = ec2;
            done = true;
            return;
          }
          s.stream->async_handshake(asio::ssl::stream_base::client, [&](auto ec3) {
            failed = ec3;
            done = true;
          });
        });
      });
  RETURN_IF_ERROR(s.RunUntil(done, Where(o) + ": cannot connect",
                             std::chrono::steady_clock::now() + o.timeout));
  if (!failed) return OkStatus();
  const bool tls = failed.category() == asio::error::get_ssl_category();
  return Error::Of(tls ? Error::Kind::kTls : Error::Kind::kTransport,
                   Where(o) + (tls ? ": the TLS handshake failed (is the CA right?)"
                                   : ": cannot connect: " + failed.message()));
}

std::string Formatted(const std::vector<std::string>& argv) {
  std::vector<const char*> args;
  std::vector<size_t> lens;
  for (const auto& a : argv) {
    args.push_back(a.c_str());
    lens.push_back(a.size());
  }
  char* out = nullptr;
  const int n =
      redisFormatCommandArgv(&out, static_cast<int>(args.size()), args.data(), lens.data());
  std::string command = n > 0 ? std::string(out, static_cast<size_t>(n)) : "";
  free(out);  // NOLINT: hiredis allocates it with malloc
  return command;
}

}  // namespace

RedisTlsStream::RedisTlsStream(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

RedisTlsStream::~RedisTlsStream() = default;

Result<std::unique_ptr<RedisTlsStream>> RedisTlsStream::Connect(const RedisTlsOptions& options) {
  auto impl = std::make_unique<Impl>(options);
  RETURN_IF_ERROR(Configure(*impl));
  RETURN_IF_ERROR(Dial(*impl));
  return std::unique_ptr<RedisTlsStream>(new RedisTlsStream(std::move(impl)));
}

Result<redisReply*> RedisTlsStream::Command(const std::vector<std::string>& argv,
                                            std::chrono::steady_clock::time_point deadline) {
  Impl& s = *impl_;
  const std::string what = Where(s.options) + ": " + argv.at(0);
  const std::string command = Formatted(argv);
  bool done = false;
  boost::system::error_code failed;
  void* reply = nullptr;
  size_t received = 0;
  char buffer[4096];
  std::function<void()> read_more = [&] {
    s.stream->async_read_some(asio::buffer(buffer), [&](auto ec, size_t n) {
      received += n;
      if (ec || received > kMaxRedisReplyBytes) {
        failed = ec;
        if (!ec) failed = asio::error::message_size;
        done = true;
        return;
      }
      redisReaderFeed(s.reader, buffer, n);
      if (redisReaderGetReply(s.reader, &reply) != REDIS_OK) failed = asio::error::invalid_argument;
      if (reply || failed) {
        done = true;
        return;
      }
      read_more();
    });
  };
  asio::async_write(*s.stream, asio::buffer(command), [&](auto ec, size_t) {
    if (ec) {
      failed = ec;
      done = true;
      return;
    }
    read_more();
  });
  RETURN_IF_ERROR(s.RunUntil(done, what, deadline));
  if (failed == asio::error::invalid_argument)
    return Error::Of(Error::Kind::kDecode, what + ": the server does not speak Redis");
  if (failed == asio::error::message_size)
    return Error::Of(Error::Kind::kDecode,
                     what + ": a reply over " + std::to_string(kMaxRedisReplyBytes) + " bytes");
  if (failed) return Error::Of(Error::Kind::kTransport, what + ": " + failed.message());
  return static_cast<redisReply*>(reply);
}

}  // namespace gearbox::metrics
