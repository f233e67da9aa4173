// Schedule windows in the engine: they raise a workload's minimum over its phase's (capped at the
// maximum, and said so), the bounds say "schedule <name>", ScheduleOpened/ScheduleClosed once per
// transition, status.schedules, the summary, and the window's timer through a restart.
#include "policy/engine.h"
#include "storefront.h"

namespace gearbox::policy::testing {
namespace {

Time At(const std::string& rfc3339) { return ParseTime(rfc3339).value(); }

Schedule Sale(std::map<std::string, int> mins, const std::string& start = "0 9 * * *",
              Duration duration = 1h) {
  Schedule s;
  s.name = "sale";
  s.start = start;
  s.cron = ParseCron(start).value();
  s.duration = duration;
  s.mins = std::move(mins);
  return s;
}

// Phase Medium (app 3..5) at 08:59 UTC with the schedule; the window opens at 09:00.
Driver MediumWith(Schedule s) {
  Spec spec = Storefront();
  spec.schedules.push_back(std::move(s));
  Driver d(spec);
  d.now = At("2026-11-30T08:59:00Z");
  Driver calm = CalmMedium();
  d.observed = calm.observed;
  d.Step();
  return d;
}

int Count(const Decision& r, const std::string& reason) {
  int n = 0;
  for (const auto& e : r.events) n += e.reason == reason;
  return n;
}

TEST(Schedules, AnOpenWindowRaisesTheMinimumOverThePhase) {
  Driver d = MediumWith(Sale({{"app", 4}, {"worker", 2}}));
  ASSERT_EQ(d.last.phase, "Medium");
  EXPECT_EQ(d.last.Find("app")->min, 3);
  EXPECT_EQ(d.last.Find("app")->bounds_from, "phase Medium");
  EXPECT_TRUE(d.last.schedules.empty());
  d.Step(1min);  // 09:00
  const ComponentDecision& app = *d.last.Find("app");
  EXPECT_EQ(app.min, 4);
  EXPECT_EQ(app.max, 5);
  EXPECT_EQ(app.bounds_from, "phase Medium, schedule sale");
  EXPECT_EQ(app.desired, 4);
  EXPECT_EQ(app.cause, Cause::kBelowMinimum);
  EXPECT_EQ(app.reason, "below the minimum of 4..5 (phase Medium, schedule sale)");
  const ComponentDecision& worker = *d.last.Find("worker");
  EXPECT_EQ(worker.min, 3) << "a window's minimum below the phase's changes nothing";
  EXPECT_EQ(worker.bounds_from, "phase Medium");
  ASSERT_EQ(d.last.schedules.size(), 1u);
  EXPECT_EQ(d.last.schedules[0],
            (OpenSchedule{"sale", At("2026-11-30T09:00:00Z"), At("2026-11-30T10:00:00Z")}));
  EXPECT_EQ(Count(d.last, "ScheduleOpened"), 1);
  bool line = false;
  for (const auto& l : d.last.summary)
    line |= l == "Schedule sale open until 2026-11-30T10:00:00Z: app min 4, worker min 2";
  EXPECT_TRUE(line);
}

TEST(Schedules, AMinimumAboveTheMaximumIsCappedAndSaysSo) {
  Driver d = MediumWith(Sale({{"app", 8}}));
  d.Step(1min);
  const ComponentDecision& app = *d.last.Find("app");
  EXPECT_EQ(app.min, 5);
  EXPECT_EQ(app.desired, 5);
  EXPECT_EQ(app.bounds_from, "phase Medium, schedule sale (its min 8 capped at the maximum)");
}

TEST(Schedules, EventsOncePerOpeningAndClosingAndTheMinimumReleased) {
  Driver d = MediumWith(Sale({{"app", 5}}));
  d.Step(1min);
  ASSERT_EQ(Count(d.last, "ScheduleOpened"), 1);
  const Event* opened = nullptr;
  for (const auto& e : d.last.events)
    if (e.reason == "ScheduleOpened") opened = &e;
  EXPECT_EQ(opened->type, "Normal");
  EXPECT_EQ(opened->note,
            "sale opened until 2026-11-30T10:00:00Z (0 9 * * * for 1h, UTC): app min 5");
  EXPECT_EQ(d.state.timers.at("schedule/sale"), At("2026-11-30T09:00:00Z"));
  EXPECT_EQ(d.Current("app"), 5);
  int opened_again = 0, closed = 0;
  for (int i = 0; i < 4 * 59; ++i) {
    d.Step(15s);
    opened_again += Count(d.last, "ScheduleOpened");
    closed += Count(d.last, "ScheduleClosed");
  }
  EXPECT_EQ(opened_again, 0);
  EXPECT_EQ(closed, 0) << FormatTime(d.now);
  d.Step(1min);  // 10:00
  EXPECT_EQ(Count(d.last, "ScheduleClosed"), 1);
  EXPECT_TRUE(d.last.schedules.empty());
  EXPECT_EQ(d.last.Find("app")->min, 3);
  EXPECT_EQ(d.last.Find("app")->bounds_from, "phase Medium");
  EXPECT_FALSE(d.state.timers.count("schedule/sale"));
  d.Step(15s);
  EXPECT_EQ(Count(d.last, "ScheduleClosed"), 0);
}

// A restart keeps only status: the timer "schedule/sale" (Export/Index through the State).
TEST(Schedules, ARestartNeitherRepeatsNorLosesATransition) {
  Driver d = MediumWith(Sale({{"app", 5}}));
  d.Step(1min);
  const std::map<std::string, Time> timers = d.state.timers;
  ASSERT_TRUE(timers.count("schedule/sale"));
  Driver again = MediumWith(Sale({{"app", 5}}));
  again.state = State{};
  again.state.timers = timers;
  again.now = d.now;
  again.Step(30s);
  EXPECT_EQ(Count(again.last, "ScheduleOpened"), 0) << "not repeated";
  Engine engine(again.spec);
  EXPECT_EQ(engine.Export(engine.Index(again.state)).timers.at("schedule/sale"),
            At("2026-11-30T09:00:00Z"));
  // Down through the close: the closing is reported at the first evaluation after the restart.
  Driver late = MediumWith(Sale({{"app", 5}}));
  late.state = State{};
  late.state.timers = timers;
  late.now = At("2026-11-30T10:20:00Z");
  late.Step();
  EXPECT_EQ(Count(late.last, "ScheduleClosed"), 1);
  EXPECT_EQ(Count(late.last, "ScheduleOpened"), 0);
  // Down through a close and the next day's opening: both, in order.
  Driver next_day = MediumWith(Sale({{"app", 5}}));
  next_day.state = State{};
  next_day.state.timers = timers;
  next_day.now = At("2026-12-01T09:10:00Z");
  next_day.Step();
  ASSERT_EQ(next_day.last.events.size() >= 2, true);
  EXPECT_EQ(Count(next_day.last, "ScheduleClosed"), 1);
  EXPECT_EQ(Count(next_day.last, "ScheduleOpened"), 1);
  EXPECT_EQ(next_day.state.timers.at("schedule/sale"), At("2026-12-01T09:00:00Z"));
}

// Starts every 10 minutes, each open for 30: one window from the first start on, one Event.
TEST(Schedules, OverlappingWindowsOpenOnceAndStayOpen) {
  Driver d = MediumWith(Sale({{"app", 4}}, "*/10 9 * * *", 30min));
  d.Step(1min);  // 09:00
  int opened = Count(d.last, "ScheduleOpened"), closed = 0;
  for (int i = 0; i < 4 * 79; ++i) {  // 09:00:15 .. 10:19
    d.Step(15s);
    opened += Count(d.last, "ScheduleOpened");
    closed += Count(d.last, "ScheduleClosed");
    ASSERT_EQ(d.last.Find("app")->min, 4) << FormatTime(d.now);
  }
  EXPECT_EQ(opened, 1);
  EXPECT_EQ(closed, 0);
  EXPECT_EQ(d.last.schedules.at(0).opened_at, At("2026-11-30T09:50:00Z")) << "the latest start";
  d.Step(1min);  // 10:20: the end of the 09:50 window
  EXPECT_EQ(Count(d.last, "ScheduleClosed"), 1);
  EXPECT_EQ(d.last.Find("app")->min, 3);
}

TEST(Schedules, TheHighestOpenWindowSetsTheMinimum) {
  Spec spec = Storefront();
  Schedule a = Sale({{"app", 4}});
  Schedule b = Sale({{"app", 5}}, "30 8 * * *", 2h);
  b.name = "launch";
  spec.schedules = {a, b};
  Driver d(spec);
  d.now = At("2026-11-30T09:00:00Z");
  d.observed = CalmMedium().observed;
  d.Step();
  EXPECT_EQ(d.last.Find("app")->min, 5);
  EXPECT_EQ(d.last.Find("app")->bounds_from, "phase Medium, schedule launch");
  EXPECT_EQ(d.last.schedules.size(), 2u);
}

// A workload without rules that a schedule raises (what a KEDA cron-only ScaledObject converts
// to): nothing else moves it, so when the window closes it returns to its minimum, as KEDA's
// does, paced by its scale-down limits. It used to hold the window's count for ever.
Spec ScheduleOnly(std::optional<HpaBehavior> hpa = std::nullopt) {
  Spec spec;
  Component web;
  web.name = "web";
  web.replicas = Bounds{0, 10};
  web.hpa = std::move(hpa);
  spec.components = {web};
  spec.schedules = {Sale({{"web", 5}})};
  return spec;
}

// Evaluations every `step` from `d.now` up to `until`.
void StepUntil(Driver& d, Time until, Duration step) {
  while (d.now + step <= until) d.Step(step);
}

bool SaysWarning(const Decision& r, const std::string& text) {
  for (const auto& line : r.summary)
    if (line.rfind("Warning: ", 0) == 0 && line.find(text) != std::string::npos) return true;
  return false;
}

TEST(Schedules, Finding1_AScheduleOnlyWorkloadReturnsToItsMinimumWhenTheWindowCloses) {
  Driver d(ScheduleOnly());
  d.Replicas("web", 0);
  d.now = At("2026-11-30T09:00:00Z");
  d.Step();
  EXPECT_EQ(d.Current("web"), 5);
  StepUntil(d, At("2026-11-30T09:59:00Z"), 1min);
  EXPECT_EQ(d.Current("web"), 5) << "held while the window is open";
  EXPECT_EQ(d.last.Find("web")->cause, Cause::kNoRuleFires);
  d.Step(1min);  // 10:00: closed
  const ComponentDecision& web = *d.last.Find("web");
  EXPECT_EQ(web.cause, Cause::kReturnToMinimum);
  EXPECT_EQ(web.desired, 4) << "one pod per period: the default scale-down limit";
  EXPECT_EQ(web.reason.rfind("only schedules raise it: back to the minimum of 0..10", 0), 0u)
      << web.reason;
  StepUntil(d, At("2026-11-30T10:02:00Z"), 15s);
  EXPECT_EQ(d.Current("web"), 0);
  EXPECT_EQ(d.last.Find("web")->cause, Cause::kNoRuleFires) << "at its minimum, it rests";
  EXPECT_FALSE(SaysWarning(d.last, "web")) << "it has a way down: no warning";
}

// With the HPA form's behavior (convert writes it), the scale-down window holds it first, as
// KEDA's HPA does, then Percent 100 takes it to the minimum at once.
TEST(Schedules, Finding1_AScheduleOnlyWorkloadInTheHpaFormWaitsForItsWindow) {
  Driver d(ScheduleOnly(HpaBehavior{HpaScaleUpDefaults(), HpaScaleDownDefaults()}));
  d.Replicas("web", 0);
  d.now = At("2026-11-30T09:00:00Z");
  d.Step();
  StepUntil(d, At("2026-11-30T10:00:00Z"), 15s);
  const ComponentDecision& web = *d.last.Find("web");
  EXPECT_EQ(web.cause, Cause::kReturnToMinimum);
  EXPECT_EQ(web.desired, 5);
  EXPECT_EQ(web.reason,
            "only schedules raise it: back to the minimum of 0..10 (component); stays at 5 (the "
            "highest recommendation of the last 5m)");
  StepUntil(d, At("2026-11-30T10:04:30Z"), 15s);
  EXPECT_EQ(d.Current("web"), 5);
  d.Step(15s);  // 10:04:45: the window's last count of 5 (09:59:45) is 5 minutes old
  EXPECT_EQ(d.Current("web"), 0);
}

// Rules to scale up and none to scale down: a schedule's raise is never undone either.
TEST(Schedules, Finding1_AScheduleRaisedWorkloadWithoutAWayDownIsWarned) {
  Spec spec = ScheduleOnly();
  spec.metrics = {"backlog"};
  spec.components[0].scale_up = RuleSet{false, {Above("backlog", 100)}};
  Driver d(spec);
  d.Metric("backlog", 0);
  d.now = At("2026-11-30T10:30:00Z");
  d.Replicas("web", 5);
  d.Step();
  EXPECT_EQ(d.Current("web"), 5);
  EXPECT_TRUE(SaysWarning(d.last,
                          "web: scaleUp rules and no scaleDown rules: it never scales back down, "
                          "not even when a schedule's window closes"));
}

}  // namespace
}  // namespace gearbox::policy::testing
