// Splitting the policies into shards by namespace: every namespace belongs to exactly one shard,
// the same one on every replica and build, and the shards are about even.
#include "reconcile/shard.h"

#include <gtest/gtest.h>

namespace gearbox::reconcile {
namespace {

TEST(ShardTest, TheHashIsFnv1aSoEveryReplicaAgrees) {
  EXPECT_EQ(StableHash(""), 2166136261u);
  EXPECT_EQ(StableHash("a"), 0xe40c292cu);
  EXPECT_EQ(StableHash("foobar"), 0xbf9cf968u);
}

TEST(ShardTest, EveryNamespaceHasExactlyOneShardAndTheyAreEven) {
  const Shard first{0, 2}, second{1, 2};
  int owned_by_first = 0;
  for (int i = 0; i < 1000; ++i) {
    const std::string ns = "bench-" + std::to_string(i);
    EXPECT_NE(first.Owns(ns), second.Owns(ns)) << ns;
    owned_by_first += first.Owns(ns) ? 1 : 0;
  }
  EXPECT_GT(owned_by_first, 420);
  EXPECT_LT(owned_by_first, 580);
}

TEST(ShardTest, OneShardOwnsEverythingAndNeedsNoLeaseOfItsOwn) {
  const Shard all;
  EXPECT_TRUE(all.Owns("anything"));
  EXPECT_EQ(all.LeaseSuffix(), "");
  EXPECT_EQ((Shard{1, 2}.LeaseSuffix()), "-shard-1-of-2");
  EXPECT_FALSE(KeepOwn(all)) << "one shard keeps everything: no filter at all";
}

TEST(ShardTest, AnInformerOfAShardKeepsItsOwnNamespacesObjects) {
  auto keep = KeepOwn(Shard{1, 2});
  ASSERT_TRUE(keep);
  for (int i = 0; i < 20; ++i) {
    const std::string ns = "bench-" + std::to_string(i);
    auto object = web::json::value::parse(R"({"metadata":{"namespace":")" + ns + R"("}})");
    EXPECT_EQ(keep(object), (Shard{1, 2}.Owns(ns))) << ns;
  }
}

}  // namespace
}  // namespace gearbox::reconcile
