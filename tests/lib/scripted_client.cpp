// See scripted_client.h.
#include "scripted_client.h"

#include <thread>

namespace gearbox::testing {

namespace {

const char* ReasonOf(int code) {
  switch (code) {
    case 400:
      return "BadRequest";
    case 403:
      return "Forbidden";
    case 404:
      return "NotFound";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 422:
      return "Invalid";
    case 429:
      return "TooManyRequests";
    default:
      return code >= 500 ? "InternalError" : "";
  }
}

}  // namespace

ScriptedResponse ScriptedResponse::Status(int code, std::string reason) {
  Json body = Json::object();
  body["kind"] = Json::string("Status");
  body["code"] = Json::number(code);
  body["reason"] = Json::string(reason.empty() ? ReasonOf(code) : reason);
  return {code, body, {}, {}, false, {}};
}

std::string RecordedRequest::ToString() const {
  std::string s = method + " " + path;
  if (!body.is_null()) s += " " + body.serialize();
  return s;
}

void ScriptedClient::On(const std::string& method, const std::string& path,
                        ScriptedResponse response, int times) {
  std::lock_guard lock(mu_);
  rules_[method + " " + path].push_front(Rule{std::move(response), times});
}

std::vector<RecordedRequest> ScriptedClient::Requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

std::vector<std::string> ScriptedClient::Calls() const {
  std::vector<std::string> out;
  for (const auto& r : Requests()) {
    bool discovery =
        r.method == "GET" &&
        (r.path == "/api" || r.path.rfind("/api/v1", 0) == 0 || r.path.rfind("/apis", 0) == 0) &&
        r.path.find("/namespaces/") == std::string::npos;
    if (!discovery) out.push_back(r.ToString());
  }
  return out;
}

void ScriptedClient::ClearRequests() {
  std::lock_guard lock(mu_);
  requests_.clear();
}

ScriptedResponse ScriptedClient::Lookup(const std::string& method, const std::string& path,
                                        bool write) {
  std::lock_guard lock(mu_);
  auto it = rules_.find(method + " " + path);
  if (it != rules_.end()) {
    for (auto rule = it->second.begin(); rule != it->second.end(); ++rule) {
      if (rule->times == 0) continue;
      ScriptedResponse r = rule->response;
      if (rule->times > 0) --rule->times;
      return r;
    }
  }
  return write ? ScriptedResponse::Echo() : ScriptedResponse::Status(404);
}

Result<Json> ScriptedClient::Answer(const std::string& method, const std::string& path,
                                    const Json* body) {
  {
    std::lock_guard lock(mu_);
    requests_.push_back({method, path, body ? *body : Json()});
  }
  bool write = body != nullptr;
  ScriptedResponse r = Lookup(method, path, write);
  if (clock_ && r.delay.count() > 0) clock_->Advance(r.delay);
  if (r.wall_delay.count() > 0) std::this_thread::sleep_for(r.wall_delay);
  const std::string what = method + " " + path;
  if (r.error) return Error::Of(*r.error, what + ": scripted failure");
  if (r.code >= 400) {
    std::string reason = r.body.has_string_field("reason") ? r.body.at("reason").as_string() : "";
    return Error::Api(r.code, reason, what + ": " + std::to_string(r.code) + " " + reason);
  }
  if (r.echo && body) return *body;
  return r.body;
}

Result<Json> ScriptedClient::Get(const kube::ResourceRef& r, const std::string& ns,
                                 const std::string& name, const std::string& subresource) {
  return Answer("GET", Path(r, ns, name, subresource), nullptr);
}

Result<Json> ScriptedClient::List(const kube::ResourceRef& r, const std::string& ns,
                                  const kube::ListOptions&) {
  return Answer("LIST", Path(r, ns), nullptr);
}

Result<Json> ScriptedClient::Create(const kube::ResourceRef& r, const std::string& ns,
                                    const Json& body) {
  return Answer("POST", Path(r, ns), &body);
}

Result<Json> ScriptedClient::Update(const kube::ResourceRef& r, const std::string& ns,
                                    const std::string& name, const Json& body,
                                    const std::string& subresource) {
  return Answer("PUT", Path(r, ns, name, subresource), &body);
}

Result<Json> ScriptedClient::Patch(const kube::ResourceRef& r, const std::string& ns,
                                   const std::string& name, kube::PatchType, const Json& body,
                                   const std::string& subresource, const kube::PatchOptions&) {
  return Answer("PATCH", Path(r, ns, name, subresource), &body);
}

Status ScriptedClient::Delete(const kube::ResourceRef& r, const std::string& ns,
                              const std::string& name) {
  auto res = Answer("DELETE", Path(r, ns, name), nullptr);
  if (!res) return res.error();
  return Ok{};
}

Result<kube::WatchStream> ScriptedClient::Watch(const kube::ResourceRef& r, const std::string& ns,
                                                const kube::WatchOptions&) {
  std::lock_guard lock(mu_);
  requests_.push_back({"WATCH", Path(r, ns), Json()});
  return Error::Of(Error::Kind::kCancelled, "the scripted client does not stream watches");
}

Result<Json> ScriptedClient::GetPath(const std::string& path) {
  return Answer("GET", path, nullptr);
}

}  // namespace gearbox::testing
