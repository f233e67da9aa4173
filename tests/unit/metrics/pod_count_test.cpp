// The kubernetes-workload source (metrics/pod_count.h) on pod lists from the scripted API client:
// every pod that has not terminated counts, as KEDA counts them, and a refused list is an error of
// the kind that says why.
#include <gtest/gtest.h>

#include "metrics/pod_count.h"
#include "scripted_client.h"

namespace gearbox::metrics::pod_count_test {
namespace {

using kube::Json;
using testing::ScriptedClient;
using testing::ScriptedResponse;

constexpr char kPods[] = "/api/v1/namespaces/shop/pods";

Json Pod(const std::string& name, const std::string& phase) {
  Json pod = Json::object();
  pod["metadata"]["name"] = Json::string(name);
  if (!phase.empty()) pod["status"]["phase"] = Json::string(phase);
  return pod;
}

Json PodList(std::vector<Json> pods) {
  Json list = Json::object();
  list["items"] = Json::array(std::move(pods));
  return list;
}

TEST(PodCount, CountsEveryPodThatHasNotTerminated) {
  auto client = std::make_shared<ScriptedClient>();
  client->On(
      "LIST", kPods,
      ScriptedResponse::Ok(PodList({Pod("a", "Running"), Pod("b", "Pending"), Pod("c", "Succeeded"),
                                    Pod("d", "Failed"), Pod("e", "Unknown"), Pod("f", "")})));
  PodCountMetric metric(client, "shop", "app=worker");
  auto r = metric.Read();
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->value, 4);  // Running, Pending, Unknown and a pod without a phase yet
  EXPECT_EQ(r->detail, "4 pods, 2 terminated left out");
  ASSERT_EQ(client->Requests().size(), 1u);
  EXPECT_EQ(client->Requests()[0].path, kPods);  // the policy's namespace, no other
}

TEST(PodCount, NoMatchingPodIsZeroNotAnError) {
  auto client = std::make_shared<ScriptedClient>();
  client->On("LIST", kPods, ScriptedResponse::Ok(PodList({})));
  auto r = PodCountMetric(client, "shop", "app=none").Read();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->value, 0);
}

TEST(PodCount, AListRefusedIsAnAuthErrorAndABadSelectorAConfigError) {
  auto client = std::make_shared<ScriptedClient>();
  client->On("LIST", kPods, ScriptedResponse::Status(403, "Forbidden"), 1);
  auto forbidden = PodCountMetric(client, "shop", "app=worker").Read();
  ASSERT_FALSE(forbidden.ok());
  EXPECT_EQ(forbidden.error().kind, Error::Kind::kAuth);
  EXPECT_NE(forbidden.error().message.find("pods matching app=worker in shop"), std::string::npos);
  client->On("LIST", kPods, ScriptedResponse::Status(400, "BadRequest"), 1);
  auto bad = PodCountMetric(client, "shop", "app==(").Read();
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, Error::Kind::kConfig);
  client->On("LIST", kPods, ScriptedResponse::Fail(Error::Kind::kTimeout), 1);
  auto slow = PodCountMetric(client, "shop", "app=worker").Read();
  ASSERT_FALSE(slow.ok());
  EXPECT_EQ(slow.error().kind, Error::Kind::kTimeout);
}

}  // namespace
}  // namespace gearbox::metrics::pod_count_test
