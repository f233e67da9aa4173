// spec.schedules read into the engine's Schedules (the zone loaded, mistakes as InvalidSpec
// errors naming the schedule), and status.schedules written from the engine's result.
#include <gtest/gtest.h>

#include "reconcile/policy_spec.h"
#include "reconcile/status.h"

namespace gearbox::reconcile {
namespace {

using Json = web::json::value;
using namespace std::chrono_literals;

const char* kScheduled = R"json({
  "metadata": {"name": "shop", "namespace": "prod", "generation": 1},
  "spec": {
    "components": [
      {"name": "app", "target": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
       "replicas": {"min": 1, "max": 9}},
      {"name": "cache", "role": "topology",
       "target": {"apiVersion": "example.com/v1", "kind": "Cache", "name": "c"}}],
    "schedules": [
      {"name": "sale", "start": "0 9 * * 1-5", "duration": "9h", "timeZone": "Europe/Berlin",
       "components": {"app": {"min": 3}}},
      {"name": "night", "start": "*/30 22-23 * * *", "duration": "1h30m",
       "components": {"app": {"min": 2}}}]
  }})json";

std::string ErrorWith(const char* field, const Json& value, int index = 0) {
  Json bad = Json::parse(kScheduled);
  bad["spec"]["schedules"][index][field] = value;
  auto p = ParsePolicy(bad);
  return p ? "parsed" : p.error().message;
}

TEST(ScheduleSpec, ReadsTheScheduleWithItsZone) {
  auto p = ParsePolicy(Json::parse(kScheduled));
  ASSERT_TRUE(p) << p.error().message;
  ASSERT_EQ(p->spec.schedules.size(), 2u);
  const policy::Schedule& sale = p->spec.schedules[0];
  EXPECT_EQ(sale.name, "sale");
  EXPECT_EQ(sale.duration, 9h);
  EXPECT_EQ(sale.time_zone, "Europe/Berlin");
  EXPECT_EQ(sale.zone.name(), "Europe/Berlin");
  EXPECT_EQ(sale.cron, policy::ParseCron("0 9 * * 1-5").value());
  EXPECT_EQ(sale.mins.at("app"), 3);
  EXPECT_EQ(p->spec.schedules[1].time_zone, "UTC") << "the default";
  // 09:00 in Berlin in winter is 08:00Z.
  auto open = policy::OpenWindow(sale, *policy::ParseTime("2026-11-30T08:30:00Z"));
  ASSERT_TRUE(open);
  EXPECT_EQ(policy::FormatTime(open->opened), "2026-11-30T08:00:00Z");
}

TEST(ScheduleSpec, MistakesAreErrorsNamingTheSchedule) {
  EXPECT_EQ(ErrorWith("start", Json::string("0 25 * * *")),
            "spec.schedules[sale].start: cron hour field \"25\": 25 is outside 0-23");
  EXPECT_EQ(ErrorWith("timeZone", Json::string("Mars/Olympus")),
            "spec.schedules[sale].timeZone: \"Mars/Olympus\" is not a known IANA time zone (such "
            "as Europe/Berlin)");
  EXPECT_NE(ErrorWith("timeZone", Json::string("../../../etc/passwd")).find("not a known IANA"),
            std::string::npos);
  EXPECT_NE(ErrorWith("timeZone", Json::string("/etc/localtime")).find("not a known IANA"),
            std::string::npos);
  EXPECT_NE(ErrorWith("duration", Json::string("30s")).find("at least 1m"), std::string::npos);
  EXPECT_NE(ErrorWith("duration", Json::string("nine hours")).find("spec.schedules[sale].duration"),
            std::string::npos);
  Json topology = Json::parse(R"({"cache": {"min": 2}})");
  EXPECT_EQ(ErrorWith("components", topology, 1),
            "spec.schedules[night].components: cache is not a workload component");
  Json unknown = Json::parse(R"({"web": {"min": 2}})");
  EXPECT_EQ(ErrorWith("components", unknown),
            "spec.schedules[sale].components: web is not a workload component");
}

TEST(ScheduleSpec, StatusListsTheOpenWindows) {
  policy::Decision r;
  const policy::Time opened = *policy::ParseTime("2026-11-30T08:00:00Z");
  r.schedules.push_back({"sale", opened, opened + 9h});
  const Json st = BuildStatus(Json::object(), r, {}, {}, 1, {}, opened + 1min);
  ASSERT_TRUE(st.has_array_field("schedules"));
  const Json& s = st.at("schedules").as_array().at(0);
  EXPECT_EQ(s.at("name").as_string(), "sale");
  EXPECT_EQ(s.at("openedAt").as_string(), "2026-11-30T08:00:00Z");
  EXPECT_EQ(s.at("closesAt").as_string(), "2026-11-30T17:00:00Z");
  EXPECT_FALSE(BuildStatus(Json::object(), policy::Decision{}, {}, {}, 1, {}, opened)
                   .has_field("schedules"));
}

}  // namespace
}  // namespace gearbox::reconcile
