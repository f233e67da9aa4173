#include "reconcile/controller.h"

#include <cpprest/asyncrt_utils.h>

#include <algorithm>
#include <future>

#include "kube/retry.h"
#include "reconcile/targets.h"

namespace gearbox::reconcile {

using Json = kube::Json;
using Clock = std::chrono::system_clock;
using namespace std::chrono_literals;

namespace {

// A metric whose source could not be built (a missing Secret, a bad URL): it reads as that error.
class BrokenSource : public metrics::MetricSource {
 public:
  BrokenSource(metrics::ErrorKind kind, std::string error)
      : kind_(kind), error_(std::move(error)) {}
  metrics::Sample Read() override { return metrics::Sample::Fail(kind_, error_); }
  std::string Describe() const override { return error_; }

 private:
  metrics::ErrorKind kind_;
  std::string error_;
};

std::string KindLabel(const MetricDef& d) {
  switch (d.type) {
    case MetricDef::Type::kResource:
      return "resource";
    case MetricDef::Type::kPrometheus:
      return "prometheus";
    case MetricDef::Type::kQueue:
      return "redis";
  }
  return "unknown";
}

std::string Str(const Json& o, const char* f) {
  return o.is_object() && o.has_string_field(f) ? o.at(f).as_string() : "";
}

int64_t IntField(const Json& o, const char* outer, const char* inner) {
  if (!o.has_object_field(outer) || !o.at(outer).has_number_field(inner)) return -1;
  return o.at(outer).at(inner).as_number().to_int64();
}

}  // namespace

struct Controller::Runtime {
  int64_t generation = -1;
  std::optional<ParsedPolicy> parsed;
  std::map<std::string, std::unique_ptr<metrics::MetricSource>> sources;
  std::map<std::string, metrics::ResourceMetric*> resource_by_metric;
  std::optional<policy::State> state;
  std::string phase;  // as exported in the phase gauge
};

Controller::Controller(std::shared_ptr<kube::Client> client, ControllerOptions options,
                       telemetry::Registry& registry, telemetry::Logger& log)
    : client_(std::move(client)),
      options_(std::move(options)),
      log_(log),
      discovery_(client_),
      recorder_(client_, kube::EventRecorder::Options{"gearbox.dev/controller", options_.instance,
                                                      std::chrono::minutes(10), 30s}),
      reconciles_(registry.Counter("gearbox_reconciles_total",
                                   "Reconciles of ScalingPolicies, by result.", {"result"})),
      reconcile_seconds_(registry.Histogram("gearbox_reconcile_duration_seconds",
                                            "Time to reconcile one ScalingPolicy.", {},
                                            telemetry::Registry::DefaultSecondsBuckets())),
      decisions_(registry.Counter("gearbox_scaling_decisions_total",
                                  "Replica changes decided, by policy, component and direction "
                                  "(dry_run=true: reported, not applied).",
                                  {"namespace", "policy", "component", "direction", "dry_run"})),
      source_errors_(registry.Counter("gearbox_metric_source_errors_total",
                                      "Metric reads that failed, by source and kind of error.",
                                      {"source", "kind"})),
      phase_(registry.Gauge("gearbox_policy_phase",
                            "1 for the current phase of each ScalingPolicy.",
                            {"namespace", "policy", "phase"})),
      write_seconds_(registry.Histogram(
          "gearbox_scale_write_seconds",
          "From the start of an evaluation to the new replica count accepted by the API server.",
          {}, telemetry::Registry::DefaultSecondsBuckets())) {}

Controller::~Controller() { Stop(); }

void Controller::StartInformers() {
  std::vector<std::string> namespaces = options_.namespaces;
  if (namespaces.empty()) namespaces.push_back("");
  for (const auto& ns : namespaces) {
    kube::InformerOptions io;
    io.log = [this](const std::string& m) { log_.Warn("scalingpolicy informer: " + m); };
    auto inf = std::make_unique<kube::Informer>(client_, kScalingPolicies, ns, io);
    auto generation = [](const Json& o) {
      return o.at("metadata").has_field("generation")
                 ? o.at("metadata").at("generation").as_number().to_int64()
                 : 0;
    };
    inf->AddHandlers({[this](const Json& o) { queue_.Add(kube::Informer::KeyOf(o)); },
                      [this, generation](const Json& old_obj, const Json& new_obj) {
                        // Our own status writes come back as updates: only spec changes need a new
                        // look.
                        if (generation(old_obj) != generation(new_obj))
                          queue_.Add(kube::Informer::KeyOf(new_obj));
                      },
                      [this](const Json& o) {
                        std::string key = kube::Informer::KeyOf(o);
                        std::shared_ptr<Runtime> rt;
                        {
                          std::lock_guard lock(runtimes_mu_);
                          auto it = runtimes_.find(key);
                          if (it != runtimes_.end()) rt = it->second;
                          runtimes_.erase(key);
                        }
                        if (rt && !rt->phase.empty()) {
                          phase_.Remove({o.at("metadata").at("namespace").as_string(),
                                         o.at("metadata").at("name").as_string(), rt->phase});
                        }
                        log_.Info("scalingpolicy deleted", {{"policy", key}});
                      }});
    inf->Start();
    informers_.push_back(std::move(inf));
  }
}

bool Controller::Synced() const {
  for (const auto& i : informers_)
    if (!i->HasSynced()) return false;
  return !informers_.empty();
}

std::string Controller::NotReadyReason() const {
  return Synced() ? "" : "the ScalingPolicy cache has not synced yet";
}

void Controller::StartWorkers() {
  for (int i = 0; i < std::max(1, options_.concurrency); ++i)
    workers_.emplace_back([this] { Worker(); });
  log_.Info("workers started", {{"concurrency", std::to_string(options_.concurrency)}});
}

void Controller::Stop() {
  if (stopping_.exchange(true)) return;
  queue_.ShutDown();
  for (auto& w : workers_) w.join();
  workers_.clear();
  for (auto& i : informers_) i->Stop();
  std::lock_guard lock(targets_mu_);
  for (auto& [key, i] : target_informers_) i->Stop();
}

std::optional<std::optional<Json>> Controller::CachedTarget(const kube::ResourceRef& ref,
                                                            const std::string& ns,
                                                            const std::string& name) {
  const std::string key = ref.Name() + "/" + ref.version + "/" + ns;
  kube::Informer* inf = nullptr;
  {
    std::lock_guard lock(targets_mu_);
    if (stopping_) return std::nullopt;
    auto& slot = target_informers_[key];
    if (!slot) {
      kube::InformerOptions io;
      io.log = [this, key](const std::string& m) {
        log_.Warn("target informer " + key + ": " + m);
      };
      slot = std::make_unique<kube::Informer>(client_, ref, ns, io);
      // Only a change of what Gearbox reads is worth a new look at the policies.
      auto counts = [](const Json& o) {
        auto s = ReadTargetState(o, nullptr, "");
        return std::to_string(s.generation) + "/" + std::to_string(s.ready) + "/" +
               std::to_string(IntField(o, "status", "replicas")) + "/" +
               std::to_string(IntField(o, "status", "instances"));
      };
      slot->AddHandlers({[this](const Json& o) { EnqueuePoliciesFor(o); },
                         [this, counts](const Json& old_obj, const Json& new_obj) {
                           if (counts(old_obj) != counts(new_obj)) EnqueuePoliciesFor(new_obj);
                         },
                         [this](const Json& o) { EnqueuePoliciesFor(o); }});
      slot->Start();
      log_.Info("watching targets", {{"resource", ref.Name()}, {"namespace", ns}});
    }
    inf = slot.get();
  }
  if (!inf->HasSynced()) return std::nullopt;
  return inf->Get(ns + "/" + name);
}

void Controller::EnqueuePoliciesFor(const Json& target) {
  if (!target.has_object_field("metadata")) return;
  const Json& tm = target.at("metadata");
  const std::string ns = Str(tm, "namespace"), name = Str(tm, "name"), kind = Str(target, "kind");
  for (const auto& inf : informers_) {
    for (const auto& policy : inf->List()) {
      const Json& pm = policy.at("metadata");
      if (Str(pm, "namespace") != ns || !policy.has_object_field("spec") ||
          !policy.at("spec").has_array_field("components"))
        continue;
      for (const auto& c : policy.at("spec").at("components").as_array()) {
        if (!c.has_object_field("target")) continue;
        const Json& t = c.at("target");
        // Watch events carry the kind; listed items may not (the informer adds only apiVersion).
        if (Str(t, "name") == name && (kind.empty() || Str(t, "kind") == kind)) {
          queue_.Add(kube::Informer::KeyOf(policy));
          break;
        }
      }
    }
  }
}

void Controller::Worker() {
  while (auto key = queue_.Get()) {
    auto t0 = std::chrono::steady_clock::now();
    std::optional<std::chrono::milliseconds> again;
    bool failed = false;
    try {
      again = Reconcile(*key);
    } catch (const std::exception& e) {  // a reconcile never takes the controller down
      log_.Error("reconcile failed", {{"policy", *key}, {"error", e.what()}});
      failed = true;
    }
    reconcile_seconds_.Observe(
        {}, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    reconciles_.Add({failed ? "error" : "ok"});
    if (failed) {
      queue_.AddRateLimited(*key);
    } else {
      queue_.Forget(*key);
      if (again) queue_.AddAfter(*key, *again);
    }
    queue_.Done(*key);
  }
}

std::string Controller::Secret(const std::string& ns, const SecretKeyRef& ref, std::string* error) {
  auto secret = client_->Get({"", "v1", "secrets", true}, ns, ref.name);
  if (!secret) {
    *error = "secret " + ref.name + ": " + secret.error().ToString();
    return "";
  }
  if (!secret->has_object_field("data") || !secret->at("data").has_string_field(ref.key)) {
    *error = "secret " + ref.name + " has no key " + ref.key;
    return "";
  }
  try {
    auto bytes = utility::conversions::from_base64(secret->at("data").at(ref.key).as_string());
    std::string value(bytes.begin(), bytes.end());
    while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
    return value;
  } catch (const std::exception& e) {
    *error = "secret " + ref.name + " key " + ref.key + ": " + e.what();
    return "";
  }
}

void Controller::BuildSources(Runtime& rt) {
  rt.sources.clear();
  rt.resource_by_metric.clear();
  const ParsedPolicy& p = *rt.parsed;
  std::shared_ptr<metrics::PrometheusClient> prom;
  std::string prom_error;
  if (p.prometheus) {
    metrics::PrometheusOptions o;
    o.url = p.prometheus->url;
    o.timeout = p.prometheus->timeout;
    if (p.prometheus->bearer_token)
      o.bearer_token = Secret(p.ns, *p.prometheus->bearer_token, &prom_error);
    if (p.prometheus->ca && prom_error.empty())
      o.ca_pem = Secret(p.ns, *p.prometheus->ca, &prom_error);
    if (prom_error.empty()) prom = prometheus_.Get(o, &prom_error);
  }
  std::shared_ptr<metrics::RedisConnection> redis;
  std::string redis_error;
  if (p.redis) {
    auto o = metrics::ParseRedisUrl(p.redis->url, &redis_error);
    if (o) {
      o->timeout = p.redis->timeout;
      if (p.redis->password) o->password = Secret(p.ns, *p.redis->password, &redis_error);
      if (redis_error.empty()) {
        std::string key = o->host + ":" + std::to_string(o->port) + "/" + std::to_string(o->db) +
                          "/" + o->password + "/" + std::to_string(o->timeout.count());
        std::lock_guard lock(redis_mu_);
        auto& slot = redis_[key];
        if (!slot) slot = std::make_shared<metrics::RedisConnection>(*o);
        redis = slot;
      }
    }
  }
  // Readings shared by policies are fresh enough within half an interval.
  auto max_age = std::chrono::duration_cast<std::chrono::milliseconds>(p.spec.interval / 2);
  for (const auto& m : p.metrics) {
    switch (m.type) {
      case MetricDef::Type::kResource: {
        auto src =
            std::make_unique<metrics::ResourceMetric>(client_, p.ns, m.resource, m.component);
        rt.resource_by_metric[m.name] = src.get();
        rt.sources[m.name] = std::move(src);
        break;
      }
      case MetricDef::Type::kPrometheus:
        if (prom) {
          rt.sources[m.name] = std::make_unique<metrics::PrometheusMetric>(prom, m.query, max_age);
        } else {
          rt.sources[m.name] = std::make_unique<BrokenSource>(metrics::ErrorKind::kConfig,
                                                              "prometheus: " + prom_error);
        }
        break;
      case MetricDef::Type::kQueue:
        if (redis) {
          rt.sources[m.name] = std::make_unique<metrics::RedisQueueMetric>(redis, m.queue);
        } else {
          rt.sources[m.name] =
              std::make_unique<BrokenSource>(metrics::ErrorKind::kConfig, "redis: " + redis_error);
        }
        break;
    }
  }
}

void Controller::Record(const Json& object, const std::string& type, const std::string& reason,
                        const std::string& note) {
  auto st =
      recorder_.Record(kube::ObjectRef::Of(object),
                       type == "Warning" ? kube::EventType::kWarning : kube::EventType::kNormal,
                       reason, reason, note);
  if (!st) log_.Warn("event not recorded", {{"reason", reason}, {"error", st.error().ToString()}});
}

void Controller::WriteStatus(const Json& object, const Json& status) {
  const std::string ns = object.at("metadata").at("namespace").as_string();
  const std::string name = object.at("metadata").at("name").as_string();
  Json body = object;
  body["status"] = status;
  auto res = kube::RetryOnConflict([&]() -> kube::Result<Json> {
    auto r = client_->Update(kScalingPolicies, ns, name, body, "status");
    if (!r && r.error().IsConflict()) {  // someone wrote in between: write on their version
      auto fresh = client_->Get(kScalingPolicies, ns, name);
      if (fresh) {
        body = *fresh;
        body["status"] = status;
      }
    }
    return r;
  });
  if (!res)
    log_.Warn("status not written",
              {{"policy", ns + "/" + name}, {"error", res.error().ToString()}});
}

std::optional<std::chrono::milliseconds> Controller::Reconcile(const std::string& key) {
  auto start = std::chrono::steady_clock::now();
  std::optional<Json> object;
  for (const auto& inf : informers_) {
    if ((object = inf->Get(key))) break;
  }
  if (!object) return std::nullopt;  // deleted
  const Json& meta = object->at("metadata");
  const std::string ns = Str(meta, "namespace"), name = Str(meta, "name");
  const Json old_status =
      object->has_object_field("status") ? object->at("status") : Json::object();
  const auto now = Clock::now();

  std::shared_ptr<Runtime> rt;
  {
    std::lock_guard lock(runtimes_mu_);
    auto& slot = runtimes_[key];
    if (!slot) slot = std::make_shared<Runtime>();
    rt = slot;
  }
  int64_t generation =
      meta.has_field("generation") ? meta.at("generation").as_number().to_int64() : 0;
  if (rt->generation != generation) {
    std::string error;
    rt->parsed = ParsePolicy(*object, &error);
    rt->generation = generation;
    if (!rt->parsed) {
      log_.Warn("invalid scalingpolicy", {{"policy", key}, {"error", error}});
      Record(*object, "Warning", "InvalidSpec", error);
      Json st = InvalidStatus(old_status, generation, "InvalidSpec", error, now);
      if (!SameStatus(old_status, st)) WriteStatus(*object, st);
      return std::nullopt;
    }
    BuildSources(*rt);
    log_.Info("scalingpolicy loaded",
              {{"policy", key}, {"generation", std::to_string(generation)}});
  }
  if (!rt->parsed) return std::nullopt;
  const ParsedPolicy& p = *rt->parsed;

  // ---- the targets ----
  policy::Observed observed;
  std::vector<ConditionOverride> overrides;
  std::map<std::string, kube::ResourceRef> refs;
  std::map<std::string, std::string> conflicts;  // component -> who else drives it
  std::optional<Json> hpas;
  auto hpa_list = client_->List({"autoscaling", "v2", "horizontalpodautoscalers", true}, ns);
  if (hpa_list) hpas = *hpa_list;
  for (const auto& comp : p.spec.components) {
    const TargetRef& t = p.targets.at(comp.name);
    policy::TargetReading reading;
    auto info = discovery_.Resolve(t.api_version, t.kind);
    if (!info) {
      reading.found = false;
      reading.error = t.Describe() + ": " + info.error().ToString();
      observed.targets[comp.name] = reading;
      continue;
    }
    refs[comp.name] = info->ref;
    kube::Result<Json> obj = kube::Error{};
    if (auto cached = CachedTarget(info->ref, ns, t.name)) {
      obj = *cached ? kube::Result<Json>(**cached)
                    : kube::Result<Json>(kube::Error::Api(404, "NotFound", "not in the cache"));
    } else {
      obj = client_->Get(info->ref, ns, t.name);
    }
    if (!obj) {
      reading.found = false;
      reading.error =
          obj.error().IsNotFound() ? t.Describe() + " not found in " + ns : obj.error().ToString();
      observed.targets[comp.name] = reading;
      continue;
    }
    std::optional<Json> scale;
    if (t.replicas_field.empty()) {
      if (!info->has_scale) {
        reading.found = false;
        reading.error = t.Describe() + " has no /scale subresource: set target.replicasField";
        observed.targets[comp.name] = reading;
        continue;
      }
      auto s = client_->Get(info->ref, ns, t.name, "scale");
      if (s) scale = *s;
    }
    TargetState ts = ReadTargetState(*obj, scale ? &*scale : nullptr, t.replicas_field);
    reading.current = ts.desired;
    reading.ready = ts.ready;
    observed.targets[comp.name] = reading;
    for (auto& [metric, src] : rt->resource_by_metric) {
      for (const auto& m : p.metrics)
        if (m.name == metric && m.component == comp.name) src->SetSelector(ts.selector);
    }
    if (hpas) {
      if (auto hpa = FindHpaFor(*hpas, t)) conflicts[comp.name] = "HorizontalPodAutoscaler " + *hpa;
    }
    // Another ScalingPolicy on the same target: the older one keeps it.
    for (const auto& inf : informers_) {
      for (const auto& other : inf->List()) {
        const Json& om = other.at("metadata");
        if (Str(om, "namespace") != ns || Str(om, "name") == name) continue;
        bool older = Str(om, "creationTimestamp") < Str(meta, "creationTimestamp") ||
                     (Str(om, "creationTimestamp") == Str(meta, "creationTimestamp") &&
                      Str(om, "name") < name);
        if (!older || !other.has_object_field("spec") ||
            !other.at("spec").has_array_field("components"))
          continue;
        for (const auto& oc : other.at("spec").at("components").as_array()) {
          const Json& ot = oc.at("target");
          if (Str(ot, "kind") == t.kind && Str(ot, "name") == t.name &&
              Str(ot, "apiVersion") == t.api_version)
            conflicts[comp.name] = "ScalingPolicy " + Str(om, "name");
        }
      }
    }
  }

  // ---- the metrics, read in parallel (each bounded by its source's timeout) ----
  std::map<std::string, std::future<metrics::Sample>> pending;
  for (auto& [metric, src] : rt->sources) {
    metrics::MetricSource* s = src.get();
    pending[metric] = std::async(std::launch::async, [s] { return s->Read(); });
  }
  std::map<std::string, MetricObservation> readings;
  for (auto& [metric, fut] : pending) {
    metrics::Sample s = fut.get();
    auto when = Clock::now();
    if (!s.ok()) {
      std::string source = "unknown";
      for (const auto& m : p.metrics)
        if (m.name == metric) source = KindLabel(m);
      source_errors_.Add({source, metrics::ErrorKindName(s.kind)});
    }
    observed.metrics[metric] = policy::MetricReading{s.value, when, s.error};
    readings[metric] = MetricObservation{s, when};
  }

  // ---- decide ----
  policy::State before = rt->state ? *rt->state : StateFromStatus(old_status);
  policy::Result result = policy::Evaluate(p.spec, observed, before, now);

  // ---- act ----
  bool write_failed = false;
  std::vector<std::string> blocked;
  for (const auto& d : result.components) {
    if (d.desired != d.current && d.target_found) {
      decisions_.Add({ns, name, d.name, d.desired > d.current ? "up" : "down",
                      result.dry_run ? "true" : "false"});
    }
    if (!d.change) continue;
    if (conflicts.count(d.name)) {
      blocked.push_back(d.name + " is also driven by " + conflicts[d.name]);
      continue;
    }
    const TargetRef& t = p.targets.at(d.name);
    kube::Result<Json> w = kube::Error{};
    if (t.replicas_field.empty()) {
      Json patch = Json::object();
      patch["spec"]["replicas"] = Json::number(d.desired);
      w = client_->Patch(refs.at(d.name), ns, t.name, kube::PatchType::kMerge, patch, "scale");
    } else {
      w = client_->Patch(refs.at(d.name), ns, t.name, kube::PatchType::kMerge,
                         ReplicasMergePatch(t.replicas_field, d.desired));
    }
    if (!w) {
      write_failed = true;
      Record(*object, "Warning", "ScaleFailed",
             d.name + " " + std::to_string(d.current) + " -> " + std::to_string(d.desired) + ": " +
                 w.error().ToString());
      overrides.push_back({"AbleToScale", false, "FailedUpdateScale", w.error().ToString()});
      continue;
    }
    write_seconds_.Observe(
        {}, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    log_.Info("scaled", {{"policy", key},
                         {"component", d.name},
                         {"from", std::to_string(d.current)},
                         {"to", std::to_string(d.desired)},
                         {"reason", d.reason}});
  }
  if (!blocked.empty()) {
    std::string m;
    for (const auto& b : blocked) m += (m.empty() ? "" : "; ") + b;
    m += ": Gearbox leaves it alone";
    overrides.push_back({"AbleToScale", false, "ConflictingAutoscaler", m});
    Record(*object, "Warning", "ConflictingAutoscaler", m);
  }
  for (const auto& e : result.events) {
    bool about_blocked = false;
    for (const auto& [comp, who] : conflicts) {
      if (e.note.rfind(comp + " ", 0) == 0 &&
          (e.reason == "ScaledUp" || e.reason == "ScaledDown" || e.reason == "TopologyResize"))
        about_blocked = true;
    }
    if (!about_blocked && !(write_failed && (e.reason == "ScaledUp" || e.reason == "ScaledDown")))
      Record(*object, e.type, e.reason, e.note);
  }
  // A write that failed leaves the state as it was, so the decision is made again next time.
  rt->state = write_failed || !blocked.empty() ? before : result.state;
  if (!blocked.empty()) rt->state->timers = result.state.timers;

  Json status =
      BuildStatus(old_status, result, readings, p.spec.metrics, generation, overrides, now);
  if (!SameStatus(old_status, status)) WriteStatus(*object, status);
  if (rt->phase != result.phase) {
    if (!rt->phase.empty()) phase_.Remove({ns, name, rt->phase});
    if (!result.phase.empty()) phase_.Set({ns, name, result.phase}, 1);
    rt->phase = result.phase;
  }

  // ---- when to look again: the interval, or sooner when a timer completes ----
  auto next = std::chrono::duration_cast<std::chrono::milliseconds>(p.spec.interval);
  auto consider = [&](policy::Time at) {
    auto d = std::chrono::duration_cast<std::chrono::milliseconds>(at - Clock::now()) + 20ms;
    if (d > 0ms && d < next) next = d;
  };
  for (const auto& d : result.components)
    for (const auto& c : d.counting) consider(c.since + c.for_);
  if (result.pending_phase) consider(result.pending_phase->switch_at);
  if (result.state.in_flight) next = std::min<std::chrono::milliseconds>(next, 2s);
  if (write_failed) next = std::min<std::chrono::milliseconds>(next, 5s);
  return next;
}

}  // namespace gearbox::reconcile
