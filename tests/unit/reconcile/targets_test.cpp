// Reading any kind of scale target: Deployments, CNPG Clusters (/scale), Opstree RedisClusters
// (replicasField), and finding an HPA that already drives one.
#include "reconcile/targets.h"
#include "reconcile/dotted_path.h"
#include "reconcile/scale_in_object.h"

#include <gtest/gtest.h>

namespace gearbox::reconcile {
namespace {

web::json::value ParseJson(const std::string& text) { return web::json::value::parse(text); }

TEST(TargetsTest, DeploymentThroughScale) {
  auto deploy = ParseJson(R"({"metadata":{"generation":4},
      "status":{"observedGeneration":4,"replicas":5,"readyReplicas":3}})");
  auto scale = ParseJson(R"({"spec":{"replicas":5},"status":{"replicas":5,"selector":"app=web"}})");
  TargetState s = ReadTargetState(deploy, &scale, "");
  EXPECT_EQ(s.desired, 5);
  EXPECT_EQ(s.current, 5);
  EXPECT_EQ(s.ready, 3);
  EXPECT_TRUE(s.reports_ready);
  EXPECT_EQ(s.selector, "app=web");
  EXPECT_FALSE(s.ReadyAt(5));  // 2 not ready yet
}

TEST(TargetsTest, DeploymentWithNoReadyPodsOmitsTheField) {
  auto deploy =
      ParseJson(R"({"metadata":{"generation":1},"status":{"observedGeneration":1,"replicas":2}})");
  auto scale = ParseJson(R"({"spec":{"replicas":2},"status":{"replicas":2}})");
  TargetState s = ReadTargetState(deploy, &scale, "");
  EXPECT_EQ(s.ready, 0);
  EXPECT_TRUE(s.reports_ready);
}

TEST(TargetsTest, UnobservedGenerationIsNotReady) {
  auto deploy = ParseJson(R"({"metadata":{"generation":5},
      "status":{"observedGeneration":4,"replicas":3,"readyReplicas":3}})");
  auto scale = ParseJson(R"({"spec":{"replicas":3},"status":{"replicas":3}})");
  EXPECT_FALSE(ReadTargetState(deploy, &scale, "").ReadyAt(3));
}

TEST(TargetsTest, CnpgClusterReadyInstances) {
  auto cluster = ParseJson(R"({"metadata":{"generation":2},"spec":{"instances":3},
      "status":{"instances":3,"readyInstances":3}})");
  auto scale = ParseJson(R"({"spec":{"replicas":3},"status":{"replicas":3}})");
  TargetState s = ReadTargetState(cluster, &scale, "");
  EXPECT_TRUE(s.ReadyAt(3));
  EXPECT_FALSE(s.ReadyAt(5));
}

TEST(TargetsTest, RedisClusterThroughReplicasField) {
  auto redis = ParseJson(R"({"metadata":{"generation":3},"spec":{"clusterSize":6},
      "status":{"state":"Ready","readyLeaderReplicas":3}})");
  TargetState s = ReadTargetState(redis, nullptr, "spec.clusterSize");
  EXPECT_EQ(s.desired, 6);
  EXPECT_EQ(s.ready, 3);
  EXPECT_FALSE(s.ReadyAt(6));
  EXPECT_EQ(ReplicasMergePatch("spec.clusterSize", 6).serialize(), R"({"spec":{"clusterSize":6}})");
  EXPECT_EQ(IntAtPath(redis, "spec.clusterSize"), 6);
  EXPECT_FALSE(IntAtPath(redis, "spec.missing"));
  EXPECT_FALSE(IntAtPath(redis, "status.state"));  // not an integer
}

TEST(TargetsTest, KindWithoutStatusIsTakenAtItsWord) {
  auto thing = ParseJson(R"({"metadata":{"generation":1},"spec":{"size":2}})");
  TargetState s = ReadTargetState(thing, nullptr, "spec.size");
  EXPECT_FALSE(s.reports_ready);
  EXPECT_EQ(s.ready, 2);
  EXPECT_TRUE(s.ReadyAt(2));
}

