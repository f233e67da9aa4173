// Resource metrics from the real metrics-server, with KWOK pods whose CPU usage is set by the
// annotation kwok.x-k8s.io/usage-cpu: utilization = usage / requests. (The computation alone is
// tested in tests/unit/metrics/resource_metrics_test.cpp.)
#include <gtest/gtest.h>

#include <thread>

#include "metrics/resource_metrics.h"
#include "servers.h"

namespace gearbox::metrics::testing {
namespace {

using namespace std::chrono_literals;

std::string Deployment(const std::string& name, int replicas, const std::string& usage,
                       const std::string& requests) {
  return "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: " + name +
         "}\nspec:\n  replicas: " + std::to_string(replicas) +
         "\n  selector: {matchLabels: {app: " + name + "}}\n  template:\n    metadata:\n" +
         "      labels: {app: " + name +
         "}\n      annotations: {kwok.x-k8s.io/usage-cpu: " + usage +
         "}\n    spec:\n      containers:\n        - name: main\n" +
         "          image: example.invalid/app:1\n" +
         (requests.empty() ? "" : "          resources: {requests: {cpu: " + requests + "}}\n");
}

std::string ScaleSelector(kube::Client& c, const std::string& ns, const std::string& name) {
  auto scale = c.Get({"apps", "v1", "deployments", true}, ns, name, "scale");
  if (!scale || !scale->at("status").has_string_field("selector")) return "";
  return scale->at("status").at("selector").as_string();
}

TEST(ResourceMetrics, UtilizationIsUsageOverRequests) {
  auto client = TestClusterClient();
  ASSERT_TRUE(client) << "KUBECONFIG must point at the test cluster (hack/test.sh)";
  std::string ns = "gearbox-it-resource";
  Sh("kubectl delete namespace " + ns +
     " --wait=true --timeout=60s >/dev/null 2>&1; kubectl "
     "create namespace " +
     ns);
  KubectlApply(ns, Deployment("web", 2, "150m", "500m"));
  KubectlApply(ns, Deployment("norequests", 1, "100m", ""));

  PodWatches watches(client);
  ResourceMetric web(watches.For(ns), "cpu", "web", 5s);
  Result<Reading> s = web.Read();
  ASSERT_FALSE(s.ok()) << "no selector yet";
  EXPECT_EQ(s.error().kind, Error::Kind::kConfig) << s.error().message;
  std::string selector;
  for (int i = 0; i < 40 && selector.empty(); ++i) {
    selector = ScaleSelector(*client, ns, "web");
    if (selector.empty()) std::this_thread::sleep_for(500ms);
  }
  ASSERT_EQ(selector, "app=web");
  web.SetSelector(selector);
  // metrics-server scrapes every 10 s: wait for both pods' samples.
  for (int i = 0; i < 120; ++i) {
    s = web.Read();
    if (s.ok() && s->detail.rfind("2 pods", 0) == 0) break;
    std::this_thread::sleep_for(1s);
  }
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_NEAR(s->value, 30.0, 0.5) << s->detail;  // 150m of 500m
  EXPECT_EQ(s->detail.rfind("2 pods", 0), 0u) << s->detail;
  EXPECT_EQ(s->pods, 2);
  std::cout << "web: " << s->value << "% (" << s->detail << ")\n";

  ResourceMetric bare(watches.For(ns), "cpu", "norequests", 5s);
  bare.SetSelector("app=norequests");
  Result<Reading> e = bare.Read();
  for (int i = 0; i < 60; ++i) {
    e = bare.Read();
    if (!e.ok() && e.error().kind == Error::Kind::kConfig) break;
    std::this_thread::sleep_for(1s);
  }
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().kind, Error::Kind::kConfig);
  EXPECT_NE(e.error().message.find("has no cpu request"), std::string::npos) << e.error().message;
  EXPECT_NE(e.error().message.find("container main of pod norequests-"), std::string::npos)
      << e.error().message;
  std::cout << e.error().message << "\n";
  Sh("kubectl delete namespace " + ns + " --wait=false");
}

}  // namespace
}  // namespace gearbox::metrics::testing
