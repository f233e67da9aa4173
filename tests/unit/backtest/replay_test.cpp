// The replay over scripted histories: at which step a rule's `for` has run and the component
// scales, that a gap in the data blocks a scale-down, that the phase changes after its `hold`,
// and what the report and the TSV say.
#include <sstream>

#include "backtest/command.h"
#include "base/time_format.h"
#include "scripted_source.h"

namespace gearbox::backtest::testing {
namespace {

// tests/fixtures/backtest/shop.yaml: web scaled on cpu, a topology component cache, two phases of
// users, one step a minute.
const std::string kPolicy = GEARBOX_SOURCE_DIR "/tests/fixtures/backtest/shop.yaml";

const policy::Time kT0 = *ParseRfc3339("2026-05-01T00:00:00Z");

class Replay : public ::testing::Test {
 protected:
  Backtest Run(int minutes, std::map<std::string, int> replicas = {}) {
    Options o;
    o.policy_file = kPolicy;
    o.start = kT0;
    o.end = kT0 + std::chrono::minutes(minutes);
    o.replicas = std::move(replicas);
    auto b = Prepare(o);
    if (!b) {
      ADD_FAILURE() << b.error().message;
      return {};
    }
    auto run = backtest::Run(*b, source);
    EXPECT_TRUE(run) << run.error().message;
    return *b;
  }
  // The first step at or after `from` at which web's replicas move; -1: none.
  static int FirstChange(const Backtest& b, size_t from = 0) {
    for (size_t i = from; i < b.steps.size(); ++i)
      if (b.steps[i].components[0].after != b.steps[i].components[0].before)
        return static_cast<int>(i);
    return -1;
  }
  static std::string Events(const StepRecord& s) {
    std::string text;
    for (const auto& e : s.events) text += e.reason + ": " + e.note + "\n";
    return text;
  }

