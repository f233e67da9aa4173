// Exec credential plugins with a fake plugin: a shell script, written to a temporary directory,
// that counts its runs and prints the ExecCredential the test prepared for that run
// (out-<run>.json, else out.json). The API server is a loopback one: the probe server for tokens,
// a small TLS server below for client certificates.
#include "kube/exec_credential.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "kube/client.h"
#include "kube/config.h"
#include "server/http_server.h"
#include "server/self_signed.h"

namespace gearbox::kube {
namespace {

namespace fs = std::filesystem;
namespace asio = boost::asio;
namespace beast = boost::beast;

constexpr const char* kV1 = "client.authentication.k8s.io/v1";
constexpr const char* kV1beta1 = "client.authentication.k8s.io/v1beta1";

std::string ReadText(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Json Credential(const std::string& api_version, const Json& status) {
  Json c = Json::object();
  c["apiVersion"] = Json::string(api_version);
  c["kind"] = Json::string("ExecCredential");
  c["status"] = status;
  return c;
}

Json TokenStatus(const std::string& token, const std::string& expiry = "") {
  Json s = Json::object();
  s["token"] = Json::string(token);
  if (!expiry.empty()) s["expirationTimestamp"] = Json::string(expiry);
  return s;
}

class ExecCredentialTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("gearbox-exec-test-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    // The plugin saves its arguments, a variable of ours, one of the kubeconfig's and
    // KUBERNETES_EXEC_INFO, so tests can check what it was given.
    WritePlugin(
        R"(printf '%s|%s|%s' "$*" "$GEARBOX_TEST_INHERITED" "$GEARBOX_TEST_REGION" > "$DIR/seen"
printf '%s' "$KUBERNETES_EXEC_INFO" > "$DIR/exec_info"
cat "$DIR/out-$n.json" 2>/dev/null || cat "$DIR/out.json")");
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A plugin whose body runs after it counted this run as $n.
  void WritePlugin(const std::string& body) {
    std::ofstream(plugin()) << "#!/bin/sh\nDIR='" << dir_.string() << "'\n"
                            << "n=$(( $(cat \"$DIR/calls\" 2>/dev/null || echo 0) + 1 ))\n"
                            << "echo $n > \"$DIR/calls\"\n"
                            << body << "\n";
    fs::permissions(plugin(), fs::perms::owner_all);
  }
  // What the plugin prints on its `run`-th run (0: on every run without a file of its own).
  void PrintOnRun(int run, const Json& credential) {
    std::string name = run == 0 ? "out.json" : "out-" + std::to_string(run) + ".json";
    std::ofstream(dir_ / name) << credential.serialize();
  }
  int Runs() const {
    std::string text = ReadText(dir_ / "calls");
    return text.empty() ? 0 : std::stoi(text);
  }
  fs::path plugin() const { return dir_ / "plugin.sh"; }
  ExecConfig Exec(const std::string& api_version = kV1) const {
    ExecConfig e;
    e.api_version = api_version;
    e.command = plugin().string();
    return e;
  }
  // A Config for a plain-HTTP loopback server, authenticated by the plugin.
  Config ConfigFor(uint16_t port) const {
    Config c;
    c.server = "http://127.0.0.1:" + std::to_string(port);
    c.exec = Exec();
    return c;
  }

  fs::path dir_;
};

// A loopback API server with one path, /version, that records the bearer tokens it was sent and
// answers 401 to those `refuse` names.
class TokenServer {
 public:
  explicit TokenServer(std::function<bool(const std::string&)> refuse) {
    server::ServerOptions options;
    options.authorize = [this, refuse](const std::string& token, const std::string&) {
      MutexLock lock(mu_);
      tokens_.push_back(token);
      return refuse(token) ? std::optional<server::HttpResponse>({401, "text/plain", "no\n"})
                           : std::nullopt;
    };
    auto started = server::HttpServer::Start(
        "127.0.0.1:0",
        {{"/version", [] { return server::HttpResponse(200, "application/json", "{}"); }}},
        std::move(options));
    EXPECT_TRUE(started) << started.error().ToString();
    if (started) server_ = std::move(*started);
  }
  uint16_t port() const { return server_ ? server_->port() : 0; }
  std::vector<std::string> tokens() {
    MutexLock lock(mu_);
    return tokens_;
  }

 private:
  Mutex mu_;
  std::vector<std::string> tokens_ GUARDED_BY(mu_);
  std::unique_ptr<server::HttpServer> server_;
};

TEST_F(ExecCredentialTest, TokenFromThePluginIsSentAsTheBearerToken) {
  PrintOnRun(0, Credential(kV1, TokenStatus("plugin-token")));
  TokenServer server([](const std::string&) { return false; });
  auto client = HttpClient::Create(ConfigFor(server.port()));
  ASSERT_TRUE(client) << client.error().ToString();
  ASSERT_TRUE((*client)->GetPath("/version"));
  ASSERT_TRUE((*client)->GetPath("/version"));
  EXPECT_EQ(server.tokens(), (std::vector<std::string>{"plugin-token", "plugin-token"}));
  EXPECT_EQ(Runs(), 1);  // no expiry: kept until refused
}

TEST_F(ExecCredentialTest, CachedUntilItsExpirationTimestampThenTheFreshOneIsUsed) {
  FakeClock clock;  // its wall clock reads 1970-02-11T16:00:00Z
  PrintOnRun(1, Credential(kV1, TokenStatus("first", "1970-02-11T16:10:00Z")));
  PrintOnRun(2, Credential(kV1, TokenStatus("second", "1970-02-11T17:00:00Z")));
  ExecCredentialSource source(Exec(), clock);
  ASSERT_EQ(source.Current()->token, "first");
  clock.Advance(std::chrono::minutes(9));
  EXPECT_EQ(source.Current()->token, "first");
  EXPECT_EQ(Runs(), 1);
  clock.Advance(std::chrono::minutes(1));  // at the expirationTimestamp
  EXPECT_EQ(source.Current()->token, "second");
  EXPECT_EQ(source.Current()->token, "second");
  EXPECT_EQ(Runs(), 2);
}

TEST_F(ExecCredentialTest, A401RunsThePluginOnceAndRepeatsTheRequestOnce) {
  PrintOnRun(1, Credential(kV1, TokenStatus("revoked")));
  PrintOnRun(2, Credential(kV1, TokenStatus("fresh")));
  TokenServer server([](const std::string& token) { return token == "revoked"; });
  auto client = HttpClient::Create(ConfigFor(server.port()));
  ASSERT_TRUE(client);
  auto answer = (*client)->GetPath("/version");
  ASSERT_TRUE(answer) << answer.error().ToString();
  EXPECT_EQ(server.tokens(), (std::vector<std::string>{"revoked", "fresh"}));
  EXPECT_EQ(Runs(), 2);
}

TEST_F(ExecCredentialTest, A401ToTheFreshCredentialTooIsReturnedAfterOneRefresh) {
  PrintOnRun(0, Credential(kV1, TokenStatus("never-good")));
  TokenServer server([](const std::string&) { return true; });
  auto client = HttpClient::Create(ConfigFor(server.port()));
  ASSERT_TRUE(client);
  auto answer = (*client)->GetPath("/version");
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().http_code, 401);
  EXPECT_EQ(answer.error().message.find("never-good"), std::string::npos);  // no token in errors
  EXPECT_EQ(server.tokens().size(), 2u);
  EXPECT_EQ(Runs(), 2);
}

// A loopback HTTPS server that asks for a client certificate and records, per request, the
// common name of the one presented; it answers 401 to a certificate named "first". One thread per
// connection, so kept-alive connections are served as a real server would.
class ClientCertServer {
 public:
  ClientCertServer() : ctx_(asio::ssl::context::tls_server), acceptor_(io_) {
    auto identity = server::SelfSignedIdentity("127.0.0.1");
    EXPECT_TRUE(identity);
    ctx_.use_certificate_chain(asio::buffer(identity->cert_pem));
    ctx_.use_private_key(asio::buffer(identity->key_pem), asio::ssl::context::pem);
    ctx_.set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert);
    ctx_.set_verify_callback([](bool, asio::ssl::verify_context&) { return true; });
    asio::ip::tcp::endpoint at(asio::ip::make_address("127.0.0.1"), 0);
    acceptor_.open(at.protocol());
    acceptor_.bind(at);
    acceptor_.listen();
    accepting_ = std::thread([this] { AcceptLoop(); });
  }
  ~ClientCertServer() {
    ::shutdown(acceptor_.native_handle(), SHUT_RDWR);  // wakes accept()
    accepting_.join();
    {
      MutexLock lock(mu_);
      for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
    }
    for (auto& t : serving_) t.join();
  }
  uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::vector<std::string> names() {
    MutexLock lock(mu_);
    return names_;
  }
  int connections() {
    MutexLock lock(mu_);
    return static_cast<int>(open_fds_.size());
  }

