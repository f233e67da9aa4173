// Events through events.k8s.io/v1 that say what happened to an object and why. Repeats of the
// same event (same object, type, reason and note) within the series window are not new Events:
// they raise the count of the first one's series, written at most once per `series_flush`, so an
// alert that fires on every evaluation shows as one Event with a growing count, never a flood.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "base/mutex.h"
#include "kube/client.h"
#include "kube/clock.h"

namespace gearbox::kube {

struct ObjectRef {
  std::string api_version;
  std::string kind;
  std::string ns;
  std::string name;
  std::string uid;
  std::string resource_version;

  static ObjectRef Of(const Json& object);
};

enum class EventType { kNormal, kWarning };

class EventRecorder {
 public:
  struct Options {
    std::string controller = "gearbox.dev/controller";
    std::string instance;  // this replica, e.g. the pod name
    std::chrono::seconds series_window{std::chrono::minutes(10)};
    std::chrono::seconds series_flush{std::chrono::seconds(30)};
  };
  EventRecorder(std::shared_ptr<Client> client, Options options,
                const Clock& clock = RealClock::Instance());

  // Records an event; returns the error if the API server refused it (callers usually log it).
  Status Record(const ObjectRef& regarding, EventType type, const std::string& reason,
                const std::string& action, const std::string& note);

  // How many Events were created and how many series updates were written (for tests).
  int created() const EXCLUDES(mu_);
  size_t series() const EXCLUDES(mu_);  // series remembered (the expired ones are forgotten)
  int series_updates() const EXCLUDES(mu_);

 private:
  struct Series {
    std::string event_name;
    std::string ns;
    int count = 1;
    int written_count = 1;
    SteadyTime first_seen;
    SteadyTime last_seen;
    SteadyTime last_written;
  };

  // A count of the series patched into the Event it started.
  struct SeriesPatch {
    std::string event_name;
    std::string ns;
    Json body;
  };
  void ForgetExpiredLocked(SteadyTime now) REQUIRES(mu_);
  // Counts a repeat of `key` within its series window: true when it is one, with `patch` set when
  // the series is due to be written.
  bool CountRepeatLocked(const std::string& key, SteadyTime now, const std::string& now_text,
                         std::optional<SeriesPatch>& patch) REQUIRES(mu_);
  Json NewEvent(const ObjectRef& regarding, const std::string& name, const std::string& ns,
                const std::string& type, const std::string& reason, const std::string& action,
                const std::string& note, const std::string& now_text) const;

  std::shared_ptr<Client> client_;
  Options options_;
  const Clock& clock_;
  mutable Mutex mu_;
  std::map<std::string, Series> series_ GUARDED_BY(mu_);
  int created_ GUARDED_BY(mu_) = 0;
  int series_updates_ GUARDED_BY(mu_) = 0;
};

}  // namespace gearbox::kube
