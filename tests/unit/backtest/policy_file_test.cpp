// What the backtest reads before it replays: the policy file (YAML to the JSON the reconciler
// parses), the flags and their exit codes, the step grid and range-query answers.
#include <sstream>

#include "backtest/command.h"
#include "backtest/policy_file.h"
#include "base/time_format.h"
#include "scripted_source.h"

namespace gearbox::backtest::testing {
namespace {

TEST(PolicyFile, YamlBecomesTheJsonTheApiServerWouldHold) {
  auto json = YamlToJson(
      "a: 10\nb: '10'\nc: 1.5\nd: true\ne: 15s\nf: ~\ng: [1, x]\nh: {i: -3}\nj: \"true\"\n");
  ASSERT_TRUE(json) << json.error().message;
  EXPECT_EQ(json->serialize(),
            R"({"a":10,"b":"10","c":1.5,"d":true,"e":"15s","f":null,"g":[1,"x"],"h":{"i":-3},)"
            R"("j":"true"})");
  EXPECT_FALSE(YamlToJson("a: [1, 2"));
}

TEST(PolicyFile, ARefusedSpecIsAnErrorThatNamesTheFileAndTheField) {
  const std::string path = WriteFile("bad.yaml", R"(apiVersion: gearbox.dev/v1alpha1
kind: ScalingPolicy
metadata: {name: bad}
spec:
  metrics: [{name: cpu, resource: {name: cpu, component: web}}]
  components:
    - name: web
      target: {apiVersion: apps/v1, kind: Deployment, name: web}
)");
  auto p = LoadPolicyFile(path);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().kind, Error::Kind::kInvalid);
  EXPECT_EQ(p.error().message, path + ": spec.components[0]: a workload needs replicas {min, max}");
  auto none = LoadPolicyFile(WriteFile("none.yaml", "kind: Deployment\n"));
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("holds no ScalingPolicy"), std::string::npos);
}

int Main(std::vector<std::string> args, std::string* err_text = nullptr) {
  std::vector<char*> argv;
  args.insert(args.begin(), "backtest");
  for (auto& a : args) argv.push_back(a.data());
  std::ostringstream out, err;
  const int code = BacktestMain(static_cast<int>(argv.size()), argv.data(), out, err);
  if (err_text) *err_text = err.str();
  return code;
}

TEST(Command, BadFlagsAndRefusedFilesExitWith2AndSayWhy) {
  std::string err;
  EXPECT_EQ(Main({"--help"}), 0);
  EXPECT_EQ(Main({"--policy", "x.yaml", "--start", "yesterday", "--end", "0"}, &err), 2);
  EXPECT_NE(err.find("--start yesterday: not an RFC 3339 time nor unix seconds"), std::string::npos)
      << err;
  EXPECT_EQ(Main({"--nope"}, &err), 2);
  const std::string bad = WriteFile("bad.yaml", "kind: ScalingPolicy\nmetadata: {name: x}\n");
  EXPECT_EQ(Main({"--policy", bad, "--start", "0", "--end", "60"}, &err), 2);
  EXPECT_NE(err.find("spec is missing"), std::string::npos) << err;
  EXPECT_EQ(Main({"--policy", bad, "--start", "0", "--end", "60", "--replicas", "web=x"}, &err), 2);
  EXPECT_NE(err.find("--replicas web=x: must be a whole number"), std::string::npos) << err;
}

TEST(Command, TimesAreRfc3339OrUnixSeconds) {
  EXPECT_EQ(ParseTimeFlag("1777593600"), ParseRfc3339("2026-05-01T00:00:00Z"));
  EXPECT_EQ(ParseTimeFlag("2026-05-01T02:00:00+02:00"), ParseRfc3339("2026-05-01T00:00:00Z"));
  EXPECT_FALSE(ParseTimeFlag("last week"));
}

TEST(RangeQuery, TheGridEndsAtTheLastWholeStepBeforeTheEnd) {
  const policy::Time t0 = *ParseRfc3339("2026-05-01T00:00:00Z");
  auto grid = StepGrid::Make(t0, t0 + 100s, 15s);
  ASSERT_TRUE(grid);
  EXPECT_EQ(grid->count, 7u);  // 0, 15, ... 90
  EXPECT_EQ(grid->end(), t0 + 90s);
  EXPECT_FALSE(StepGrid::Make(t0, t0 - 1s, 15s));
}

TEST(RangeQuery, AnswersAreReadIntoTheirSteps) {
  const policy::Time t0 = *ParseRfc3339("2026-05-01T00:00:00Z");
  StepGrid grid = *StepGrid::Make(t0, t0 + 60s, 15s);  // 1777593600 + 0, 15, 30, 45, 60
  History history(grid.count);
  for (size_t i = 0; i < grid.count; ++i) history[i] = {std::nullopt, grid.At(i), "no sample"};
  // Series a has steps 0, 1 and 3 (NaN), b has step 3 and 4; 1777593607 is off the grid.
  auto data = web::json::value::parse(R"({"resultType":"matrix","result":[
    {"metric":{"s":"a"},"values":[[1777593600,"1"],[1777593607,"9"],[1777593615,"2.5"],
                                  [1777593645,"NaN"]]},
    {"metric":{"s":"b"},"values":[[1777593645,"4"],[1777593660,"5"]]}]})");
  ASSERT_TRUE(PrometheusRangeSource::Fill(data, grid, history, "prometheus x"));
  EXPECT_EQ(history[0].value, 1);
  EXPECT_EQ(history[1].value, 2.5);
  EXPECT_FALSE(history[2].value);
  EXPECT_EQ(history[2].error, "no sample");
  EXPECT_FALSE(history[3].value) << "two series at one step";
  EXPECT_NE(history[3].error.find("several series"), std::string::npos) << history[3].error;
  EXPECT_EQ(history[4].value, 5);
  auto vector = web::json::value::parse(R"({"resultType":"vector","result":[]})");
  EXPECT_FALSE(PrometheusRangeSource::Fill(vector, grid, history, "prometheus x"));
}

}  // namespace
}  // namespace gearbox::backtest::testing