 private:
  void AcceptLoop() {
    for (;;) {
      auto socket = std::make_shared<asio::ip::tcp::socket>(io_);
      boost::system::error_code ec;
      acceptor_.accept(*socket, ec);
      if (ec) return;
      MutexLock lock(mu_);
      open_fds_.push_back(socket->native_handle());
      serving_.emplace_back([this, socket] { Serve(*socket); });
    }
  }
  void Serve(asio::ip::tcp::socket& socket) {
    asio::ssl::stream<asio::ip::tcp::socket&> tls(socket, ctx_);
    boost::system::error_code ec;
    tls.handshake(asio::ssl::stream_base::server, ec);
    if (ec) return;
    std::string name = PeerName(tls.native_handle());
    beast::flat_buffer buffer;
    for (;;) {
      beast::http::request<beast::http::string_body> req;
      beast::http::read(tls, buffer, req, ec);
      if (ec) return;
      {
        MutexLock lock(mu_);
        names_.push_back(name);
      }
      beast::http::response<beast::http::string_body> res(
          name == "first" ? beast::http::status::unauthorized : beast::http::status::ok, 11);
      res.body() = "{}";
      res.prepare_payload();
      beast::http::write(tls, res, ec);
      if (ec) return;
    }
  }
  static std::string PeerName(SSL* ssl) {
    X509* cert = SSL_get_peer_certificate(ssl);
    if (!cert) return "";
    char name[256] = {};
    X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, name, sizeof name);
    X509_free(cert);
    return name;
  }

