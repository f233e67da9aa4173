// The cluster admin's source access rules (reconcile/source_access.h): what a policy may point the
// controller at. Loopback, link-local (cloud metadata), unspecified and the API server's address
// are refused unless a rule's network covers them; with only-listed, whatever no rule lists is
// refused; a bearer token never goes over plain http:// unless allowed; and a policy naming a
// refused server is not evaluated (Ready=False, a message naming the rule, no request sent).
#include <gtest/gtest.h>

#include "reconcile/source_access.h"
#include "reconciler_world.h"

namespace gearbox::testing::source_access {
namespace {

using reconcile::AllowRule;
using reconcile::ParseAllowRule;
using reconcile::SourceAccess;
using reconcile::SourceAccessOptions;
using reconcile::SourceEndpoint;
namespace ip = boost::asio::ip;

// A resolver that knows a few names and counts its lookups.
struct FakeDns {
  std::map<std::string, std::string> names = {{"metadata.evil.example", "169.254.169.254"},
                                              {"prometheus.monitoring.svc", "10.96.12.7"},
                                              {"api.cluster.example", "10.96.0.1"},
                                              {"sneaky.example", "10.1.2.3"}};
  int lookups = 0;
  SourceAccess::Lookup Lookup() {
    return [this](const std::string& host) -> Result<reconcile::Addresses> {
      ++lookups;
      boost::system::error_code ec;
      auto literal = ip::make_address(host, ec);
      if (!ec) return reconcile::Addresses{literal};
      auto it = names.find(host);
      if (it == names.end()) return Error::Of(Error::Kind::kTransport, host + " does not resolve");
      return reconcile::Addresses{ip::make_address(it->second)};
    };
  }
};

SourceEndpoint Prometheus(const std::string& host, uint16_t port = 9090) {
  return {"prometheus", host, port, true, false};
}

SourceAccess Access(FakeDns& dns, std::vector<std::string> allow = {}, bool only_listed = false) {
  SourceAccessOptions o;
  o.allow = std::move(allow);
  o.only_listed = only_listed;
  o.api_server_hosts = {"api.cluster.example"};
  auto access = SourceAccess::Make(o, dns.Lookup());
  EXPECT_TRUE(access) << access.error().message;
  return *std::move(access);
}

std::string Refusal(const SourceAccess& access, const std::string& ns, const SourceEndpoint& e) {
  Status s = access.Check(ns, e);
  return s ? "" : s.error().message;
}

TEST(SourceAccess, RefusesLinkLocalWhereCloudMetadataAnswers) {
  FakeDns dns;
  SourceAccess access = Access(dns);
  EXPECT_NE(Refusal(access, "shop", Prometheus("169.254.169.254", 80)).find("link-local"),
            std::string::npos);
  EXPECT_NE(Refusal(access, "shop", Prometheus("metadata.evil.example", 80)).find("link-local"),
            std::string::npos)
      << "a name is checked by what it resolves to";
  EXPECT_NE(Refusal(access, "shop", Prometheus("fe80::1")), "");
  EXPECT_NE(Refusal(access, "shop", Prometheus("fd00:ec2::254", 80)), "");
}

TEST(SourceAccess, RefusesLoopbackAndUnspecifiedAddresses) {
  FakeDns dns;
  SourceAccess access = Access(dns);
  EXPECT_NE(Refusal(access, "shop", Prometheus("127.0.0.1")).find("loopback"), std::string::npos);
  EXPECT_NE(Refusal(access, "shop", Prometheus("127.8.9.10")), "");
  EXPECT_NE(Refusal(access, "shop", Prometheus("::1")), "");
  EXPECT_NE(Refusal(access, "shop", Prometheus("::ffff:127.0.0.1")), "") << "v4-mapped";
  EXPECT_NE(Refusal(access, "shop", Prometheus("0.0.0.0")), "");
}

TEST(SourceAccess, RefusesTheApiServersAddress) {
  FakeDns dns;
  SourceAccess access = Access(dns);
  EXPECT_NE(Refusal(access, "shop", Prometheus("10.96.0.1", 443)).find("API server"),
            std::string::npos);
  EXPECT_EQ(Refusal(access, "shop", Prometheus("prometheus.monitoring.svc")), "")
      << "an ordinary cluster address is allowed without rules";
}

TEST(SourceAccess, AnAllowRuleOpensARefusedRangeForItsNamespaceAndPortsOnly) {
  FakeDns dns;
  SourceAccess access = Access(dns, {"shop/127.0.0.0/8:9090-9099"});
  EXPECT_EQ(Refusal(access, "shop", Prometheus("127.0.0.1", 9090)), "");
  EXPECT_EQ(Refusal(access, "shop", Prometheus("127.0.0.1", 9099)), "");
  EXPECT_NE(Refusal(access, "shop", Prometheus("127.0.0.1", 6379)), "") << "another port";
  EXPECT_NE(Refusal(access, "other", Prometheus("127.0.0.1", 9090)), "") << "another namespace";
  EXPECT_NE(Refusal(access, "shop", Prometheus("169.254.169.254", 9090)), "") << "another range";
}

TEST(SourceAccess, OnlyListedAcceptsWhatARuleNamesAndRefusesTheRest) {
  FakeDns dns;
  SourceAccess access =
      Access(dns, {"*.monitoring.svc:9090", "team-a/10.1.0.0/16", "[::1]:6379"}, true);
  EXPECT_EQ(Refusal(access, "shop", Prometheus("prometheus.monitoring.svc")), "") << "by domain";
  EXPECT_NE(Refusal(access, "shop", Prometheus("prometheus.monitoring.svc", 80)), "") << "port";
  EXPECT_EQ(Refusal(access, "team-a", Prometheus("sneaky.example")), "") << "by network";
  std::string refused = Refusal(access, "shop", Prometheus("sneaky.example"));
  EXPECT_NE(refused.find("no source access rule lists it for namespace shop"), std::string::npos)
      << refused;
  EXPECT_EQ(Refusal(access, "shop", SourceEndpoint{"redis", "::1", 6379, true, false}), "");
}

TEST(SourceAccess, ABearerTokenIsNotSentOverPlainHttpUnlessAllowed) {
  FakeDns dns;
  SourceAccess access = Access(dns);
  SourceEndpoint with_token{"prometheus", "prometheus.monitoring.svc", 9090, true, true};
  EXPECT_NE(Refusal(access, "shop", with_token).find("plain http://"), std::string::npos);
  with_token.plain_http = false;
  EXPECT_EQ(Refusal(access, "shop", with_token), "") << "https";
  SourceAccessOptions o;
  o.plain_http_credentials = true;
  auto allowing = SourceAccess::Make(o, dns.Lookup());
  with_token.plain_http = true;
  EXPECT_EQ(Refusal(*allowing, "shop", with_token), "");
}

TEST(SourceAccess, AHostThatDoesNotResolveIsNotCheckedButNotRefusedByARule) {
  FakeDns dns;
  SourceAccess access = Access(dns);
  Status s = access.Check("shop", Prometheus("nowhere.example"));
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().kind, Error::Kind::kTransport);
}

TEST(SourceAccess, RulesThatDoNotParseAreNamed) {
  for (const std::string bad : {"10.0.0.0/33", "host:99999", "[::1", "ns/", "a_b.example",
                                "10.0.0.0/8:20-10", "host:port"}) {
    auto rule = ParseAllowRule(bad);
    ASSERT_FALSE(rule) << bad;
    EXPECT_NE(rule.error().message.find(bad), std::string::npos) << rule.error().message;
  }
  auto rule = ParseAllowRule("team-a/[fd00::/8]:443");
  ASSERT_TRUE(rule) << rule.error().message;
  EXPECT_EQ(rule->ns, "team-a");
  EXPECT_TRUE(rule->CoversAddress(ip::make_address("fd00::5")));
  EXPECT_EQ(rule->first_port, 443);
}

TEST(SourceAccess, TheRealLookupAnswersLiteralsAndLocalhostWithinItsDeadline) {
  auto literal = reconcile::LookupHost("10.1.2.3", std::chrono::milliseconds(1));
  ASSERT_TRUE(literal);
  EXPECT_EQ(literal->front(), ip::make_address("10.1.2.3"));
  auto localhost = reconcile::LookupHost("localhost", std::chrono::milliseconds(2000));
  ASSERT_TRUE(localhost) << localhost.error().message;
  EXPECT_TRUE(localhost->front().is_loopback());
}

TEST(SourceAccess, AQueueNameWithCrLfIsRefusedByTheParserToo) {
  auto policy = kube::Json::parse(R"({
    "metadata": {"namespace": "shop", "name": "p", "generation": 1},
    "spec": {"sources": {"redis": {"url": "redis://10.0.0.5:6379"}},
             "metrics": [{"name": "jobs", "queue": {"flavor": "list", "name": "jobs\r\nFLUSHALL"}}],
             "components": [{"name": "web", "target": {"apiVersion": "apps/v1",
                             "kind": "Deployment", "name": "web"}, "replicas": {"min": 1, "max": 5}}]}})");
  auto parsed = reconcile::ParsePolicy(policy);
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().message.find("control character"), std::string::npos)
      << parsed.error().message;
}

