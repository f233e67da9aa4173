// The decode and encode of the ScalingPolicy API: the defaults the API server would fill in are
// filled in, each refusal names its field path, fields the types do not have are ignored, and the
// examples of manifests/examples come back from an encode as they went in (defaults added).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "api/v1alpha1/codec.h"
#include "backtest/policy_file.h"

namespace gearbox::api::v1alpha1 {
namespace {

using Json = web::json::value;

constexpr char kMinimal[] = R"({
  "sources": {"prometheus": {"url": "http://p:9090"}, "redis": {"url": "redis://r:6379"},
              "rabbitmq": {"url": "http://q:15672", "usernameSecretRef": {"name": "q", "key": "u"},
                           "passwordSecretRef": {"name": "q", "key": "p"}},
              "postgresql": {"host": "db", "database": "app", "user": "reader"}},
  "metrics": [{"name": "cpu", "resource": {"component": "web"}},
              {"name": "jobs", "queue": {"flavor": "bull", "name": "mail"}},
              {"name": "orders", "rabbitmq": {"queue": "orders"}},
              {"name": "stats", "metricsApi": {"url": "http://s/x", "valueLocation": "a.b"}}],
  "components": [{"name": "web", "target": {"apiVersion": "apps/v1", "kind": "Deployment",
                  "name": "web"}, "replicas": {"min": 0, "max": 3},
                  "scaleUp": {"anyOf": [{"metric": "cpu", "above": 70}]},
                  "scaleToZero": {"activation": [{"metric": "jobs", "above": 0}]}}],
  "phases": {"metric": "jobs", "list": [{"name": "Only"}]},
  "schedules": [{"name": "day", "start": "0 9 * * *", "duration": "9h",
                 "components": {"web": {"min": 2}}}],
  "alerts": [{"name": "Backlog", "metric": "jobs", "above": 100}]})";

TEST(ApiDecode, FillsEveryDefaultAsTheApiServerWould) {
  auto spec = DecodeSpec(Json::parse(kMinimal));
  ASSERT_TRUE(spec) << spec.error().message;
  EXPECT_EQ(spec->interval->text, "15s");
  EXPECT_EQ(spec->topology_step_timeout->text, "10m");
  EXPECT_EQ(*spec->mode, Mode::kEnforce);
  EXPECT_EQ(spec->sources->prometheus->timeout->text, "5s");
  EXPECT_EQ(spec->sources->redis->timeout->text, "2s");
  EXPECT_EQ(spec->sources->rabbitmq->timeout->text, "5s");
  EXPECT_EQ(spec->sources->postgresql->statement_timeout->text, "5s");
  EXPECT_EQ(spec->sources->postgresql->timeout->text, "10s");
  EXPECT_FALSE(spec->sources->postgresql->port) << "no default in the API: libpq's 5432";
  EXPECT_EQ(*spec->metrics[0].resource->name, ResourceName::kCpu);
  EXPECT_EQ(*spec->metrics[1].queue->measure, QueueMeasure::kBacklog);
  EXPECT_EQ(*spec->metrics[1].queue->prefix, "bull");
  EXPECT_EQ(*spec->metrics[2].rabbitmq->vhost, "/");
  EXPECT_EQ(*spec->metrics[2].rabbitmq->measure, RabbitmqMeasure::kMessages);
  EXPECT_EQ(spec->metrics[3].metrics_api->timeout->text, "5s");
  const Component& web = spec->components[0];
  EXPECT_EQ(*web.role, Role::kWorkload);
  EXPECT_EQ(*web.scale_up->any_of->at(0).per_replica, false);
  EXPECT_FALSE(web.scale_up->any_of->at(0).for_) << "no default: one evaluation";
  EXPECT_EQ(web.scale_to_zero->cooldown->text, "5m");
  EXPECT_EQ(spec->phases->hold->text, "10m");
  EXPECT_EQ(*spec->schedules[0].time_zone, "UTC");
  EXPECT_EQ(*spec->alerts[0].severity, Severity::kWarning);
}

// The refusal of the minimal spec with `change` made to it ("decoded": none).
std::string Refusal(const std::function<void(Json&)>& change) {
  Json spec = Json::parse(kMinimal);
  change(spec);
  auto decoded = DecodeSpec(spec);
  return decoded ? "decoded" : decoded.error().message;
}