  ScriptedSource source;
};

TEST_F(Replay, ScalesUpAtExactlyTheStepWhereTheForHasRun) {
  source.scripts["max(shop_cpu)"] = Constant(80);
  source.scripts["sum(shop_users)"] = Constant(500);
  Backtest b = Run(10);
  ASSERT_EQ(b.steps.size(), 11u) << "0, 1, ... 10 minutes";
  // cpu 80 > 70 from step 0: the `for: 5m` has run at step 5 (minute 5), not before.
  EXPECT_EQ(FirstChange(b), 5);
  EXPECT_EQ(b.steps[5].components[0].before, 2);
  EXPECT_EQ(b.steps[5].components[0].after, 3);  // ceil(2 x 80 / 70)
  EXPECT_NE(Events(b.steps[5]).find("ScaledUp: web 2 -> 3: cpu 80 above 70 for 5m"),
            std::string::npos)
      << Events(b.steps[5]);
  // max(shop_cpu) has no target: a gate, which steps again only once its `for` has run since the
  // last scale-up (the recorded cpu does not follow the replicas): the next step at 10.
  EXPECT_EQ(FirstChange(b, 6), 10);
  EXPECT_EQ(b.steps[10].components[0].after, 4);  // Small's maximum
  EXPECT_EQ(b.steps[0].phase, "Small");
  EXPECT_NE(Events(b.steps[0]).find("PhaseSelected"), std::string::npos) << Events(b.steps[0]);
}

TEST_F(Replay, AGapInTheDataBlocksScaleDownAndRestartsTheFor) {
  // cpu 20 < 30, but no sample from minute 3 to minute 12.
  source.scripts["max(shop_cpu)"] = [](size_t i) -> std::optional<double> {
    if (i >= 3 && i <= 12) return std::nullopt;
    return 20;
  };
  source.scripts["sum(shop_users)"] = Constant(500);
  Backtest b = Run(30, {{"web", 4}});
  // Without the gap the `for` would have run at minute 5; the gap drops its timer, which starts
  // again at minute 13 and has run at minute 18.
  EXPECT_EQ(FirstChange(b), 18) << Events(b.steps[FirstChange(b)]);
  EXPECT_EQ(b.steps[18].components[0].after, 3);
  for (size_t i = 3; i <= 12; ++i) {
    EXPECT_FALSE(b.steps[i].metrics[0]) << i;
    EXPECT_NE(b.steps[i].components[0].reason.find("cpu"), std::string::npos)
        << b.steps[i].components[0].reason;
  }
  EXPECT_NE(Events(b.steps[3]).find("FailedGetMetric: cpu cannot be read: no sample"),
            std::string::npos)
      << Events(b.steps[3]);
  const Summary sum = Summarize(b.policy.spec, b.steps, b.grid.step);
  EXPECT_EQ(sum.components[0].unreadable_steps, 10);
  EXPECT_EQ(sum.unreadable_steps.at("cpu"), 10);
  EXPECT_EQ(sum.unreadable_steps.at("backlog"), 31) << "not replayed: unreadable at every step";
}

TEST_F(Replay, ThePhaseChangesAfterItsHold) {
  source.scripts["max(shop_cpu)"] = Constant(50);
  source.scripts["sum(shop_users)"] = [](size_t i) -> std::optional<double> {
    return i < 10 ? 500 : 5000;
  };
  Backtest b = Run(30);
  EXPECT_EQ(b.steps[9].phase, "Small");
  EXPECT_FALSE(b.steps[9].pending);
  ASSERT_TRUE(b.steps[10].pending);
  EXPECT_EQ(b.steps[10].pending->name, "Large");
  EXPECT_EQ(b.steps[10].pending->switch_at, kT0 + std::chrono::minutes(20));
  EXPECT_EQ(b.steps[19].phase, "Small");
  EXPECT_EQ(b.steps[20].phase, "Large");
  EXPECT_NE(Events(b.steps[20]).find("PhaseChanged: Small -> Large"), std::string::npos)
      << Events(b.steps[20]);
  // The topology grows first (cache 1 -> 3, ready at once); then web takes Large's minimum of 4.
  EXPECT_EQ(b.steps[20].components[1].after, 3);
  EXPECT_EQ(b.steps[20].components[0].min, 2) << "Small's bounds until the topology is ready";
  EXPECT_EQ(FirstChange(b), 21);
  EXPECT_EQ(b.steps[21].components[0].after, 4);
  EXPECT_EQ(b.steps[21].components[0].min, 4);
  EXPECT_EQ(Summarize(b.policy.spec, b.steps, b.grid.step).phase_changes, 1);
}

TEST_F(Replay, TheReportSaysWhatIsReplayedFromWhereAndOnlyTheChangesWhenQuiet) {
  source.scripts["max(shop_cpu)"] = Constant(80);
  source.scripts["sum(shop_users)"] = Constant(500);
  Backtest b = Run(10);
  std::ostringstream out;
  PrintHeader(out, b);
  PrintSteps(out, b, /*quiet=*/true);
  PrintSummary(out, b);
  const std::string text = out.str();
  std::cout << text;
  EXPECT_NE(text.find("cpu: max(shop_cpu)   (the policy's query)"), std::string::npos);
  EXPECT_NE(text.find("backlog: NOT REPLAYED: a queue metric is not in Prometheus"),
            std::string::npos);
  EXPECT_NE(text.find("--query backlog=PROMQL"), std::string::npos);
  EXPECT_NE(text.find("start: web 2 (replicas.min), cache 1 (phase Small)"), std::string::npos);
  EXPECT_NE(text.find("2026-05-01T00:05:00Z  Small  web 2->3 [2..4]  cache 1 [1..1]  | cpu 80 "
                      "users 500 backlog ?"),
            std::string::npos);
  EXPECT_EQ(text.find("2026-05-01T00:04:00Z"), std::string::npos) << "quiet: nothing changed";
  // 2 replicas for 5 steps, 3 for 5, 4 for 1, a minute each.
  EXPECT_NE(text.find("web: 2 scale-ups, 0 scale-downs, 29 replica-minutes, 2..4 replicas"),
            std::string::npos);
}

TEST_F(Replay, TheTsvHoldsEveryStep) {
  source.scripts["max(shop_cpu)"] = [](size_t i) -> std::optional<double> {
    return i == 1 ? std::nullopt : std::optional<double>(80);
  };
  source.scripts["sum(shop_users)"] = Constant(500);
  Backtest b = Run(2);
  const std::string path = WriteFile("shop.tsv", "");
  ASSERT_TRUE(WriteTsv(path, b));
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(),
            "time\tcpu\tusers\tbacklog\tphase\tweb\tweb_min\tweb_max\tcache\tcache_min\tcache_max\n"
            "1777593600\t80\t500\t\tSmall\t2\t2\t4\t1\t1\t1\n"
            "1777593660\t\t500\t\tSmall\t2\t2\t4\t1\t1\t1\n"
            "1777593720\t80\t500\t\tSmall\t2\t2\t4\t1\t1\t1\n");
}

TEST_F(Replay, AQueryForAMetricNotInPrometheusReplaysIt) {
  source.scripts["max(shop_cpu)"] = Constant(50);
  source.scripts["sum(shop_users)"] = Constant(500);
  source.scripts["redis_list_length{list=\"jobs\"}"] = Constant(7);
  Options o;
  o.policy_file = kPolicy;
  o.start = kT0;
  o.end = kT0 + 1min;
  o.queries["backlog"] = "redis_list_length{list=\"jobs\"}";
  auto b = Prepare(o);
  ASSERT_TRUE(b) << b.error().message;
  ASSERT_TRUE(backtest::Run(*b, source));
  EXPECT_EQ(b->plans[2].from, MetricPlan::From::kFlag);
  EXPECT_EQ(b->steps[1].metrics[2], 7);
  o.queries["nope"] = "up";
  auto unknown = Prepare(o);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().message, "--query nope: the policy has no such metric");
}

}  // namespace
}  // namespace gearbox::backtest::testing
