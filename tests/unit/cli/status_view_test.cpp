// `kubectl gearbox status` of the seed's storefront example, from a realistic status
// (tests/fixtures/cli/storefront.json): short, every component's why, every metric against its
// thresholds, and no internal timers.
#include "cli/status_view.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace gearbox::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

web::json::value Storefront() {
  std::ifstream file(GEARBOX_SOURCE_DIR "/tests/fixtures/cli/storefront.json");
  std::stringstream text;
  text << file.rdbuf();
  return web::json::value::parse(text.str());
}

// Ten seconds after the fixture's last evaluation.
WallTime Now() { return *ParseRfc3339("2026-05-12T10:32:25Z"); }

std::string View() { return StatusView(Storefront(), Now()); }

TEST(Status, StatusPrintsTheStorefrontInFortyLines) {
  const std::string text = View();
  const auto lines = std::count(text.begin(), text.end(), '\n');
  EXPECT_LE(lines, 40) << text;  // 34 with this fixture
  EXPECT_GE(lines, 20) << "every component, metric and decision has its line:\n" << text;
}

TEST(Status, StatusShowsThePhaseAndWhenThePendingOneSwitches) {
  EXPECT_THAT(View(), HasSubstr("storefront in shop: Enforce, phase Medium → Large at 10:39:00Z "
                                "(in 6m) if users holds\n"));
}

TEST(Status, StatusShowsWhyEachComponentMoved) {
  const std::string text = View();
  EXPECT_THAT(text, HasSubstr("scaling up: cpu 82 above 70 for 5m"));
  EXPECT_THAT(text, HasSubstr("4 → 5 (4 ready)"));
  EXPECT_THAT(text, HasSubstr("counting: scaleUp p95 > 0.5, 1m40s of 5m"));
  EXPECT_THAT(text, HasSubstr("2 → 3   phase Medium: min 3"));
  EXPECT_THAT(text, HasSubstr("at its size"));
}

TEST(Status, StatusShowsEachMetricAgainstItsThresholds) {
  const std::string text = View();
  EXPECT_THAT(text, HasSubstr("> 70 for 5m (app up): met"));
  EXPECT_THAT(text, HasSubstr("< 30 for 10m (app down): no"));
  EXPECT_THAT(text, HasSubstr("> 0.5 for 5m (app up): 1m40s of 5m"));
  EXPECT_THAT(text, HasSubstr("> 1000/replica (worker up): 800, no"));
  EXPECT_THAT(text, HasSubstr("> 10000 (alert QueueBacklog): no"));
  EXPECT_THAT(text, HasSubstr("selects phase Large (10000..100000)"));
  EXPECT_THAT(text, HasSubstr("unavailable: prometheus: the query returned no series"));
}

TEST(Status, StatusShowsAConditionOnlyWhenItIsNotInItsGoodState) {
  const std::string text = View();
  EXPECT_THAT(text, HasSubstr("ScalingLimited True (TooManyReplicas): app wants 6, capped at 5"));
  EXPECT_THAT(text, Not(HasSubstr("Ready True")));
  EXPECT_THAT(text, Not(HasSubstr("MetricsAvailable")));
}

TEST(Status, StatusLeavesTheInternalTimersOut) {
  const std::string text = View();
  EXPECT_THAT(text, Not(HasSubstr("app/scaleUp/0/cpu")));
  EXPECT_THAT(text, Not(HasSubstr("unavailable/redisMemory")));
}

TEST(Status, StatusOfAPolicyNotYetEvaluatedSaysSoInOneLine) {
  auto policy = Storefront();
  policy.erase("status");
  EXPECT_EQ(StatusView(policy, Now()), "storefront in shop: Enforce; not evaluated yet\n");
}

TEST(Status, StatusSaysWhenItDescribesAnOlderGeneration) {
  auto policy = Storefront();
  policy["metadata"]["generation"] = web::json::value::number(4);
  EXPECT_THAT(StatusView(policy, Now()), HasSubstr("; status of generation 3, spec is 4\n"));
}

}  // namespace
}  // namespace gearbox::cli
