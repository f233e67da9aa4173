// The small parts of convert: quantities, durations, names, cron windows.
#include <gtest/gtest.h>

#include "convert/cron.h"
#include "convert/naming.h"
#include "convert/quantity.h"

namespace gearbox::convert {
namespace {

TEST(Quantity, ParsesKubernetesQuantities) {
  EXPECT_DOUBLE_EQ(*ParseQuantity("500m"), 0.5);
  EXPECT_DOUBLE_EQ(*ParseQuantity("1k"), 1000);
  EXPECT_DOUBLE_EQ(*ParseQuantity("2Gi"), 2147483648.0);
  EXPECT_DOUBLE_EQ(*ParseQuantity("100.50"), 100.5);
  EXPECT_DOUBLE_EQ(*ParseQuantity("1e3"), 1000);
  EXPECT_FALSE(ParseQuantity("lots").ok());
  EXPECT_FALSE(ParseQuantity("5 Gi").ok());
}

TEST(Quantity, FormatsWithoutFloatingPointNoise) {
  EXPECT_EQ(FormatNumber(70 * 1.1), "77");
  EXPECT_EQ(FormatNumber(70 * 0.9), "63");
  EXPECT_EQ(FormatNumber(100.5 * 1.1), "110.55");
  EXPECT_EQ(FormatSeconds(300), "5m");
  EXPECT_EQ(FormatSeconds(30), "30s");
  EXPECT_EQ(FormatSeconds(7200), "2h");
  EXPECT_EQ(FormatSeconds(0), "0s");
}

TEST(Naming, MakesValidNames) {
  EXPECT_EQ(DnsLabel("Web.API_v2"), "web-api-v2");
  EXPECT_EQ(DnsLabel("--"), "workload");
  EXPECT_EQ(DnsLabel(std::string(80, 'a')).size(), 63u);
  Draft draft;
  EXPECT_EQ(UniqueMetricName("packets-per-second", draft), "packets_per_second");
  draft.metrics.push_back({});
  draft.metrics.back().name = "cpu";
  EXPECT_EQ(UniqueMetricName("cpu", draft), "cpu_2");
  EXPECT_EQ(UniqueMetricName("5xx", draft), "m_5xx");
}

TEST(CronWindow, SameShapeGivesTheDuration) {
  EXPECT_EQ(CronWindowDuration("0 8 * * 1-5", "0 18 * * 1-5"), "10h");
  EXPECT_EQ(CronWindowDuration("30 9 * * *", "0 10 * * *"), "30m");
  EXPECT_EQ(CronWindowDuration("0 22 * * *", "30 6 * * *"), "8h30m");  // over midnight, every day
}

TEST(CronWindow, OtherShapesGiveNothing) {
  EXPECT_EQ(CronWindowDuration("0 22 * * 1-5", "0 6 * * 1-5"), std::nullopt);  // Friday to Monday
  EXPECT_EQ(CronWindowDuration("0 9 * * 1-5", "0 17 * * *"), std::nullopt);
  EXPECT_EQ(CronWindowDuration("*/5 9 * * *", "0 17 * * *"), std::nullopt);
  EXPECT_EQ(CronWindowDuration("0 9 * *", "0 17 * *"), std::nullopt);
  EXPECT_EQ(CronWindowDuration("0 9 * * *", "0 9 * * *"), "24h");
}

}  // namespace
}  // namespace gearbox::convert
