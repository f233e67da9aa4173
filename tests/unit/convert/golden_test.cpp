// Every manifest of tests/fixtures/convert converted and compared with its *.expected.yaml.
// GEARBOX_UPDATE_GOLDEN=1 rewrites the expected files (review the diff before committing it).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "run_convert.h"

namespace gearbox::convert::testing {
namespace {

class Golden : public ::testing::TestWithParam<std::string> {};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST_P(Golden, MatchesExpected) {
  const std::string input = FixturePath(GetParam() + ".yaml");
  const std::string expected_path = FixturePath(GetParam() + ".expected.yaml");
  // What a fixture drops (so-paused's rabbitmq trigger) is tested by findings_test.cpp.
  const Outcome run = Convert({"--allow-partial", input});
  ASSERT_EQ(run.code, 0) << run.err;
  if (std::getenv("GEARBOX_UPDATE_GOLDEN") != nullptr) std::ofstream(expected_path) << run.out;
  EXPECT_EQ(run.out, ReadFile(expected_path))
      << "diff it with: gearbox-controller convert " << input;
}

// docs/convert.md shows two of the outputs: they must be what convert prints today.
TEST(ConvertDocs, ShowTheOutputsAsTheyAre) {
  const std::string docs = ReadFile(std::string(GEARBOX_SOURCE_DIR) + "/docs/convert.md");
  for (const char* fixture : {"hpa-cpu", "so-redis-zero"}) {
    const std::string output = Convert({FixturePath(std::string(fixture) + ".yaml")}).out;
    EXPECT_NE(docs.find("```yaml\n" + output + "```"), std::string::npos)
        << "docs/convert.md does not show the output of " << fixture << " as it is now";
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, Golden,
                         ::testing::Values("hpa-cpu", "hpa-v2-multi", "hpa-v1", "so-redis-zero",
                                           "so-prometheus-cpu", "so-cron-redis", "so-cron-hourly",
                                           "so-paused", "multi", "so-postgresql",
                                           "so-redis-sentinel-streams", "so-metrics-api",
                                           "so-rabbitmq-http", "so-workload"),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& c : name)
                             if (c == '-') c = '_';
                           return name;
                         });

}  // namespace
}  // namespace gearbox::convert::testing
