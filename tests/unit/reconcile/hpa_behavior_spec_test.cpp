// behavior in the HPA form read from the policy object: the fields, the HPA's defaults for what a
// pasted block omits, and the spec errors (a block of each form, an empty list of policies).
#include <gtest/gtest.h>

#include "reconcile/policy_spec.h"

namespace gearbox::reconcile {
namespace {

using Json = web::json::value;
using namespace std::chrono_literals;

// A policy whose one component has `behavior` as given.
Result<ParsedPolicy> WithBehavior(const std::string& behavior) {
  const std::string text = R"json({
  "apiVersion": "gearbox.dev/v1alpha1", "kind": "ScalingPolicy",
  "metadata": {"name": "web", "namespace": "prod", "uid": "u1", "generation": 1},
  "spec": {
    "metrics": [{"name": "cpu", "resource": {"name": "cpu", "component": "web"}}],
    "components": [
      {"name": "web", "target": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
       "replicas": {"min": 1, "max": 20},
       "scaleUp": {"anyOf": [{"metric": "cpu", "above": 50}]},
       "behavior": )json" + behavior +
                           "}]}}";
  return ParsePolicy(Json::parse(text));
}

TEST(HpaBehaviorSpec, ReadsAPastedBlockWithTheHpaDefaultsForWhatItOmits) {
  auto p = WithBehavior(R"({"scaleUp": {"selectPolicy": "Min", "policies": [
      {"type": "Pods", "value": 2, "periodSeconds": 30},
      {"type": "Percent", "value": 50, "periodSeconds": 30}]}})");
  ASSERT_TRUE(p) << p.error().message;
  const auto& hpa = p->spec.components[0].hpa;
  ASSERT_TRUE(hpa);
  EXPECT_EQ(hpa->up.select, policy::SelectPolicy::kMin);
  EXPECT_EQ(hpa->up.stabilization_window, 0s) << "the HPA's default scale-up window";
  ASSERT_EQ(hpa->up.policies.size(), 2u);
  EXPECT_FALSE(hpa->up.policies[0].percent);
  EXPECT_EQ(hpa->up.policies[0].value, 2);
  EXPECT_EQ(hpa->up.policies[1].period, 30s);
  EXPECT_EQ(hpa->down, policy::HpaScaleDownDefaults()) << "a block left out: the HPA's defaults";
}

TEST(HpaBehaviorSpec, ReadsTheWindowAndDisabled) {
  auto p = WithBehavior(
      R"({"scaleDown": {"stabilizationWindowSeconds": 60, "selectPolicy": "Disabled"}})");
  ASSERT_TRUE(p) << p.error().message;
  const auto& hpa = *p->spec.components[0].hpa;
  EXPECT_EQ(hpa.down.stabilization_window, 60s);
  EXPECT_EQ(hpa.down.select, policy::SelectPolicy::kDisabled);
  EXPECT_EQ(hpa.down.policies, policy::HpaScaleDownDefaults().policies);
  EXPECT_EQ(hpa.up, policy::HpaScaleUpDefaults());
}

TEST(HpaBehaviorSpec, TheShorthandAloneIsNotTheHpaForm) {
  auto p = WithBehavior(R"({"scaleDown": {"maxPods": 2}})");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_FALSE(p->spec.components[0].hpa);
  EXPECT_EQ(p->spec.components[0].down.max_pods, 2);
}

TEST(HpaBehaviorSpec, OneBlockOfEachFormIsAnError) {
  auto p = WithBehavior(R"({"scaleUp": {"selectPolicy": "Min"}, "scaleDown": {"maxPods": 2}})");
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().message.find("spec.components[0].behavior: one block is in the HPA form"),
            std::string::npos)
      << p.error().message;
}

TEST(HpaBehaviorSpec, AnEmptyListOfPoliciesIsAnError) {
  auto p = WithBehavior(R"({"scaleUp": {"policies": []}})");
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().message.find("behavior.scaleUp.policies must list at least one policy"),
            std::string::npos)
      << p.error().message;
}

}  // namespace
}  // namespace gearbox::reconcile
