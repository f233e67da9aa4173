// A kube::Client for unit tests that answers from a table and records every request, in the
// manner of client-go's fake clientset with reactors: each rule matches a method and an exact
// path (the subresource included, the query left out) and answers with a status code and a body,
// or with a transport error, after an optional delay that is played on a FakeClock (never slept;
// `Sleeping` answers after a real wait, for tests of concurrent callers).
// A request no rule matches is answered 404 for reads and echoed back (200) for writes.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "kube/client.h"
#include "kube/clock.h"

namespace gearbox::testing {

using kube::Json;

struct ScriptedResponse {
  int code = 200;
  Json body = Json::object();
  std::optional<Error::Kind> error;  // a failure that is not an HTTP answer (timeout, transport)
  std::chrono::milliseconds delay{0};
  bool echo = false;  // answer with the request's body
  // Slept for real before answering: for tests of callers that run at the same time.
  std::chrono::milliseconds wall_delay{0};

  static ScriptedResponse Ok(Json body) { return {200, std::move(body), {}, {}, false, {}}; }
  static ScriptedResponse Status(int code, std::string reason = "");
  static ScriptedResponse Fail(Error::Kind kind) {
    return {0, Json::object(), kind, {}, false, {}};
  }
  static ScriptedResponse Echo() { return {200, Json::object(), {}, {}, true, {}}; }
  ScriptedResponse After(std::chrono::milliseconds d) && {
    delay = d;
    return std::move(*this);
  }
  ScriptedResponse Sleeping(std::chrono::milliseconds d) && {
    wall_delay = d;
    return std::move(*this);
  }
};

struct RecordedRequest {
  std::string method;            // GET, LIST, POST, PUT, PATCH, DELETE, WATCH
  std::string path;              // "/apis/apps/v1/namespaces/shop/deployments/web/scale"
  Json body;                     // null for reads
  std::string ToString() const;  // "PATCH /apis/.../scale {"spec":{"replicas":4}}"
};

class ScriptedClient final : public kube::Client {
 public:
  explicit ScriptedClient(kube::FakeClock* clock = nullptr) : clock_(clock) {}

  // Answers `method path` with `response` from now on (`times` < 0) or for the next `times`
  // requests, after which the rule before it (or the default) answers again.
  void On(const std::string& method, const std::string& path, ScriptedResponse response,
          int times = -1);

  std::vector<RecordedRequest> Requests() const;
  // The requests that are not discovery reads (GET /api, /apis...), formatted, in order.
  std::vector<std::string> Calls() const;
  void ClearRequests();

  Result<Json> Get(const kube::ResourceRef& r, const std::string& ns, const std::string& name,
                   const std::string& subresource = "") override;
  Result<Json> List(const kube::ResourceRef& r, const std::string& ns,
                    const kube::ListOptions& options = {}) override;
  Result<Json> Create(const kube::ResourceRef& r, const std::string& ns, const Json& body) override;
  Result<Json> Update(const kube::ResourceRef& r, const std::string& ns, const std::string& name,
                      const Json& body, const std::string& subresource = "") override;
  Result<Json> Patch(const kube::ResourceRef& r, const std::string& ns, const std::string& name,
                     kube::PatchType type, const Json& body, const std::string& subresource = "",
                     const kube::PatchOptions& options = {}) override;
  Status Delete(const kube::ResourceRef& r, const std::string& ns,
                const std::string& name) override;
  Result<kube::WatchStream> Watch(const kube::ResourceRef& r, const std::string& ns,
                                  const kube::WatchOptions& options) override;
  Result<Json> GetPath(const std::string& path) override;

 private:
  struct Rule {
    ScriptedResponse response;
    int times = -1;
  };
  Result<Json> Answer(const std::string& method, const std::string& path, const Json* body);
  ScriptedResponse Lookup(const std::string& method, const std::string& path, bool write);

  kube::FakeClock* clock_;
  mutable std::mutex mu_;
  std::map<std::string, std::deque<Rule>> rules_;  // "METHOD path" -> newest first
  std::vector<RecordedRequest> requests_;
};

}  // namespace gearbox::testing
