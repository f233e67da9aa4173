// Resource metrics at fleet scale: the policies of a namespace share one pods informer (one LIST
// and one WATCH, whatever their number) and one read of the namespace's pod metrics per interval;
// readiness comes from the pods' Ready condition; pod metrics older than the interval are missing
// data, never old numbers; and a namespace's informer stops when its last policy goes.
#include "metrics/resource_metrics.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <thread>

#include "../../lib/scripted_client.h"

namespace gearbox::metrics {
namespace {

using namespace std::chrono_literals;
using kube::Json;
using testing::ScriptedClient;
using testing::ScriptedResponse;

const std::string kPodsOf = "/api/v1/namespaces/";
const std::string kMetricsOf = "/apis/metrics.k8s.io/v1beta1/namespaces/";

// A pod as the API server lists it, with more than a reading uses (TrimPod drops that).
Json Pod(const std::string& name, const std::string& app, const std::string& phase,
         const std::string& ready, const std::string& ready_since = "2026-01-01T00:00:00Z") {
  return Json::parse(R"({"metadata":{"name":")" + name + R"(","namespace":"shop",
    "resourceVersion":"7","uid":"u-)" +
                     name + R"(","labels":{"app":")" + app + R"("},
    "annotations":{"note":"a long annotation nothing reads"},"managedFields":[{"manager":"kcm"}]},
   "spec":{"nodeName":"kwok-node-0","containers":[{"name":"main","image":"example.invalid/app:1",
     "env":[{"name":"A","value":"1"}],"resources":{"requests":{"cpu":"500m","memory":"64Mi",
     "ephemeral-storage":"1Gi"},"limits":{"cpu":"1"}}}]},
   "status":{"phase":")" +
                     phase + R"(","podIP":"10.244.0.9","conditions":[
     {"type":"PodScheduled","status":"True","lastTransitionTime":"2025-12-31T23:59:00Z"},
     {"type":"Ready","status":")" +
                     ready + R"(","lastTransitionTime":")" + ready_since + R"("}],
     "containerStatuses":[{"name":"main","ready":true,"restartCount":0}]}})");
}

Json List(std::vector<Json> items) {
  Json list = Json::parse(R"({"kind":"PodList","metadata":{"resourceVersion":"10"}})");
  list["items"] = Json::array(std::move(items));
  return list;
}

// metrics-server's sample of a pod: cpu over the window that ended at 00:10:00.
Json Sample(const std::string& name, const std::string& cpu, const std::string& window = "15s") {
  return Json::parse(R"({"metadata":{"name":")" + name +
                     R"("},"timestamp":"2026-01-01T00:10:00Z","window":")" + window +
                     R"(","containers":[{"name":"main","usage":{"cpu":")" + cpu +
                     R"(","memory":"32Mi"}}]})");
}

Json Samples(std::vector<Json> items) {
  Json list = Json::parse(R"({"kind":"PodMetricsList"})");
  list["items"] = Json::array(std::move(items));
  return list;
}

int Count(const ScriptedClient& api, const std::string& method, const std::string& path) {
  auto requests = api.Requests();
  return static_cast<int>(std::count_if(requests.begin(), requests.end(), [&](const auto& r) {
    return r.method == method && r.path == path;
  }));
}

struct Cluster {
  Cluster() {
    for (const std::string ns : {"shop", "docs"}) {
      api->On("LIST", kPodsOf + ns + "/pods",
              ScriptedResponse::Ok(List({Pod("web-1", "web", "Running", "True"),
                                         Pod("web-2", "web", "Running", "True"),
                                         Pod("db-1", "db", "Running", "True")})));
      api->On("GET", kMetricsOf + ns + "/pods",
              ScriptedResponse::Ok(Samples(
                  {Sample("web-1", "100m"), Sample("web-2", "200m"), Sample("db-1", "450m")})));
    }
  }
  std::shared_ptr<ResourceMetric> Policy(const std::string& ns, const std::string& app,
                                         std::chrono::milliseconds interval = 15s) {
    auto metric = std::make_shared<ResourceMetric>(watches.For(ns), "cpu", app, interval);
    metric->SetSelector("app=" + app);
    return metric;
  }
  kube::FakeClock clock;
  std::shared_ptr<ScriptedClient> api = std::make_shared<ScriptedClient>();
  PodWatches watches{api, clock};
};

