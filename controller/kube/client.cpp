// See client.h.
#include "kube/client.h"

#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <algorithm>

#include <boost/asio/ssl.hpp>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "kube/exec_credential.h"

namespace gearbox::kube {

namespace http = web::http;

namespace {

constexpr int kMaxTooManyRequestsRetries = 3;
constexpr auto kMaxRetryAfter = std::chrono::seconds(10);

std::string Encode(const std::string& s) { return web::uri::encode_data_string(s); }

std::string Describe(const char* verb, const ResourceRef& r, const std::string& ns,
                     const std::string& name, const std::string& subresource) {
  std::string out = std::string(verb) + " " + r.Name();
  if (!name.empty()) out += "/" + name;
  if (!subresource.empty()) out += "/" + subresource;
  if (!ns.empty()) out += " in " + ns;
  return out;
}

Result<Json> ParseBody(const std::string& text, const std::string& what) {
  if (text.empty()) return Json::object();
  try {
    return Json::parse(text);
  } catch (const std::exception& e) {
    return Error::Of(Error::Kind::kDecode, what + ": the answer is not JSON: " + e.what());
  }
}

// One certificate store with the cluster's CA, shared by every connection: cpprestsdk makes an
// SSL context per connection and fills it with the system's CA bundle (set_default_verify_paths:
// some 140 certificates parsed, ~1 MB), which every open watch then holds. The cluster's CA is
// all the API server's certificate is checked against, so the bundle is replaced, not added to.
std::shared_ptr<X509_STORE> CaStore(const std::string& ca_pem) {
  std::shared_ptr<X509_STORE> store(X509_STORE_new(), X509_STORE_free);
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(ca_pem.data(), static_cast<int>(ca_pem.size())), BIO_free);
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    X509_STORE_add_cert(store.get(), cert);
    X509_free(cert);
  }
  ERR_clear_error();  // the end of the PEM text reads as an error
  return store;
}

void ConfigureTls(http::client::http_client_config& cfg, const Config& c, const std::string& cert,
                  const std::string& key) {
  cfg.set_validate_certificates(!c.insecure_skip_tls_verify);
  std::shared_ptr<X509_STORE> store = c.ca_pem.empty() ? nullptr : CaStore(c.ca_pem);
  cfg.set_ssl_context_callback([store, cert, key](boost::asio::ssl::context& ctx) {
    boost::system::error_code ec;
    if (store) SSL_CTX_set1_cert_store(ctx.native_handle(), store.get());
    if (!cert.empty()) {
      ctx.use_certificate_chain(boost::asio::buffer(cert), ec);
      ctx.use_private_key(boost::asio::buffer(key), boost::asio::ssl::context::pem, ec);
    }
    // A bad CA or key shows up as a failed handshake, which ErrorFromException reports.
  });
}

}  // namespace

struct HttpClient::Session {
  std::string bearer_token;
  std::shared_ptr<Connections> connections;
  std::optional<ExecCredential> from_plugin;  // forgotten if the server refuses it
};

struct HttpClient::Connections {
  std::string client_cert_pem;
  std::string client_key_pem;
  std::unique_ptr<http::client::http_client> api;
  std::unique_ptr<http::client::http_client> watch;  // a longer idle timeout
};

std::shared_ptr<HttpClient::Connections> HttpClient::MakeConnections(const Config& config,
                                                                     const std::string& cert_pem,
                                                                     const std::string& key_pem) {
  http::client::http_client_config cfg;
  cfg.set_timeout(config.timeout);
  cfg.set_max_redirects(0);  // credentials go to the API server named in the kubeconfig only
  ConfigureTls(cfg, config, cert_pem, key_pem);
  auto made = std::make_shared<HttpClient::Connections>();
  made->client_cert_pem = cert_pem;
  made->client_key_pem = key_pem;
  made->api = std::make_unique<http::client::http_client>(config.server, cfg);
  // A watch may stay silent until the server's timeoutSeconds (plus bookmarks every minute):
  // its idle timeout must be longer than any watch we open.
  http::client::http_client_config watch_cfg = cfg;
  watch_cfg.set_timeout(std::chrono::seconds(660));
  made->watch = std::make_unique<http::client::http_client>(config.server, watch_cfg);
  return made;
}

