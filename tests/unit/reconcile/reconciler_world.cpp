// See reconciler_world.h.
#include "reconciler_world.h"

#include <cpprest/asyncrt_utils.h>

#include "reconcile/cached_policy.h"

namespace gearbox::testing {

using kube::Json;

namespace {

Json Str(const std::string& s) { return Json::string(s); }

Json Parse(const std::string& text) { return Json::parse(text); }

// A discovery document (APIResourceList) for one group/version.
Json ResourceList(const std::string& gv,
                  const std::vector<std::pair<std::string, std::string>>& resources_and_kinds,
                  const std::vector<std::string>& subresources) {
  Json list = Json::object();
  list["kind"] = Str("APIResourceList");
  list["groupVersion"] = Str(gv);
  Json items = Json::array();
  size_t i = 0;
  for (const auto& [resource, kind] : resources_and_kinds) {
    Json r = Json::object();
    r["name"] = Str(resource);
    r["kind"] = Str(kind);
    r["namespaced"] = Json::boolean(true);
    items[i++] = r;
  }
  for (const auto& sub : subresources) {
    Json r = Json::object();
    r["name"] = Str(sub);
    r["kind"] = Str("Scale");
    r["namespaced"] = Json::boolean(true);
    items[i++] = r;
  }
  list["resources"] = items;
  return list;
}

class ScriptedSource final : public metrics::MetricSource {
 public:
  ScriptedSource(std::string name, std::map<std::string, ScriptedMetric>& table,
                 kube::FakeClock& clock)
      : name_(std::move(name)), table_(table), clock_(clock) {}
  Result<metrics::Reading> Read() override {
    auto it = table_.find(name_);
    if (it == table_.end()) return Error::Of(Error::Kind::kNoData, name_ + ": not scripted");
    if (it->second.delay.count() > 0) clock_.Advance(it->second.delay);
    if (!it->second.value) return it->second.error;
    return metrics::Reading{*it->second.value, ""};
  }
  std::string Describe() const override { return "scripted " + name_; }

 private:
  std::string name_;
  std::map<std::string, ScriptedMetric>& table_;
  kube::FakeClock& clock_;
};

}  // namespace

reconcile::BuiltSource ScriptedSources::Make(const reconcile::ParsedPolicy&,
                                             const reconcile::MetricDef& metric,
                                             const reconcile::Connections& c) {
  ++built;
  using Type = reconcile::MetricDef::Type;
  if (metric.type == Type::kPrometheus && c.prometheus) {
    if (!*c.prometheus)
      return {std::make_shared<reconcile::BrokenSource>(c.prometheus->error()), {}};
    last_bearer_token = (*c.prometheus)->bearer_token;
  }
  if (metric.type == Type::kQueue && c.redis && !*c.redis)
    return {std::make_shared<reconcile::BrokenSource>(c.redis->error()), {}};
  return {std::make_shared<ScriptedSource>(metric.name, metrics_, clock_), {}};
}

std::optional<kube::ObjectPtr> WorldCache::Lookup(const kube::ResourceRef& ref,
                                                  const std::string& ns, const std::string& name) {
  if (!synced) return std::nullopt;
  auto it = objects.find(ref.resource + "/" + ns + "/" + name);
  return it == objects.end() ? nullptr : it->second;
}

std::optional<std::vector<kube::ObjectPtr>> WorldCache::ListIn(const kube::ResourceRef& ref,
                                                               const std::string&) {
  if (!synced) return std::nullopt;
  return ref.resource == "horizontalpodautoscalers" ? hpas : std::vector<kube::ObjectPtr>{};
}

World::World()
    : api_(std::make_shared<ScriptedClient>(&clock_)),
      discovery_(api_),
      targets_(*api_, discovery_, &cache_),
      sources_(metric_table_, clock_),
      reader_(0, clock_, &source_metrics_),
      recorder_(api_,
                kube::EventRecorder::Options{"gearbox.dev/controller", "test",
                                             std::chrono::minutes(10), 30s},
                clock_),
      log_(telemetry::LogFormat::kText, telemetry::LogLevel::kError, &log_out_) {
  ScriptDiscovery();
  policy_ = Parse(R"({
    "apiVersion": "gearbox.dev/v1alpha1", "kind": "ScalingPolicy",
    "metadata": {"name": "web-policy", "namespace": "shop", "uid": "uid-1", "generation": 1,
                 "creationTimestamp": "2026-01-01T00:00:00Z", "resourceVersion": "100"},
    "spec": {"interval": "15s", "mode": "Enforce",
             "sources": {"prometheus": {"url": "http://127.0.0.1:9090"}},
             "metrics": [{"name": "cpu", "prometheus": {"query": "cpu"}},
                         {"name": "p95", "prometheus": {"query": "p95"}}],
             "components": []}})");
  policy_["spec"]["components"][0] = Workload("app", "web", 2, 10);
  policy_["spec"]["components"][0]["scaleUp"]["anyOf"][0] = Rule("cpu", "above", 70);
  // A Prometheus average of the pods' CPU: its target makes it size the step, as the HPA's.
  policy_["spec"]["components"][0]["scaleUp"]["anyOf"][0]["target"] = 70;
  policy_["spec"]["components"][0]["scaleDown"]["allOf"][0] = Rule("cpu", "below", 30);
  api_->On("LIST", "/apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers",
           ScriptedResponse::Ok(Parse(R"({"items": []})")));
  reconciler_ = std::make_unique<reconcile::Reconciler>(reconcile::ReconcilerDeps{
      *api_, store_, targets_, index_, sources_, reader_, recorder_, clock_, registry_, log_});
}