  asio::io_context io_;
  asio::ssl::context ctx_;
  asio::ip::tcp::acceptor acceptor_;
  std::thread accepting_;
  Mutex mu_;
  std::vector<std::string> names_ GUARDED_BY(mu_);
  std::vector<int> open_fds_ GUARDED_BY(mu_);
  std::vector<std::thread> serving_;  // only the accepting thread adds, before the destructor
};

Json CertStatus(const server::TlsIdentity& identity) {
  Json s = Json::object();
  s["clientCertificateData"] = Json::string(identity.cert_pem);
  s["clientKeyData"] = Json::string(identity.key_pem);
  return s;
}

TEST_F(ExecCredentialTest, ClientCertificateFromThePluginIsPresentedAndARenewedOneReconnects) {
  auto first = server::SelfSignedIdentity("first"), second = server::SelfSignedIdentity("second");
  ASSERT_TRUE(first && second);
  PrintOnRun(1, Credential(kV1beta1, CertStatus(*first)));
  PrintOnRun(2, Credential(kV1beta1, CertStatus(*second)));
  ClientCertServer server;
  Config config;
  config.server = "https://127.0.0.1:" + std::to_string(server.port());
  config.insecure_skip_tls_verify = true;  // the server's certificate is not what is tested
  config.exec = Exec(kV1beta1);
  {
    auto client = HttpClient::Create(config);
    ASSERT_TRUE(client);
    auto answer = (*client)->GetPath("/version");  // 401 to "first", then "second" on a new one
    ASSERT_TRUE(answer) << answer.error().ToString();
    ASSERT_TRUE((*client)->GetPath("/version"));
  }
  // A request on the kept-alive connection of "first" would have been recorded as "first": none
  // was. (How many connections the pool opens for the two later requests is its business.)
  EXPECT_EQ(server.names(), (std::vector<std::string>{"first", "second", "second"}));
  EXPECT_GE(server.connections(), 2);
  EXPECT_EQ(Runs(), 2);
}

TEST_F(ExecCredentialTest, AFailingPluginGivesAnErrorNamingTheCommandAndItsStderr) {
  struct Case {
    std::string name;
    std::string body;  // the plugin's script after counting its run
    std::string want;  // in the error message
  };
  std::string long_line(500, 'x');
  for (
      const auto& c : std::vector<Case>{
          {"non-zero exit", "echo 'token expired: run aws sso login' >&2; echo more >&2; exit 3",
           "exited with status 3: token expired: run aws sso login"},
          {"long stderr", "echo " + long_line + " >&2; exit 1",
           "exited with status 1: " + std::string(200, 'x') + "..."},
          {"not JSON", "echo 'Please log in'", "printed no JSON ExecCredential"},
          {"wrong kind", R"(echo '{"apiVersion":"v1","kind":"Pod"}')",
           "printed something other than an ExecCredential"},
          {"wrong version",
           R"(echo '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"t"}}')",
           "printed an ExecCredential of apiVersion \"client.authentication.k8s.io/v1beta1\", "
           "but the kubeconfig asks for \"client.authentication.k8s.io/v1\""},
          {"empty status",
           R"(echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{}}')",
           "gave neither a token nor a client certificate"},
          {"bad expiry",
           R"(echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"t","expirationTimestamp":"soon"}}')",
           "expirationTimestamp \"soon\" is not RFC 3339"},
      }) {
    WritePlugin(c.body);
    auto r = ExecCredentialSource(Exec()).Current();
    ASSERT_FALSE(r) << c.name;
    EXPECT_EQ(r.error().kind, Error::Kind::kAuth) << c.name;
    EXPECT_EQ(r.error().message.rfind("exec plugin \"" + plugin().string() + "\": ", 0), 0u)
        << r.error().message;
    EXPECT_NE(r.error().message.find(c.want), std::string::npos) << r.error().message;
  }
}

