// The replicasFields a policy may have the controller write, per kind
// (reconcile/replicas_fields.h): the known topology kinds' fields by default, the cluster admin's
// list when given; a policy that names another field is not evaluated and nothing is written.
#include "reconcile/replicas_fields.h"

#include <gtest/gtest.h>

#include "reconciler_world.h"

namespace gearbox::testing::replicas_fields {
namespace {

using kube::Json;
using reconcile::ReplicasFieldRules;

// The world's app and a RedisCluster `cache` sized by `field`, in a Small phase of 3 shards.
void CacheSizedBy(World& w, const std::string& field) {
  w.Deployment("web", 4);
  w.metrics()["cpu"] = Value(50);
  w.metrics()["p95"] = Value(0.1);
  w.metrics()["users"] = Value(10);
  Json& spec = w.policy()["spec"];
  spec["metrics"][2] = Json::parse(R"({"name": "users", "prometheus": {"query": "users"}})");
  spec["components"][1] = World::Topology("redis", "redis.redis.opstreelabs.in/v1beta2",
                                          "RedisCluster", "cache", field);
  spec["phases"] = Json::parse(R"({"metric": "users", "list": [{"name": "Small",
      "components": {"app": {"min": 2, "max": 4}, "redis": {"replicas": 3}}}]})");
  w.RedisCluster("cache", 1, 1);
}

TEST(ReplicasFields, TheKnownTopologyFieldIsAllowedByDefault) {
  World w;
  CacheSizedBy(w, "spec.clusterSize");
  ReplicasFieldRules rules;
  w.UseAdmissionRules(nullptr, &rules);
  w.Pass();
  EXPECT_EQ(w.Condition("Ready").rfind("True/", 0), 0) << w.Condition("Ready");
  ASSERT_EQ(w.Writes().size(), 1u);
  EXPECT_NE(w.Writes()[0].find("clusterSize"), std::string::npos) << w.Writes()[0];
}

TEST(ReplicasFields, AFieldOutsideTheListIsRefusedAndNothingIsWritten) {
  World w;
  CacheSizedBy(w, "spec.kubernetesConfig.port");
  ReplicasFieldRules rules;
  w.UseAdmissionRules(nullptr, &rules);
  w.Pass();
  EXPECT_TRUE(w.Writes().empty());
  const std::string ready = w.Condition("Ready");
  EXPECT_EQ(ready.rfind("False/ReplicasFieldRefused: component redis: replicasField "
                        "spec.kubernetesConfig.port is not one the cluster admin allows for "
                        "RedisCluster (spec.clusterSize;",
                        0),
            0)
      << ready;
}

TEST(ReplicasFields, TheAdminsListReplacesTheDefaults) {
  auto rules = ReplicasFieldRules::Parse({"RedisCluster.redis.redis.opstreelabs.in=spec.size"});
  ASSERT_TRUE(rules) << rules.error().message;
  World w;
  CacheSizedBy(w, "spec.clusterSize");
  w.UseAdmissionRules(nullptr, &*rules);
  w.Pass();
  EXPECT_EQ(w.Condition("Ready").rfind("False/ReplicasFieldRefused", 0), 0) << w.Condition("Ready");
  EXPECT_FALSE(ReplicasFieldRules::Parse({"spec.clusterSize"})) << "no KIND.GROUP=";
}

}  // namespace
}  // namespace gearbox::testing::replicas_fields