TEST(TargetsTest, FindsTheHpaOnTheSameTargetOnly) {
  auto hpa = ParseJson(R"({"metadata":{"name":"web-hpa"},
      "spec":{"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"web"}}})");
  TargetRef web{"apps/v1", "Deployment", "web", ""};
  EXPECT_TRUE(HpaDrives(hpa, web));
  EXPECT_FALSE(HpaDrives(hpa, TargetRef{"apps/v1", "Deployment", "api", ""}));
  EXPECT_FALSE(HpaDrives(hpa, TargetRef{"example.com/v1", "Deployment", "web", ""}));
  EXPECT_FALSE(HpaDrives(hpa, TargetRef{"apps/v1", "StatefulSet", "web", ""}));
  EXPECT_FALSE(HpaDrives(ParseJson("42"), web));
  EXPECT_EQ(web.Group(), "apps");
  EXPECT_EQ((TargetRef{"v1", "ReplicationController", "x", ""}.Group()), "");
}

// A Deployment's /scale is its spec.replicas, status.replicas and spec.selector: read from the
// object (in the informer cache), it is the same Scale without a GET.
TEST(TargetsTest, ScaleFromTheObjectIsWhatScaleServes) {
  auto deploy = ParseJson(R"({"metadata":{"generation":2},"spec":{"replicas":4,
      "selector":{"matchLabels":{"app":"web","tier":"front"},
                  "matchExpressions":[{"key":"track","operator":"In","values":["a","b"]},
                                      {"key":"canary","operator":"DoesNotExist"},
                                      {"key":"env","operator":"NotIn","values":["dev"]},
                                      {"key":"zone","operator":"Exists"}]}},
      "status":{"observedGeneration":2,"replicas":5,"readyReplicas":4}})");
  ASSERT_TRUE(ScaleIsInObject("apps/v1", "Deployment"));
  auto scale = ScaleFromObject(deploy);
  EXPECT_EQ(scale.serialize(),
            R"({"spec":{"replicas":4},"status":{"replicas":5,"selector":"app=web,tier=front,)"
            R"(track in (a,b),!canary,env notin (dev),zone"}})");
  TargetState s = ReadTargetState(deploy, &scale, "");
  EXPECT_EQ(s.desired, 4);
  EXPECT_EQ(s.current, 5);
  EXPECT_EQ(s.ready, 4);
  EXPECT_TRUE(ScaleIsInObject("apps/v1", "StatefulSet"));
  EXPECT_FALSE(ScaleIsInObject("postgresql.cnpg.io/v1", "Cluster"));  // its /scale maps fields
  EXPECT_FALSE(ScaleIsInObject("example.com/v1", "Deployment"));
  EXPECT_EQ(LabelSelectorString(ParseJson("{}")), "");
}

// The target informers' transform keeps what a pass reads of a Deployment or StatefulSet; a
// Deployment has no volumeClaimTemplates, a deleted object's last state may have no spec: nothing
// may throw (an exception on the informer's thread ends the process).
TEST(TargetsTest, ACachedTargetKeepsWhatIsReadAndThrowsOnNothing) {
  auto deploy = ParseJson(R"({"kind":"Deployment","metadata":{"name":"web","namespace":"shop",
      "uid":"u-1","resourceVersion":"9","generation":4,"labels":{"app":"web"},
      "annotations":{"deployment.kubernetes.io/revision":"3"},"creationTimestamp":"2026-01-01T00:00:00Z"},
      "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},"template":{"spec":{"containers":[]}}},
      "status":{"observedGeneration":4,"replicas":2,"readyReplicas":2,"availableReplicas":2,
      "conditions":[{"type":"Available",
      "status":"True","message":"Deployment has minimum availability."}]}})");
  ASSERT_NO_THROW(TrimAppsTarget(deploy));
  EXPECT_EQ(deploy, ParseJson(R"({"kind":"Deployment",
      "metadata":{"name":"web","namespace":"shop","resourceVersion":"9","generation":4},
      "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}}},
      "status":{"observedGeneration":4,"replicas":2,"readyReplicas":2}})"))
      << deploy.serialize();
  const TargetState state = ReadTargetState(deploy, nullptr, "spec.replicas");
  EXPECT_EQ(state.generation, 4);
  EXPECT_EQ(state.ready, 2);
  EXPECT_EQ(LabelSelectorString(deploy.at("spec").at("selector")), "app=web");
  auto sts = ParseJson(R"({"spec":{"template":{},"volumeClaimTemplates":[]}})");
  ASSERT_NO_THROW(TrimAppsTarget(sts));
  EXPECT_EQ(sts.serialize(), R"({"spec":{}})");
  auto bare = ParseJson(R"({"metadata":{"name":"x"}})");
  ASSERT_NO_THROW(TrimAppsTarget(bare));
}

}  // namespace
}  // namespace gearbox::reconcile
