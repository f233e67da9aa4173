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

// The window's length, or the message of why there is none.
std::string Window(const std::string& start, const std::string& end) {
  const auto duration = CronWindowDuration(start, end);
  return duration ? *duration : "refused: " + duration.error().message;
}

TEST(CronWindow, SameShapeGivesTheDuration) {
  EXPECT_EQ(Window("0 8 * * 1-5", "0 18 * * 1-5"), "10h");
  EXPECT_EQ(Window("30 9 * * *", "0 10 * * *"), "30m");
  EXPECT_EQ(Window("0 22 * * *", "30 6 * * *"), "8h30m");  // over midnight, every day
  EXPECT_EQ(Window("0 9 * * *", "0 9 * * *"), "24h");
}

// KEDA's cron page's own example is hourly (30 * * * * to 45 * * * *): the same hour field in
// both is a window within every hour it matches.
TEST(CronWindow, Finding2_AnHourlyCronIsAWindowEveryHour) {
  EXPECT_EQ(Window("5 * * * *", "15 * * * *"), "10m");
  EXPECT_EQ(Window("30 * * * *", "45 * * * *"), "15m");
  EXPECT_EQ(Window("50 * * * *", "10 * * * *"), "20m");  // over the hour, every hour
  EXPECT_EQ(Window("0 9-17 * * 1-5", "30 9-17 * * 1-5"), "30m");
}

TEST(CronWindow, Finding2_WhatCannotBeExpressedNamesTheLimit) {
  EXPECT_EQ(Window("0 22 * * 1-5", "0 6 * * 1-5"),  // Friday to Monday
            "refused: the end is at or before the start on a day the start may not fire the "
            "day before: the window would span days of different lengths");
  EXPECT_EQ(Window("0 9 * * 1-5", "0 17 * * *"),
            "refused: the day fields differ (1-5 and *): a window opens on the start's days and "
            "lasts a fixed time");
  EXPECT_EQ(Window("*/5 9 * * *", "0 17 * * *"),
            "refused: the minute must be a plain number in both (*/5, 0)");
  EXPECT_EQ(Window("0 9 * *", "0 17 * *"), "refused: a cron of five fields each is needed");
  EXPECT_EQ(Window("0 * * * *", "0 17 * * *"),
            "refused: the hours * and 17 differ: a window's length is fixed only when each hour "
            "is a plain number, or both are the same field");
  EXPECT_EQ(Window("30 9-17 * * *", "0 9-17 * * *"),
            "refused: the end minute is at or before the start's in hours 9-17: the window would "
            "end in an hour the start does not fire in");
}

}  // namespace
}  // namespace gearbox::convert
