// See plugin.h.
#include "cli/plugin.h"

#include <string>

#include "backtest/command.h"
#include "cli/doctor.h"
#include "cli/status_command.h"
#include "convert/command.h"

namespace gearbox::cli {

namespace {

constexpr const char* kUsage =
    "kubectl gearbox: Gearbox's ScalingPolicies from kubectl\n\n"
    "  kubectl gearbox status NAME [-n NS]  what each component is doing and why, the metrics\n"
    "                                       against their thresholds, the phase, the decisions\n"
    "  kubectl gearbox doctor               checks what Gearbox needs from the cluster\n"
    "  kubectl gearbox convert ...          an HPA or a KEDA ScaledObject as a ScalingPolicy\n"
    "  kubectl gearbox backtest ...         a policy replayed over its metrics' history\n\n"
    "Each takes --help. docs/kubectl-plugin.md has the details.\n";

}  // namespace

int PluginMain(int argc, char** argv, std::istream& in, std::ostream& out, std::ostream& err) {
  const std::string command = argc > 1 ? argv[1] : "";
  if (command == "status") return StatusMain(argc - 1, argv + 1, out, err);
  if (command == "doctor")
    return DoctorMain(argc - 1, argv + 1, "kubectl gearbox doctor", out, err);
  if (command == "convert") return convert::ConvertMain(argc - 1, argv + 1, in, out, err);
  if (command == "backtest") return backtest::BacktestMain(argc - 1, argv + 1, out, err);
  if (command == "help" || command == "--help" || command == "-h") {
    out << kUsage;
    return 0;
  }
  err << (command.empty() ? "" : "kubectl gearbox: unknown command " + command + "\n\n") << kUsage;
  return 2;
}

}  // namespace gearbox::cli
