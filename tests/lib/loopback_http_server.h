// An HTTP server on 127.0.0.1 (a port of its own) for tests and benchmarks of the metric sources'
// bounds: each connection runs a Behaviour on a thread of its own, from a well-behaved answer to
// the hostile ones a policy author could point Gearbox at (a trickle, an endless chunked body, no
// answer at all). It counts the connections whose client went away, so that a test can see an
// abandoned read closed.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace gearbox::testing {

class LoopbackHttpServer {
 public:
  // Serves one connection; returns when the client has gone (or the server stops).
  using Behaviour = std::function<void(boost::asio::ip::tcp::socket&)>;

  explicit LoopbackHttpServer(Behaviour behaviour);
  ~LoopbackHttpServer();
  LoopbackHttpServer(const LoopbackHttpServer&) = delete;
  LoopbackHttpServer& operator=(const LoopbackHttpServer&) = delete;

  std::string url() const;  // "http://127.0.0.1:PORT"
  int accepted() const { return accepted_; }
  // Connections whose behaviour ended before the server stopped: the client closed them.
  int ended() const { return ended_; }
  // Waits until ended() >= n or `limit` has passed; whether it got there.
  bool WaitForEnded(int n, std::chrono::milliseconds limit) const;

 private:
  void Accept();
  void JoinFinished();  // a long benchmark's server does not keep a thread per past connection

  Behaviour behaviour_;
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::atomic<int> accepted_{0}, ended_{0};
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::vector<int> open_fds_;  // shut down on stop, which wakes every behaviour
  struct Connection {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::vector<Connection> connections_;
  std::thread acceptor_thread_;
};

// Reads the request's headers (a GET has no body). False: the client went away.
bool ReadRequest(boost::asio::ip::tcp::socket& socket);

// An answer with a Content-Length, then the connection closed.
LoopbackHttpServer::Behaviour Answer(int status, std::string body);
// A chunked 200 whose body comes a byte every `every`, for `for_` (then the server gives up).
LoopbackHttpServer::Behaviour Trickle(std::chrono::milliseconds every,
                                      std::chrono::milliseconds for_);
// A chunked 200 whose body is `bytes` of zeros, as fast as the client takes them.
LoopbackHttpServer::Behaviour EndlessChunked(size_t bytes);
// Reads the request and answers nothing until the client goes.
LoopbackHttpServer::Behaviour NeverAnswer();

}  // namespace gearbox::testing
