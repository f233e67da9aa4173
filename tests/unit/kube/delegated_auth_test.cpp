// Who may read /metrics (kube/delegated_auth.h): the token reviewed by the API server
// (TokenReview), the user it names checked for get on the path (SubjectAccessReview), the
// decision cached for a while by a hash of the token.
#include "kube/delegated_auth.h"

#include <gtest/gtest.h>

#include "../../lib/scripted_client.h"

namespace gearbox::kube {
namespace {

using namespace std::chrono_literals;
using testing::ScriptedClient;
using testing::ScriptedResponse;
using Decision = DelegatedAuth::Decision;

constexpr const char* kTokenReviews = "/apis/authentication.k8s.io/v1/tokenreviews";
constexpr const char* kAccessReviews = "/apis/authorization.k8s.io/v1/subjectaccessreviews";

struct Api {
  explicit Api(bool authenticated, bool allowed) {
    api->On("POST", kTokenReviews,
            ScriptedResponse::Ok(Json::parse(
                authenticated ? R"({"status": {"authenticated": true, "user": {"username":
                    "system:serviceaccount:monitoring:prometheus", "groups": ["system:serviceaccounts"]}}})"
                              : R"({"status": {"authenticated": false}})")));
    api->On("POST", kAccessReviews,
            ScriptedResponse::Ok(Json::parse(allowed ? R"({"status": {"allowed": true}})"
                                                     : R"({"status": {"allowed": false}})")));
  }
  std::shared_ptr<ScriptedClient> api = std::make_shared<ScriptedClient>();
  FakeClock clock;
  DelegatedAuth auth{api, clock};
};

TEST(DelegatedAuth, NoTokenIsUnauthenticatedWithoutAskingTheApiServer) {
  Api a(true, true);
  EXPECT_EQ(*a.auth.Check("", "/metrics"), Decision::kUnauthenticated);
  EXPECT_TRUE(a.api->Calls().empty());
}

TEST(DelegatedAuth, ATokenTheApiServerDoesNotKnowIsUnauthenticated) {
  Api a(false, true);
  EXPECT_EQ(*a.auth.Check("made-up", "/metrics"), Decision::kUnauthenticated);
}

TEST(DelegatedAuth, AUserWithoutGetOnMetricsIsForbidden) {
  Api a(true, false);
  EXPECT_EQ(*a.auth.Check("token", "/metrics"), Decision::kForbidden);
}

TEST(DelegatedAuth, AnAuthorizedUserIsAllowedAndTheReviewNamesThemAndThePath) {
  Api a(true, true);
  EXPECT_EQ(*a.auth.Check("token", "/metrics"), Decision::kAllowed);
  auto requests = a.api->Requests();
  ASSERT_EQ(requests.size(), 2u);
  const Json& review = requests[1].body;
  EXPECT_EQ(review.at("spec").at("user").as_string(),
            "system:serviceaccount:monitoring:prometheus");
  EXPECT_EQ(review.at("spec").at("nonResourceAttributes").at("path").as_string(), "/metrics");
  EXPECT_EQ(review.at("spec").at("nonResourceAttributes").at("verb").as_string(), "get");
  EXPECT_EQ(requests[0].body.at("spec").at("token").as_string(), "token");
}

TEST(DelegatedAuth, ADecisionIsCachedForAMinuteThenAskedAgain) {
  Api a(true, true);
  ASSERT_EQ(*a.auth.Check("token", "/metrics"), Decision::kAllowed);
  a.clock.Advance(30s);
  ASSERT_EQ(*a.auth.Check("token", "/metrics"), Decision::kAllowed);
  EXPECT_EQ(a.api->Requests().size(), 2u) << "answered from the cache";
  a.clock.Advance(31s);
  ASSERT_EQ(*a.auth.Check("token", "/metrics"), Decision::kAllowed);
  EXPECT_EQ(a.api->Requests().size(), 4u) << "expired: reviewed again";
}

TEST(DelegatedAuth, AnApiServerThatCannotAnswerIsAnErrorNotARefusal) {
  auto api = std::make_shared<ScriptedClient>();
  api->On("POST", kTokenReviews, ScriptedResponse::Fail(Error::Kind::kTimeout));
  FakeClock clock;
  DelegatedAuth auth(api, clock);
  EXPECT_FALSE(auth.Check("token", "/metrics"));
}

}  // namespace
}  // namespace gearbox::kube
