// The reconciler keeps each policy compiled (policy/engine.h): one compilation per generation,
// however many passes evaluate it, again after a generation change or once the policy was
// forgotten; the engine state goes from pass to pass by slot, across a generation change by name,
// and after a restart (or a new leader) is read back from status.timers.
#include <gtest/gtest.h>

#include "reconciler_world.h"

// A namespace of its own: the unity build puts this file beside reconciler_test.cpp.
namespace gearbox::testing::reconciler_engine {
namespace {

using kube::Json;
using namespace std::chrono_literals;

Json& Spec(World& w) { return w.policy()["spec"]; }

// The app at 4 replicas, cpu at `cpu`; its scale-up rule (cpu above 70) holds for `for_`.
void App(World& w, double cpu, const std::string& for_ = "") {
  w.Deployment("web", 4);
  w.metrics()["cpu"] = Value(cpu);
  w.metrics()["p95"] = Value(0.1);
  if (!for_.empty()) Spec(w)["components"][0]["scaleUp"]["anyOf"][0]["for"] = Json::string(for_);
}

void NewGeneration(World& w, int generation, double scale_down_below) {
  Spec(w)["components"][0]["scaleDown"]["allOf"][0]["below"] = Json::number(scale_down_below);
  w.policy()["metadata"]["generation"] = Json::number(generation);
}

// What status.timers says, dropped from the object the next pass reads: a pass that still acts
// on a running timer took it from memory.
void ForgetStatusTimers(World& w) {
  if (w.policy().has_object_field("status")) w.policy()["status"].erase("timers");
}

bool ScaledUp(const World& w) {
  const auto events = w.Events();
  return w.Writes().size() == 1 && !events.empty() &&
         events[0].rfind("ScaledUp: app 4 -> ", 0) == 0;
}

TEST(ReconcilerEngine, CompilesOncePerGenerationHoweverManyPasses) {
  World w;
  App(w, 50);
  for (int i = 0; i < 20; ++i, w.clock().Advance(15s)) w.Pass();
  EXPECT_EQ(w.reconciler().compilations(), 1u);
  NewGeneration(w, 2, 25);
  for (int i = 0; i < 20; ++i, w.clock().Advance(15s)) w.Pass();
  EXPECT_EQ(w.reconciler().compilations(), 2u) << "once more for generation 2";
  Spec(w)["components"][0]["scaleUp"]["anyOf"][0]["for"] = Json::string("5parsecs");
  w.policy()["metadata"]["generation"] = Json::number(3);
  w.Pass();
  EXPECT_EQ(w.reconciler().compilations(), 2u) << "a spec that does not parse is not compiled";
  Spec(w)["components"][0]["scaleUp"]["anyOf"][0]["for"] = Json::string("0s");
  w.policy()["metadata"]["generation"] = Json::number(4);
  w.Pass();
  w.Pass();
  EXPECT_EQ(w.reconciler().compilations(), 3u);
}

TEST(ReconcilerEngine, ASpecWithATimeZoneIsCompiledOnce) {
  World w;
  App(w, 50);
  Spec(w)["schedules"] = Json::parse(R"([{"name": "sale", "start": "0 9 * * 1-5",
      "duration": "9h", "timeZone": "Europe/Berlin", "components": {"app": {"min": 3}}}])");
  for (int i = 0; i < 10; ++i, w.clock().Advance(15s)) w.Pass();
  EXPECT_EQ(w.Condition("Ready").rfind("True", 0), 0u) << w.Condition("Ready");
  EXPECT_EQ(w.reconciler().compilations(), 1u);
}

TEST(ReconcilerEngine, AForgottenPolicyIsCompiledAgain) {
  World w;
  App(w, 50);
  w.Pass();
  w.reconciler().Forget("shop/web-policy");
  EXPECT_EQ(w.reconciler().policies_held(), 0u) << "its engine and state went with it";
  w.Pass();
  EXPECT_EQ(w.reconciler().compilations(), 2u);
}

// The `for` of a rule runs on in memory from pass to pass and across a recompilation: the
// scale-up comes a minute after the rule began to hold, with status.timers gone from the object.
TEST(ReconcilerEngine, TheStateGoesFromPassToPassAndAcrossAGenerationByName) {
  World w;
  App(w, 90, "1m");
  w.Pass();
  EXPECT_TRUE(w.Writes().empty()) << "the rule holds, its `for` counts";
  w.clock().Advance(30s);
  NewGeneration(w, 2, 25);
  ForgetStatusTimers(w);
  w.Pass();
  EXPECT_TRUE(w.Writes().empty());
  w.clock().Advance(30s);
  ForgetStatusTimers(w);
  w.Pass();
  EXPECT_TRUE(ScaledUp(w)) << ::testing::PrintToString(w.Events());
  EXPECT_EQ(w.reconciler().compilations(), 2u);
}

// The app's rule (cpu above 70 for 1m) held for 30s, then the controller restarts.
void RestartAfter30sOfAFor(World& w) {
  App(w, 90, "1m");
  w.Pass();
  w.clock().Advance(30s);
  w.Pass();
  w.Restart();
}

// A restart (or another replica taking the Lease) has nothing in memory: its first pass reads the
// timers back from status, so a `for` that began before the restart completes on time.
TEST(ReconcilerEngine, ARestartReadsTheStateBackFromStatus) {
  World w;
  RestartAfter30sOfAFor(w);
  w.clock().Advance(15s);
  w.Pass();
  EXPECT_TRUE(w.Writes().empty()) << "45s of the rule's 1m";
  w.clock().Advance(15s);
  ForgetStatusTimers(w);  // read back once: from now on the new reconciler's memory carries it
  w.Pass();
  EXPECT_TRUE(ScaledUp(w)) << ::testing::PrintToString(w.Events());
  EXPECT_EQ(w.reconciler().compilations(), 1u) << "the new reconciler compiled it once";
}

// Without status.timers a restarted reconciler starts the `for` over: it is status, nothing else,
// that carried it in the test above.
TEST(ReconcilerEngine, ARestartWithoutStatusTimersStartsTheForOver) {
  World w;
  RestartAfter30sOfAFor(w);
  ForgetStatusTimers(w);
  w.clock().Advance(30s);
  w.Pass();
  EXPECT_TRUE(w.Writes().empty());
  w.clock().Advance(45s);
  w.Pass();
  EXPECT_TRUE(w.Writes().empty()) << "45s of a `for` started at the restart";
  w.clock().Advance(15s);
  w.Pass();
  EXPECT_TRUE(ScaledUp(w)) << ::testing::PrintToString(w.Events());
}

}  // namespace
}  // namespace gearbox::testing::reconciler_engine