TEST(ApiDecode, EachRefusalNamesItsFieldPath) {
  EXPECT_EQ(
      Refusal([](Json& s) { s["components"][0]["scaleUp"]["anyOf"][0]["for"] = Json::number(5); }),
      "spec.components[0].scaleUp.anyOf[0].for must be a string");
  EXPECT_EQ(Refusal([](Json& s) { s["components"][0].erase("target"); }),
            "spec.components[0].target is required");
  EXPECT_EQ(Refusal([](Json& s) { s["mode"] = Json::string("Sometimes"); }),
            "spec.mode must be Enforce or DryRun, not \"Sometimes\"");
  EXPECT_EQ(Refusal([](Json& s) { s["components"][0]["replicas"]["max"] = Json::number(1e300); }),
            "spec.components[0].replicas.max must be an integer");
  EXPECT_EQ(Refusal([](Json& s) { s["components"][0]["replicas"].erase("min"); }),
            "spec.components[0].replicas.min must be an integer");
  EXPECT_EQ(
      Refusal([](Json& s) { s["schedules"][0]["components"]["web"]["min"] = Json::string("2"); }),
      "spec.schedules[0].components.web.min must be an integer");
  EXPECT_EQ(Refusal([](Json& s) { s["metrics"][1]["queue"]["flavor"] = Json::string("kafka"); }),
            "spec.metrics[1].queue.flavor must be bull, bullmq, list or stream, not \"kafka\"");
  EXPECT_EQ(Refusal([](Json& s) { s["components"] = Json::object(); }),
            "spec.components must be a list");
  EXPECT_EQ(Refusal([](Json& s) { s["alerts"][0]["above"] = Json::boolean(true); }),
            "spec.alerts[0].above must be a number");
  EXPECT_EQ(Refusal([](Json& s) { s.erase("components"); }), "spec.components is required");
}

TEST(ApiDecode, IgnoresFieldsTheTypesDoNotHaveAndReadsNullAsNotGiven) {
  Json spec = Json::parse(kMinimal);
  spec["futureField"] = Json::string("x");
  spec["interval"] = Json::null();
  auto decoded = DecodeSpec(spec);
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(decoded->interval->text, "15s");
  EXPECT_FALSE(EncodeSpec(*decoded).has_field("futureField"));
}

// Whether every field of `want` is in `got` with the same value (`got` may have more: defaults).
bool Holds(const Json& got, const Json& want) {
  if (!want.is_object()) {
    if (!want.is_array())
      return got == want ||
             (got.is_number() && want.is_number() && got.as_double() == want.as_double());
    if (!got.is_array() || got.size() != want.size()) return false;
    for (size_t i = 0; i < want.size(); ++i)
      if (!Holds(got.at(i), want.at(i))) return false;
    return true;
  }
  if (!got.is_object()) return false;
  for (const auto& [key, value] : want.as_object())
    if (!got.has_field(key) || !Holds(got.at(key), value)) return false;
  return true;
}

TEST(ApiEncode, TheExamplesComeBackAsTheyWentIn) {
  int policies = 0;
  for (const auto& file : std::filesystem::directory_iterator(std::string(GEARBOX_SOURCE_DIR) +
                                                              "/manifests/examples")) {
    std::ifstream in(file.path());
    std::stringstream text;
    text << in.rdbuf();
    auto object = backtest::YamlToJson(text.str());
    ASSERT_TRUE(object) << file.path();
    if (object->at("kind").as_string() != "ScalingPolicy") continue;
    ++policies;
    const Json& spec = object->at("spec");
    auto decoded = DecodeSpec(spec);
    ASSERT_TRUE(decoded) << file.path() << ": " << decoded.error().message;
    const Json encoded = EncodeSpec(*decoded);
    EXPECT_TRUE(Holds(encoded, spec)) << file.path() << "\n" << encoded.serialize();
    auto again = DecodeSpec(encoded);
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(EncodeSpec(*again), encoded) << file.path();
  }
  EXPECT_GE(policies, 4);
}

}  // namespace
}  // namespace gearbox::api::v1alpha1
