// `--from-cluster hpa/NAME` or `scaledobject/NAME`: the object read from the API server through
// the controller's own client and kubeconfig loading.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

#include "base/result.h"

namespace gearbox::convert {

struct ClusterSource {
  std::string object;  // hpa/NAME, horizontalpodautoscaler/NAME, scaledobject/NAME, so/NAME
  std::string ns;      // empty: the kubeconfig context's namespace
  std::string kubeconfig;
  std::string context;
};

// The object as YAML. A malformed --from-cluster or an object that does not exist is kInvalid
// (the user named something wrong); anything else means the cluster could not be read.
Result<YAML::Node> ReadFromCluster(const ClusterSource& source);

}  // namespace gearbox::convert
