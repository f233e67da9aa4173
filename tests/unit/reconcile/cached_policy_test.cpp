// The ScalingPolicy cache keeps the spec and a compact status as JSON text; whatever reads them
// gets them back as trees, as they were, and a status write carries no spec.
#include "reconcile/cached_policy.h"

#include <gtest/gtest.h>

#include "reconcile/status.h"

namespace gearbox::reconcile {
namespace {

using Json = web::json::value;

const char* kWebPolicy = R"json({
  "apiVersion": "gearbox.dev/v1alpha1", "kind": "ScalingPolicy",
  "metadata": {"name": "web", "namespace": "shop", "uid": "u1", "generation": 3,
               "resourceVersion": "42", "annotations": {"gearbox.dev/paused": "app"}},
  "spec": {"interval": "15s",
           "metrics": [{"name": "cpu", "resource": {"name": "cpu", "component": "app"}}],
           "components": [{"name": "app", "replicas": {"min": 1, "max": 5},
                           "target": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}}]},
  "status": {"observedGeneration": 3, "abstract": ["app 1 (1..5): no rule fires"],
             "conditions": [{"type": "Ready", "status": "True", "reason": "Evaluated",
                             "message": "evaluated; no phases", "observedGeneration": 3,
                             "lastTransitionTime": "2026-01-01T00:00:00Z"}],
             "metrics": [{"name": "cpu", "value": 50.1, "time": "2026-01-01T00:00:15Z"}],
             "metricValues": "cpu 50.1", "timers": []}})json";

TEST(CachedPolicy, SpecAndStatusComeBackAsTheTreesTheyWere) {
  const Json policy = Json::parse(kWebPolicy);
  Json cached = policy;
  CompactCachedPolicy(cached);
  EXPECT_TRUE(cached.at("spec").is_string());
  EXPECT_TRUE(cached.at("status").is_string());
  EXPECT_EQ(cached.at("metadata"), policy.at("metadata")) << "read on every pass, kept as it came";
  EXPECT_EQ(WithSpec(cached).at("spec"), policy.at("spec"));
  EXPECT_EQ(CachedStatus(cached), CompactStatus(policy.at("status")));
  EXPECT_TRUE(SameStatus(CachedStatus(cached), policy.at("status")));
  Json twice = cached;
  CompactCachedPolicy(
      twice);  // a relist's object is transformed once; a second pass changes nothing
  EXPECT_EQ(twice, cached);
}

TEST(CachedPolicy, AnObjectNeverCompactedReadsAsItIs) {
  const Json policy = Json::parse(kWebPolicy);
  EXPECT_EQ(WithSpec(policy), policy);
  EXPECT_EQ(CachedStatus(policy), policy.at("status"));
  Json bare = policy;
  bare.erase("status");
  EXPECT_EQ(CachedStatus(bare), Json::object());
}

TEST(CachedPolicy, AStatusWriteCarriesTheIdentityAndTheStatusButNoSpec) {
  Json cached = Json::parse(kWebPolicy);
  CompactCachedPolicy(cached);
  const Json status = Json::parse(R"({"observedGeneration": 3, "conditions": []})");
  const Json body = StatusWriteBody(cached, status);
  EXPECT_FALSE(body.has_field("spec"));
  EXPECT_EQ(body.at("status"), status);
  EXPECT_EQ(body.at("metadata").at("resourceVersion").as_string(), "42") << "a conflict is seen";
  EXPECT_EQ(body.at("kind").as_string(), "ScalingPolicy");
}

}  // namespace
}  // namespace gearbox::reconcile