HttpClient::HttpClient(Config config) : config_(std::move(config)) {
  if (config_.exec) exec_ = std::make_shared<ExecCredentialSource>(*config_.exec);
  MutexLock lock(connections_mu_);
  connections_ = MakeConnections(config_, config_.client_cert_pem, config_.client_key_pem);
}

Result<std::shared_ptr<HttpClient>> HttpClient::Create(const Config& config) {
  if (config.server.rfind("https://", 0) != 0 && config.server.rfind("http://", 0) != 0) {
    return Error::Of(Error::Kind::kConfig,
                     "server \"" + config.server + "\" is not an http(s) URL");
  }
  try {
    return std::shared_ptr<HttpClient>(new HttpClient(config));
  } catch (const std::exception& e) {
    return Error::Of(Error::Kind::kConfig, std::string("cannot create client: ") + e.what());
  }
}

std::string HttpClient::BearerToken() {
  MutexLock lock(token_mu_);
  if (config_.token_file.empty()) return config_.bearer_token;
  // Projected ServiceAccount tokens rotate: re-read the file whenever it changes.
  struct stat st {};
  if (stat(config_.token_file.c_str(), &st) == 0 && st.st_mtime != token_mtime_) {
    std::ifstream in(config_.token_file);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string t = ss.str();
    while (!t.empty() && (t.back() == '\n' || t.back() == '\r' || t.back() == ' ')) t.pop_back();
    if (!t.empty()) {
      token_ = t;
      token_mtime_ = st.st_mtime;
    }
  }
  return token_.empty() ? config_.bearer_token : token_;
}

Result<HttpClient::Session> HttpClient::OpenSession() {
  if (!exec_) {
    std::string token = BearerToken();
    MutexLock lock(connections_mu_);
    return Session{token, connections_, std::nullopt};
  }
  ASSIGN_OR_RETURN(ExecCredential credential, exec_->Current());
  bool plugin_cert = !credential.client_cert_pem.empty();
  auto connections =
      ConnectionsFor(plugin_cert ? credential.client_cert_pem : config_.client_cert_pem,
                     plugin_cert ? credential.client_key_pem : config_.client_key_pem);
  std::string token = credential.token.empty() ? BearerToken() : credential.token;
  return Session{token, connections, std::move(credential)};
}

std::shared_ptr<HttpClient::Connections> HttpClient::ConnectionsFor(const std::string& cert_pem,
                                                                    const std::string& key_pem) {
  MutexLock lock(connections_mu_);
  if (connections_->client_cert_pem != cert_pem || connections_->client_key_pem != key_pem)
    connections_ = MakeConnections(config_, cert_pem, key_pem);
  return connections_;
}

http::http_request HttpClient::NewRequest(const http::method& method, const std::string& path,
                                          const std::string& bearer_token) const {
  http::http_request req(method);
  req.set_request_uri(path);
  req.headers().add("Accept", "application/json");
  req.headers().add("User-Agent", config_.user_agent);
  if (!bearer_token.empty()) req.headers().add("Authorization", "Bearer " + bearer_token);
  return req;
}

std::string Client::Path(const ResourceRef& r, const std::string& ns, const std::string& name,
                         const std::string& subresource) {
  std::string p = r.group.empty() ? "/api/" + r.version : "/apis/" + r.group + "/" + r.version;
  if (r.namespaced && !ns.empty()) p += "/namespaces/" + Encode(ns);
  p += "/" + r.resource;
  if (!name.empty()) p += "/" + Encode(name);
  if (!subresource.empty()) p += "/" + subresource;
  return p;
}

