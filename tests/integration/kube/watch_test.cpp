// Informers against the real API server: a watch that survives a kube-apiserver restart, and a
// cache that converges through a relist after an etcd compaction makes its resourceVersion 410.
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "harness.h"
#include "kube/informer.h"

namespace gearbox::kube::testing {
namespace {

std::string DataOf(const ObjectPtr& obj, const std::string& key) {
  if (!obj || !obj->has_object_field("data") || !obj->at("data").has_string_field(key)) return "";
  return obj->at("data").at(key).as_string();
}

// Records what the handlers were told, thread-safely.
struct Seen {
  std::mutex mu;
  std::set<std::string> added, updated, deleted;
  InformerHandlers Handlers() {
    return {[this](const Json& o) {
              std::lock_guard l(mu);
              added.insert(Informer::KeyOf(o));
            },
            [this](const Json&, const Json& n) {
              std::lock_guard l(mu);
              updated.insert(Informer::KeyOf(n));
            },
            [this](const Json& o) {
              std::lock_guard l(mu);
              deleted.insert(Informer::KeyOf(o));
            }};
  }
  bool Deleted(const std::string& key) {
    std::lock_guard l(mu);
    return deleted.count(key) > 0;
  }
};

int64_t EtcdRevision() {
  int rc = 0;
  std::string out = ClusterSh("etcdctl endpoint status --write-out=json", &rc);
  std::smatch m;
  if (rc != 0 || !std::regex_search(out, m, std::regex("\"revision\":([0-9]+)"))) {
    ADD_FAILURE() << "etcdctl endpoint status: " << out;
    return 0;
  }
  return std::stoll(m[1]);
}

TEST(Watch, SurvivesAnApiServerRestart) {
  TestNamespace ns("gearbox-it-restart");
  auto client = AdminClient();
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->Create(kConfigMaps, ns.name(), ConfigMap("before", "v", "1")));

  Informer informer(client, kConfigMaps, ns.name());
  Seen seen;
  informer.AddHandlers(seen.Handlers());
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(std::chrono::seconds(10)));
  ASSERT_TRUE(informer.Get(ns.name() + "/before"));
  int watches_before = informer.watches();

  int rc = 0;
  std::string out = ClusterSh("restart kube-apiserver", &rc);
  ASSERT_EQ(rc, 0) << out;

  // Changes made after the restart reach the cache through a new watch.
  ASSERT_TRUE(Eventually(std::chrono::seconds(30), [&] {
    return client->Create(kConfigMaps, ns.name(), ConfigMap("after", "v", "1")).ok();
  }));
  Json patch = Json::object();
  patch["data"]["v"] = Json::string("2");
  ASSERT_TRUE(client->Patch(kConfigMaps, ns.name(), "before", PatchType::kMerge, patch));

  EXPECT_TRUE(Eventually(std::chrono::seconds(30), [&] {
    return informer.Get(ns.name() + "/after") &&
           DataOf(informer.Get(ns.name() + "/before"), "v") == "2";
  })) << "the informer did not see the changes made after the restart";
  EXPECT_GT(informer.watches(), watches_before) << "it should have opened a new watch";
  informer.Stop();
}

// What the cache holds has been through the transform, whether it came by the list or the watch.
TEST(Watch, TheTransformTrimsListedAndWatchedObjects) {
  TestNamespace ns("gearbox-it-trim");
  auto client = AdminClient();
  ASSERT_TRUE(client);
  Json listed = ConfigMap("listed", "big", "x");
  listed["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"] =
      Json::string(R"({"kind":"ConfigMap"})");
  listed["metadata"]["annotations"]["kept"] = Json::string("yes");
  ASSERT_TRUE(client->Create(kConfigMaps, ns.name(), listed));
  InformerOptions io;
  io.transform = [](Json& o) {
    if (o.has_object_field("data")) o["data"].erase("big");
  };
  Informer informer(client, kConfigMaps, ns.name(), io);
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(std::chrono::seconds(10)));
  ASSERT_TRUE(client->Create(kConfigMaps, ns.name(), ConfigMap("watched", "big", "y")));
  ASSERT_TRUE(Eventually(std::chrono::seconds(10),
                         [&] { return informer.Get(ns.name() + "/watched") != nullptr; }));
  for (const char* name : {"listed", "watched"}) {
    ObjectPtr o = informer.Get(ns.name() + "/" + name);
    ASSERT_TRUE(o);
    EXPECT_EQ(DataOf(o, "big"), "") << name << " kept what the transform removes";
    EXPECT_FALSE(o->at("metadata").has_field("managedFields"));
  }
  const Json& annotations = informer.Get(ns.name() + "/listed")->at("metadata").at("annotations");
  EXPECT_FALSE(annotations.has_field("kubectl.kubernetes.io/last-applied-configuration"));
  EXPECT_EQ(annotations.at("kept").as_string(), "yes");
  informer.Stop();
}

