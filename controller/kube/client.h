// A client for any group/version/resource of the API server and its subresources (/scale,
// /status): get, list, create, update, patch (merge, JSON, strategic merge, server-side apply with
// a field manager), delete, and watch streams. Every call has a timeout; a 429 is retried after the
// server's Retry-After (a few times); errors come back as values (kube/result.h) that name the
// verb and the resource, e.g. "patch deployments.apps/web/scale in shop: 403 Forbidden: ...".
#pragma once

#include <cpprest/http_client.h>
#include <cpprest/json.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "base/mutex.h"
#include "kube/config.h"
#include "kube/request_metrics.h"
#include "kube/result.h"

namespace gearbox::kube {

class ExecCredentialSource;

using Json = web::json::value;

// A resource of a group/version: {"apps","v1","deployments"}; core group is "".
struct ResourceRef {
  std::string group;
  std::string version;
  std::string resource;
  bool namespaced = true;

  std::string ApiVersion() const { return group.empty() ? version : group + "/" + version; }
  // "deployments.apps", "pods": how kubectl and RBAC messages name it.
  std::string Name() const { return group.empty() ? resource : resource + "." + group; }
};

struct ListOptions {
  std::string label_selector;
  std::string field_selector;
  std::string resource_version;  // list: "0" lets the server answer from its cache
  int limit = 0;                 // page size; 0: the server's default (all)
  std::string continue_token;
};

struct WatchOptions {
  std::string resource_version;
  std::string label_selector;
  std::string field_selector;
  bool allow_bookmarks = true;
  int timeout_seconds = 300;  // the server ends the watch after this; we resume
};

enum class PatchType { kMerge, kJson, kStrategicMerge, kApply };

struct PatchOptions {
  std::string field_manager;  // required for kApply
  bool force = false;         // kApply: take ownership of conflicting fields
};

// A watch response being read line by line as the server sends it (one JSON event per line).
class WatchStream {
 public:
  WatchStream(const web::http::http_response& response, pplx::cancellation_token_source cancel);
  ~WatchStream();
  WatchStream(WatchStream&&) noexcept;
  WatchStream& operator=(WatchStream&&) noexcept;
  // The next line, or nullopt when the server ended the stream normally.
  Result<std::optional<std::string>> NextLine();
  // Aborts a NextLine() blocked in another thread.
  void Cancel();

 private:
  struct State;
  std::unique_ptr<State> state_;  // null once moved from
};

// The API server, as everything in the controller sees it. HttpClient below talks to a real one;
// tests script one (tests/lib/scripted_client.h).
class Client {
 public:
  virtual ~Client() = default;

  virtual Result<Json> Get(const ResourceRef& r, const std::string& ns, const std::string& name,
                           const std::string& subresource = "") = 0;
  virtual Result<Json> List(const ResourceRef& r, const std::string& ns,
                            const ListOptions& options = {}) = 0;
  virtual Result<Json> Create(const ResourceRef& r, const std::string& ns, const Json& body) = 0;
  virtual Result<Json> Update(const ResourceRef& r, const std::string& ns, const std::string& name,
                              const Json& body, const std::string& subresource = "") = 0;
  virtual Result<Json> Patch(const ResourceRef& r, const std::string& ns, const std::string& name,
                             PatchType type, const Json& body, const std::string& subresource = "",
                             const PatchOptions& options = {}) = 0;
  virtual Status Delete(const ResourceRef& r, const std::string& ns, const std::string& name) = 0;
  // Opens a watch; WatchStream::Cancel aborts it from another thread.
  virtual Result<WatchStream> Watch(const ResourceRef& r, const std::string& ns,
                                    const WatchOptions& options) = 0;
  // GET of any path (discovery, metrics.k8s.io, /version): the JSON body or an error.
  virtual Result<Json> GetPath(const std::string& path) = 0;

  // "/apis/apps/v1/namespaces/shop/deployments/web/scale"; ns may be empty (all / cluster-scoped).
  static std::string Path(const ResourceRef& r, const std::string& ns, const std::string& name = "",
                          const std::string& subresource = "");
};

// The client on cpprestsdk.
class HttpClient final : public Client {
 public:
  static Result<std::shared_ptr<HttpClient>> Create(const Config& config);

