// The CRD's openAPIV3Schema beside the API types' field table (api/v1alpha1/schema.h), field by
// field: each difference named by its field path. Used by crd_schema_test.cpp.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "api/v1alpha1/schema.h"

namespace gearbox::api::v1alpha1::testing {

// Where `crd` (an openAPIV3Schema node) and `types` (the field table's description of the same
// value) differ, at `path` and below: a field in one and not the other, a different kind (JSON
// type), required in one only, another enumeration, default or integer format, a duration or a
// time stamp in one only. Empty when they agree.
std::vector<std::string> Differences(const YAML::Node& crd, const Schema& types,
                                     const std::string& path);

// The schema of the CRD file's first version.
YAML::Node OpenApiSchema(const std::string& crd_file);

}  // namespace gearbox::api::v1alpha1::testing
