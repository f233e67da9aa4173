// `doctor`: a preflight of what Gearbox needs from the user's cluster, one line per check —
// metrics-server answering (the API and a pods list), the ScalingPolicy CRD serving
// gearbox.dev/v1alpha1, the controller's Deployment present and ready, and RBAC for the targets
// the policies name (for the current user, or for a ServiceAccount with --service-account) —
// each `ok  ...` or `MISSING  ...` with what to do. The checks read through a kube::Client, so
// tests script the API server.
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "kube/client.h"

namespace gearbox::cli {

struct CheckResult {
  bool ok = false;
  std::string text;  // what was found; for a missing piece, what to do
};

struct DoctorOptions {
  std::string ns;               // where pod metrics are listed (the kubeconfig context's)
  std::string service_account;  // "NAMESPACE:NAME": RBAC is reviewed for it; empty: for the user
};

std::vector<CheckResult> CheckMetricsServer(kube::Client& client, const std::string& ns);
CheckResult CheckCrd(kube::Client& client);
CheckResult CheckController(kube::Client& client);
// One result per target of every ScalingPolicy in the cluster.
std::vector<CheckResult> CheckTargetRbac(std::shared_ptr<kube::Client> client,
                                         const DoctorOptions& options);

// Every check, in the order above.
std::vector<CheckResult> RunDoctor(std::shared_ptr<kube::Client> client,
                                   const DoctorOptions& options);
// "ok       metrics-server answers ...", "MISSING  ...", one line each.
std::string FormatChecks(const std::vector<CheckResult>& checks);
bool AllOk(const std::vector<CheckResult>& checks);

// `doctor [--service-account NS:NAME] [-n NS]`; argv[0] is "doctor". `program` names the command
// in messages ("gearbox-controller doctor", "kubectl gearbox doctor"). Returns 0 when every check
// is ok, 1 when one is missing or the cluster cannot be reached, 2 for bad flags.
int DoctorMain(int argc, char** argv, const std::string& program, std::ostream& out,
               std::ostream& err);

}  // namespace gearbox::cli
