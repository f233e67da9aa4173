// The manifests to convert: YAML text of one or more documents (kubectl's List included), each a
// HorizontalPodAutoscaler, a ScaledObject, or something else that is skipped and said so. A
// document that cannot be converted is refused and said so; the others are still converted.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "convert/document.h"
#include "convert/policy_writer.h"
#include "convert/trigger_auth.h"

namespace gearbox::convert {

struct Converted {
  std::vector<Document> policies;
  // Each a line for stderr, naming the source and the document:
  std::vector<std::string>
      skipped;  // "deploy.yaml: document 1 (Deployment web): not an HPA or a ScaledObject, skipped"
  std::vector<std::string> refused;  // "multi.yaml: document 2 (HorizontalPodAutoscaler web): ..."
  std::vector<std::string> dropped;  // "so.yaml: document 1 (ScaledObject jobs): not carried
                                     // over: spec.triggers[0] (kafka): ..."
};

// One object (a parsed document): its policy, or an Error (kInvalid) naming what is wrong.
Result<Document> ConvertObject(const YAML::Node& object, const WriteOptions& options);
// With the TriggerAuthentications given beside it, for a ScaledObject's authenticationRef.
Result<Document> ConvertObject(const YAML::Node& object, const WriteOptions& options,
                               const TriggerAuthentications& auths);

// Every document of `text`, read from `source` (a file name, "stdin", or the cluster's object),
// into `converted`: its policy and what it dropped, or why it was refused. The
// TriggerAuthentications of `text` and `other_auths` give the Secrets of the triggers that name
// them.
void ConvertText(const std::string& text, const std::string& source, const WriteOptions& options,
                 Converted& converted, const TriggerAuthentications& other_auths = {});

// The TriggerAuthentications and ClusterTriggerAuthentications of `text` (none if it is not YAML),
// for the ScaledObjects of the other files of one run.
TriggerAuthentications TriggerAuthsIn(const std::string& text);

// One converted policy into `converted`, with a line per dropped trigger or field naming `what`
// ("so.yaml: document 1 (ScaledObject jobs)").
void AddPolicy(Document policy, const std::string& what, Converted& converted);

}  // namespace gearbox::convert