// A shard's informer: objects its keep predicate refuses are neither cached nor handed to the
// handlers, listed or watched, and the watch moves on past them.
TEST(Watch, ObjectsNotKeptAreNeitherCachedNorHandled) {
  TestNamespace ns("gearbox-it-keep");
  auto client = AdminClient();
  ASSERT_TRUE(client);
  for (const char* name : {"keep-listed", "drop-listed"})
    ASSERT_TRUE(client->Create(kConfigMaps, ns.name(), ConfigMap(name, "v", "1")));
  InformerOptions io;
  io.keep = [](const Json& o) {
    return o.at("metadata").at("name").as_string().starts_with("keep");  // not kube-root-ca.crt
  };
  Informer informer(client, kConfigMaps, ns.name(), io);
  Seen seen;
  informer.AddHandlers(seen.Handlers());
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(std::chrono::seconds(10)));
  for (const char* name : {"drop-watched", "keep-watched"})
    ASSERT_TRUE(client->Create(kConfigMaps, ns.name(), ConfigMap(name, "v", "1")));
  ASSERT_TRUE(Eventually(std::chrono::seconds(10),
                         [&] { return informer.Get(ns.name() + "/keep-watched") != nullptr; }));
  EXPECT_TRUE(informer.Get(ns.name() + "/keep-listed"));
  EXPECT_FALSE(informer.Get(ns.name() + "/drop-listed"));
  EXPECT_FALSE(informer.Get(ns.name() + "/drop-watched"));
  std::lock_guard l(seen.mu);
  EXPECT_EQ(seen.added,
            (std::set<std::string>{ns.name() + "/keep-listed", ns.name() + "/keep-watched"}));
  informer.Stop();
}

// An informer on all namespaces answers for one namespace from its cache alone.
TEST(Watch, AnInformerOnAllNamespacesListsOneNamespace) {
  TestNamespace one("gearbox-it-one"), two("gearbox-it-two");
  auto client = AdminClient();
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->Create(kConfigMaps, one.name(), ConfigMap("a", "v", "1")));
  ASSERT_TRUE(client->Create(kConfigMaps, two.name(), ConfigMap("b", "v", "1")));
  Informer informer(client, kConfigMaps, "");
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(std::chrono::seconds(10)));
  std::set<std::string> names;
  for (const auto& o : informer.ListIn(one.name())) {
    EXPECT_EQ(o->at("metadata").at("namespace").as_string(), one.name());
    names.insert(o->at("metadata").at("name").as_string());
  }
  EXPECT_TRUE(names.count("a"));
  EXPECT_FALSE(names.count("b"));
  EXPECT_TRUE(informer.ListIn("gearbox-it-none").empty());
  informer.Stop();
}

TEST(Watch, RelistsAndConvergesAfterCompaction) {
  TestNamespace ns("gearbox-it-gone");
  auto admin = AdminClient();
  ASSERT_TRUE(admin);
  for (const char* name : {"keep", "change", "remove"}) {
    ASSERT_TRUE(admin->Create(kConfigMaps, ns.name(), ConfigMap(name, "v", "1")));
  }

  // The informer reaches the API server through a proxy we can cut: its watch goes down while
  // the server stays up and others keep writing.
  Config via_proxy = AdminConfig();
  TcpProxy proxy(PortOf(via_proxy.server));
  via_proxy.server = "https://127.0.0.1:" + std::to_string(proxy.port());
  auto client = ClientFor(via_proxy);
  ASSERT_TRUE(client);

  Informer informer(client, kConfigMaps, ns.name());
  Seen seen;
  informer.AddHandlers(seen.Handlers());
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(std::chrono::seconds(10)));
  for (const char* name : {"keep", "change", "remove"}) {
    ASSERT_TRUE(informer.Get(ns.name() + "/" + name)) << name;
  }
  ASSERT_EQ(informer.relists(), 1);

  proxy.Cut();
  // While the watch is down: one object created, one changed, one deleted.
  ASSERT_TRUE(admin->Create(kConfigMaps, ns.name(), ConfigMap("new", "v", "1")));
  Json patch = Json::object();
  patch["data"]["v"] = Json::string("2");
  ASSERT_TRUE(admin->Patch(kConfigMaps, ns.name(), "change", PatchType::kMerge, patch));
  ASSERT_TRUE(admin->Delete(kConfigMaps, ns.name(), "remove"));
  // Compact etcd past the informer's resourceVersion, and restart the API server so that its
  // watch cache (which starts at the current revision) cannot serve the old one either.
  int64_t rev = EtcdRevision();
  ASSERT_GT(rev, 0);
  int rc = 0;
  std::string out = ClusterSh("etcdctl compact " + std::to_string(rev), &rc);
  ASSERT_EQ(rc, 0) << out;
  out = ClusterSh("restart kube-apiserver", &rc);
  ASSERT_EQ(rc, 0) << out;
  proxy.Restore();

  const std::string p = ns.name() + "/";
  EXPECT_TRUE(Eventually(std::chrono::seconds(60), [&] {
    return informer.Get(p + "new") && DataOf(informer.Get(p + "change"), "v") == "2" &&
           !informer.Get(p + "remove") && informer.Get(p + "keep");
  })) << "the cache did not converge";
  EXPECT_GE(informer.relists(), 2) << "a 410 Gone must have made it relist";
  EXPECT_TRUE(seen.Deleted(p + "remove")) << "the deletion of what vanished must be reported";
  {
    std::lock_guard l(seen.mu);
    EXPECT_TRUE(seen.added.count(p + "new"));
    EXPECT_TRUE(seen.updated.count(p + "change"));
  }
  // And it keeps watching from the relisted version.
  // (The admin client's kept-alive connection died with the old API server; POST is not retried.)
  ASSERT_TRUE(Eventually(std::chrono::seconds(10), [&] {
    return admin->Create(kConfigMaps, ns.name(), ConfigMap("later", "v", "1")).ok() ||
           admin->Get(kConfigMaps, ns.name(), "later").ok();
  }));
  EXPECT_TRUE(
      Eventually(std::chrono::seconds(20), [&] { return informer.Get(p + "later") != nullptr; }));
  informer.Stop();
}

}  // namespace
}  // namespace gearbox::kube::testing
