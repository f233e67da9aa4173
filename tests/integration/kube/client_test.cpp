// The client against the real API server: optimistic concurrency under a race, RBAC errors that
// say what was refused, /scale on built-in and custom resources, and the three ways of trusting
// and being trusted (client certificate, ServiceAccount token, a CA that does not match).
#include <gtest/gtest.h>

#include <barrier>
#include <cstdio>
#include <fstream>

#include "harness.h"
#include "kube/discovery.h"
#include "kube/retry.h"

namespace gearbox::kube::testing {
namespace {

// Adds key=value to a ConfigMap's data by read-modify-write with its resourceVersion.
Result<Json> AddKey(Client& c, const std::string& ns, const std::string& key,
                    std::barrier<>* between_read_and_write = nullptr) {
  auto cm = c.Get(kConfigMaps, ns, "shared");
  if (!cm) return cm.error();
  Json obj = *cm;
  obj["data"][key] = Json::string("1");
  if (between_read_and_write) {
    between_read_and_write->arrive_and_wait();
    between_read_and_write = nullptr;
  }
  return c.Update(kConfigMaps, ns, "shared", obj);
}

TEST(Client, RacingWritersRetryTheConflictAndLoseNothing) {
  TestNamespace ns("gearbox-it-race");
  auto a = AdminClient();
  auto b = AdminClient();
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->Create(kConfigMaps, ns.name(), ConfigMap("shared", "seed", "1")));

  // A forced interleaving: both read, then both write. One of the two writes must get 409.
  std::barrier<> both_read(2);
  ConflictRetry ra, rb;
  Result<Json> result_a = Error{}, result_b = Error{};
  std::thread ta([&] {
    bool first = true;
    result_a = RetryOnConflict(
        [&] {
          auto r = AddKey(*a, ns.name(), "from-a", first ? &both_read : nullptr);
          first = false;
          return r;
        },
        &ra);
  });
  std::thread tb([&] {
    bool first = true;
    result_b = RetryOnConflict(
        [&] {
          auto r = AddKey(*b, ns.name(), "from-b", first ? &both_read : nullptr);
          first = false;
          return r;
        },
        &rb);
  });
  ta.join();
  tb.join();
  ASSERT_TRUE(result_a.ok()) << result_a.error().ToString();
  ASSERT_TRUE(result_b.ok()) << result_b.error().ToString();
  EXPECT_EQ(ra.conflicts + rb.conflicts, 1) << "exactly one writer was second";

  // Many writers, many keys: every one of them lands.
  constexpr int kWriters = 4, kKeys = 15;
  std::vector<std::thread> writers;
  std::atomic<int> failures{0}, conflicts{0};
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      auto c = AdminClient();
      for (int k = 0; k < kKeys; ++k) {
        ConflictRetry r;
        r.attempts = 50;
        auto res = RetryOnConflict(
            [&] {
              return AddKey(*c, ns.name(), "w" + std::to_string(w) + "-" + std::to_string(k));
            },
            &r);
        conflicts += r.conflicts;
        if (!res) ++failures;
      }
    });
  }
  for (auto& t : writers) t.join();
  EXPECT_EQ(failures, 0);
  auto final_cm = a->Get(kConfigMaps, ns.name(), "shared");
  ASSERT_TRUE(final_cm);
  EXPECT_EQ(final_cm->at("data").as_object().size(), 1u + 2u + kWriters * kKeys);
  std::cout << "racing writers: " << conflicts << " conflicts retried, no update lost\n";
}

// A kubeconfig for a ServiceAccount from the TokenRequest API, via hack/sa-kubeconfig.sh.
Config ServiceAccountConfig(const std::string& ns, const std::string& sa) {
  int rc = 0;
  std::string path = "/tmp/gearbox-it-" + ns + "-" + sa + ".kubeconfig";
  std::string out = Sh("kubectl -n " + ns + " create serviceaccount " + sa +
                           " >/dev/null && bash " + std::string(GEARBOX_SOURCE_DIR) +
                           "/hack/sa-kubeconfig.sh " + ns + " " + sa + " " + path + " 10m",
                       &rc);
  if (rc != 0) {
    ADD_FAILURE() << out;
    return {};
  }
  auto config = LoadKubeconfig(path);
  std::remove(path.c_str());
  if (!config) {
    ADD_FAILURE() << config.error().ToString();
    return {};
  }
  return *config;
}

