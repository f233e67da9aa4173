// The controller's command line, read once into types and checked, with its help text: what the
// rest of the process is told, not strings looked up by name.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "reconcile/shard.h"
#include "reconcile/source_access.h"
#include "telemetry/log.h"

namespace gearbox::manager {

struct ControllerFlags {
  std::string kubeconfig;               // "": in-cluster, then $KUBECONFIG, then ~/.kube/config
  std::string context;                  // "": the kubeconfig's current context
  std::vector<std::string> namespaces;  // empty: all
  bool leader_elect = false;
  std::string leader_election_namespace;  // "": the in-cluster namespace, else default
  std::string leader_election_id = "gearbox-controller";
  std::string metrics_bind_address = ":8443";
  bool metrics_secure = true;
  std::string metrics_cert_dir;
  std::string health_probe_bind_address = ":8081";
  int concurrency = 4;  // as the chart's default: a namespace's share of the workers is half
  int reconciles_per_namespace = 0;  // 0: half the workers, at least 1
  int reads_per_namespace = 0;       // 0: a quarter of the metric readers, at least 1
  reconcile::Shard shard;
  std::optional<std::vector<std::string>> replicas_fields;  // none: the built-in kinds' fields
  reconcile::SourceAccessOptions source_access;             // api_server_hosts left to the caller
  telemetry::LogFormat log_format = telemetry::LogFormat::kJson;
  telemetry::LogLevel log_level = telemetry::LogLevel::kInfo;
};

// The flags; nullopt after printing the help or the version to `out` (exit 0); an Error
// (kInvalid) saying which flag is wrong, followed by the help (exit 2).
Result<std::optional<ControllerFlags>> ParseControllerFlags(int argc, const char* const* argv,
                                                            std::ostream& out);

}  // namespace gearbox::manager
