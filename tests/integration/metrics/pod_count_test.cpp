// The podCount source (KEDA's kubernetes-workload) against the test cluster's API server: the pods
// matching a selector in the policy's namespace and no other, through the controller's client.
// Pending pods count as KEDA counts them, so the test does not wait for KWOK to run them.
#include <gtest/gtest.h>

#include <thread>

#include "metrics/pod_count.h"
#include "servers.h"

namespace gearbox::metrics::testing {
namespace {

using namespace std::chrono_literals;

std::string LabelledDeployment(const std::string& name, int replicas, const std::string& labels) {
  return "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: " + name +
         "}\nspec:\n  replicas: " + std::to_string(replicas) + "\n  selector: {matchLabels: {" +
         labels + "}}\n  template:\n    metadata: {labels: {" + labels +
         "}}\n    spec:\n      containers:\n        - {name: main, image: example.invalid/app:1}\n";
}

// The count once it is `want`, or the last read after 60 s.
Result<Reading> CountWhenSettled(PodCountMetric& metric, double want) {
  Result<Reading> r = metric.Read();
  for (int i = 0; i < 120 && (!r.ok() || r->value != want); ++i) {
    std::this_thread::sleep_for(500ms);
    r = metric.Read();
  }
  return r;
}

TEST(PodCount, CountsThePodsMatchingTheSelectorInThePolicysNamespaceOnly) {
  auto client = TestClusterClient();
  ASSERT_TRUE(client) << "KUBECONFIG must point at the test cluster (hack/test.sh)";
  const std::string ns = "gearbox-it-podcount", other = "gearbox-it-podcount-other";
  for (const auto& n : {ns, other})
    Sh("kubectl delete namespace " + n + " --wait=true --timeout=60s >/dev/null 2>&1; " +
       "kubectl create namespace " + n);
  KubectlApply(ns, LabelledDeployment("backend", 3, "app: backend, tier: api"));
  KubectlApply(ns, LabelledDeployment("cache", 1, "app: cache"));
  KubectlApply(other, LabelledDeployment("backend", 2, "app: backend, tier: api"));

  PodCountMetric backend(client, ns, "app=backend");
  auto r = CountWhenSettled(backend, 3);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->value, 3) << r->detail;  // not the other namespace's 2
  PodCountMetric set_based(client, ns, "app in (backend, cache)");
  r = CountWhenSettled(set_based, 4);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->value, 4);
  auto none = PodCountMetric(client, ns, "app=backend,tier!=api").Read();
  ASSERT_TRUE(none.ok()) << none.error().message;
  EXPECT_EQ(none->value, 0);
  auto bad = PodCountMetric(client, ns, "app in (").Read();
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, Error::Kind::kConfig) << bad.error().message;
  for (const auto& n : {ns, other}) Sh("kubectl delete namespace " + n + " --wait=false");
}

}  // namespace
}  // namespace gearbox::metrics::testing