Error HttpClient::ErrorFromResponse(int code, const std::string& body,
                                    const std::string& retry_after, const std::string& what) {
  std::string reason = "HTTP" + std::to_string(code), message;
  std::chrono::seconds wait{0};
  try {
    Json status = Json::parse(body);
    if (status.is_object() && status.has_field("kind") && status.at("kind").is_string() &&
        status.at("kind").as_string() == "Status") {
      if (status.has_string_field("reason")) reason = status.at("reason").as_string();
      if (status.has_string_field("message")) message = status.at("message").as_string();
      if (status.has_object_field("details") &&
          status.at("details").has_integer_field("retryAfterSeconds")) {
        wait = std::chrono::seconds(status.at("details").at("retryAfterSeconds").as_integer());
      }
    }
  } catch (const std::exception&) {
    // Not a Status: keep the raw body, shortened, as the message.
  }
  if (message.empty()) message = body.substr(0, 300);
  if (!retry_after.empty()) {
    try {
      wait = std::chrono::seconds(std::stoi(retry_after));
    } catch (const std::exception&) {
    }
  }
  Error e =
      Error::Api(code, reason, what + ": " + std::to_string(code) + " " + reason + ": " + message);
  e.retry_after = wait;
  return e;
}

Error HttpClient::ErrorFromException(const std::exception& e, const std::string& what) {
  std::string text = e.what();
  std::error_code ec;
  if (const auto* he = dynamic_cast<const http::http_exception*>(&e)) {
    ec = he->error_code();
    if (ec && ec.message() != text) text += " (" + ec.message() + ")";
  }
  if (dynamic_cast<const pplx::task_canceled*>(&e) != nullptr ||
      ec == std::errc::operation_canceled) {
    return Error::Of(Error::Kind::kCancelled, what + ": cancelled");
  }
  if (ec == std::errc::timed_out || text.find("timed out") != std::string::npos ||
      text.find("Timeout") != std::string::npos) {
    return Error::Of(Error::Kind::kTimeout, what + ": no answer in time: " + text);
  }
  if (text.find("handshake") != std::string::npos || text.find("SSL") != std::string::npos ||
      text.find("certificate") != std::string::npos) {
    return Error::Of(Error::Kind::kTls,
                     what +
                         ": the TLS handshake failed: the server's certificate could not be "
                         "verified with the configured CA, or the client certificate was "
                         "refused (" +
                         text + ")");
  }
  return Error::Of(Error::Kind::kTransport, what + ": " + text);
}

HttpClient::Call HttpClient::CallOn(const char* verb, const ResourceRef& r,
                                    const std::string& subresource) {
  return {verb, subresource.empty() ? r.resource : r.resource + "/" + subresource};
}

HttpClient::Call HttpClient::PathCall(const std::string& path) {
  const std::string p = path.substr(0, path.find('?'));
  std::vector<std::string> segments;
  std::stringstream in(p);
  for (std::string s; std::getline(in, s, '/');)
    if (!s.empty()) segments.push_back(s);
  auto ns = std::find(segments.begin(), segments.end(), "namespaces");
  if (ns == segments.end() || segments.end() - ns < 3) return {"get", p};
  std::string resource = *(ns + 2);
  if (segments[0] == "apis" && segments.size() > 1) resource += "." + segments[1];
  return {"get", resource};
}

void HttpClient::Count(const Call& call, int code) {
  if (RequestMetrics* m = metrics_.load()) m->Requested(call.verb, call.resource, code);
}

Result<HttpClient::Answer> HttpClient::Send(http::client::http_client& http,
                                            const http::http_request& request,
                                            const std::string& what) {
  try {
    http::http_response res = http.request(request).get();
    Answer answer{res.status_code(), res.extract_utf8string(true).get(), ""};
    if (res.headers().has("Retry-After"))
      answer.retry_after = res.headers().find("Retry-After")->second;
    return answer;
  } catch (const std::exception& e) {
    return ErrorFromException(e, what);
  }
}

// A kept-alive connection the server closed (it restarted, or idled us out) fails the first
// request on it; one fresh try is safe for every verb but POST, whose first try may have been
// carried out.
bool HttpClient::RetryTransport(const Error& error, const http::method& method, Retries& retries) {
  if (error.kind != Error::Kind::kTransport || retries.transport || method == http::methods::POST)
    return false;
  retries.transport = true;
  return true;
}

