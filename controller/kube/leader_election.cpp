// See leader_election.h.
#include "kube/leader_election.h"

#include "base/time_format.h"

namespace gearbox::kube {

namespace {

const ResourceRef kLeases{"coordination.k8s.io", "v1", "leases", true};

std::string StringField(const Json& obj, const char* key) {
  return obj.has_string_field(key) ? obj.at(key).as_string() : "";
}

// The Lease's spec as `identity` holds it from `now`; a new holder counts a transition.
void WriteHolder(Json& spec, const std::string& identity, const std::string& now,
                 int lease_seconds) {
  const bool taking_over = StringField(spec, "holderIdentity") != identity;
  spec["holderIdentity"] = Json::string(identity);
  spec["leaseDurationSeconds"] = Json::number(lease_seconds);
  spec["renewTime"] = Json::string(now);
  if (!taking_over) return;
  spec["acquireTime"] = Json::string(now);
  const int transitions =
      spec.has_integer_field("leaseTransitions") ? spec.at("leaseTransitions").as_integer() : 0;
  spec["leaseTransitions"] = Json::number(transitions + 1);
}

}  // namespace

LeaderElector::LeaderElector(std::shared_ptr<Client> client, LeaderElectionConfig config,
                             const Clock& clock)
    : client_(std::move(client)), config_(std::move(config)), clock_(clock) {}

LeaderElector::~LeaderElector() { Stop(); }

void LeaderElector::Log(const std::string& m) const {
  if (config_.log)
    config_.log("lease " + config_.lease_namespace + "/" + config_.lease_name + ": " + m);
}

void LeaderElector::SetLeading(bool leading) {
  if (leading_.exchange(leading) == leading) return;
  Log(leading ? config_.identity + " became the leader" : config_.identity + " stopped leading");
  if (leading && config_.on_started_leading) config_.on_started_leading();
  if (!leading && config_.on_stopped_leading) config_.on_stopped_leading();
}

bool LeaderElector::TryAcquireOrRenew() {
  const std::string now = FormatRfc3339(clock_.WallNow(), TimePrecision::kMicros);
  const int lease_seconds = static_cast<int>(
      std::chrono::duration_cast<std::chrono::seconds>(config_.lease_duration).count());

  auto current = client_->Get(kLeases, config_.lease_namespace, config_.lease_name);
  if (current) return TakeOrRenew(*std::move(current), now, lease_seconds);
  if (!current.error().IsNotFound()) {
    Log("cannot read the Lease: " + current.error().ToString());
    return false;
  }
  return CreateLease(now, lease_seconds);
}

void LeaderElector::Observe(const std::string& holder, const std::string& renew_time) {
  observed_holder_ = holder;
  observed_renew_time_ = renew_time;
  observed_at_ = clock_.Now();
}

bool LeaderElector::CreateLease(const std::string& now, int lease_seconds) {
  Json lease = Json::object();
  lease["apiVersion"] = Json::string("coordination.k8s.io/v1");
  lease["kind"] = Json::string("Lease");
  lease["metadata"]["name"] = Json::string(config_.lease_name);
  lease["metadata"]["namespace"] = Json::string(config_.lease_namespace);
  lease["spec"]["holderIdentity"] = Json::string(config_.identity);
  lease["spec"]["leaseDurationSeconds"] = Json::number(lease_seconds);
  lease["spec"]["acquireTime"] = Json::string(now);
  lease["spec"]["renewTime"] = Json::string(now);
  lease["spec"]["leaseTransitions"] = Json::number(0);
  auto created = client_->Create(kLeases, config_.lease_namespace, lease);
  if (!created) {
    Log("cannot create the Lease: " + created.error().ToString());
    return false;
  }
  Observe(config_.identity, now);
  return true;
}

bool LeaderElector::TakeOrRenew(Json lease, const std::string& now, int lease_seconds) {
  Json spec = lease.has_object_field("spec") ? lease.at("spec") : Json::object();
  const std::string holder = StringField(spec, "holderIdentity");
  const std::string renew = StringField(spec, "renewTime");
  const int duration = spec.has_integer_field("leaseDurationSeconds")
                           ? spec.at("leaseDurationSeconds").as_integer()
                           : lease_seconds;
  if (holder != observed_holder_ || renew != observed_renew_time_) Observe(holder, renew);
  const bool held_by_other = !holder.empty() && holder != config_.identity &&
                             clock_.Now() < observed_at_ + std::chrono::seconds(duration);
  if (held_by_other) return false;

  WriteHolder(spec, config_.identity, now, lease_seconds);
  lease["spec"] = spec;
  // The update carries the resourceVersion we read: if anyone wrote in between, it fails (409).
  auto updated = client_->Update(kLeases, config_.lease_namespace, config_.lease_name, lease);
  if (!updated) {
    if (!updated.error().IsConflict())
      Log("cannot update the Lease: " + updated.error().ToString());
    return false;
  }
  Observe(config_.identity, now);
  return true;
}

void LeaderElector::Start() {
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Run(); });
}

bool LeaderElector::IsLeader() const {
  return leading_ && clock_.Now().time_since_epoch().count() < valid_until_.load();
}

void LeaderElector::RunOnce() {
  // The lease is valid from when the renew was sent, not from when its answer came back.
  SteadyTime sent = clock_.Now();
  bool ok = TryAcquireOrRenew();
  SteadyTime valid_until = sent + config_.renew_deadline;
  if (ok && clock_.Now() < valid_until) {
    valid_until_ = valid_until.time_since_epoch().count();
    SetLeading(true);
  } else if (leading_ && !IsLeader()) {
    SetLeading(false);  // we could not renew in time: someone else may lead now
  }
}

void LeaderElector::Run() {
  while (!stopping_) {
    RunOnce();
    MutexLock lock(mu_);
    cv_.wait_for(mu_, config_.retry_period, [this] { return stopping_.load(); });
  }
}

void LeaderElector::Release() {
  leading_ = false;
  auto current = client_->Get(kLeases, config_.lease_namespace, config_.lease_name);
  if (!current) return;
  Json lease = *std::move(current);
  if (!lease.has_object_field("spec") ||
      StringField(lease.at("spec"), "holderIdentity") != config_.identity) {
    return;
  }
  lease["spec"]["holderIdentity"] = Json::string("");
  lease["spec"]["leaseDurationSeconds"] = Json::number(1);
  lease["spec"]["renewTime"] =
      Json::string(FormatRfc3339(clock_.WallNow(), TimePrecision::kMicros));
  auto released = client_->Update(kLeases, config_.lease_namespace, config_.lease_name, lease);
  if (!released) Log("cannot release the Lease: " + released.error().ToString());
}

void LeaderElector::StopCampaigning() {
  stopping_ = true;
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void LeaderElector::Stop() {
  StopCampaigning();
  if (leading_) {
    SetLeading(false);  // stop acting first, then let the others in
    Release();
  }
}

}  // namespace gearbox::kube