void World::SpreadFirstRequeue() {
  reconciler_ = std::make_unique<reconcile::Reconciler>(
      reconcile::ReconcilerDeps{*api_, store_, targets_, index_, sources_, reader_, recorder_,
                                clock_, registry_, log_, /*spread_first_requeue=*/true});
}

void World::UseAdmissionRules(const reconcile::SourceAccess* access,
                              const reconcile::ReplicasFieldRules* fields) {
  reconciler_ = std::make_unique<reconcile::Reconciler>(reconcile::ReconcilerDeps{
      *api_, store_, targets_, index_, sources_, reader_, recorder_, clock_, registry_, log_,
      /*spread_first_requeue=*/false, access, fields});
}

void World::Restart() {
  reconciler_ = std::make_unique<reconcile::Reconciler>(reconcile::ReconcilerDeps{
      *api_, store_, targets_, index_, sources_, reader_, recorder_, clock_, registry_, log_});
}

void World::ScriptDiscovery() {
  api_->On("GET", "/apis/apps/v1",
           ScriptedResponse::Ok(
               ResourceList("apps/v1", {{"deployments", "Deployment"}}, {"deployments/scale"})));
  api_->On("GET", "/apis/postgresql.cnpg.io/v1",
           ScriptedResponse::Ok(ResourceList("postgresql.cnpg.io/v1", {{"clusters", "Cluster"}},
                                             {"clusters/scale"})));
  api_->On("GET", "/apis/redis.redis.opstreelabs.in/v1beta2",
           ScriptedResponse::Ok(ResourceList("redis.redis.opstreelabs.in/v1beta2",
                                             {{"redisclusters", "RedisCluster"}}, {})));
}

Json World::Workload(const std::string& name, const std::string& deployment, int min, int max) {
  Json c = Json::object();
  c["name"] = Str(name);
  c["target"]["apiVersion"] = Str("apps/v1");
  c["target"]["kind"] = Str("Deployment");
  c["target"]["name"] = Str(deployment);
  c["replicas"]["min"] = Json::number(min);
  c["replicas"]["max"] = Json::number(max);
  return c;
}

Json World::Topology(const std::string& name, const std::string& api_version,
                     const std::string& kind, const std::string& target,
                     const std::string& replicas_field) {
  Json c = Json::object();
  c["name"] = Str(name);
  c["role"] = Str("topology");
  c["target"]["apiVersion"] = Str(api_version);
  c["target"]["kind"] = Str(kind);
  c["target"]["name"] = Str(target);
  if (!replicas_field.empty()) c["target"]["replicasField"] = Str(replicas_field);
  return c;
}

Json World::Rule(const std::string& metric, const std::string& op, double threshold,
                 const std::string& for_) {
  Json r = Json::object();
  r["metric"] = Str(metric);
  r[op] = Json::number(threshold);
  if (!for_.empty()) r["for"] = Str(for_);
  return r;
}

void World::Deployment(const std::string& name, int replicas, std::optional<int> ready) {
  Json d = Json::object();
  d["apiVersion"] = Str("apps/v1");
  d["kind"] = Str("Deployment");
  d["metadata"]["name"] = Str(name);
  d["metadata"]["namespace"] = Str("shop");
  d["metadata"]["generation"] = Json::number(1);
  d["spec"]["replicas"] = Json::number(replicas);
  d["spec"]["selector"]["matchLabels"]["app"] = Str(name);
  d["status"]["observedGeneration"] = Json::number(1);
  d["status"]["replicas"] = Json::number(replicas);
  d["status"]["readyReplicas"] = Json::number(ready.value_or(replicas));
  const std::string path = "/apis/apps/v1/namespaces/shop/deployments/" + name;
  api_->On("GET", path, ScriptedResponse::Ok(d));
  cache_.objects["deployments/shop/" + name] = std::make_shared<const Json>(d);
}

void World::PostgresCluster(const std::string& name, int instances, int ready) {
  Json c = Json::object();
  c["apiVersion"] = Str("postgresql.cnpg.io/v1");
  c["kind"] = Str("Cluster");
  c["metadata"]["name"] = Str(name);
  c["metadata"]["namespace"] = Str("shop");
  c["spec"]["instances"] = Json::number(instances);
  c["status"]["instances"] = Json::number(instances);
  c["status"]["readyInstances"] = Json::number(ready);
  const std::string path = "/apis/postgresql.cnpg.io/v1/namespaces/shop/clusters/" + name;
  api_->On("GET", path, ScriptedResponse::Ok(c));
  Json scale = Json::object();
  scale["spec"]["replicas"] = Json::number(instances);
  scale["status"]["replicas"] = Json::number(instances);
  api_->On("GET", path + "/scale", ScriptedResponse::Ok(scale));
}

