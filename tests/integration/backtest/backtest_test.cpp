// The backtest against a real Prometheus (Debian's package) holding a KNOWN history: two hours of
// samples every 15 s, ending at least an hour ago, written as OpenMetrics and backfilled with
// `promtool tsdb create-blocks-from openmetrics`. Minute by minute (m from the start):
//   users  500 until m 30, 5000 until m 80, 500 after: Small -> Large -> Small (hold 10m)
//   cpu    50 until m 50, 85 until m 70, 20 after, with NO samples from m 85 to m 105
// The policy evaluates every minute, so step k is minute k; the tests assert the exact steps at
// which the phase and the replicas change, the reasons, and that the gap blocks a scale-down.
// Traffic only to 127.0.0.1.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "backtest/command.h"
#include "base/time_format.h"
#include "servers.h"

namespace gearbox::backtest::testing {
namespace {

using metrics::testing::Sh;
using namespace std::chrono_literals;

double Users(double m) { return m < 30 ? 500 : m < 80 ? 5000 : 500; }
std::optional<double> Cpu(double m) {
  if (m >= 85 && m < 105) return std::nullopt;  // the gap
  return m < 50 ? 50 : m < 70 ? 85 : 20;
}

int64_t Unix(policy::Time t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// The history as OpenMetrics: a metric family's samples together, times in seconds, `# EOF`.
std::string OpenMetrics(policy::Time start) {
  std::ostringstream users, cpu;
  users << "# TYPE shop_users gauge\n";
  cpu << "# TYPE shop_cpu gauge\n";
  for (int k = 0; k <= 480; ++k) {  // every 15 s over two hours
    const double m = k / 4.0;
    const int64_t t = Unix(start) + k * 15;
    users << "shop_users " << Users(m) << " " << t << "\n";
    if (auto v = Cpu(m)) cpu << "shop_cpu " << *v << " " << t << "\n";
  }
  return users.str() + cpu.str() + "# EOF\n";
}

uint16_t FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

// web scaled on cpu, a topology component cache, two phases of users, one step a minute.
const std::string kPolicy = GEARBOX_SOURCE_DIR "/tests/fixtures/backtest/shop.yaml";

std::shared_ptr<metrics::PrometheusClient> Client(const std::string& url) {
  auto c = metrics::PrometheusClient::Create({url, "", "", 30s});
  EXPECT_TRUE(c) << c.error().message;
  return *c;
}

// A Prometheus holding the history, started for each case (each is its own process) and stopped
// at its end.
class RecordedPrometheus : public ::testing::Test {
 protected:
  void SetUp() override {
    // Whole hours, the end at least an hour ago: the steps fall on whole minutes.
    const int64_t hour_ago = Unix(std::chrono::system_clock::now()) - 3600;
    start_ = policy::Time(std::chrono::seconds(hour_ago / 3600 * 3600 - 7200));
    dir_ = ::testing::TempDir() + "gearbox-backtest-" + std::to_string(getpid());
    Sh("rm -rf " + dir_ + " && mkdir -p " + dir_ + "/data");
    std::ofstream(dir_ + "/history.om") << OpenMetrics(start_);
    std::ofstream(dir_ + "/prometheus.yml") << "global: {scrape_interval: 1m}\n";
    int rc = 0;
    std::string out =
        Sh("promtool tsdb create-blocks-from openmetrics " + dir_ + "/history.om " + dir_ + "/data",
           &rc);
    ASSERT_EQ(rc, 0) << out;
    StartPrometheus();
  }

  void StartPrometheus() {
    port_ = FreePort();
    url_ = "http://127.0.0.1:" + std::to_string(port_);
    Sh("prometheus --config.file=" + dir_ + "/prometheus.yml --storage.tsdb.path=" + dir_ +
       "/data --storage.tsdb.retention.time=30d --web.listen-address=127.0.0.1:" +
       std::to_string(port_) + " >" + dir_ + "/prometheus.log 2>&1 & echo $! >" + dir_ +
       "/prometheus.pid");
    for (int i = 0; i < 240; ++i) {
      int rc = 1;
      Sh("curl -fs " + url_ + "/-/ready", &rc);
      if (rc == 0) return;
      std::this_thread::sleep_for(250ms);
    }
    FAIL() << "Prometheus did not start: " << Sh("tail -20 " + dir_ + "/prometheus.log");
  }

  void TearDown() override {
    Sh("kill -9 $(cat " + dir_ + "/prometheus.pid) 2>/dev/null; rm -rf " + dir_);
  }

  Options Flags() const {
    Options o;
    o.policy_file = kPolicy;
    o.prometheus_url = url_;
    o.start = start_;
    o.end = start_ + 120min;
    return o;
  }

  // The backtest of the recorded two hours, through the library.
  Backtest Replayed() const {
    auto b = Prepare(Flags());
    if (!b) {
      ADD_FAILURE() << b.error().message;
      return {};
    }
    PrometheusRangeSource source(Client(url_));
    auto run = backtest::Run(*b, source);
    EXPECT_TRUE(run) << run.error().ToString();
    return *b;
  }

  std::string Minute(int m) const {
    return FormatRfc3339(start_ + std::chrono::minutes(m), TimePrecision::kSeconds);
  }

  policy::Time start_;
  std::string dir_, url_;
  uint16_t port_ = 0;
};

std::string Events(const StepRecord& s) {
  std::string text;
  for (const auto& e : s.events) text += e.reason + ": " + e.note + "\n";
  return text;
}

// The steps at which a component's replicas moved, as "step:before->after".
std::string Moves(const Backtest& b, size_t component) {
  std::string moves;
  for (size_t i = 0; i < b.steps.size(); ++i) {
    const ComponentStep& c = b.steps[i].components[component];
    if (c.after != c.before)
      moves +=
          std::to_string(i) + ":" + std::to_string(c.before) + "->" + std::to_string(c.after) + " ";
  }
  return moves;
}

TEST_F(RecordedPrometheus, ThePhasesAndTheTopologyChangeAtTheRecordedSteps) {
  const Backtest b = Replayed();
  ASSERT_EQ(b.steps.size(), 121u);
  const auto& s = b.steps;
  // Small, Large wanted at 30 and taken after the hold at 40, Small wanted at 80 and taken at 90.
  EXPECT_EQ(s[0].phase, "Small");
  EXPECT_NE(Events(s[0]).find("PhaseSelected: phase Small: users 500 < 1000"), std::string::npos);
  EXPECT_FALSE(s[29].pending);
  ASSERT_TRUE(s[30].pending);
  EXPECT_EQ(s[30].pending->switch_at, start_ + 40min);
  EXPECT_EQ(s[39].phase, "Small");
  EXPECT_EQ(s[40].phase, "Large");
  EXPECT_NE(Events(s[40]).find("PhaseChanged: Small -> Large"), std::string::npos) << Events(s[40]);
  EXPECT_EQ(s[89].phase, "Large");
  EXPECT_EQ(s[90].phase, "Small");
  // The topology first, one change at a time: cache 1 -> 3 at 40 (ready at 41), 3 -> 1 at 90.
  EXPECT_EQ(Moves(b, 1), "40:1->3 90:3->1 ");
  EXPECT_NE(Events(s[40]).find("TopologyResize: cache 1 -> 3 for phase Large"), std::string::npos)
      << Events(s[40]);
  EXPECT_NE(Events(s[41]).find("TopologyReady: cache ready at 3/3"), std::string::npos)
      << Events(s[41]);
  EXPECT_EQ(Summarize(b.policy.spec, b.steps, b.grid.step).phase_changes, 2);
}

TEST_F(RecordedPrometheus, WebScalesAtTheRecordedStepsAndTheGapBlocksScaleDown) {
  const Backtest b = Replayed();
  ASSERT_EQ(b.steps.size(), 121u);
  const auto& s = b.steps;
  // Large's minimum once the topology is ready (41); cpu 85 > 70 for 5m at 55, 60, 65: max(cpu)
  // has no target, so it is a gate, +50% a step at most and once per its `for` (the recorded cpu
  // does not follow the replicas); cpu 20 < 30 for 5m from 75, one replica a minute (a gate) down
  // to Large's minimum. The gap (no samples from 85; Prometheus's 5m lookback reads the last one
  // until 89) makes cpu unreadable from 90 to 104: no scale-down then, although Small allows 2;
  // the `for` starts again at 105.
  EXPECT_EQ(Moves(b, 0),
            "41:2->4 55:4->5 60:5->7 65:7->9 75:9->8 76:8->7 77:7->6 78:6->5 79:5->4 110:4->3 "
            "111:3->2 ");
  EXPECT_NE(Events(s[55]).find("ScaledUp: web 4 -> 5: cpu 85 above 70 for 5m"), std::string::npos)
      << Events(s[55]);
  EXPECT_NE(Events(s[75]).find("ScaledDown: web 9 -> 8: cpu 20 below 30 for 5m"), std::string::npos)
      << Events(s[75]);
  EXPECT_TRUE(s[89].metrics[0]);
  for (size_t i = 90; i <= 104; ++i) EXPECT_FALSE(s[i].metrics[0]) << i;
  EXPECT_TRUE(s[105].metrics[0]);
  EXPECT_NE(Events(s[90]).find("FailedGetMetric: cpu cannot be read"), std::string::npos)
      << Events(s[90]);
  EXPECT_NE(s[95].components[0].reason.find("cpu"), std::string::npos)
      << s[95].components[0].reason;
  const Summary sum = Summarize(b.policy.spec, b.steps, b.grid.step);
  EXPECT_EQ(sum.components[0].scale_ups, 4);
  EXPECT_EQ(sum.components[0].scale_downs, 7);
  EXPECT_EQ(sum.components[0].unreadable_steps, 15);
}

TEST_F(RecordedPrometheus, TheCommandPrintsTheChangesAndWritesTheTsv) {
  const std::string command = std::string(GEARBOX_CONTROLLER) + " backtest --policy " + kPolicy +
                              " --prometheus " + url_ + " --start " + std::to_string(Unix(start_)) +
                              " --end " + Minute(120) + " --quiet --tsv " + dir_ + "/shop.tsv";
  int rc = -1;
  const std::string out = Sh(command, &rc);
  std::cout << out;
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("cpu: max(shop_cpu)   (the policy's query)"), std::string::npos);
  EXPECT_NE(out.find(Minute(40) + "  Large  web 2 [2..4]  cache 1->3 [3..3]"), std::string::npos);
  EXPECT_NE(out.find(Minute(110) + "  Small  web 4->3 [2..4]"), std::string::npos);
  EXPECT_EQ(out.find(Minute(100)), std::string::npos) << "--quiet: nothing changed at 100";
  EXPECT_NE(out.find("web: 4 scale-ups, 7 scale-downs"), std::string::npos);
  EXPECT_EQ(Sh("wc -l <" + dir_ + "/shop.tsv"), "122\n") << "a header and 121 steps";
  // The plot, where Debian's matplotlib is installed.
  if (Sh("/usr/bin/python3 -c 'import matplotlib' >/dev/null 2>&1 && echo yes") == "yes\n") {
    std::string plot = Sh("/usr/bin/python3 " GEARBOX_SOURCE_DIR "/hack/backtest-plot.py " + dir_ +
                              "/shop.tsv " + dir_ + "/shop.png",
                          &rc);
    EXPECT_EQ(rc, 0) << plot;
    const std::string size = Sh("stat -c %s " + dir_ + "/shop.png");
    EXPECT_LT(std::stol(size), 250000) << size;
  }
  // Prometheus down: exit 1 and the reason.
  const std::string down = Sh(std::string(GEARBOX_CONTROLLER) + " backtest --policy " + kPolicy +
                                  " --prometheus http://127.0.0.1:1 --start 0 --end 60",
                              &rc);
  EXPECT_EQ(rc, 1) << down;
  EXPECT_NE(down.find("cannot connect"), std::string::npos) << down;
}

TEST_F(RecordedPrometheus, LongRangesAreAskedInChunksOf11000Points) {
  auto client = Client(url_);
  PrometheusRangeSource source(client);
  // Two hours every 250 ms: 28,801 points, three requests (from minutes 0, 45.8 and 91.7).
  auto grid = StepGrid::Make(start_, start_ + 120min, 250ms);
  ASSERT_TRUE(grid);
  auto history = source.Read("max(shop_cpu)", *grid);
  ASSERT_TRUE(history) << history.error().ToString();
  EXPECT_EQ(client->requests(), 3);
  ASSERT_EQ(history->size(), 28801u);
  const History& h = *history;
  EXPECT_EQ(h[10999].value, 50);  // the last point of the first request
  EXPECT_EQ(h[11000].value, 50);  // the first of the second
  EXPECT_EQ(h[14400].value, 85);  // minute 60
  EXPECT_FALSE(h[22000].value);   // minute 91.7: the gap
  EXPECT_EQ(h[22000].time, start_ + 5500s);
  EXPECT_EQ(h[28800].value, 20);  // minute 120
}

}  // namespace
}  // namespace gearbox::backtest::testing