TEST(ResourceMetrics, OnePodsListAndWatchPerNamespaceWhateverTheNumberOfPolicies) {
  Cluster c;
  std::vector<std::shared_ptr<ResourceMetric>> policies;
  for (int i = 0; i < 30; ++i) policies.push_back(c.Policy("shop", i % 2 ? "web" : "db"));
  for (int i = 0; i < 10; ++i) policies.push_back(c.Policy("docs", "web"));
  for (auto& p : policies) {
    auto reading = p->Read();
    ASSERT_TRUE(reading) << reading.error().message;
  }
  EXPECT_EQ(c.watches.watched(), 2u);
  EXPECT_EQ(Count(*c.api, "LIST", kPodsOf + "shop/pods"), 1);
  EXPECT_EQ(Count(*c.api, "LIST", kPodsOf + "docs/pods"), 1);
  std::set<std::string> watched;
  for (const auto& r : c.api->Requests())
    if (r.method == "WATCH") watched.insert(r.path);
  EXPECT_EQ(watched, (std::set<std::string>{kPodsOf + "docs/pods", kPodsOf + "shop/pods"}));
}

TEST(ResourceMetrics, OneMetricsReadPerNamespacePerInterval) {
  Cluster c;
  std::vector<std::shared_ptr<ResourceMetric>> shop;
  for (int i = 0; i < 20; ++i) shop.push_back(c.Policy("shop", "web"));
  auto read_all = [&] {
    for (auto& p : shop) {
      auto reading = p->Read();
      ASSERT_TRUE(reading) << reading.error().message;
      EXPECT_NEAR(reading->value, 30.0, 1e-9) << "300m of 1000m requested";
    }
  };
  read_all();
  EXPECT_EQ(Count(*c.api, "GET", kMetricsOf + "shop/pods"), 1);
  c.clock.Advance(14s);
  read_all();
  EXPECT_EQ(Count(*c.api, "GET", kMetricsOf + "shop/pods"), 1) << "younger than the interval";
  c.clock.Advance(2s);
  read_all();
  EXPECT_EQ(Count(*c.api, "GET", kMetricsOf + "shop/pods"), 2) << "one read for the next interval";
  EXPECT_EQ(Count(*c.api, "GET", kMetricsOf + "docs/pods"), 0) << "no policy reads docs";
}

TEST(ResourceMetrics, ConcurrentReadersOfANamespaceWaitForOneRequest) {
  Cluster c;
  c.api->On("GET", kMetricsOf + "shop/pods",
            ScriptedResponse::Ok(Samples({Sample("web-1", "100m"), Sample("web-2", "200m")}))
                .Sleeping(200ms));
  std::vector<std::shared_ptr<ResourceMetric>> shop;
  for (int i = 0; i < 8; ++i) shop.push_back(c.Policy("shop", "web"));
  std::vector<std::thread> readers;
  std::atomic<int> ok{0};
  for (auto& p : shop) readers.emplace_back([&ok, p] { ok += p->Read().ok() ? 1 : 0; });
  for (auto& t : readers) t.join();
  EXPECT_EQ(ok.load(), 8);
  EXPECT_EQ(Count(*c.api, "GET", kMetricsOf + "shop/pods"), 1);
}

TEST(ResourceMetrics, ReadinessComesFromTheReadyCondition) {
  Cluster c;
  Json deleting = Pod("web-5", "web", "Running", "True");
  deleting["metadata"]["deletionTimestamp"] = Json::string("2026-01-01T00:09:00Z");
  c.api->On("LIST", kPodsOf + "shop/pods",
            ScriptedResponse::Ok(List({
                Pod("web-1", "web", "Running", "True"),
                Pod("web-2", "web", "Running", "False"),  // starting: its probe not passed yet
                Pod("web-3", "web", "Pending", "False"),
                // Ready at 00:09:50, inside the window of its sample (00:09:45-00:10:00): the
                // sample measured its start, so it is no sample yet, as the HPA counts it.
                Pod("web-4", "web", "Running", "True", "2026-01-01T00:09:50Z"),
                deleting,
                Pod("db-1", "db", "Running", "True"),
            })));
  c.api->On("GET", kMetricsOf + "shop/pods",
            ScriptedResponse::Ok(
                Samples({Sample("web-1", "250m"), Sample("web-2", "900m"), Sample("web-4", "900m"),
                         Sample("web-5", "900m"), Sample("db-1", "900m")})));
  auto reading = c.Policy("shop", "web")->Read();
  ASSERT_TRUE(reading) << reading.error().message;
  EXPECT_NEAR(reading->value, 50.0, 1e-9) << "web-1 alone: 250m of 500m";
  EXPECT_EQ(reading->pods, 1);
  EXPECT_EQ(reading->detail,
            "1 pods: usage 0.250 of requests 0.500, 2 unready left out, 1 without metrics yet "
            "left out");
}

TEST(ResourceMetrics, ANamespacesInformerStopsWhenItsLastPolicyGoes) {
  Cluster c;
  auto a = c.Policy("shop", "web");
  auto b = c.Policy("shop", "db");
  ASSERT_TRUE(a->Read());
  EXPECT_EQ(c.watches.watched(), 1u);
  a.reset();
  EXPECT_EQ(c.watches.watched(), 1u) << "b still reads shop";
  b.reset();  // returns once the informer's thread has ended
  EXPECT_EQ(c.watches.watched(), 0u);
  auto again = c.Policy("shop", "web");
  ASSERT_TRUE(again->Read());
  EXPECT_EQ(Count(*c.api, "LIST", kPodsOf + "shop/pods"), 2) << "a new informer lists again";
}

