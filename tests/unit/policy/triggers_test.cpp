// Every trigger of the seed (003_80cba1170433a92a.txt, "Auto-scaling Rules") as written, the
// min/max of each component, and every alert.
#include "storefront.h"

namespace gearbox::policy::testing {
namespace {

// The storefront in phase `users` with app and worker at the given sizes, all metrics calm.
Driver Calm(double users, int app, int worker) {
  Driver d(Storefront());
  d.Metric("users", users);
  d.Metric("cpu", 50);
  d.Metric("p95", 0.3);
  d.Metric("backlog", 150.0 * worker);
  d.Metric("jobWait", 5);
  d.Metric("dbCpu", 20);
  d.Metric("redisMemory", 30);
  d.Metric("errorRate", 0.1);
  d.Replicas("app", app);
  d.Replicas("worker", worker);
  d.Step();
  return d;
}

TEST(AppTriggers, CpuAbove70ForFiveMinutesScalesUp) {
  Driver d = Calm(5000, 3, 3);  // Medium: app 3..5
  ASSERT_EQ(d.last.phase, "Medium");
  d.Metric("cpu", 80);
  d.Step(15s);
  ASSERT_EQ(d.last.Find("app")->counting.size(), 1u);
  EXPECT_EQ(d.last.Find("app")->counting[0].rule, "scaleUp cpu > 70");
  d.Run(5min - 15s);  // cpu 80 for 4m45s
  EXPECT_EQ(d.Current("app"), 3) << d.last.Find("app")->reason;
  d.Step(15s);                     // 5m
  EXPECT_EQ(d.Current("app"), 4);  // ceil(3 x 80/70) = 4
  EXPECT_TRUE(d.HasEvent("ScaledUp"));
  EXPECT_EQ(d.last.events[0].note, "app 3 -> 4: cpu 80 above 70 for 5m");
  // The rule keeps its timer: the load spread over 4 pods (60%) stops it; were it still 80, the
  // next evaluation would size again at once (ceil(4 x 80/70) = 5).
  d.Metric("cpu", 80.0 * 3 / 4);
  d.Run(5min);
  EXPECT_EQ(d.Current("app"), 4);
  d.Metric("cpu", 80);
  d.Step(15s);
  EXPECT_EQ(d.Current("app"), 4) << "the rule's `for` starts over after it stopped holding";
  d.Run(5min);
  EXPECT_EQ(d.Current("app"), 5);
}

TEST(AppTriggers, P95Above500msForFiveMinutesScalesUpAlone) {
  Driver d = Calm(5000, 3, 3);
  d.Metric("p95", 0.6);
  d.Run(5min + 15s);               // the first step starts the timer
  EXPECT_EQ(d.Current("app"), 4);  // ceil(3 x 0.6/0.5) = 4
  EXPECT_NE(d.last.Find("app")->reason.find("p95 0.6 above 0.5 for 5m"), std::string::npos)
      << d.last.Find("app")->reason;
}

TEST(AppTriggers, ScaleDownNeedsCpuBelow30ForTenMinutesAndP95Below200ms) {
  Driver d = Calm(50000, 8, 5);  // Large: app 5..10
  d.Metric("cpu", 20);
  d.Metric("p95", 0.3);  // cpu alone is not enough
  d.Run(15min);
  EXPECT_EQ(d.Current("app"), 8) << d.last.Find("app")->reason;
  d.Metric("p95", 0.1);  // now both: the cpu timer has run for 15 minutes already
  d.Step(15s);
  EXPECT_EQ(d.Current("app"), 7);  // ceil(8 x 20/30) = 6, limited to -1 per step
  EXPECT_NE(d.last.Find("app")->reason.find("limited to -1 per"), std::string::npos);
  EXPECT_TRUE(d.HasEvent("ScaledDown"));
}

TEST(AppTriggers, CpuBelow30ForLessThanTenMinutesDoesNotScaleDown) {
  Driver d = Calm(50000, 8, 5);
  d.Metric("cpu", 20);
  d.Metric("p95", 0.1);
  d.Run(10min);  // held for 9m45s: the first step started the timer
  EXPECT_EQ(d.Current("app"), 8);
  d.Step(15s);
  EXPECT_EQ(d.Current("app"), 7);
}

TEST(WorkerTriggers, BacklogAbove1000PerWorkerScalesUpAtOnce) {
  Driver d = Calm(50000, 5, 5);  // Large: worker 5..10
  d.Metric("backlog", 6000);     // 1200 per worker
  d.Step(15s);
  EXPECT_EQ(d.Current("worker"), 6);  // ceil(6000/1000)
  d.Metric("backlog", 6000);          // 1000 per worker: not above
  d.Step(15s);
  EXPECT_EQ(d.Current("worker"), 6);
}

TEST(WorkerTriggers, JobWaitAbove60sScalesUp) {
  Driver d = Calm(50000, 5, 5);
  d.Metric("jobWait", 90);
  d.Step(15s);
  EXPECT_EQ(d.Current("worker"), 8);  // ceil(5 x 90/60)
}

TEST(WorkerTriggers, BacklogBelow100PerWorkerScalesDown) {
  Driver d = Calm(50000, 5, 8);
  d.Metric("backlog", 400);  // 50 per worker
  d.Step(15s);
  EXPECT_EQ(d.Current("worker"), 7);  // ceil(8 x 0.5) = 4, limited to -1
  d.Metric("backlog", 7 * 150.0);     // 150 per worker: not below
  d.Step(15s);
  EXPECT_EQ(d.Current("worker"), 7);
}

TEST(Bounds, MinAndMaxOfEachComponentWithoutPhases) {
  Spec s = Storefront();
  s.phases.reset();
  s.components.resize(2);  // no topology without phases
  Driver d(s);
  d.Metric("cpu", 99);
  d.Metric("p95", 0.9);
  d.Metric("backlog", 1e6);
  d.Metric("jobWait", 600);
  d.Replicas("app", 18);
  d.Replicas("worker", 48);
  d.Step();
  d.Run(10min);
  EXPECT_EQ(d.Current("app"), 20);
  EXPECT_EQ(d.Current("worker"), 50);
  EXPECT_TRUE(d.last.FindCondition("ScalingLimited")->status);
  EXPECT_EQ(d.last.FindCondition("ScalingLimited")->reason, "TooManyReplicas");
  d.Metric("cpu", 5);
  d.Metric("p95", 0.05);
  d.Metric("backlog", 0);
  d.Metric("jobWait", 0);
  d.Run(4h);
  EXPECT_EQ(d.Current("app"), 3);
  EXPECT_EQ(d.Current("worker"), 2);
  EXPECT_TRUE(d.last.FindCondition("ScalingLimited")->status);
  EXPECT_EQ(d.last.FindCondition("ScalingLimited")->reason, "TooFewReplicas");
}

TEST(Phases, EachPhaseOfTheRoadmapSetsItsBounds) {
  struct Case {
    double users;
    const char* phase;
    int app_min, app_max, worker_min, worker_max, redis, database;
  };
  for (const Case& c :
       {Case{500, "Small", 2, 2, 2, 2, 1, 1}, Case{5000, "Medium", 3, 5, 3, 5, 1, 1},
        Case{50000, "Large", 5, 10, 5, 10, 3, 3},
        Case{500000, "Enterprise", 10, 20, 20, 50, 6, 5}}) {
    Driver d = Calm(c.users, 4, 4);
    d.ready_after = 0;
    d.Run(2min);
    EXPECT_EQ(d.last.phase, c.phase) << c.users;
    EXPECT_EQ(d.last.Find("app")->min, c.app_min) << c.phase;
    EXPECT_EQ(d.last.Find("app")->max, c.app_max) << c.phase;
    EXPECT_EQ(d.last.Find("worker")->min, c.worker_min) << c.phase;
    EXPECT_EQ(d.last.Find("worker")->max, c.worker_max) << c.phase;
    EXPECT_EQ(d.Current("redis"), c.redis) << c.phase;
    EXPECT_EQ(d.Current("database"), c.database) << c.phase;
    EXPECT_GE(d.Current("app"), c.app_min);
    EXPECT_LE(d.Current("app"), c.app_max);
  }
  // Small asks for 2 app instances, below the app's own minimum of 3: the roadmap wins, and says
  // so.
  Driver small = Calm(500, 3, 2);
  EXPECT_EQ(small.Current("app"), 2);
  EXPECT_NE(small.last.Find("app")->bounds_from.find("outside the component's 3..20"),
            std::string::npos)
      << small.last.Find("app")->bounds_from;
}

TEST(Alerts, EachAlertFiresOnceAndResolves) {
  struct Case {
    const char* alert;
    const char* metric;
    double bad, good;
    Duration for_;
  };
  for (const Case& c :
       {Case{"QueueBacklog", "backlog", 12000, 100, 0s}, Case{"DatabaseCPU", "dbCpu", 90, 20, 5min},
        Case{"RedisMemory", "redisMemory", 95, 30, 0s}, Case{"SlowResponses", "p95", 1.5, 0.3, 0s},
        Case{"ErrorRate", "errorRate", 7, 0.1, 0s}}) {
    Driver d = Calm(50000, 5, 5);
    EXPECT_FALSE(d.last.FindCondition("AlertFiring")->status);
    d.Metric(c.metric, c.bad);
    d.Step(15s);
    if (c.for_.count() > 0) {
      EXPECT_TRUE(d.last.alerts.empty()) << c.alert << " must wait for its for";
      d.Run(c.for_);
    }
    ASSERT_EQ(d.last.alerts.size(), 1u) << c.alert;
    EXPECT_EQ(d.last.alerts[0].name, c.alert);
    EXPECT_TRUE(d.HasEvent("AlertFiring")) << c.alert;
    EXPECT_TRUE(d.last.FindCondition("AlertFiring")->status);
    EXPECT_NE(d.last.FindCondition("AlertFiring")->message.find(c.alert), std::string::npos);
    d.Step(15s);
    EXPECT_FALSE(d.HasEvent("AlertFiring")) << "an alert that keeps firing is not re-announced";
    EXPECT_EQ(d.last.alerts.size(), 1u);
    d.Metric(c.metric, c.good);
    d.Step(15s);
    EXPECT_TRUE(d.last.alerts.empty());
    EXPECT_TRUE(d.HasEvent("AlertResolved")) << c.alert;
    EXPECT_FALSE(d.last.FindCondition("AlertFiring")->status);
  }
}

}  // namespace
}  // namespace gearbox::policy::testing
