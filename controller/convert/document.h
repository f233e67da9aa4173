// A converted ScalingPolicy as it is printed: the YAML tree, the comments on its lines and the
// comments above it. Emit() prints it with yaml-cpp; a comment goes at the end of its line.
#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <string>
#include <vector>

namespace gearbox::convert {

struct Document {
  YAML::Node policy;
  // Path of a line ("spec.components[0].replicas.min", "metadata.name") -> its comments.
  std::map<std::string, std::vector<std::string>> notes;
  std::vector<std::string> header;
  // What has no line in the policy at all (the header's "Not carried over: ..." lines): a trigger
  // or a field that is dropped, also said on stderr.
  std::vector<std::string> dropped;
};

// A string scalar: printed quoted when it would otherwise read back as a number, a boolean or
// null (the annotation value "true", a name such as "123").
YAML::Node Text(const std::string& text);

std::string Emit(const Document& document);

}  // namespace gearbox::convert
