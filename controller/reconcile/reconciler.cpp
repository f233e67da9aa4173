// See reconciler.h: Reconcile() at the bottom reads as the list of steps.
#include "reconcile/reconciler.h"

#include <algorithm>
#include <atomic>
#include <functional>
#include <utility>

#include "kube/json_fields.h"
#include "kube/retry.h"
#include "policy/engine.h"
#include "reconcile/cached_policy.h"
#include "reconcile/exported_metrics.h"
#include "reconcile/status.h"

namespace gearbox::reconcile {

using Json = kube::Json;
using namespace std::chrono_literals;

// What a policy holds between passes.
struct Reconciler::Runtime {
  Mutex mu;  // one pass at a time (the queue guarantees it; this makes it a rule)
  int64_t generation = -1;
  std::optional<ParsedPolicy> parsed;
  // The spec compiled, once per parse (so once per generation: the time zones its schedules use
  // are loaded by the parse). Kept while a later generation does not parse, for `state`'s slots.
  std::optional<policy::Engine> engine;
  PolicySources sources;
  // A Secret the sources were built from has changed since (set by SecretChanged, any thread).
  std::atomic<bool> sources_stale{false};
  // The state the last pass committed, by the slots of `engine`. None before this controller's
  // first evaluation of the policy: then it is read back from status (timers, phase, topology),
  // which is how a restart or a new leader continues where the last one stopped. Passes need not
  // read it back from status: the leader is the only writer (main exits when it loses the Lease).
  std::optional<policy::IndexedState> state;
  std::shared_ptr<telemetry::PolicySeries> series;  // its metric series
  bool evaluated = false;                           // by this controller, once at least
  // The conflict last reported by an Event: the same one is not reported again (the condition
  // AbleToScale=False stays while it lasts); a new or a returning one is.
  std::string reported_conflict;
  // The unknown component names of the pause annotation last reported by an Event.
  std::string reported_unknown_pause;
};

// One pass's working state, filled step by step.
struct Reconciler::Pass {
  std::string key;
  kube::ObjectPtr object;
  std::shared_ptr<Runtime> rt;
  const ParsedPolicy* p = nullptr;
  Json old_status = Json::object();
  policy::Time now{};
  kube::SteadyTime start{};
  policy::IndexedObserved observed;  // by the slots of rt->engine
  // Per pass, not kept for reuse in the Runtime: that would cost 0.7 to 2.6 KiB a policy, to save
  // a few of the many allocations a pass makes.
  policy::Evaluation evaluation;
  std::map<std::string, TargetSnapshot> snapshots;  // component -> its target as read
  std::map<std::string, std::string> conflicts;     // component -> who else drives it
  std::map<std::string, MetricObservation> readings;
  policy::Decision result;  // the evaluation in words, rendered once committed
  policy::Applied applied;
  std::vector<ConditionOverride> overrides;
  int writes = 0;
  std::string error;                 // the first write that failed
  bool gone = false;                 // the policy was deleted while the pass ran
  bool first = false;                // the policy's first evaluation by this controller
  kube::ReconcileResult not_loaded;  // what Reconcile returns when Load fails (a retry, if any)
};

namespace {

bool NotApplied(const policy::Applied& a, const std::string& component) {
  return std::find(a.not_applied.begin(), a.not_applied.end(), component) != a.not_applied.end();
}

// "namespace/name" -> the policy's series.
std::shared_ptr<telemetry::PolicySeries> SeriesOf(telemetry::PolicyMetrics& metrics,
                                                  const std::string& key) {
  const auto slash = key.find('/');
  return metrics.For(key.substr(0, slash), key.substr(slash + 1));
}

// The name of a HorizontalPodAutoscaler among `hpas` that drives `target`, if any.
std::optional<std::string> HpaOn(const std::vector<kube::ObjectPtr>& hpas,
                                 const TargetRef& target) {
  for (const auto& hpa : hpas)
    if (HpaDrives(*hpa, target)) return kube::StringAt(*hpa, {"metadata", "name"}, "(unnamed)");
  return std::nullopt;
}

// A share of 0.5..1.5 of the interval, the same for a name every time (see spread_first_requeue).
std::chrono::milliseconds SpreadOver(const std::string& key, std::chrono::milliseconds interval) {
  const double share = 0.5 + static_cast<double>(std::hash<std::string>{}(key) % 1000) / 1000.0;
  return std::chrono::milliseconds(
      static_cast<int64_t>(static_cast<double>(interval.count()) * share));
}

}  // namespace

Reconciler::Reconciler(ReconcilerDeps deps) : d_(deps), metrics_(d_.registry) {}

Reconciler::~Reconciler() = default;

std::shared_ptr<Reconciler::Runtime> Reconciler::RuntimeFor(const std::string& key) {
  MutexLock lock(mu_);
  auto& slot = runtimes_[key];
  if (!slot) slot = std::make_shared<Runtime>();
  return slot;
}

size_t Reconciler::policies_held() const {
  MutexLock lock(mu_);
  return runtimes_.size();
}

void Reconciler::Forget(const std::string& key) {
  std::shared_ptr<Runtime> rt;
  {
    MutexLock lock(mu_);
    auto it = runtimes_.find(key);
    if (it == runtimes_.end()) return;
    rt = it->second;
    runtimes_.erase(it);
    // With the runtime, so that a runtime made from now on gets series of its own; a pass still
    // running on this one sets nothing any more.
    metrics_.Remove(key.substr(0, key.find('/')), key.substr(key.find('/') + 1));
  }
  MutexLock lock(rt->mu);
  d_.log.Info("scalingpolicy released", {{"policy", key}});
}

void Reconciler::SecretChanged(const std::string& key) {
  MutexLock lock(mu_);
  auto it = runtimes_.find(key);
  if (it != runtimes_.end()) it->second->sources_stale = true;
}

// Load: the policy object, parsed once per generation; false when there is nothing to evaluate.
bool Reconciler::Load(Pass& pass) {
  pass.object = d_.policies.Get(pass.key);
  if (!pass.object) return false;  // deleted since the pass began: Reconcile() forgets it next
  const Json& object = *pass.object;
  pass.old_status = CachedStatus(object);
  Runtime& rt = *pass.rt;
  const bool secrets_changed = rt.sources_stale.exchange(false);
  const Json& meta = object.at("metadata");
  int64_t generation = kube::IntAt(meta, {"generation"}).value_or(0);
  if (rt.generation != generation) {
    rt.generation = generation;
    auto parsed = ParsePolicy(WithSpec(object));
    if (!parsed) {
      rt.parsed.reset();
      rt.sources = {};
      ReportInvalid(pass, parsed.error());
      return false;
    }
    if (!Admitted(pass, *parsed)) return false;
    rt.parsed = std::move(*parsed);
    Compile(rt);
    rt.sources = BuildSources(d_.client, d_.sources, *rt.parsed);
    d_.log.Info("scalingpolicy loaded",
                {{"policy", pass.key}, {"generation", std::to_string(generation)}});
  } else if (rt.parsed && (rt.sources.incomplete || secrets_changed)) {
    rt.sources = BuildSources(d_.client, d_.sources, *rt.parsed);
  }
  pass.p = rt.parsed ? &*rt.parsed : nullptr;
  if (pass.p) pass.observed = rt.engine->NewObserved();
  return pass.p != nullptr;
}

// The parsed spec compiled. The state of the spec before moves to the new slots by name, as the
// map-form State always carried it: timers, phases and recommendations of names the new spec
// still has go on, the others are dropped.
void Reconciler::Compile(Runtime& rt) {
  std::optional<policy::State> carried;
  if (rt.engine && rt.state) carried = rt.engine->Export(*rt.state);
  rt.engine.emplace(rt.parsed->spec);
  rt.state.reset();
  if (carried) rt.state = rt.engine->Index(*carried);
  compilations_.fetch_add(1);
}

void Reconciler::ReportInvalid(Pass& pass, const Error& error, const char* reason) {
  d_.log.Warn("invalid scalingpolicy", {{"policy", pass.key}, {"error", error.message}});
  Record(pass, true, reason, error.message);
  pass.rt->series->SetReady(false);
  WriteStatus(pass, InvalidStatus(StoredStatus(pass), pass.rt->generation, reason, error.message,
                                  pass.now));
}

// An invalid policy's status keeps what its last evaluation wrote, of which the cache holds only
// what passes read (CompactStatus): the whole is read on this path, which is rare (a spec that
// does not parse, a refused source), not on every pass.
Json Reconciler::StoredStatus(const Pass& pass) {
  if (!IsCompactStatus(pass.old_status)) return pass.old_status;
  const Json& meta = pass.object->at("metadata");
  auto stored = d_.client.Get(kScalingPolicies, kube::StringAt(meta, {"namespace"}),
                              kube::StringAt(meta, {"name"}));
  if (stored && stored->has_object_field("status")) return stored->at("status");
  return pass.old_status;  // InvalidStatus writes it without the fingerprint
}

// The cluster admin's rules: a policy that names a replicasField not allowed for its kind
// (ReplicasFieldRefused) or a refused server (SourceRefused) is not evaluated: Ready=False,
// nothing read or written. A host that could not be resolved is not checked: the policy waits
// (SourceUnresolved) and is checked again after its interval.
bool Reconciler::Admitted(Pass& pass, const ParsedPolicy& parsed) {
  const char* reason = "ReplicasFieldRefused";
  Status allowed = d_.replicas_fields ? d_.replicas_fields->Check(parsed) : OkStatus();
  if (allowed && d_.access) {
    allowed = CheckSourceAccess(*d_.access, parsed);
    reason = "SourceRefused";
  }
  if (allowed) return true;
  const bool unresolved = allowed.error().kind != Error::Kind::kConfig;
  pass.rt->parsed.reset();
  pass.rt->sources = {};
  ReportInvalid(pass, allowed.error(), unresolved ? "SourceUnresolved" : reason);
  if (unresolved) {
    pass.rt->generation = 0;  // no generation is 0: checked again on the retry
    pass.not_loaded.requeue_after =
        std::chrono::duration_cast<std::chrono::milliseconds>(parsed.spec.interval);
  }
  return false;
}

// Read: every component's target, and who else drives it, from the informer caches (no request
// on a steady pass). HorizontalPodAutoscalers that cannot be listed might drive any target: no
// target is written in that pass, rather than fight one.
void Reconciler::ReadTargets(Pass& pass) {
  auto hpas = d_.targets.HorizontalPodAutoscalers(pass.p->ns);
  for (const auto& c : pass.p->spec.components) {
    ReadTarget(pass, c, hpas ? &*hpas : nullptr);
    if (!hpas)
      pass.conflicts[c.name] =
          "may be driven by a HorizontalPodAutoscaler (they could not be "
          "listed: " +
          hpas.error().ToString() + ")";
  }
}

void Reconciler::ReadTarget(Pass& pass, const policy::Component& component,
                            const std::vector<kube::ObjectPtr>* hpas) {
  const TargetRef& t = pass.p->targets.at(component.name);
  // Every component has a slot: the engine was compiled from this spec.
  policy::TargetReading& reading =
      pass.observed.targets[static_cast<size_t>(pass.rt->engine->ComponentSlot(component.name))];
  auto snapshot = d_.targets.Read(pass.p->ns, t);
  if (!snapshot) {
    reading = policy::TargetReading{false, 0, 0, snapshot.error().message};
    return;
  }
  reading = policy::TargetReading{true, snapshot->state.desired, snapshot->state.ready, ""};
  for (const auto& m : pass.p->metrics) {
    auto built = pass.rt->sources.by_metric.find(m.name);
    if (m.type != MetricDef::Type::kResource || m.component != component.name ||
        built == pass.rt->sources.by_metric.end() || !built->second.set_selector)
      continue;
    built->second.set_selector(snapshot->state.selector);
  }
  pass.snapshots.emplace(component.name, std::move(*snapshot));
  if (auto hpa = hpas ? HpaOn(*hpas, t) : std::nullopt)
    pass.conflicts[component.name] = "is also driven by HorizontalPodAutoscaler " + *hpa;
  if (auto older = d_.index.OlderPolicyOn(pass.key, pass.p->ns, t))
    pass.conflicts[component.name] = "is also driven by ScalingPolicy " + *older;
}

// Read: every metric, in parallel, under one deadline.
void Reconciler::ReadMetrics(Pass& pass) {
  auto budget = pass.rt->sources.longest_timeout + 1s;
  pass.readings = d_.reader.ReadAll(pass.rt->sources, budget);
  for (const auto& m : pass.p->metrics) {
    auto it = pass.readings.find(m.name);
    const int slot = pass.rt->engine->MetricSlot(m.name);
    if (it == pass.readings.end() || slot < 0) continue;
    const MetricObservation& o = it->second;
    policy::MetricReading& r = pass.observed.metrics[static_cast<size_t>(slot)];
    r = policy::MetricReading{std::nullopt, o.time, ""};
    if (o.reading) {
      r.value = o.reading->value;
      r.pods = o.reading->pods;
    } else {
      r.error = ShownError(o.reading.error());
    }
  }
}

// Read: the pause annotation (not part of the spec, so read on every pass). Names it gives that
// the spec does not have are reported by a Warning Event, once per annotation value.
void Reconciler::ReadPauseAnnotation(Pass& pass) {
  PauseRequest pause = ReadPause(*pass.object, pass.p->spec);
  if (!pause.components.empty()) pass.observed.paused.assign(pass.observed.targets.size(), 0);
  for (const auto& name : pause.components)
    if (const int k = pass.rt->engine->ComponentSlot(name); k >= 0)
      pass.observed.paused[static_cast<size_t>(k)] = 1;
  std::string unknown;
  for (const auto& name : pause.unknown) unknown += (unknown.empty() ? "" : ", ") + name;
  if (!unknown.empty() && unknown != pass.rt->reported_unknown_pause)
    Record(pass, true, "InvalidPause",
           std::string(kPausedAnnotation) + " names components this policy does not have: " +
               unknown + " (give \"true\" or a comma-separated list of its components)");
  pass.rt->reported_unknown_pause = unknown;
}

// Decide: the engine, from the state the last pass committed (or status after a restart).
void Reconciler::Decide(Pass& pass) {
  Runtime& rt = *pass.rt;
  if (!rt.state) rt.state = rt.engine->Index(StateFromStatus(pass.old_status));
  rt.engine->Evaluate(pass.observed, *rt.state, pass.now, pass.evaluation);
}

// Write: each count that must change, unless someone else drives the target.
// One evaluation has one deadline: the metrics' own (the longest source timeout + 1 s) plus
// kApiReadAllowance for the API reads. A pass that took longer decides from data too old to act
// on: it writes nothing, says so, and the next pass reads again.
bool Reconciler::TooLate(Pass& pass) {
  const auto deadline = pass.rt->sources.longest_timeout + 1s + kApiReadAllowance;
  const auto took =
      std::chrono::duration_cast<std::chrono::milliseconds>(d_.clock.Now() - pass.start);
  if (took <= deadline) return false;
  const std::string why = "this evaluation took " + policy::FormatDuration(took) +
                          ", longer than its deadline of " + policy::FormatDuration(deadline) +
                          ": what it read is too old to act on, nothing was written";
  const std::vector<policy::ComponentOutcome>& decided = pass.evaluation.components;
  for (size_t k = 0; k < decided.size(); ++k)
    if (decided[k].change) pass.applied.not_applied.push_back(pass.p->spec.components[k].name);
  pass.error = why;
  pass.overrides.push_back({"AbleToScale", false, "EvaluationTooSlow", why});
  Record(pass, true, "EvaluationTooSlow", why);
  return true;
}

void Reconciler::WriteTargets(Pass& pass) {
  if (TooLate(pass)) return;
  const std::vector<policy::ComponentOutcome>& decided = pass.evaluation.components;
  for (size_t k = 0; k < decided.size(); ++k) {
    if (!decided[k].change) continue;
    const std::string& name = pass.p->spec.components[k].name;
    if (pass.conflicts.count(name)) {
      pass.applied.not_applied.push_back(name);
      continue;
    }
    WriteTarget(pass, static_cast<int>(k));
  }
  ReportConflicts(pass);
}

void Reconciler::WriteTarget(Pass& pass, int component) {
  const policy::ComponentOutcome& d = pass.evaluation.components[static_cast<size_t>(component)];
  const std::string& name = pass.p->spec.components[static_cast<size_t>(component)].name;
  const TargetRef& t = pass.p->targets.at(name);
  auto it = pass.snapshots.find(name);
  Status w = it == pass.snapshots.end()
                 ? Status(Error::Invalid(name + ": target not read in this pass"))
                 : d_.targets.Write(it->second, pass.p->ns, t, d.desired);
  if (!w) {
    pass.applied.not_applied.push_back(name);
    const std::string what = name + " " + std::to_string(d.current) + " -> " +
                             std::to_string(d.desired) + ": " + w.error().ToString();
    if (pass.error.empty()) pass.error = "scale " + what;
    Record(pass, true, "ScaleFailed", what);
    pass.overrides.push_back({"AbleToScale", false, "FailedUpdateScale", w.error().ToString()});
    return;
  }
  ++pass.writes;
  metrics_.ObserveScaleWrite(d_.clock.Now() - pass.start);
  d_.log.Info("scaled",
              {{"policy", pass.key},
               {"component", name},
               {"from", std::to_string(d.current)},
               {"to", std::to_string(d.desired)},
               {"reason", pass.rt->engine->Reason(pass.evaluation, pass.observed, component)}});
}

void Reconciler::ReportConflicts(Pass& pass) {
  std::string m;
  const std::vector<policy::ComponentOutcome>& decided = pass.evaluation.components;
  for (size_t k = 0; k < decided.size(); ++k) {
    const std::string& name = pass.p->spec.components[k].name;
    auto it = pass.conflicts.find(name);
    if (!decided[k].change || it == pass.conflicts.end()) continue;
    m += (m.empty() ? "" : "; ") + name + " " + it->second;
  }
  if (!m.empty()) {
    m += ": Gearbox leaves it alone";
    pass.overrides.push_back({"AbleToScale", false, "ConflictingAutoscaler", m});
    if (m != pass.rt->reported_conflict) Record(pass, true, "ConflictingAutoscaler", m);
  }
  pass.rt->reported_conflict = m;
}

// Commit: the state follows what was written; a write not made is decided again next time. Then
// the evaluation in words, for status, Events and metrics: its state is the committed one.
void Reconciler::Commit(Pass& pass) {
  Runtime& rt = *pass.rt;
  rt.engine->Commit(*rt.state, pass.applied, pass.evaluation);
  pass.result = rt.engine->Render(pass.evaluation, pass.observed);
  std::swap(*rt.state, pass.evaluation.state);
  for (auto& d : pass.result.components)
    if (NotApplied(pass.applied, d.name)) d.change = false;
}

void Reconciler::WriteStatus(Pass& pass, const Json& status) {
  if (!StatusNeedsWrite(pass.old_status, status, pass.now)) return;
  const std::string& ns = pass.object->at("metadata").at("namespace").as_string();
  const std::string& name = pass.object->at("metadata").at("name").as_string();
  Json body = StatusWriteBody(*pass.object, status);
  auto res = kube::RetryOnConflict([&]() -> Result<Json> {
    auto r = d_.client.Update(kScalingPolicies, ns, name, body, "status");
    if (!r && r.error().IsConflict()) {  // someone wrote in between: write on their version
      if (auto fresh = d_.client.Get(kScalingPolicies, ns, name)) {
        body = std::move(*fresh);
        body["status"] = status;
      }
    }
    return r;
  });
  if (!res && res.error().IsNotFound()) {
    pass.gone = true;  // deleted mid-pass: its informer's delete event forgets it
    return;
  }
  if (!res) {
    d_.log.Warn("status not written", {{"policy", pass.key}, {"error", res.error().ToString()}});
    if (pass.error.empty()) pass.error = "status: " + res.error().ToString();
  }
}

// Report: the engine's Events, less those about writes that were not made.
void Reconciler::RecordEvents(Pass& pass) {
  for (const auto& e : pass.result.events) {
    bool about_a_write = e.kind == policy::EventKind::kScaledUp ||
                         e.kind == policy::EventKind::kScaledDown ||
                         e.kind == policy::EventKind::kTopologyResize;
    if (about_a_write && NotApplied(pass.applied, e.component)) continue;
    Record(pass, e.type == "Warning", e.reason, e.note);
  }
}

void Reconciler::Record(const Pass& pass, bool warning, const std::string& reason,
                        const std::string& note) {
  auto st = d_.recorder.Record(kube::ObjectRef::Of(*pass.object),
                               warning ? kube::EventType::kWarning : kube::EventType::kNormal,
                               reason, reason, note);
  if (!st)
    d_.log.Warn("event not recorded", {{"reason", reason}, {"error", st.error().ToString()}});
}

// The policy's series after its evaluation, and when the next one is due (for the lag).
void Reconciler::ExportMetrics(Pass& pass, const kube::ReconcileResult& result) {
  telemetry::PolicySeries& series = *pass.rt->series;
  ExportEvaluation(series, *pass.p, pass.rt->generation, pass.result, pass.readings,
                   pass.overrides);
  if (result.requeue_after) series.Due(d_.clock.Now() + *result.requeue_after);
}

// Requeue: at the interval, or sooner when a rule's `for` or the phase hold completes, or a
// schedule window opens or closes.
kube::ReconcileResult Reconciler::Requeue(const Pass& pass) const {
  using std::chrono::milliseconds;
  auto next = std::chrono::duration_cast<milliseconds>(pass.p->spec.interval);
  const policy::Time now = d_.clock.WallNow();
  auto consider = [&](policy::Time at) {
    auto d = std::chrono::duration_cast<milliseconds>(at - now) + 20ms;
    if (d > 0ms && d < next) next = d;
  };
  for (const auto& d : pass.result.components)
    for (const auto& c : d.counting) consider(c.since + c.for_);
  if (pass.result.pending_phase) consider(pass.result.pending_phase->switch_at);
  // A schedule window that opens or closes before the interval is over.
  if (auto at = policy::NextScheduleChange(pass.p->spec.schedules, now, next)) consider(*at);
  if (pass.result.state.in_flight) next = std::min<milliseconds>(next, 2s);
  kube::ReconcileResult r;
  r.writes = pass.writes;
  if (pass.gone) return r;
  if (!pass.error.empty()) {
    r.outcome = kube::ReconcileResult::Outcome::kError;
    r.error = pass.error;
    next = std::min<milliseconds>(next, 5s);
  } else if (next < pass.p->spec.interval) {
    r.outcome = kube::ReconcileResult::Outcome::kRequeue;
  } else if (pass.first && d_.spread_first_requeue) {
    next = SpreadOver(pass.key, next);
  }
  r.requeue_after = next;
  return r;
}

kube::ReconcileResult Reconciler::Reconcile(const std::string& key) {
  if (!d_.policies.Get(key)) {  // deleted
    Forget(key);
    return {};
  }
  Pass pass;
  pass.key = key;
  pass.start = d_.clock.Now();
  pass.now = d_.clock.WallNow();
  pass.rt = RuntimeFor(key);
  MutexLock lock(pass.rt->mu);
  if (!pass.rt->series) pass.rt->series = SeriesOf(metrics_, key);
  pass.rt->series->Started(pass.start);
  if (!Load(pass)) return pass.not_loaded;
  pass.first = !std::exchange(pass.rt->evaluated, true);
  ReadTargets(pass);
  ReadMetrics(pass);
  ReadPauseAnnotation(pass);
  Decide(pass);
  WriteTargets(pass);
  Commit(pass);
  WriteStatus(pass, BuildStatus(pass.old_status, pass.result, pass.readings, pass.p->spec.metrics,
                                pass.rt->generation, pass.overrides, pass.now));
  RecordEvents(pass);
  kube::ReconcileResult result = Requeue(pass);
  ExportMetrics(pass, result);
  return result;
}

}  // namespace gearbox::reconcile
