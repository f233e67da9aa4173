// The reconciler and schedule windows: a policy is woken at a window's opening when that comes
// before its interval, the minimum is raised then (ScheduleOpened, status.schedules), and at the
// closing it falls back (ScheduleClosed).
#include <gtest/gtest.h>

#include "reconciler_world.h"

namespace gearbox::testing {
namespace {

using kube::Json;
using Outcome = kube::ReconcileResult::Outcome;
using namespace std::chrono_literals;

bool Has(const std::vector<std::string>& events, const std::string& prefix) {
  for (const auto& e : events)
    if (e.rfind(prefix, 0) == 0) return true;
  return false;
}

TEST(ReconcilerSchedules, WakesAtTheOpeningAndTheClosing) {
  World w;
  w.Deployment("web", 4);
  w.metrics()["cpu"] = Value(50);
  w.metrics()["p95"] = Value(0.1);
  // The fake wall clock reads 1970-02-11T16:00:50Z; the window opens at 16:01 for a minute.
  w.clock().Advance(50s);
  w.policy()["spec"]["schedules"] = Json::parse(R"([{"name": "sale", "start": "1 16 * * *",
      "duration": "1m", "timeZone": "UTC", "components": {"app": {"min": 6}}}])");
  kube::ReconcileResult r = w.Pass();
  EXPECT_EQ(r.outcome, Outcome::kRequeue);
  EXPECT_EQ(r.requeue_after, 10020ms) << "at the opening, not at the interval (15s)";
  EXPECT_TRUE(w.Writes().empty());

  w.clock().Advance(10020ms);
  r = w.Pass();
  EXPECT_EQ(w.Writes(),
            std::vector<std::string>{"PATCH /apis/apps/v1/namespaces/shop/deployments/web/scale "
                                     R"({"spec":{"replicas":6}})"});
  EXPECT_TRUE(Has(w.Events(), "ScheduleOpened: sale opened until 1970-02-11T16:02:00Z"));
  EXPECT_TRUE(Has(w.Events(),
                  "ScaledUp: app 4 -> 6: below the minimum of 6..10 (component, "
                  "schedule sale)"));
  const std::optional<Json> status = w.Status();
  ASSERT_TRUE(status && status->has_array_field("schedules"));
  EXPECT_EQ(status->at("schedules").at(0).at("closesAt").as_string(), "1970-02-11T16:02:00Z");

  w.clock().Advance(50s);  // 16:01:50: the closing is 10 s away
  r = w.Pass();
  EXPECT_EQ(r.requeue_after, 10000ms) << "at the closing (9.98 s away, and 20 ms)";
  w.clock().Advance(*r.requeue_after);
  w.Pass();
  EXPECT_TRUE(Has(w.Events(), "ScheduleClosed: sale closed at 1970-02-11T16:02:00Z"));
}

}  // namespace
}  // namespace gearbox::testing
