// Pause, fallback and scaleToZero as the reconciler reads them from the ScalingPolicy object
//: the annotation on every pass, the fields with the spec.
#include <gtest/gtest.h>

#include "reconcile/policy_spec.h"

namespace gearbox::reconcile {
namespace {

using Json = web::json::value;
using namespace std::chrono_literals;

Json Object(const std::string& annotation, const std::string& worker_extra = "") {
  std::string meta = R"("metadata": {"name": "q", "namespace": "ns", "generation": 1)";
  if (!annotation.empty())
    meta += R"(, "annotations": {"gearbox.dev/paused": ")" + annotation + R"("})";
  meta += "}";
  return Json::parse(R"({)" + meta + R"(, "spec": {
    "sources": {"redis": {"url": "redis://127.0.0.1:6379"}},
    "metrics": [{"name": "cpu", "resource": {"component": "web"}},
                {"name": "backlog", "queue": {"flavor": "list", "name": "jobs"}}],
    "components": [
      {"name": "web", "target": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
       "replicas": {"min": 1, "max": 5}},
      {"name": "worker", "target": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "w"},
       "replicas": {"min": 0, "max": 5})" +
                     worker_extra + R"(}]}})");
}

std::vector<std::string> Paused(const std::string& annotation) {
  const Json o = Object(annotation);
  auto p = ParsePolicy(o);
  EXPECT_TRUE(p) << p.error().message;
  return ReadPause(o, p->spec).components;
}

TEST(PauseAnnotation, TrueAListOrNothing) {
  using V = std::vector<std::string>;
  EXPECT_EQ(Paused("true"), (V{"web", "worker"}));
  EXPECT_EQ(Paused("worker"), (V{"worker"}));
  EXPECT_EQ(Paused(" worker , web "), (V{"web", "worker"}));  // in spec order
  EXPECT_EQ(Paused(""), V{});
  EXPECT_EQ(Paused("false"), V{});
}

TEST(PauseAnnotation, NamesTheSpecDoesNotHaveAreReported) {
  const Json o = Object("worker,shop,cart");
  auto p = ParsePolicy(o);
  ASSERT_TRUE(p);
  const PauseRequest r = ReadPause(o, p->spec);
  EXPECT_EQ(r.components, std::vector<std::string>{"worker"});
  EXPECT_EQ(r.unknown, (std::vector<std::string>{"cart", "shop"}));
}

TEST(OperationsSpec, FallbackScaleToZeroAndTheResourceMetrics) {
  auto p = ParsePolicy(Object("", R"(, "fallback": {"failureThreshold": 3, "replicas": 4},
      "scaleToZero": {"activation": [{"metric": "backlog", "above": 0.5}], "cooldown": "2m"})"));
  ASSERT_TRUE(p) << p.error().message;
  const policy::Component& w = p->spec.components[1];
  ASSERT_TRUE(w.fallback);
  EXPECT_EQ(w.fallback->failure_threshold, 3);
  EXPECT_EQ(w.fallback->replicas, 4);
  ASSERT_TRUE(w.scale_to_zero);
  EXPECT_EQ(w.scale_to_zero->cooldown, 2min);
  ASSERT_EQ(w.scale_to_zero->activation.size(), 1u);
  EXPECT_EQ(w.scale_to_zero->activation[0].metric, "backlog");
  EXPECT_EQ(w.scale_to_zero->activation[0].above, 0.5);
  EXPECT_EQ(p->spec.resource_metrics, (std::map<std::string, std::string>{{"cpu", "web"}}));
}

TEST(OperationsSpec, ScaleToZeroDefaultsAndMistakes) {
  auto p = ParsePolicy(
      Object("", R"(, "scaleToZero": {"activation": [{"metric": "backlog", "above": 0}]})"));
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->spec.components[1].scale_to_zero->cooldown, 5min);
  auto no_activation = ParsePolicy(Object("", R"(, "scaleToZero": {"activation": []})"));
  ASSERT_FALSE(no_activation);
  EXPECT_NE(no_activation.error().message.find("activation needs at least one metric"),
            std::string::npos);
  auto no_replicas = ParsePolicy(Object("", R"(, "fallback": {"failureThreshold": 3})"));
  ASSERT_FALSE(no_replicas);
  EXPECT_NE(no_replicas.error().message.find("fallback.replicas must be an integer"),
            std::string::npos)
      << no_replicas.error().message;
}

}  // namespace
}  // namespace gearbox::reconcile