TEST(Client, ServiceAccountTokenAuthenticatesAndRbacErrorsNameVerbAndResource) {
  TestNamespace ns("gearbox-it-rbac");
  int rc = 0;
  std::string out =
      Sh("kubectl -n " + ns.name() +
             " create role cm-reader --verb=get --resource=configmaps && kubectl -n " + ns.name() +
             " create rolebinding cm-reader --role=cm-reader "
             "--serviceaccount=" +
             ns.name() + ":reader",
         &rc);
  ASSERT_EQ(rc, 0) << out;
  Config config = ServiceAccountConfig(ns.name(), "reader");
  ASSERT_FALSE(config.bearer_token.empty()) << "the kubeconfig must carry the token";
  ASSERT_TRUE(config.client_cert_pem.empty());
  auto client = ClientFor(config);
  ASSERT_TRUE(client);

  // Allowed: get. RBAC may take a moment to see the new binding.
  auto admin = AdminClient();
  ASSERT_TRUE(admin->Create(kConfigMaps, ns.name(), ConfigMap("x", "v", "1")));
  EXPECT_TRUE(Eventually(std::chrono::seconds(10), [&] {
    return client->Get(kConfigMaps, ns.name(), "x").ok();
  })) << "a ServiceAccount token from TokenRequest must authenticate";

  // Refused: list and patch /scale of deployments.
  auto list = client->List(kConfigMaps, ns.name());
  ASSERT_FALSE(list.ok());
  EXPECT_TRUE(list.error().IsForbidden());
  std::string m = list.error().ToString();
  EXPECT_NE(m.find("list"), std::string::npos) << m;
  EXPECT_NE(m.find("configmaps"), std::string::npos) << m;

  Json scale = Json::object();
  scale["spec"]["replicas"] = Json::number(2);
  auto patched = client->Patch(kDeployments, ns.name(), "web", PatchType::kMerge, scale, "scale");
  ASSERT_FALSE(patched.ok());
  EXPECT_TRUE(patched.error().IsForbidden());
  m = patched.error().ToString();
  EXPECT_NE(m.find("patch"), std::string::npos) << m;
  EXPECT_NE(m.find("deployments"), std::string::npos) << m;
  EXPECT_NE(m.find("scale"), std::string::npos) << m;
  std::cout << "forbidden: " << m << "\n";
}

TEST(Client, ClientCertificateAuthenticates) {
  Config config = AdminConfig();
  ASSERT_FALSE(config.client_cert_pem.empty())
      << "the test cluster's kubeconfig uses a certificate";
  ASSERT_TRUE(config.bearer_token.empty() && config.token_file.empty());
  auto client = ClientFor(config);
  auto review = client->GetPath("/apis/authentication.k8s.io/v1");
  ASSERT_TRUE(review.ok()) << review.error().ToString();
  // Who are we? A SelfSubjectReview names the certificate's subject.
  ResourceRef ssr{"authentication.k8s.io", "v1", "selfsubjectreviews", false};
  Json body = Json::object();
  body["apiVersion"] = Json::string("authentication.k8s.io/v1");
  body["kind"] = Json::string("SelfSubjectReview");
  auto who = client->Create(ssr, "", body);
  ASSERT_TRUE(who.ok()) << who.error().ToString();
  std::string user = who->at("status").at("userInfo").at("username").as_string();
  EXPECT_FALSE(user.empty());
  EXPECT_EQ(user.rfind("system:serviceaccount:", 0), std::string::npos) << user;
}