// The reconciler's world: its app at 4 pods, cpu at `cpu`; the policy reads Prometheus at
// 127.0.0.1:9090.
void App(World& w, double cpu) {
  w.Deployment("web", 4);
  w.metrics()["cpu"] = Value(cpu);
  w.metrics()["p95"] = Value(0.1);
}

TEST(SourceAccess, APolicyNamingARefusedServerIsNotEvaluatedAndSaysWhichRule) {
  World w;
  App(w, 95);
  FakeDns dns;
  SourceAccess access = Access(dns);
  w.UseAdmissionRules(&access, nullptr);
  w.Pass();
  EXPECT_TRUE(w.Writes().empty());
  EXPECT_EQ(w.sources().built, 0) << "no source is built, so nothing is ever sent to it";
  std::string ready = w.Condition("Ready");
  EXPECT_EQ(ready.rfind("False/SourceRefused: prometheus host 127.0.0.1 is refused", 0), 0)
      << ready;
  EXPECT_NE(ready.find("--source-allow"), std::string::npos) << ready;
}

TEST(SourceAccess, APolicyNamingAnAllowedServerIsEvaluated) {
  World w;
  App(w, 50);
  FakeDns dns;
  SourceAccess access = Access(dns, {"127.0.0.1:9090"});
  w.UseAdmissionRules(&access, nullptr);
  w.Pass();
  EXPECT_EQ(w.Condition("Ready").rfind("True/", 0), 0) << w.Condition("Ready");
}

TEST(SourceAccess, AnUnresolvedHostIsCheckedAgainOnTheRetry) {
  World w;
  App(w, 50);
  w.policy()["spec"]["sources"]["prometheus"]["url"] = kube::Json::string("http://later.example");
  FakeDns dns;
  SourceAccess access = Access(dns);
  w.UseAdmissionRules(&access, nullptr);
  auto first = w.Pass();
  EXPECT_EQ(w.Condition("Ready").rfind("False/SourceUnresolved", 0), 0) << w.Condition("Ready");
  ASSERT_TRUE(first.requeue_after) << "retried, not left waiting for an edit";
  dns.names["later.example"] = "10.2.3.4";
  w.Pass();
  EXPECT_EQ(w.Condition("Ready").rfind("True/", 0), 0) << w.Condition("Ready");
}

}  // namespace
}  // namespace gearbox::testing::source_access