// An exec plugin's credential refused (expired early, revoked): run the plugin again, as
// client-go does, and repeat the request once (client-go leaves that to the caller's next one).
// A 401 is decided before the request is carried out, so even a POST may be repeated.
bool HttpClient::RetryUnauthorized(int code, const Session& session, Retries& retries) {
  if (code != 401 || retries.credential || !exec_ || !session.from_plugin) return false;
  exec_->Forget(*session.from_plugin);
  retries.credential = true;
  return true;
}

bool HttpClient::RetryTooManyRequests(const Error& error, Retries& retries) {
  if (!error.IsTooManyRequests() || retries.too_many_requests >= kMaxTooManyRequestsRetries)
    return false;
  ++retries.too_many_requests;
  auto wait = std::min<std::chrono::seconds>(
      error.retry_after.count() > 0 ? error.retry_after : std::chrono::seconds(1), kMaxRetryAfter);
  std::this_thread::sleep_for(wait);
  return true;
}

Result<Json> HttpClient::Do(const http::method& method, const std::string& path_and_query,
                            const std::optional<Json>& body, const std::string& content_type,
                            const std::string& what, const Call& call) {
  Retries retries;
  for (;;) {
    ASSIGN_OR_RETURN(Session session, OpenSession());
    http::http_request req = NewRequest(method, path_and_query, session.bearer_token);
    if (body) req.set_body(body->serialize(), content_type);
    Result<Answer> answer = Send(*session.connections->api, req, what);
    Count(call, answer ? answer->code : 0);
    if (!answer) {
      if (RetryTransport(answer.error(), method, retries)) continue;
      return answer.error();
    }
    if (answer->code >= 200 && answer->code < 300) return ParseBody(answer->text, what);
    if (RetryUnauthorized(answer->code, session, retries)) continue;
    Error err = ErrorFromResponse(answer->code, answer->text, answer->retry_after, what);
    if (!RetryTooManyRequests(err, retries)) return err;
  }
}

Result<Json> HttpClient::Get(const ResourceRef& r, const std::string& ns, const std::string& name,
                             const std::string& subresource) {
  return Do(http::methods::GET, Path(r, ns, name, subresource), std::nullopt, "",
            Describe("get", r, ns, name, subresource), CallOn("get", r, subresource));
}

Result<Json> HttpClient::List(const ResourceRef& r, const std::string& ns, const ListOptions& o) {
  std::string q;
  auto add = [&q](const char* k, const std::string& v) {
    if (!v.empty()) q += std::string(q.empty() ? "?" : "&") + k + "=" + Encode(v);
  };
  add("labelSelector", o.label_selector);
  add("fieldSelector", o.field_selector);
  add("resourceVersion", o.resource_version);
  add("limit", o.limit > 0 ? std::to_string(o.limit) : "");
  add("continue", o.continue_token);
  return Do(http::methods::GET, Path(r, ns) + q, std::nullopt, "", Describe("list", r, ns, "", ""),
            CallOn("list", r));
}

Result<Json> HttpClient::Create(const ResourceRef& r, const std::string& ns, const Json& body) {
  return Do(http::methods::POST, Path(r, ns), body, "application/json",
            Describe("create", r, ns, "", ""), CallOn("create", r));
}

Result<Json> HttpClient::Update(const ResourceRef& r, const std::string& ns,
                                const std::string& name, const Json& body,
                                const std::string& subresource) {
  return Do(http::methods::PUT, Path(r, ns, name, subresource), body, "application/json",
            Describe("update", r, ns, name, subresource), CallOn("update", r, subresource));
}

Result<Json> HttpClient::Patch(const ResourceRef& r, const std::string& ns, const std::string& name,
                               PatchType type, const Json& body, const std::string& subresource,
                               const PatchOptions& o) {
  const char* content_type = "application/merge-patch+json";
  switch (type) {
    case PatchType::kMerge:
      break;
    case PatchType::kJson:
      content_type = "application/json-patch+json";
      break;
    case PatchType::kStrategicMerge:
      content_type = "application/strategic-merge-patch+json";
      break;
    case PatchType::kApply:
      content_type = "application/apply-patch+yaml";
      break;
  }
  std::string what = Describe("patch", r, ns, name, subresource);
  std::string q;
  if (!o.field_manager.empty()) q = "?fieldManager=" + Encode(o.field_manager);
  if (type == PatchType::kApply) {
    if (o.field_manager.empty()) {
      return Error::Of(Error::Kind::kConfig, what + ": server-side apply needs a field manager");
    }
    if (o.force) q += "&force=true";
  }
  return Do(http::methods::PATCH, Path(r, ns, name, subresource) + q, body, content_type, what,
            CallOn("patch", r, subresource));
}

