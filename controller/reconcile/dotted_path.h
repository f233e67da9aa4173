// A replicasField's dotted path ("spec.clusterSize"): the integer at it, and the merge patch that
// writes it.
#pragma once

#include <cpprest/json.h>

#include <optional>
#include <string>

namespace gearbox::reconcile {

// The value at a dotted path ("spec.clusterSize"), if it is an integer.
std::optional<int> IntAtPath(const web::json::value& object, const std::string& dotted_path);

// A JSON merge patch that sets the dotted path to `replicas`: {"spec":{"clusterSize":3}}.
web::json::value ReplicasMergePatch(const std::string& dotted_path, int replicas);

}  // namespace gearbox::reconcile
