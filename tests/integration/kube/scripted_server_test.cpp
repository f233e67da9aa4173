// The client against a scripted HTTP server on loopback: 429 answers are retried after the
// server's Retry-After, a server that never answers costs no more than the call's timeout, and
// garbage is a decode error. (The real API server will not answer 429 or hang on demand.)
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "kube/client.h"

namespace gearbox::kube::testing {
namespace {

using namespace std::chrono_literals;

// Answers the i-th request with answers[min(i, last)]; an empty answer means: never answer.
class ScriptedServer {
 public:
  explicit ScriptedServer(std::vector<std::string> answers) : answers_(std::move(answers)) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    listen(fd_, 16);
    socklen_t len = sizeof addr;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~ScriptedServer() {
    stopping_ = true;
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
    for (int c : held_) close(c);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int requests() const { return requests_; }

 private:
  void Serve() {
    while (!stopping_) {
      int c = accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      // Keep-alive: one connection may carry several requests.
      std::string buf;
      char chunk[4096];
      while (!stopping_) {
        auto end = buf.find("\r\n\r\n");
        if (end == std::string::npos) {
          ssize_t n = read(c, chunk, sizeof chunk);
          if (n <= 0) break;
          buf.append(chunk, static_cast<size_t>(n));
          continue;
        }
        buf.erase(0, end + 4);  // our requests here carry no body
        int i = requests_++;
        const std::string& a = answers_[std::min<size_t>(i, answers_.size() - 1)];
        if (a.empty()) {  // hang: hold the connection, answer nothing
          held_.push_back(c);
          c = -1;
          break;
        }
        if (write(c, a.data(), a.size()) < 0) break;
      }
      if (c >= 0) close(c);
    }
  }

  std::vector<std::string> answers_;
  int fd_ = -1, port_ = 0;
  std::atomic<int> requests_{0};
  std::atomic<bool> stopping_{false};
  std::vector<int> held_;
  std::thread thread_;
};

std::string Answer(int code, const std::string& reason, const std::string& body,
                   const std::string& extra_headers = "") {
  return "HTTP/1.1 " + std::to_string(code) + " " + reason +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n" + extra_headers + "\r\n" + body;
}

const std::string kTooMany = Answer(
    429, "Too Many Requests",
    R"({"kind":"Status","status":"Failure","reason":"TooManyRequests","message":"slow down","code":429})",
    "Retry-After: 1\r\n");

std::shared_ptr<Client> ClientOf(const ScriptedServer& s, std::chrono::milliseconds timeout) {
  Config c;
  c.server = s.url();
  c.timeout = timeout;
  auto client = HttpClient::Create(c);
  EXPECT_TRUE(client.ok());
  return client.ok() ? *client : nullptr;
}

TEST(ScriptedServer, TooManyRequestsIsRetriedAfterRetryAfter) {
  ScriptedServer server({kTooMany, kTooMany, Answer(200, "OK", R"({"ok":true})")});
  auto client = ClientOf(server, 5s);
  auto t0 = std::chrono::steady_clock::now();
  auto r = client->GetPath("/version");
  auto took = std::chrono::steady_clock::now() - t0;
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_TRUE(r->at("ok").as_bool());
  EXPECT_EQ(server.requests(), 3);
  EXPECT_GE(took, 2s) << "two waits of Retry-After: 1";
  EXPECT_LT(took, 4s);
}

TEST(ScriptedServer, TooManyRequestsForeverEndsAsAnError) {
  ScriptedServer server({kTooMany});
  auto client = ClientOf(server, 5s);
  auto r = client->GetPath("/version");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().IsTooManyRequests());
  EXPECT_EQ(r.error().retry_after, 1s);
  EXPECT_EQ(server.requests(), 4) << "the first try and three retries";
}

// What gearbox_api_requests_total counts: every attempt, by verb, resource and code.
class CountedRequests final : public RequestMetrics {
 public:
  void Requested(const std::string& verb, const std::string& resource, int code) override {
    std::lock_guard lock(mu);
    seen.push_back(verb + " " + resource + " " + std::to_string(code));
  }
  std::mutex mu;
  std::vector<std::string> seen;
};

TEST(ScriptedServer, EveryAttemptIsCountedByVerbResourceAndCode) {
  // A server per call: this one serves one connection at a time, and the client may open a new
  // connection for a new call.
  ScriptedServer scale({kTooMany, Answer(200, "OK", R"({"kind":"Scale"})")});
  ScriptedServer list({Answer(200, "OK", R"({"items":[]})")});
  ScriptedServer raw({Answer(200, "OK", "{}")});
  CountedRequests counted;
  auto counting = [&counted](const ScriptedServer& s) {
    auto client = ClientOf(s, 5s);
    if (client) std::static_pointer_cast<HttpClient>(client)->SetRequestMetrics(&counted);
    return client;
  };
  const ResourceRef deployments{"apps", "v1", "deployments", true};
  auto c1 = counting(scale), c2 = counting(list), c3 = counting(raw);
  ASSERT_TRUE(c1 && c2 && c3);
  ASSERT_TRUE(c1->Get(deployments, "shop", "web", "scale").ok());
  ASSERT_TRUE(c2->List(deployments, "shop").ok());
  ASSERT_TRUE(c3->GetPath("/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods?x=1").ok());
  EXPECT_EQ(counted.seen,
            (std::vector<std::string>{"get deployments/scale 429", "get deployments/scale 200",
                                      "list deployments 200", "get pods.metrics.k8s.io 200"}));
}

TEST(ScriptedServer, AServerThatNeverAnswersCostsTheTimeout) {
  ScriptedServer server({""});
  auto client = ClientOf(server, 1s);
  auto t0 = std::chrono::steady_clock::now();
  auto r = client->GetPath("/version");
  auto took = std::chrono::steady_clock::now() - t0;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, Error::Kind::kTimeout) << r.error().ToString();
  EXPECT_LT(took, 3s) << "one timeout, not more";
}

TEST(ScriptedServer, GarbageIsADecodeError) {
  ScriptedServer server({Answer(200, "OK", "<html>not json</html>")});
  auto client = ClientOf(server, 2s);
  auto r = client->GetPath("/version");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, Error::Kind::kDecode);
  EXPECT_NE(r.error().ToString().find("not JSON"), std::string::npos) << r.error().ToString();
}

}  // namespace
}  // namespace gearbox::kube::testing
