// Who may read /metrics, decided by the real API server (kube/delegated_auth.h): a ServiceAccount
// bound to a ClusterRole with get on the non-resource URL /metrics is allowed, another
// ServiceAccount is forbidden, a made-up token is not authenticated.
#include "kube/delegated_auth.h"

#include <gtest/gtest.h>

#include "harness.h"

namespace gearbox::kube::testing {
namespace {

std::string TokenOf(const std::string& ns, const std::string& account) {
  int rc = 0;
  std::string k = "kubectl -n " + ns + " ";
  std::string out = Sh(k + "create serviceaccount " + account + " >/dev/null && " + k +
                           "create token " + account + " 2>/dev/null",
                       &rc);
  EXPECT_EQ(rc, 0) << out;
  return out.substr(0, out.find_last_not_of('\n') + 1);
}

TEST(DelegatedAuth, TheApiServerDecidesWhoMayReadMetrics) {
  TestNamespace ns("gearbox-it-metrics-auth");
  const std::string reader = TokenOf(ns.name(), "scraper");
  const std::string stranger = TokenOf(ns.name(), "stranger");
  const std::string role = ns.name() + "-metrics-reader";
  int rc = 0;
  std::string out =
      Sh("kubectl create clusterrole " + role +
             " --verb=get --non-resource-url=/metrics && kubectl create "
             "clusterrolebinding " +
             role + " --clusterrole=" + role + " --serviceaccount=" + ns.name() + ":scraper",
         &rc);
  ASSERT_EQ(rc, 0) << out;
  DelegatedAuth auth(AdminClient(), RealClock::Instance());
  auto allowed = auth.Check(reader, "/metrics");
  auto forbidden = auth.Check(stranger, "/metrics");
  auto unknown = auth.Check("not-a-token", "/metrics");
  Sh("kubectl delete clusterrolebinding,clusterrole " + role + " >/dev/null 2>&1", &rc);
  ASSERT_TRUE(allowed && forbidden && unknown);
  EXPECT_EQ(*allowed, DelegatedAuth::Decision::kAllowed);
  EXPECT_EQ(*forbidden, DelegatedAuth::Decision::kForbidden);
  EXPECT_EQ(*unknown, DelegatedAuth::Decision::kUnauthenticated);
  EXPECT_EQ(*auth.Check(reader, "/debug/pprof"), DelegatedAuth::Decision::kForbidden)
      << "get on /metrics only";
}

}  // namespace
}  // namespace gearbox::kube::testing
