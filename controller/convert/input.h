// The manifests to convert: YAML text of one or more documents (kubectl's List included), each a
// HorizontalPodAutoscaler, a ScaledObject, or something else that is skipped and said so.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "convert/document.h"
#include "convert/policy_writer.h"

namespace gearbox::convert {

struct Converted {
  std::vector<Document> policies;
  std::vector<std::string>
      skipped;  // "deploy.yaml: document 1 (Deployment web): not an autoscaler"
};

// One object (a parsed document): its policy, or an Error (kInvalid) naming what is wrong.
Result<Document> ConvertObject(const YAML::Node& object, const WriteOptions& options);

// Every document of `text`, read from `source` (a file name, or "stdin"), into `converted`. An
// Error (kInvalid) names the source, the document and the field.
Status ConvertText(const std::string& text, const std::string& source, const WriteOptions& options,
                   Converted& converted);

}  // namespace gearbox::convert
