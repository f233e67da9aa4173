// `doctor` against a scripted API server: each missing piece found and said in one line with
// what to do, a healthy cluster all ok, RBAC reviewed for the user or the ServiceAccount given.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "../../lib/scripted_client.h"
#include "cli/doctor.h"

namespace gearbox::cli {
namespace {

using ::testing::HasSubstr;
using testing::ScriptedClient;
using testing::ScriptedResponse;
using ::testing::StartsWith;
using Json = web::json::value;

constexpr const char* kSelfReviews = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";
constexpr const char* kReviews = "/apis/authorization.k8s.io/v1/subjectaccessreviews";

Json Allowed(bool allowed) {
  return Json::parse(std::string(R"({"status":{"allowed":)") + (allowed ? "true" : "false") + "}}");
}

// A cluster with everything: metrics-server, the CRD, a ready controller, one policy on a
// Deployment, and every access review allowed.
std::shared_ptr<ScriptedClient> HealthyCluster() {
  auto api = std::make_shared<ScriptedClient>();
  api->On("GET", "/apis/metrics.k8s.io/v1beta1", ScriptedResponse::Ok(Json::object()));
  api->On("GET", "/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods",
          ScriptedResponse::Ok(Json::parse(R"({"items":[{},{}]})")));
  api->On("GET", "/apis/gearbox.dev/v1alpha1", ScriptedResponse::Ok(Json::object()));
  api->On("LIST", "/apis/apps/v1/deployments", ScriptedResponse::Ok(Json::parse(R"({"items":[
      {"metadata":{"name":"gearbox","namespace":"gearbox-system"},
       "spec":{"replicas":2},"status":{"readyReplicas":2}}]})")));
  api->On("LIST", "/apis/gearbox.dev/v1alpha1/scalingpolicies",
          ScriptedResponse::Ok(Json::parse(R"({"items":[
      {"metadata":{"name":"storefront","namespace":"shop"},"spec":{"components":[
        {"name":"app","target":{"apiVersion":"apps/v1","kind":"Deployment","name":"web"}}]}}]})")));
  api->On("GET", "/apis/apps/v1", ScriptedResponse::Ok(Json::parse(R"({"resources":[
      {"name":"deployments","kind":"Deployment","namespaced":true},
      {"name":"deployments/scale","kind":"Scale","namespaced":true}]})")));
  api->On("POST", kSelfReviews, ScriptedResponse::Ok(Allowed(true)));
  api->On("POST", kReviews, ScriptedResponse::Ok(Allowed(true)));
  return api;
}

std::string Lines(const std::vector<CheckResult>& checks) { return FormatChecks(checks); }

TEST(Doctor, DoctorFindsEverythingInAHealthyCluster) {
  const auto checks = RunDoctor(HealthyCluster(), {"shop", ""});
  EXPECT_TRUE(AllOk(checks)) << Lines(checks);
  EXPECT_EQ(Lines(checks),
            "ok       metrics-server answers (metrics.k8s.io/v1beta1)\n"
            "ok       pod metrics in shop: 2 pods measured\n"
            "ok       CRD scalingpolicies.gearbox.dev serves gearbox.dev/v1alpha1\n"
            "ok       controller gearbox-system/gearbox is ready (2/2 ready)\n"
            "ok       shop/storefront app (Deployment web): you may get and patch "
            "deployments.apps/scale\n");
}

TEST(Doctor, DoctorFindsAMissingMetricsServer) {
  auto api = HealthyCluster();
  api->On("GET", "/apis/metrics.k8s.io/v1beta1", ScriptedResponse::Status(404));
  const auto checks = RunDoctor(api, {"shop", ""});
  EXPECT_FALSE(AllOk(checks));
  EXPECT_THAT(Lines(checks), StartsWith("MISSING  metrics.k8s.io/v1beta1 is not served: install "
                                        "metrics-server"));
  EXPECT_THAT(Lines(checks), Not(HasSubstr("pod metrics"))) << "one line for one missing piece";
}

TEST(Doctor, DoctorFindsAMetricsServerThatDoesNotAnswer) {
  auto api = HealthyCluster();
  api->On("GET", "/apis/metrics.k8s.io/v1beta1", ScriptedResponse::Status(503));
  EXPECT_THAT(Lines(RunDoctor(api, {"shop", ""})),
              HasSubstr("MISSING  metrics.k8s.io/v1beta1 does not answer"));
}

TEST(Doctor, DoctorFindsAMissingCrd) {
  auto api = HealthyCluster();
  api->On("GET", "/apis/gearbox.dev/v1alpha1", ScriptedResponse::Status(404));
  api->On("LIST", "/apis/gearbox.dev/v1alpha1/scalingpolicies", ScriptedResponse::Status(404));
  EXPECT_THAT(Lines(RunDoctor(api, {"shop", ""})),
              HasSubstr("MISSING  the ScalingPolicy CRD is not installed: kubectl apply -f crds/"));
}

TEST(Doctor, DoctorFindsACrdThatServesAnotherVersion) {
  auto api = HealthyCluster();
  api->On("GET", "/apis/gearbox.dev/v1alpha1", ScriptedResponse::Status(404));
  api->On("GET", "/apis/gearbox.dev",
          ScriptedResponse::Ok(
              Json::parse(R"({"preferredVersion":{"groupVersion":"gearbox.dev/v1beta1"}})")));
  EXPECT_THAT(Lines(RunDoctor(api, {"shop", ""})),
              HasSubstr("does not serve gearbox.dev/v1alpha1 (it serves gearbox.dev/v1beta1)"));
}

TEST(Doctor, DoctorFindsAControllerThatIsMissingOrNotReady) {
  auto api = HealthyCluster();
  api->On("LIST", "/apis/apps/v1/deployments",
          ScriptedResponse::Ok(Json::parse(R"({"items":[{"metadata":{"name":"gearbox",
      "namespace":"gearbox-system"},"spec":{"replicas":1},"status":{}}]})")));
  EXPECT_THAT(Lines(RunDoctor(api, {"shop", ""})),
              HasSubstr("MISSING  controller gearbox-system/gearbox is not ready (0/1 ready)"));
  api->On("LIST", "/apis/apps/v1/deployments",
          ScriptedResponse::Ok(Json::parse(R"({"items":[]})")));
  EXPECT_THAT(Lines(RunDoctor(api, {"shop", ""})), HasSubstr("MISSING  no controller Deployment"));
}

