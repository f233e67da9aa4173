// behavior in the HPA form read from the policy object: the fields, the HPA's defaults for what a
// pasted block omits (an empty block and `behavior: {}` too), and the spec errors (a block of each
// form, an empty list of policies).
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

// An empty block is what a pasted HPA block without fields is: the HPA reads it as its defaults
// (Percent 100 per 15s down, a 300s window), not Gearbox's 1 pod or 10% per interval.
TEST(HpaBehaviorSpec, AnEmptyBlockIsTheHpaFormWithItsDefaults) {
  for (const char* behavior :
       {R"({"scaleDown": {}})", R"({"scaleUp": {}})", R"({"scaleUp": {}, "scaleDown": {}})"}) {
    auto p = WithBehavior(behavior);
    ASSERT_TRUE(p) << p.error().message;
    const auto& hpa = p->spec.components[0].hpa;
    ASSERT_TRUE(hpa) << behavior << " is read as Gearbox's form";
    EXPECT_EQ(hpa->up, policy::HpaScaleUpDefaults()) << behavior;
    EXPECT_EQ(hpa->down, policy::HpaScaleDownDefaults()) << behavior;
  }
}

// The HPA's `behavior: {}` fills both blocks with its defaults; in Gearbox's form it would say
// nothing that leaving behavior out does not, so it is read as the paste it is.
TEST(HpaBehaviorSpec, AnEmptyBehaviorIsTheHpaFormWithItsDefaults) {
  auto p = WithBehavior("{}");
  ASSERT_TRUE(p) << p.error().message;
  const auto& hpa = p->spec.components[0].hpa;
  ASSERT_TRUE(hpa) << "behavior: {} is read as Gearbox's form";
  EXPECT_EQ(*hpa,
            (policy::HpaBehavior{policy::HpaScaleUpDefaults(), policy::HpaScaleDownDefaults()}));
}

// An empty block is in the HPA form, so beside a block in Gearbox's form it is the same mistake as
// a block with the HPA's fields there (else an empty scaleDown would silently be 1 pod per
// interval again).
TEST(HpaBehaviorSpec, AnEmptyBlockBesideGearboxsFormIsAnError) {
  auto p = WithBehavior(R"({"scaleUp": {"maxPods": 2}, "scaleDown": {}})");
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().message.find("spec.components[0].behavior: one block is in the HPA form"),
            std::string::npos)
      << p.error().message;
}

TEST(HpaBehaviorSpec, ABlockWithFieldsOfBothFormsIsAnError) {
  auto p = WithBehavior(R"({"scaleDown": {"maxPods": 2, "selectPolicy": "Min"}})");
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().message.find("spec.components[0].behavior.scaleDown mixes the HPA form"),
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
