// See event_recorder.h.
#include "kube/event_recorder.h"

#include <cstdio>
#include <random>

#include "base/time_format.h"
#include "kube/json_fields.h"

namespace gearbox::kube {

namespace {

const ResourceRef kEvents{"events.k8s.io", "v1", "events", true};

std::string UniqueSuffix() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rng()));
  return buf;
}

}  // namespace

ObjectRef ObjectRef::Of(const Json& object) {
  ObjectRef r;
  r.api_version = StringAt(object, {"apiVersion"});
  r.kind = StringAt(object, {"kind"});
  r.ns = StringAt(object, {"metadata", "namespace"});
  r.name = StringAt(object, {"metadata", "name"});
  r.uid = StringAt(object, {"metadata", "uid"});
  r.resource_version = StringAt(object, {"metadata", "resourceVersion"});
  return r;
}

void EventRecorder::ForgetExpiredLocked(SteadyTime now) {
  // A series whose window has passed starts a new Event anyway: nothing is lost by forgetting it,
  // and a deleted object's series go with it.
  std::erase_if(series_, [&](const auto& kv) {
    return now - kv.second.last_seen > options_.series_window &&
           kv.second.count == kv.second.written_count;
  });
}

size_t EventRecorder::series() const {
  MutexLock lock(mu_);
  return series_.size();
}

EventRecorder::EventRecorder(std::shared_ptr<Client> client, Options options, const Clock& clock)
    : client_(std::move(client)), options_(std::move(options)), clock_(clock) {}

int EventRecorder::created() const {
  MutexLock lock(mu_);
  return created_;
}

int EventRecorder::series_updates() const {
  MutexLock lock(mu_);
  return series_updates_;
}

bool EventRecorder::CountRepeatLocked(const std::string& key, SteadyTime now,
                                      const std::string& now_text,
                                      std::optional<SeriesPatch>& patch) {
  auto it = series_.find(key);
  if (it == series_.end() || now - it->second.last_seen > options_.series_window) return false;
  Series& s = it->second;
  ++s.count;
  s.last_seen = now;
  if (now - s.last_written < options_.series_flush) return true;  // counted; written later
  Json body = Json::object();
  body["series"]["count"] = Json::number(s.count);
  body["series"]["lastObservedTime"] = Json::string(now_text);
  patch = SeriesPatch{s.event_name, s.ns, body};
  s.last_written = now;
  s.written_count = s.count;
  ++series_updates_;
  return true;
}

Json EventRecorder::NewEvent(const ObjectRef& regarding, const std::string& name,
                             const std::string& ns, const std::string& type,
                             const std::string& reason, const std::string& action,
                             const std::string& note, const std::string& now_text) const {
  Json e = Json::object();
  e["apiVersion"] = Json::string("events.k8s.io/v1");
  e["kind"] = Json::string("Event");
  e["metadata"]["name"] = Json::string(name);
  e["metadata"]["namespace"] = Json::string(ns);
  e["eventTime"] = Json::string(now_text);
  e["reportingController"] = Json::string(options_.controller);
  e["reportingInstance"] = Json::string(options_.instance.empty() ? "gearbox" : options_.instance);
  e["action"] = Json::string(action);
  e["reason"] = Json::string(reason);
  e["type"] = Json::string(type);
  e["note"] = Json::string(note.size() > 1000 ? note.substr(0, 1000) : note);
  Json ref = Json::object();
  ref["apiVersion"] = Json::string(regarding.api_version);
  ref["kind"] = Json::string(regarding.kind);
  ref["name"] = Json::string(regarding.name);
  if (!regarding.ns.empty()) ref["namespace"] = Json::string(regarding.ns);
  if (!regarding.uid.empty()) ref["uid"] = Json::string(regarding.uid);
  if (!regarding.resource_version.empty())
    ref["resourceVersion"] = Json::string(regarding.resource_version);
  e["regarding"] = ref;
  return e;
}

// The API calls are made without the lock: a slow API server delays this Event, not the others.
Status EventRecorder::Record(const ObjectRef& regarding, EventType type, const std::string& reason,
                             const std::string& action, const std::string& note) {
  const std::string type_name = type == EventType::kWarning ? "Warning" : "Normal";
  const std::string key = regarding.ns + "/" + regarding.kind + "/" + regarding.name + "/" +
                          regarding.uid + "/" + type_name + "/" + reason + "/" + note;
  SteadyTime now = clock_.Now();
  std::string now_text = FormatRfc3339(clock_.WallNow(), TimePrecision::kMicros);
  const std::string ns = regarding.ns.empty() ? "default" : regarding.ns;
  std::string name;  // of a new Event; a repeat is counted in its series' Event
  std::optional<SeriesPatch> patch;
  {
    MutexLock lock(mu_);
    ForgetExpiredLocked(now);
    if (CountRepeatLocked(key, now, now_text, patch)) {
      if (!patch) return Ok{};
    } else {
      name = (regarding.name.empty() ? "gearbox" : regarding.name) + "." + UniqueSuffix();
      series_[key] = Series{name, ns, 1, 1, now, now, now};
      ++created_;
    }
  }
  if (patch) {
    RETURN_IF_ERROR(
        client_->Patch(kEvents, patch->ns, patch->event_name, PatchType::kMerge, patch->body));
    return Ok{};
  }
  auto res = client_->Create(
      kEvents, ns, NewEvent(regarding, name, ns, type_name, reason, action, note, now_text));
  if (!res) {
    MutexLock lock(mu_);
    series_.erase(key);  // not written: the next one should try to create it again
    --created_;
    return res.error();
  }
  return Ok{};
}

}  // namespace gearbox::kube