Status HttpClient::Delete(const ResourceRef& r, const std::string& ns, const std::string& name) {
  RETURN_IF_ERROR(Do(http::methods::DEL, Path(r, ns, name), std::nullopt, "",
                     Describe("delete", r, ns, name, ""), CallOn("delete", r)));
  return Ok{};
}

Result<Json> HttpClient::GetPath(const std::string& path) {
  return Do(http::methods::GET, path, std::nullopt, "", "get " + path, PathCall(path));
}

namespace {

std::string WatchQuery(const WatchOptions& o) {
  std::string q = "?watch=1&timeoutSeconds=" + std::to_string(o.timeout_seconds);
  if (o.allow_bookmarks) q += "&allowWatchBookmarks=true";
  if (!o.resource_version.empty()) q += "&resourceVersion=" + Encode(o.resource_version);
  if (!o.label_selector.empty()) q += "&labelSelector=" + Encode(o.label_selector);
  if (!o.field_selector.empty()) q += "&fieldSelector=" + Encode(o.field_selector);
  return q;
}

}  // namespace

Result<WatchStream> HttpClient::Watch(const ResourceRef& r, const std::string& ns,
                                      const WatchOptions& o) {
  std::string what = Describe("watch", r, ns, "", "");
  Retries retries;
  for (;;) {
    ASSIGN_OR_RETURN(Session session, OpenSession());
    pplx::cancellation_token_source cancel;
    try {
      http::http_request req =
          NewRequest(http::methods::GET, Path(r, ns) + WatchQuery(o), session.bearer_token);
      http::http_response res = session.connections->watch->request(req, cancel.get_token()).get();
      Count(CallOn("watch", r), res.status_code());
      if (res.status_code() == 200) return WatchStream(res, cancel);
      if (RetryUnauthorized(res.status_code(), session, retries)) continue;
      std::string text = res.extract_utf8string(true).get();
      std::string retry_after;
      if (res.headers().has("Retry-After")) retry_after = res.headers().find("Retry-After")->second;
      return ErrorFromResponse(res.status_code(), text, retry_after, what);
    } catch (const std::exception& e) {
      Count(CallOn("watch", r), 0);
      return ErrorFromException(e, what);
    }
  }
}

struct WatchStream::State {
  http::http_response response;
  pplx::cancellation_token_source cancel;
  concurrency::streams::istream body;
};

WatchStream::WatchStream(const http::http_response& response,
                         pplx::cancellation_token_source cancel)
    : state_(new State{response, std::move(cancel), response.body()}) {}

WatchStream::~WatchStream() { Cancel(); }
WatchStream::WatchStream(WatchStream&&) noexcept = default;
WatchStream& WatchStream::operator=(WatchStream&&) noexcept = default;

void WatchStream::Cancel() {
  if (!state_) return;
  state_->cancel.cancel();
  try {
    if (state_->body.is_valid()) state_->body.close().wait();
  } catch (const std::exception&) {
  }
}

Result<std::optional<std::string>> WatchStream::NextLine() {
  try {
    concurrency::streams::container_buffer<std::string> line;
    size_t n = state_->body.read_line(line).get();
    if (n == 0 && state_->body.is_eof()) return std::optional<std::string>();
    return std::optional<std::string>(std::move(line.collection()));
  } catch (const std::exception& e) {
    if (state_->cancel.get_token().is_canceled()) {
      return Error::Of(Error::Kind::kCancelled, "watch cancelled");
    }
    return HttpClient::ErrorFromException(e, "watch");
  }
}

}  // namespace gearbox::kube