TEST_F(ExecCredentialTest, AMissingCommandNamesItAndTheInstallHint) {
  ExecConfig e = Exec();
  e.command = "gearbox-no-such-auth-plugin";
  e.install_hint = "install it with: apt-get install gearbox-no-such-auth-plugin";
  auto r = ExecCredentialSource(e).Current();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "exec plugin \"gearbox-no-such-auth-plugin\": cannot run: No such file or directory "
            "(install it with: apt-get install gearbox-no-such-auth-plugin)");
}

TEST_F(ExecCredentialTest, AHangingPluginIsKilledAtItsTimeout) {
  WritePlugin("echo 'waiting for the browser' >&2; sleep 30");
  ExecConfig e = Exec();
  e.timeout = std::chrono::milliseconds(300);
  auto started = std::chrono::steady_clock::now();
  auto r = ExecCredentialSource(e).Current();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Error::Kind::kTimeout);
  EXPECT_EQ(r.error().message, "exec plugin \"" + plugin().string() +
                                   "\" gave no credential within 300 ms; its stderr: waiting "
                                   "for the browser");
}

TEST_F(ExecCredentialTest, V1AndV1beta1AreBothAccepted) {
  for (const char* version : {kV1, kV1beta1}) {
    fs::remove(dir_ / "calls");
    PrintOnRun(0, Credential(version, TokenStatus(std::string("from ") + version)));
    auto r = ExecCredentialSource(Exec(version)).Current();
    ASSERT_TRUE(r) << r.error().ToString();
    EXPECT_EQ(r->token, std::string("from ") + version);
    EXPECT_EQ(Json::parse(ReadText(dir_ / "exec_info")).at("apiVersion").as_string(), version);
  }
}

TEST_F(ExecCredentialTest, KubeconfigArgsAndEnvAreAddedToOursWithTheExecInfo) {
  PrintOnRun(0, Credential(kV1, TokenStatus("t")));
  std::ofstream(dir_ / "kubeconfig") << R"(
current-context: eks
clusters:
- name: eks
  cluster: {server: "https://127.0.0.1:6443", certificate-authority-data: Q0EgUEVN}
users:
- name: aws
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: ./plugin.sh
      args: [eks, get-token, --cluster-name, shop]
      env: [{name: GEARBOX_TEST_REGION, value: eu-west-1}]
      interactiveMode: Never
      provideClusterInfo: true
contexts:
- name: eks
  context: {cluster: eks, user: aws}
)";
  setenv("GEARBOX_TEST_INHERITED", "from-the-controller", 1);
  auto config = LoadKubeconfig((dir_ / "kubeconfig").string());
  ASSERT_TRUE(config) << config.error().ToString();
  ASSERT_TRUE(config->exec);
  EXPECT_EQ(fs::path(config->exec->command).lexically_normal(), plugin());  // beside the kubeconfig
  auto r = ExecCredentialSource(*config->exec).Current();
  unsetenv("GEARBOX_TEST_INHERITED");
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(ReadText(dir_ / "seen"),
            "eks get-token --cluster-name shop|from-the-controller|eu-west-1");
  Json info = Json::parse(ReadText(dir_ / "exec_info"));
  EXPECT_EQ(info.at("kind").as_string(), "ExecCredential");
  EXPECT_FALSE(info.at("spec").at("interactive").as_bool());
  EXPECT_EQ(info.at("spec").at("cluster").at("server").as_string(), "https://127.0.0.1:6443");
  EXPECT_EQ(info.at("spec").at("cluster").at("certificate-authority-data").as_string(), "Q0EgUEVN");
}

TEST_F(ExecCredentialTest, KubeconfigExecThatCannotWorkIsRefusedWhenRead) {
  struct Case {
    std::string exec;
    std::string want;
  };
  for (const auto& c : std::vector<Case>{
           {"{apiVersion: client.authentication.k8s.io/v1, command: kubelogin, "
            "interactiveMode: Always}",
            "kubeconfig user \"u\": exec plugin \"kubelogin\": interactiveMode is Always"},
           {"{apiVersion: client.authentication.k8s.io/v1alpha1, command: old}",
            "apiVersion \"client.authentication.k8s.io/v1alpha1\" is not"},
           {"{apiVersion: client.authentication.k8s.io/v1}", "exec has no command"},
       }) {
    std::string yaml =
        "current-context: x\nclusters: [{name: c, cluster: {server: https://127.0.0.1:1}}]\n"
        "contexts: [{name: x, context: {cluster: c, user: u}}]\n"
        "users: [{name: u, user: {exec: " +
        c.exec + "}}]\n";
    auto r = ParseKubeconfig(yaml, dir_.string());
    ASSERT_FALSE(r) << c.exec;
    EXPECT_NE(r.error().message.find(c.want), std::string::npos) << r.error().message;
  }
}

}  // namespace
}  // namespace gearbox::kube
