// See controller.h.
#include "reconcile/controller.h"

#include <algorithm>

#include "kube/json_fields.h"
#include "reconcile/cached_policy.h"

namespace gearbox::reconcile {

using Json = kube::Json;
using namespace std::chrono_literals;

namespace {
// The name of the controller and of its work queue in the metrics' labels.
constexpr const char* kControllerName = "scalingpolicy";

// The work queue's share for one namespace: half the workers, so that a team whose passes wait
// on slow sources leaves the other half to everyone else.
kube::WorkQueue::Options QueueOptions(const ControllerOptions& options) {
  kube::WorkQueue::Options queue;
  queue.per_namespace = options.reconciles_per_namespace > 0
                            ? options.reconciles_per_namespace
                            : std::max<size_t>(1, static_cast<size_t>(options.concurrency) / 2);
  return queue;
}
}  // namespace

kube::ObjectPtr Controller::PolicyStore::Get(const std::string& key) const {
  for (const auto& informer : informers_)
    if (auto object = informer->Get(key)) return object;
  return nullptr;
}

std::vector<kube::ObjectPtr> Controller::PolicyStore::List() const {
  std::vector<kube::ObjectPtr> out;
  for (const auto& informer : informers_) {
    auto some = informer->List();
    out.insert(out.end(), some.begin(), some.end());
  }
  return out;
}

Controller::Controller(std::shared_ptr<kube::Client> client, ControllerOptions options,
                       prometheus::Registry& registry, telemetry::Logger& log)
    : client_(std::move(client)),
      options_(std::move(options)),
      log_(log),
      discovery_(client_),
      recorder_(client_, kube::EventRecorder::Options{"gearbox.dev/controller", options_.instance,
                                                      std::chrono::minutes(10), 30s}),
      watches_(
          client_, [this](const Json& target) { OnTargetChanged(target); }, log,
          options_.namespaces.empty(), options_.shard),
      secrets_(
          client_,
          [this](const std::string& ns, const std::string& name) { OnSecretChanged(ns, name); },
          log),
      targets_(*client_, discovery_, &watches_),
      sources_(client_, &options_.source_access,
               [this](const std::string& m) { log_.Warn("pod informer: " + m); }),
      source_metrics_(registry),
      reader_(options_.metric_read_threads, kube::RealClock::Instance(), &source_metrics_,
              options_.reads_per_namespace),
      reconcile_metrics_(registry, kControllerName),
      queue_metrics_(registry, kControllerName),
      reconciler_(ReconcilerDeps{*client_, store_, targets_, index_, sources_, reader_, recorder_,
                                 kube::RealClock::Instance(), registry, log,
                                 /*spread_first_requeue=*/true, &options_.source_access,
                                 &options_.replicas_fields}),
      loop_([this](const std::string& key) { return Reconcile(key); },
            [this](const std::string& key, const kube::ReconcileResult& r,
                   std::chrono::steady_clock::duration took) {
              if (r.outcome == kube::ReconcileResult::Outcome::kError)
                log_.Warn("reconcile failed", {{"policy", key}, {"error", r.error}});
              CountOutcome(r, took);
            },
            &queue_metrics_, QueueOptions(options_)) {
  reconcile_metrics_.SetMaxConcurrentReconciles(std::max(1, options_.concurrency));
  MakePolicyInformers();
}

Controller::~Controller() { Stop(); }

kube::ReconcileResult Controller::Reconcile(const std::string& key) {
  auto active = reconcile_metrics_.Active();
  return reconciler_.Reconcile(key);
}

// As controller-runtime counts them: an error; a pass that asked to come back sooner than its
// interval (requeue_after); a pass done until its interval (success).
void Controller::CountOutcome(const kube::ReconcileResult& r,
                              std::chrono::steady_clock::duration took) {
  using Outcome = kube::ReconcileResult::Outcome;
  using Counted = telemetry::ReconcileMetrics::ReconcileOutcome;
  const Counted counted = r.outcome == Outcome::kError     ? Counted::kError
                          : r.outcome == Outcome::kRequeue ? Counted::kRequeueAfter
                                                           : Counted::kSuccess;
  reconcile_metrics_.Count(counted, took);
}

void Controller::RefreshMetrics() const { loop_.queue().ReportUnfinishedWork(); }

void Controller::OnPolicyChanged(const Json& cached) {
  const Json object = WithSpec(cached);
  index_.Update(object);
  const std::string key = kube::Informer::KeyOf(object);
  secrets_.Name(key, kube::StringAt(object, {"metadata", "namespace"}), SecretsNamedBy(object));
  loop_.queue().Add(key);
}

void Controller::OnPolicyDeleted(const Json& object) {
  std::string key = kube::Informer::KeyOf(object);
  index_.Remove(key);
  secrets_.Release(key);
  reconciler_.Forget(key);
  log_.Info("scalingpolicy deleted", {{"policy", key}});
}

// A target changed, or an HPA that names one: the policies naming that target look again (an HPA
// appearing on a target stops Gearbox writing it; one going away lets it write again).
void Controller::OnTargetChanged(const Json& object) {
  std::string kind = kube::StringAt(object, {"kind"});
  std::string name = kube::StringAt(object, {"metadata", "name"});
  if (kind == "HorizontalPodAutoscaler") {
    kind = kube::StringAt(object, {"spec", "scaleTargetRef", "kind"});
    name = kube::StringAt(object, {"spec", "scaleTargetRef", "name"});
  }
  for (const auto& key :
       index_.PoliciesNaming(kube::StringAt(object, {"metadata", "namespace"}), kind, name))
    loop_.queue().Add(key);
}

// The policy informers are made with the controller and never added to afterwards, so that the
// probes (served from another thread as soon as main starts) can read them while they start.
void Controller::MakePolicyInformers() {
  std::vector<std::string> namespaces = options_.namespaces;
  if (namespaces.empty()) namespaces.push_back("");
  auto generation = [](const Json& o) {
    return kube::IntAt(o, {"metadata", "generation"}).value_or(0);
  };
  for (const auto& ns : namespaces) {
    kube::InformerOptions io;
    io.log = [this](const std::string& m) { log_.Warn("scalingpolicy informer: " + m); };
    io.keep = KeepOwn(options_.shard);
    io.transform = CompactCachedPolicy;  // a pass reads little of a policy (cached_policy.h)
    auto informer = std::make_unique<kube::Informer>(client_, kScalingPolicies, ns, io);
    informer->AddHandlers({[this](const Json& o) { OnPolicyChanged(o); },
                           [this, generation](const Json& old_obj, const Json& new_obj) {
                             // Our own status writes come back as updates: only spec changes need a
                             // new look.
                             if (generation(old_obj) != generation(new_obj))
                               OnPolicyChanged(new_obj);
                           },
                           [this](const Json& o) { OnPolicyDeleted(o); }});
    informers_.push_back(std::move(informer));
  }
}

// A Secret a policy names was created, rotated or deleted: those policies build their sources
// again (Secrets change rarely; the scan is over the policy cache, not the API server).
void Controller::OnSecretChanged(const std::string& ns, const std::string& name) {
  for (const auto& policy : store_.List()) {
    if (kube::StringAt(*policy, {"metadata", "namespace"}) != ns) continue;
    auto named = SecretsNamedBy(WithSpec(*policy));
    if (std::find(named.begin(), named.end(), name) == named.end()) continue;
    std::string key = kube::Informer::KeyOf(*policy);
    reconciler_.SecretChanged(key);
    loop_.queue().Add(key);
  }
}

void Controller::StartInformers() {
  for (auto& informer : informers_) informer->Start();
}

bool Controller::Synced() const {
  for (const auto& i : informers_)
    if (!i->HasSynced()) return false;
  return !informers_.empty();
}

std::string Controller::NotReadyReason() const {
  return Synced() ? "" : "the ScalingPolicy cache has not synced yet";
}

std::string Controller::NotLiveReason(std::chrono::steady_clock::time_point now) const {
  const auto longest = loop_.LongestRunning(now);
  if (longest < options_.stalled_after) return "";
  return "a reconcile has run for " +
         std::to_string(std::chrono::duration_cast<std::chrono::seconds>(longest).count()) +
         "s (a worker is stuck)";
}

void Controller::StartWorkers() {
  loop_.Start(std::max(1, options_.concurrency));
  log_.Info("workers started", {{"concurrency", std::to_string(options_.concurrency)}});
}

void Controller::Stop() {
  if (stopped_) return;
  stopped_ = true;
  loop_.Stop();
  for (auto& i : informers_) i->Stop();
  watches_.Stop();
  secrets_.Stop();
}

}  // namespace gearbox::reconcile
