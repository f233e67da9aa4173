// See schedule_spec.h.
#include "reconcile/schedule_spec.h"

#include <algorithm>

namespace gearbox::reconcile {

namespace v1alpha1 = gearbox::api::v1alpha1;

namespace {

// IANA names only (Europe/Berlin, America/Argentina/Buenos_Aires, Etc/GMT+5): never a path that
// would make cctz read a file outside the zone directory.
bool LooksLikeZoneName(const std::string& name) {
  if (name.empty() || name.front() == '/' || name.find("..") != std::string::npos) return false;
  return std::all_of(name.begin(), name.end(), [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) || ch == '/' || ch == '_' || ch == '-' ||
           ch == '+';
  });
}

Result<cctz::time_zone> LoadZone(const std::string& name, const std::string& where) {
  cctz::time_zone zone;
  if (!LooksLikeZoneName(name) || !cctz::load_time_zone(name, &zone))
    return Error::Invalid(where + ".timeZone: \"" + name +
                          "\" is not a known IANA time zone (such as Europe/Berlin)");
  return zone;
}

// The minimum a window gives `name`, which must be a workload of the policy.
Result<int> MinOf(const std::string& name, const v1alpha1::ScheduleMinimum& value,
                  const std::string& where, const std::vector<policy::Component>& components) {
  const auto it = std::find_if(components.begin(), components.end(),
                               [&](const policy::Component& c) { return c.name == name; });
  if (it == components.end() || it->role != policy::Role::kWorkload)
    return Error::Invalid(where + ".components: " + name + " is not a workload component");
  return value.min;
}

Result<std::map<std::string, int>> ParseMins(const v1alpha1::Schedule& item,
                                             const std::string& where,
                                             const std::vector<policy::Component>& components) {
  std::map<std::string, int> mins;
  for (const auto& [name, minimum] : item.components) {
    ASSIGN_OR_RETURN(mins[name], MinOf(name, minimum, where, components));
  }
  return mins;
}

Result<policy::Schedule> ParseSchedule(const v1alpha1::Schedule& item, const std::string& where,
                                       const std::vector<policy::Component>& components) {
  policy::Schedule s;
  s.name = item.name;
  s.start = item.start;
  auto cron = policy::ParseCron(s.start);
  if (!cron) return Error::Invalid(where + ".start: " + cron.error().message);
  s.cron = *cron;
  auto duration = policy::ParseDuration(item.duration.text);
  if (!duration) return Error::Invalid(where + ".duration: " + duration.error().message);
  s.duration = *duration;
  if (s.duration < std::chrono::minutes(1) || s.duration > std::chrono::hours(168))
    return Error::Invalid(where + ".duration is at least 1m and at most 168h");
  s.time_zone = *item.time_zone;  // the decode fills in its default
  ASSIGN_OR_RETURN(s.zone, LoadZone(s.time_zone, where));
  ASSIGN_OR_RETURN(s.mins, ParseMins(item, where, components));
  return s;
}

}  // namespace

Result<std::vector<policy::Schedule>> ParseSchedules(
    const std::vector<v1alpha1::Schedule>& schedules,
    const std::vector<policy::Component>& components) {
  std::vector<policy::Schedule> out;
  for (const v1alpha1::Schedule& item : schedules) {
    ASSIGN_OR_RETURN(auto s, ParseSchedule(item, "spec.schedules[" + item.name + "]", components));
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace gearbox::reconcile