TEST(Client, AWrongCaFailsWithACertificateMessage) {
  int rc = 0;
  std::string dir = "/tmp/gearbox-it-wrong-ca";
  std::string out =
      Sh("mkdir -p " + dir + " && openssl req -x509 -newkey rsa:2048 -nodes -keyout " + dir +
             "/ca.key -out " + dir + "/ca.crt -subj /CN=not-the-cluster-ca -days 1",
         &rc);
  ASSERT_EQ(rc, 0) << out;
  std::ifstream in(dir + "/ca.crt");
  std::string pem((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Sh("rm -rf " + dir);
  Config config = AdminConfig();
  config.ca_pem = pem;
  auto client = ClientFor(config);
  ASSERT_TRUE(client);
  auto version = client->GetPath("/version");
  ASSERT_FALSE(version.ok());
  EXPECT_EQ(version.error().kind, Error::Kind::kTls);
  EXPECT_NE(version.error().ToString().find("certificate"), std::string::npos)
      << version.error().ToString();
  std::cout << "wrong CA: " << version.error().ToString() << "\n";
}

// Scales a target through /scale (found by discovery) and reads the replicas back from the
// object itself.
void ScaleAndCheck(Client& c, Discovery& d, const std::string& ns, const std::string& api_version,
                   const std::string& kind, const std::string& name,
                   const std::function<int(const Json&)>& replicas_of) {
  auto info = d.Resolve(api_version, kind);
  ASSERT_TRUE(info.ok()) << info.error().ToString();
  ASSERT_TRUE(info->has_scale) << kind << " must declare a scale subresource";
  auto scale = c.Get(info->ref, ns, name, "scale");
  ASSERT_TRUE(scale.ok()) << scale.error().ToString();
  EXPECT_EQ(scale->at("kind").as_string(), "Scale");
  int before =
      scale->at("spec").has_field("replicas") ? scale->at("spec").at("replicas").as_integer() : 0;
  Json patch = Json::object();
  patch["spec"]["replicas"] = Json::number(before + 2);
  auto patched = c.Patch(info->ref, ns, name, PatchType::kMerge, patch, "scale");
  ASSERT_TRUE(patched.ok()) << patched.error().ToString();
  EXPECT_EQ(patched->at("spec").at("replicas").as_integer(), before + 2);
  auto obj = c.Get(info->ref, ns, name);
  ASSERT_TRUE(obj.ok());
  EXPECT_EQ(replicas_of(*obj), before + 2) << kind;
}

TEST(Client, ScaleSubresourceOnDeploymentStatefulSetAndCustomResource) {
  TestNamespace ns("gearbox-it-scale");
  int rc = 0;
  std::string src = GEARBOX_SOURCE_DIR;
  std::string out = Sh("kubectl apply -f " + src + "/tests/fixtures/crds/ >/dev/null && " +
                           "kubectl wait --for=condition=Established --timeout=30s "
                           "crd/clusters.postgresql.cnpg.io >/dev/null && " +
                           "kubectl -n " + ns.name() +
                           " create deployment web --image=registry.k8s.io/pause:3.10 --replicas=1 "
                           "&& kubectl -n " +
                           ns.name() + " apply -f - <<'YAML'\n" +
                           R"yaml(apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  replicas: 1
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: registry.k8s.io/pause:3.10}]}
---
apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata: {name: pg}
spec: {instances: 1}
YAML
)yaml",
                       &rc);
  ASSERT_EQ(rc, 0) << out;
  auto c = AdminClient();
  Discovery d(c);
  auto spec_int = [](const char* field) {
    return [field](const Json& o) { return o.at("spec").at(field).as_integer(); };
  };
  ScaleAndCheck(*c, d, ns.name(), "apps/v1", "Deployment", "web", spec_int("replicas"));
  ScaleAndCheck(*c, d, ns.name(), "apps/v1", "StatefulSet", "db", spec_int("replicas"));
  ScaleAndCheck(*c, d, ns.name(), "postgresql.cnpg.io/v1", "Cluster", "pg", spec_int("instances"));
  // A kind without /scale says so.
  auto cm = d.Resolve("v1", "ConfigMap");
  ASSERT_TRUE(cm.ok());
  EXPECT_FALSE(cm->has_scale);
  auto missing = d.Resolve("example.com/v1", "Nothing");
  EXPECT_FALSE(missing.ok());
}

}  // namespace
}  // namespace gearbox::kube::testing
