// The Secrets policies name are watched one by one on the real API server, as
// the ServiceAccount the chart's narrowest RBAC makes (get/list/watch on those names only): a
// Secret created after the policy, and a rotated one, are reported; other Secrets are not.
#include <gtest/gtest.h>

#include <atomic>
#include <sstream>

#include "harness.h"
#include "reconcile/secret_watches.h"

namespace gearbox::kube::testing {
namespace {

using namespace std::chrono_literals;

const ResourceRef kSecrets{"", "v1", "secrets", true};

Json Secret(const std::string& name, const std::string& token) {
  Json s = Json::object();
  s["apiVersion"] = Json::string("v1");
  s["kind"] = Json::string("Secret");
  s["metadata"]["name"] = Json::string(name);
  s["stringData"]["token"] = Json::string(token);
  return s;
}

// A client as a ServiceAccount that may get, list and watch only the Secret `name` in `ns`.
std::shared_ptr<Client> ReaderOfOneSecret(const std::string& ns, const std::string& name) {
  std::string k = "kubectl -n " + ns + " ";
  int rc = 0;
  std::string out = Sh(k + "create serviceaccount secret-reader && " + k +
                           "create role one-secret --verb=get,list,watch --resource=secrets "
                           "--resource-name=" +
                           name + " && " + k +
                           "create rolebinding one-secret --role=one-secret "
                           "--serviceaccount=" +
                           ns + ":secret-reader",
                       &rc);
  EXPECT_EQ(rc, 0) << out;
  std::string token = Sh(k + "create token secret-reader 2>/dev/null", &rc);
  EXPECT_EQ(rc, 0) << token;
  Config c = AdminConfig();
  c.client_cert_pem.clear();
  c.client_key_pem.clear();
  c.bearer_token = token.substr(0, token.find_last_not_of("\n") + 1);
  return ClientFor(c);
}

TEST(SecretWatches, ASecretCreatedLaterAndARotatedOneAreReported) {
  TestNamespace ns("gearbox-it-secrets");
  auto admin = AdminClient();
  auto reader = ReaderOfOneSecret(ns.name(), "prom-token");
  std::atomic<int> changes{0};
  std::ostringstream logs;
  telemetry::Logger log(telemetry::LogFormat::kText, telemetry::LogLevel::kWarn, &logs);
  reconcile::SecretWatches watches(
      reader,
      [&](const std::string& n, const std::string& name) {
        if (n == ns.name() && name == "prom-token") ++changes;
      },
      log);
  watches.Name(ns.name() + "/policy", ns.name(), {"prom-token"});
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(changes, 0) << logs.str();

  ASSERT_TRUE(admin->Create(kSecrets, ns.name(), Secret("prom-token", "one")));
  EXPECT_TRUE(Eventually(5s, [&] { return changes == 1; })) << "created: " << logs.str();
  ASSERT_TRUE(admin->Create(kSecrets, ns.name(), Secret("unrelated", "x")));
  auto rotated = admin->Get(kSecrets, ns.name(), "prom-token");
  ASSERT_TRUE(rotated);
  (*rotated)["stringData"]["token"] = Json::string("two");
  ASSERT_TRUE(admin->Update(kSecrets, ns.name(), "prom-token", *rotated));
  EXPECT_TRUE(Eventually(5s, [&] { return changes == 2; })) << "rotated: " << logs.str();
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(changes, 2) << "only prom-token's changes count";
  EXPECT_EQ(logs.str().find("403"), std::string::npos)
      << "the watch needs no more than get/list/watch on the one name: " << logs.str();
  watches.Stop();
}

}  // namespace
}  // namespace gearbox::kube::testing