TEST(Doctor, DoctorReviewsRbacForTheServiceAccountGiven) {
  auto api = HealthyCluster();
  api->On("POST", kReviews, ScriptedResponse::Ok(Allowed(false)));
  api->On("POST", kReviews, ScriptedResponse::Ok(Allowed(true)), 1);  // get, then patch refused
  const auto checks = RunDoctor(api, {"shop", "gearbox-system:gearbox-gearbox"});
  EXPECT_THAT(Lines(checks), HasSubstr("MISSING  shop/storefront app (Deployment web): "
                                       "system:serviceaccount:gearbox-system:gearbox-gearbox may "
                                       "not patch deployments.apps/scale in shop"));
  bool reviewed_the_account = false;
  for (const auto& r : api->Requests())
    if (r.path == kReviews)
      reviewed_the_account = r.body.at("spec").at("user").as_string() ==
                             "system:serviceaccount:gearbox-system:gearbox-gearbox";
  EXPECT_TRUE(reviewed_the_account);
}

TEST(Doctor, DoctorFindsATargetKindTheClusterDoesNotServe) {
  auto api = HealthyCluster();
  api->On("GET", "/apis/apps/v1", ScriptedResponse::Status(404));
  EXPECT_THAT(Lines(RunDoctor(api, {"shop", ""})),
              HasSubstr("MISSING  shop/storefront app (Deployment web): apps/v1 Deployment is "
                        "not served"));
}

}  // namespace
}  // namespace gearbox::cli
