// See loopback_http_server.h.
#include "loopback_http_server.h"

#include <sys/socket.h>

#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

namespace gearbox::testing {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

LoopbackHttpServer::LoopbackHttpServer(Behaviour behaviour)
    : behaviour_(std::move(behaviour)),
      acceptor_(ioc_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
  acceptor_thread_ = std::thread([this] { Accept(); });
}

LoopbackHttpServer::~LoopbackHttpServer() {
  stopping_ = true;
  ::shutdown(acceptor_.native_handle(), SHUT_RDWR);  // wakes the blocking accept
  acceptor_thread_.join();
  {
    std::lock_guard lock(mu_);
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
  }
  for (auto& c : connections_) c.thread.join();
}

void LoopbackHttpServer::JoinFinished() {
  std::lock_guard lock(mu_);
  std::erase_if(connections_, [](Connection& c) {
    if (!*c.done) return false;
    c.thread.join();
    return true;
  });
}

std::string LoopbackHttpServer::url() const {
  return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port());
}

bool LoopbackHttpServer::WaitForEnded(int n, std::chrono::milliseconds limit) const {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (ended_ < n && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  return ended_ >= n;
}

void LoopbackHttpServer::Accept() {
  while (!stopping_) {
    auto socket = std::make_shared<tcp::socket>(ioc_);
    boost::system::error_code ec;
    acceptor_.accept(*socket, ec);
    if (ec || stopping_) return;
    ++accepted_;
    JoinFinished();
    auto done = std::make_shared<std::atomic<bool>>(false);
    std::lock_guard lock(mu_);
    open_fds_.push_back(socket->native_handle());
    std::thread thread([this, socket, done] {
      behaviour_(*socket);
      if (!stopping_) ++ended_;
      {
        std::lock_guard lock(mu_);
        std::erase(open_fds_, socket->native_handle());
        boost::system::error_code ignored;
        socket->close(ignored);
      }
      *done = true;
    });
    connections_.push_back({std::move(thread), done});
  }
}

bool ReadRequest(tcp::socket& socket) {
  asio::streambuf request;
  boost::system::error_code ec;
  asio::read_until(socket, request, "\r\n\r\n", ec);
  return !ec;
}

namespace {

bool Write(tcp::socket& socket, const std::string& bytes) {
  boost::system::error_code ec;
  asio::write(socket, asio::buffer(bytes), ec);
  return !ec;
}

const char kChunkedHead[] =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";

}  // namespace

LoopbackHttpServer::Behaviour Answer(int status, std::string body) {
  return [status, body](tcp::socket& socket) {
    if (!ReadRequest(socket)) return;
    Write(socket, "HTTP/1.1 " + std::to_string(status) +
                      " X\r\nContent-Type: application/json\r\nConnection: close\r\n"
                      "Content-Length: " +
                      std::to_string(body.size()) + "\r\n\r\n" + body);
    char byte;
    boost::system::error_code ec;
    socket.read_some(asio::buffer(&byte, 1), ec);  // until the client has read it and gone
  };
}

LoopbackHttpServer::Behaviour Trickle(std::chrono::milliseconds every,
                                      std::chrono::milliseconds for_) {
  return [every, for_](tcp::socket& socket) {
    if (!ReadRequest(socket) || !Write(socket, kChunkedHead)) return;
    const auto until = std::chrono::steady_clock::now() + for_;
    while (std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(every);
      if (!Write(socket, "1\r\n{\r\n")) return;
    }
    Write(socket, "0\r\n\r\n");
  };
}

LoopbackHttpServer::Behaviour EndlessChunked(size_t bytes) {
  return [bytes](tcp::socket& socket) {
    if (!ReadRequest(socket) || !Write(socket, kChunkedHead)) return;
    const std::string chunk = "10000\r\n" + std::string(0x10000, '0') + "\r\n";
    for (size_t sent = 0; sent < bytes; sent += 0x10000)
      if (!Write(socket, chunk)) return;
    Write(socket, "0\r\n\r\n");
  };
}

LoopbackHttpServer::Behaviour NeverAnswer() {
  return [](tcp::socket& socket) {
    if (!ReadRequest(socket)) return;
    char byte;
    boost::system::error_code ec;
    while (!ec) socket.read_some(asio::buffer(&byte, 1), ec);
  };
}

}  // namespace gearbox::testing
