// The Secrets policies name are watched one by one, and a watch is closed once no policy names
// its Secret any more: a policy that changes its Secret, or goes, leaves no watch behind.
#include "reconcile/secret_watches.h"

#include <gtest/gtest.h>

#include <sstream>

#include "../../lib/scripted_client.h"

namespace gearbox::reconcile {
namespace {

using testing::ScriptedClient;
using testing::ScriptedResponse;

struct Watches {
  Watches() {
    api->On("LIST", "/api/v1/namespaces/shop/secrets",
            ScriptedResponse::Ok(
                kube::Json::parse(R"({"metadata":{"resourceVersion":"1"},"items":[]})")));
  }
  std::shared_ptr<ScriptedClient> api = std::make_shared<ScriptedClient>();
  std::ostringstream logs;
  telemetry::Logger log{telemetry::LogFormat::kText, telemetry::LogLevel::kError, &logs};
  SecretWatches watches{api, [](const std::string&, const std::string&) {}, log};
};

TEST(SecretWatches, AWatchIsSharedByThePoliciesThatNameItsSecret) {
  Watches w;
  w.watches.Name("shop/a", "shop", {"token-a", "token-b"});
  w.watches.Name("shop/b", "shop", {"token-b"});
  EXPECT_EQ(w.watches.watched(), 2u);
}

TEST(SecretWatches, AWatchIsReleasedWhenNoPolicyNamesItsSecretAnyMore) {
  Watches w;
  w.watches.Name("shop/a", "shop", {"token-a", "token-b"});
  w.watches.Name("shop/b", "shop", {"token-b"});
  w.watches.Name("shop/a", "shop", {"token-c"});  // a renamed its Secrets
  EXPECT_EQ(w.watches.watched(), 2u) << "token-b (still named by b) and token-c";
  w.watches.Release("shop/b");  // b deleted
  EXPECT_EQ(w.watches.watched(), 1u) << "token-c";
  w.watches.Name("shop/a", "shop", {});
  EXPECT_EQ(w.watches.watched(), 0u);
}

TEST(SecretWatches, RenamingOverAndOverLeavesOneWatch) {
  Watches w;
  for (int i = 0; i < 50; ++i) w.watches.Name("shop/a", "shop", {"token-" + std::to_string(i)});
  EXPECT_EQ(w.watches.watched(), 1u);
}

}  // namespace
}  // namespace gearbox::reconcile
