// The controller's flags read into types once: defaults, values, and the mistakes refused with
// the flag named (main prints the message with the help and exits 2).
#include "manager/flags.h"

#include <gtest/gtest.h>

#include <sstream>

namespace gearbox::manager {
namespace {

Result<std::optional<ControllerFlags>> Parse(std::vector<const char*> args) {
  args.insert(args.begin(), "gearbox-controller");
  std::ostringstream out;
  return ParseControllerFlags(static_cast<int>(args.size()), args.data(), out);
}

TEST(ControllerFlags, TheDefaultsAreControllerRuntimesWhereTheyMeanTheSame) {
  auto f = Parse({});
  ASSERT_TRUE(f && *f);
  EXPECT_EQ((*f)->metrics_bind_address, ":8443");
  EXPECT_TRUE((*f)->metrics_secure);
  EXPECT_EQ((*f)->health_probe_bind_address, ":8081");
  EXPECT_FALSE((*f)->leader_elect);
  EXPECT_EQ((*f)->concurrency, 4);
  EXPECT_FALSE((*f)->replicas_fields) << "none given: the built-in kinds' fields";
  EXPECT_EQ((*f)->log_format, telemetry::LogFormat::kJson);
}

TEST(ControllerFlags, ValuesAndRepeatedFlagsAreRead) {
  auto f = Parse({"--leader-elect", "--namespace", "a", "--namespace=b", "--metrics-secure=false",
                  "--source-allow", "127.0.0.0/8", "--replicas-field", "X.g=spec.n",
                  "--shard-count", "3", "--shard-index", "2", "--log-format", "text"});
  ASSERT_TRUE(f && *f) << (f ? "" : f.error().message);
  EXPECT_TRUE((*f)->leader_elect);
  EXPECT_EQ((*f)->namespaces, (std::vector<std::string>{"a", "b"}));
  EXPECT_FALSE((*f)->metrics_secure);
  EXPECT_EQ((*f)->source_access.allow, std::vector<std::string>{"127.0.0.0/8"});
  EXPECT_EQ(*(*f)->replicas_fields, std::vector<std::string>{"X.g=spec.n"});
  EXPECT_EQ((*f)->shard.index, 2);
  EXPECT_EQ((*f)->log_format, telemetry::LogFormat::kText);
}

TEST(ControllerFlags, MistakesAreRefusedNamingTheFlag) {
  for (auto [args, want] : std::vector<std::pair<std::vector<const char*>, std::string>>{
           {{"--concurrency", "0"}, "--concurrency must be at least 1"},
           {{"--shard-count", "2", "--shard-index", "2"}, "--shard-index must be"},
           {{"--log-level", "loud"}, "--log-level must be"},
           {{"--no-such-flag"}, "no-such-flag"},
           {{"--concurrency", "many"}, "concurrency"}}) {
    auto f = Parse(args);
    ASSERT_FALSE(f) << want;
    EXPECT_NE(f.error().message.find(want), std::string::npos) << f.error().message;
    EXPECT_NE(f.error().message.find("Flags:"), std::string::npos) << "followed by the help";
  }
}

TEST(ControllerFlags, HelpAndVersionArePrintedAndNothingRuns) {
  auto help = Parse({"--help"});
  ASSERT_TRUE(help);
  EXPECT_FALSE(*help);
  auto version = Parse({"--version"});
  ASSERT_TRUE(version);
  EXPECT_FALSE(*version);
}

}  // namespace
}  // namespace gearbox::manager