TEST(ResourceMetrics, StaleMetricsAreMissingData) {
  Cluster c;
  auto web = c.Policy("shop", "web");
  ASSERT_TRUE(web->Read());
  c.api->On("GET", kMetricsOf + "shop/pods", ScriptedResponse::Status(503));
  c.clock.Advance(16s);
  auto stale = web->Read();
  ASSERT_FALSE(stale) << "the old numbers are an interval old: not handed out";
  EXPECT_EQ(stale.error().kind, Error::Kind::kTransport);
  EXPECT_NE(stale.error().message.find("is metrics-server installed and available?"),
            std::string::npos)
      << stale.error().message;
  ASSERT_FALSE(c.Policy("shop", "web")->Read());
  EXPECT_EQ(Count(*c.api, "GET", kMetricsOf + "shop/pods"), 2)
      << "a failure is held: the namespace's other policies do not ask again at once";
}

TEST(ResourceMetrics, UtilizationLeavesOutUnreadyAndUnmeasuredPods) {
  Json pods = List({Pod("a", "web", "Running", "True"), Pod("b", "web", "Pending", "False"),
                    Pod("c", "web", "Running", "True")});
  pods["items"][0]["spec"]["containers"][1] = Json::parse(
      R"({"name":"side","resources":{"requests":{"cpu":"300m"}}})");  // a: 800m requested
  std::vector<kube::ObjectPtr> trimmed;
  for (auto& p : pods["items"].as_array()) {
    TrimPod(p);
    trimmed.push_back(std::make_shared<const Json>(p));
  }
  Json usage = Samples({Sample("a", "150000000n"), Sample("b", "900m")});
  usage["items"][0]["containers"][1] = Json::parse(R"({"name":"side","usage":{"cpu":"250m"}})");
  auto samples = ParsePodMetricsList(usage);
  ASSERT_TRUE(samples);
  Result<Reading> s = ResourceMetric::Compute(trimmed, *samples, "cpu", "test");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_NEAR(s->value, 50.0, 1e-9);  // pod a only: 400m of 800m
  EXPECT_EQ(s->pods, 1) << "the pods averaged over: what a step multiplies the reading by";
  EXPECT_NE(s->detail.find("1 unready left out"), std::string::npos) << s->detail;
  EXPECT_NE(s->detail.find("1 without metrics yet left out"), std::string::npos) << s->detail;
  EXPECT_EQ(ParseQuantity("128Mi"), 134217728.0);
  EXPECT_EQ(ParseQuantity("1.5"), 1.5);
  EXPECT_FALSE(ParseQuantity("12Q"));
}

TEST(ResourceMetrics, APodIsCachedWithOnlyWhatAReadingUses) {
  Json pod = Pod("web-1", "web", "Running", "True");
  TrimPod(pod);
  EXPECT_EQ(pod, Json::parse(R"({
    "metadata":{"name":"web-1","namespace":"shop","resourceVersion":"7","labels":{"app":"web"}},
    "spec":{"containers":[{"name":"main","resources":{"requests":{"cpu":"500m","memory":"64Mi"}}}]},
    "status":{"phase":"Running","conditions":[
      {"type":"Ready","status":"True","lastTransitionTime":"2026-01-01T00:00:00Z"}]}})"))
      << pod.serialize();
}

TEST(ResourceMetrics, PodsThatCannotBeListedAreNoDataThatSaysWhy) {
  Cluster c;
  c.api->On("LIST", kPodsOf + "shop/pods", ScriptedResponse::Status(403));
  auto reading = c.Policy("shop", "web")->Read();  // waits half a second for the first list
  ASSERT_FALSE(reading);
  EXPECT_EQ(reading.error().kind, Error::Kind::kNoData);
  EXPECT_NE(reading.error().message.find("the pods of shop are not listed yet"), std::string::npos)
      << reading.error().message;
  EXPECT_NE(reading.error().message.find("403"), std::string::npos) << reading.error().message;
  EXPECT_EQ(Count(*c.api, "GET", kMetricsOf + "shop/pods"), 0) << "no pods: no metrics read";
}

TEST(ResourceMetrics, ASelectorThatDoesNotParseIsAConfigError) {
  Cluster c;
  auto web = c.Policy("shop", "web");
  web->SetSelector("app in (web");
  auto reading = web->Read();
  ASSERT_FALSE(reading);
  EXPECT_EQ(reading.error().kind, Error::Kind::kConfig);
  EXPECT_NE(reading.error().message.find("unbalanced parentheses"), std::string::npos)
      << reading.error().message;
}

}  // namespace
}  // namespace gearbox::metrics
