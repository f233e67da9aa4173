// See schedule_spec.h.
#include "reconcile/schedule_spec.h"

#include <algorithm>

#include "kube/json_fields.h"

namespace gearbox::reconcile {

namespace {

using Json = web::json::value;

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
Result<int> MinOf(const std::string& name, const Json& value, const std::string& where,
                  const std::vector<policy::Component>& components) {
  const auto it = std::find_if(components.begin(), components.end(),
                               [&](const policy::Component& c) { return c.name == name; });
  if (it == components.end() || it->role != policy::Role::kWorkload)
    return Error::Invalid(where + ".components: " + name + " is not a workload component");
  const auto min = kube::Int32At(value, {"min"});
  if (!min) return Error::Invalid(where + ".components." + name + ".min must be an integer");
  return *min;
}

Result<std::map<std::string, int>> ParseMins(const Json& item, const std::string& where,
                                             const std::vector<policy::Component>& components) {
  std::map<std::string, int> mins;
  for (const auto& entry : item.at("components").as_object()) {
    ASSIGN_OR_RETURN(mins[entry.first], MinOf(entry.first, entry.second, where, components));
  }
  return mins;
}

Result<policy::Schedule> ParseSchedule(const Json& item, const std::string& where,
                                       const std::vector<policy::Component>& components) {
  policy::Schedule s;
  s.name = kube::StringAt(item, {"name"});
  s.start = kube::StringAt(item, {"start"});
  auto cron = policy::ParseCron(s.start);
  if (!cron) return Error::Invalid(where + ".start: " + cron.error().message);
  s.cron = *cron;
  auto duration = policy::ParseDuration(kube::StringAt(item, {"duration"}));
  if (!duration) return Error::Invalid(where + ".duration: " + duration.error().message);
  s.duration = *duration;
  if (s.duration < std::chrono::minutes(1) || s.duration > std::chrono::hours(168))
    return Error::Invalid(where + ".duration is at least 1m and at most 168h");
  s.time_zone = kube::StringAt(item, {"timeZone"}, "UTC");
  ASSIGN_OR_RETURN(s.zone, LoadZone(s.time_zone, where));
  ASSIGN_OR_RETURN(s.mins, ParseMins(item, where, components));
  return s;
}

}  // namespace

Result<std::vector<policy::Schedule>> ParseSchedules(
    const Json& spec, const std::vector<policy::Component>& components) {
  std::vector<policy::Schedule> out;
  if (!spec.has_array_field("schedules")) return out;
  for (const auto& item : spec.at("schedules").as_array()) {
    const std::string where = "spec.schedules[" + kube::StringAt(item, {"name"}) + "]";
    ASSIGN_OR_RETURN(auto s, ParseSchedule(item, where, components));
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace gearbox::reconcile
