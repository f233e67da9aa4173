// The CRD (crds/gearbox.dev_scalingpolicies.yaml, the file the chart links) against the API types'
// field table, field by field: the one CRD agrees with the types, and each kind of difference is
// found and named by its field path (a field in one only, another JSON type, required in one only,
// another default or enumeration), so a field added to one and not the other fails this test.
#include <gtest/gtest.h>

#include "api/v1alpha1/codec.h"
#include "api/v1alpha1/schema.h"
#include "crd_check.h"

namespace gearbox::api::v1alpha1::testing {
namespace {

const std::string kCrd = std::string(GEARBOX_SOURCE_DIR) + "/crds/gearbox.dev_scalingpolicies.yaml";

std::string Lines(const std::vector<std::string>& found) {
  std::string out;
  for (const auto& line : found) out += "  " + line + "\n";
  return out;
}

std::vector<std::string> SpecDifferences(const YAML::Node& schema) {
  return Differences(schema["properties"]["spec"], SpecSchema(), "spec");
}

TEST(CrdSchema, TheSpecAgreesWithTheTypesFieldByField) {
  const auto found = SpecDifferences(OpenApiSchema(kCrd));
  EXPECT_TRUE(found.empty()) << "the CRD and api/v1alpha1 differ:\n" << Lines(found);
}

TEST(CrdSchema, TheStatusAgreesWithTheTypesFieldByField) {
  const auto found =
      Differences(OpenApiSchema(kCrd)["properties"]["status"], StatusSchema(), "status");
  EXPECT_TRUE(found.empty()) << "the CRD and api/v1alpha1 differ:\n" << Lines(found);
}

TEST(CrdSchema, AFieldOfTheTypesMissingFromTheCrdIsNamed) {
  Schema types = SpecSchema();
  types.fields.push_back({"replicaLimit", false, std::nullopt, SpecSchema().fields[0].value});
  const auto found = Differences(OpenApiSchema(kCrd)["properties"]["spec"], types, "spec");
  EXPECT_EQ(found, std::vector<std::string>{"spec.replicaLimit: in the types, not in the CRD"});
}

TEST(CrdSchema, AFieldOfTheCrdMissingFromTheTypesIsNamed) {
  YAML::Node schema = OpenApiSchema(kCrd);
  schema["properties"]["spec"]["properties"]["components"]["items"]["properties"]["weight"] =
      YAML::Load("{type: integer}");
  EXPECT_EQ(SpecDifferences(schema),
            std::vector<std::string>{"spec.components[].weight: in the CRD, not in the types"});
}

TEST(CrdSchema, AnotherTypeRequirednessDefaultOrEnumerationIsNamed) {
  YAML::Node schema = OpenApiSchema(kCrd);
  YAML::Node spec = schema["properties"]["spec"]["properties"];
  spec["interval"]["default"] = "30s";
  spec["mode"]["enum"] = YAML::Load("[Enforce, DryRun, Audit]");
  spec["phases"]["required"] = YAML::Load("[metric]");
  spec["alerts"]["items"]["properties"]["above"]["type"] = "string";
  EXPECT_EQ(
      SpecDifferences(schema),
      (std::vector<std::string>{"spec.interval: default \"30s\" in the CRD, \"15s\" in the types",
                                "spec.mode: another enumeration in the CRD than in the types",
                                "spec.phases.list: required in the types only",
                                "spec.alerts[].above: string in the CRD, number in the types"}));
}

TEST(CrdSchema, ADurationOrAnIntegerFormatInOneOnlyIsNamed) {
  YAML::Node schema = OpenApiSchema(kCrd);
  YAML::Node component = schema["properties"]["spec"]["properties"]["components"]["items"];
  component["properties"]["scaleToZero"]["properties"]["cooldown"].remove("pattern");
  component["properties"]["replicas"]["properties"]["max"]["format"] = "int64";
  EXPECT_EQ(SpecDifferences(schema),
            (std::vector<std::string>{
                "spec.components[].replicas.max: format int64 in the CRD, int32 in the types",
                "spec.components[].scaleToZero.cooldown: a duration in the types only"}));
}

}  // namespace
}  // namespace gearbox::api::v1alpha1::testing
