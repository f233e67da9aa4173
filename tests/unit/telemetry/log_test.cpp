// Log lines are read by people (text) and by log pipelines (JSON): both shapes are pinned here.
#include "telemetry/log.h"

#include <gtest/gtest.h>

#include <regex>
#include <sstream>

namespace gearbox::telemetry {
namespace {

TEST(LogTest, JsonLineCarriesLevelMessageAndEscapedFields) {
  std::ostringstream out;
  Logger log(LogFormat::kJson, LogLevel::kInfo, &out);
  log.Info("scaled \"app\"", {{"policy", "shop/storefront"}, {"reason", "cpu 82\nabove 70"}});
  EXPECT_TRUE(std::regex_match(
      out.str(), std::regex(R"(\{"ts":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z","level":"info",)"
                            R"("msg":"scaled \\"app\\"","policy":"shop/storefront",)"
                            R"("reason":"cpu 82\\nabove 70"\}\n)")))
      << out.str();
}

TEST(LogTest, TextLineQuotesOnlyWhatNeedsIt) {
  std::ostringstream out;
  Logger log(LogFormat::kText, LogLevel::kDebug, &out);
  log.Warn("metric unavailable", {{"metric", "p95"}, {"error", "query returned 0 series"}});
  EXPECT_TRUE(std::regex_match(
      out.str(),
      std::regex(R"(\S+Z warn metric unavailable metric=p95 error="query returned 0 series"\n)")))
      << out.str();
}

TEST(LogTest, LevelFilters) {
  std::ostringstream out;
  Logger log(LogFormat::kText, LogLevel::kWarn, &out);
  log.Debug("no");
  log.Info("no");
  log.Warn("yes");
  log.Error("yes");
  const std::string text = out.str();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2);
  EXPECT_FALSE(log.Enabled(LogLevel::kInfo));
}

TEST(LogTest, ParsesFlagValues) {
  EXPECT_EQ(ParseLogLevel("debug"), LogLevel::kDebug);
  EXPECT_EQ(ParseLogLevel("error"), LogLevel::kError);
  EXPECT_FALSE(ParseLogLevel("verbose"));
  EXPECT_EQ(ParseLogFormat("json"), LogFormat::kJson);
  EXPECT_FALSE(ParseLogFormat("yaml"));
  EXPECT_EQ(JsonEscape(std::string("a\x01z", 3)), "a\\u0001z");
}

}  // namespace
}  // namespace gearbox::telemetry