void World::RedisCluster(const std::string& name, int size, int ready) {
  Json c = Json::object();
  c["apiVersion"] = Str("redis.redis.opstreelabs.in/v1beta2");
  c["kind"] = Str("RedisCluster");
  c["metadata"]["name"] = Str(name);
  c["metadata"]["namespace"] = Str("shop");
  if (size >= 0) c["spec"]["clusterSize"] = Json::number(size);
  c["status"]["readyLeaderReplicas"] = Json::number(ready);
  api_->On("GET", "/apis/redis.redis.opstreelabs.in/v1beta2/namespaces/shop/redisclusters/" + name,
           ScriptedResponse::Ok(c));
}

void World::Hpa(const std::string& name, const std::string& deployment) {
  Json h = Json::object();
  h["metadata"]["name"] = Str(name);
  h["spec"]["scaleTargetRef"]["apiVersion"] = Str("apps/v1");
  h["spec"]["scaleTargetRef"]["kind"] = Str("Deployment");
  h["spec"]["scaleTargetRef"]["name"] = Str(deployment);
  hpas_[hpas_.size()] = h;
  cache_.hpas.push_back(std::make_shared<const Json>(h));
  Json list = Json::object();
  list["items"] = hpas_;
  api_->On("LIST", "/apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers",
           ScriptedResponse::Ok(list));
}

void World::OtherPolicy(const std::string& name, const std::string& deployment,
                        const std::string& created) {
  Json p = policy_;
  p["metadata"]["name"] = Str(name);
  p["metadata"]["creationTimestamp"] = Str(created);
  p["spec"]["components"] = Json::array();
  p["spec"]["components"][0] = Workload("other", deployment, 1, 5);
  store_.Put("shop/" + name, p);
  index_.Update(p);
}

void World::Secret(const std::string& name, const std::string& key, const std::string& value) {
  Json s = Json::object();
  std::vector<unsigned char> bytes(value.begin(), value.end());
  s["data"][key] = Str(utility::conversions::to_base64(bytes));
  api_->On("GET", "/api/v1/namespaces/shop/secrets/" + name, ScriptedResponse::Ok(s));
}

void World::Delete() {
  deleted_ = true;
  store_.Erase("shop/web-policy");
  index_.Remove("shop/web-policy");
}

kube::ReconcileResult World::Pass() {
  if (!deleted_) {
    // As the controller's cache holds it: the status compacted to what a pass reads, the whole
    // object a GET away.
    Json cached = policy_;
    reconcile::CompactCachedPolicy(cached);
    store_.Put("shop/web-policy", cached);
    api_->On("GET", "/apis/gearbox.dev/v1alpha1/namespaces/shop/scalingpolicies/web-policy",
             ScriptedResponse::Ok(policy_));
    index_.Update(policy_);
  }
  api_->ClearRequests();
  auto result = reconciler_->Reconcile("shop/web-policy");
  // What the informers would bring back: the status written, the new replica counts.
  if (auto status = Status()) policy_["status"] = *status;
  for (const auto& r : api_->Requests()) {
    const std::string prefix = "/apis/apps/v1/namespaces/shop/deployments/";
    if (r.method != "PATCH" || r.path.rfind(prefix, 0) != 0) continue;
    std::string name = r.path.substr(prefix.size(), r.path.size() - prefix.size() - 6);
    if (r.path.ends_with("/scale") && r.body.has_object_field("spec"))
      Deployment(name, r.body.at("spec").at("replicas").as_integer());
  }
  return result;
}

std::vector<std::string> World::Calls() const { return api_->Calls(); }

std::vector<std::string> World::Writes() const {
  std::vector<std::string> out;
  for (const auto& r : api_->Requests())
    if (r.method == "PATCH") out.push_back(r.ToString());
  return out;
}

std::vector<std::string> World::Events() const {
  std::vector<std::string> out;
  for (const auto& r : api_->Requests()) {
    if (r.method != "POST" || r.path.find("/events") == std::string::npos) continue;
    out.push_back(r.body.at("reason").as_string() + ": " + r.body.at("note").as_string());
  }
  return out;
}

std::optional<Json> World::Status() const {
  std::optional<Json> last;
  for (const auto& r : api_->Requests())
    if (r.method == "PUT" && r.path.ends_with("/status")) last = r.body.at("status");
  return last;
}

std::string World::Condition(const std::string& type) const {
  const Json& status = policy_.has_object_field("status") ? policy_.at("status") : Json::object();
  if (!status.has_array_field("conditions")) return "";
  for (const auto& c : status.at("conditions").as_array()) {
    if (c.at("type").as_string() != type) continue;
    return c.at("status").as_string() + "/" + c.at("reason").as_string() + ": " +
           c.at("message").as_string();
  }
  return "";
}

Json World::Component(const std::string& name) const {
  if (!policy_.has_object_field("status")) return Json::object();
  for (const auto& c : policy_.at("status").at("components").as_array())
    if (c.at("name").as_string() == name) return c;
  return Json::object();
}

}  // namespace gearbox::testing