  Result<Json> Get(const ResourceRef& r, const std::string& ns, const std::string& name,
                   const std::string& subresource = "") override;
  Result<Json> List(const ResourceRef& r, const std::string& ns,
                    const ListOptions& options = {}) override;
  Result<Json> Create(const ResourceRef& r, const std::string& ns, const Json& body) override;
  Result<Json> Update(const ResourceRef& r, const std::string& ns, const std::string& name,
                      const Json& body, const std::string& subresource = "") override;
  Result<Json> Patch(const ResourceRef& r, const std::string& ns, const std::string& name,
                     PatchType type, const Json& body, const std::string& subresource = "",
                     const PatchOptions& options = {}) override;
  Status Delete(const ResourceRef& r, const std::string& ns, const std::string& name) override;
  Result<WatchStream> Watch(const ResourceRef& r, const std::string& ns,
                            const WatchOptions& options) override;
  Result<Json> GetPath(const std::string& path) override;

  const Config& config() const { return config_; }
  // Every request from now on is reported to `metrics` (null: to none). It must outlive them.
  void SetRequestMetrics(RequestMetrics* metrics) { metrics_ = metrics; }

  // Turns an HTTP error answer (a Status object, or anything) into an Error naming what was tried.
  static Error ErrorFromResponse(int http_code, const std::string& body,
                                 const std::string& retry_after_header, const std::string& what);
  // Turns an exception from the HTTP stack into an Error of the right kind (TLS, timeout, ...).
  static Error ErrorFromException(const std::exception& e, const std::string& what);

 private:
  explicit HttpClient(Config config);
  // How a request is named in the metrics: {"get", "deployments/scale"}.
  struct Call {
    std::string verb;
    std::string resource;
  };
  static Call CallOn(const char* verb, const ResourceRef& r, const std::string& subresource = "");
  // A GET of a raw path: {"get", "pods.metrics.k8s.io"} for a namespaced resource, else the path
  // (discovery, /version).
  static Call PathCall(const std::string& path);
  // The HTTP clients of one TLS client identity. An exec plugin's new certificate gets new ones:
  // connections the old ones pooled keep presenting the old certificate.
  struct Connections;
  // What one request goes out with (client.cpp).
  struct Session;
  // Which of a call's one-off retries have been spent.
  struct Retries {
    bool transport = false;
    bool credential = false;
    int too_many_requests = 0;
  };
  // One answer of the server to a request.
  struct Answer {
    int code = 0;
    std::string text;
    std::string retry_after;
  };
  Result<Json> Do(const web::http::method& method, const std::string& path_and_query,
                  const std::optional<Json>& body, const std::string& content_type,
                  const std::string& what, const Call& call);
  static Result<Answer> Send(web::http::client::http_client& http,
                             const web::http::http_request& request, const std::string& what);
  static bool RetryTransport(const Error& error, const web::http::method& method, Retries& retries);
  bool RetryUnauthorized(int code, const Session& session, Retries& retries);
  static bool RetryTooManyRequests(const Error& error, Retries& retries);
  void Count(const Call& call, int code);
  web::http::http_request NewRequest(const web::http::method& method, const std::string& path,
                                     const std::string& bearer_token) const;
  std::string BearerToken();
  Result<Session> OpenSession();
  static std::shared_ptr<Connections> MakeConnections(const Config& config,
                                                      const std::string& cert_pem,
                                                      const std::string& key_pem);
  std::shared_ptr<Connections> ConnectionsFor(const std::string& cert_pem,
                                              const std::string& key_pem);

  Config config_;
  std::shared_ptr<ExecCredentialSource> exec_;  // null: no exec plugin in the kubeconfig
  Mutex connections_mu_;
  std::shared_ptr<Connections> connections_ GUARDED_BY(connections_mu_);
  std::atomic<RequestMetrics*> metrics_{nullptr};
  Mutex token_mu_;
  std::string token_ GUARDED_BY(token_mu_);
  int64_t token_mtime_ GUARDED_BY(token_mu_) = -1;
};

}  // namespace gearbox::kube
