// See doctor.h: the checks put together, their lines, and the command.
#include "cli/doctor.h"

#include "cli/cluster_flags.h"

namespace gearbox::cli {

namespace po = boost::program_options;

std::vector<CheckResult> RunDoctor(std::shared_ptr<kube::Client> client,
                                   const DoctorOptions& options) {
  std::vector<CheckResult> checks = CheckMetricsServer(*client, options.ns);
  checks.push_back(CheckCrd(*client));
  checks.push_back(CheckController(*client));
  // Without the CRD there is no policy, hence no target to review.
  if (checks.back().ok || checks[checks.size() - 2].ok)
    for (auto& check : CheckTargetRbac(client, options)) checks.push_back(std::move(check));
  return checks;
}

std::string FormatChecks(const std::vector<CheckResult>& checks) {
  std::string text;
  for (const auto& check : checks)
    text += (check.ok ? "ok       " : "MISSING  ") + check.text + "\n";
  return text;
}

bool AllOk(const std::vector<CheckResult>& checks) {
  for (const auto& check : checks)
    if (!check.ok) return false;
  return true;
}

namespace {

po::options_description DoctorFlags(const std::string& program) {
  po::options_description flags(
      program +
      ": checks what Gearbox needs from the cluster (metrics-server, the CRD, the controller,\n"
      "RBAC for the policies' targets), one line each: ok, or MISSING and what to do\n\nFlags");
  flags.add_options()("help,h", "print this help and exit");
  AddClusterFlags(flags);
  flags.add_options()("service-account", po::value<std::string>()->default_value(""),
                      "NAMESPACE:NAME: review RBAC for this ServiceAccount (the chart's is "
                      "<release>-gearbox) instead of for you");
  return flags;
}

}  // namespace

int DoctorMain(int argc, char** argv, const std::string& program, std::ostream& out,
               std::ostream& err) {
  const po::options_description flags = DoctorFlags(program);
  auto vm = ParseFlags(argc, argv, flags, {});
  if (vm && vm->count("help")) {
    out << flags << "\n";
    return 0;
  }
  const std::string account = vm ? (*vm)["service-account"].as<std::string>() : "";
  if (vm && !account.empty() && account.find(':') == std::string::npos)
    vm = Error::Invalid("--service-account must be NAMESPACE:NAME, not " + account);
  if (!vm) {
    err << program << ": " << vm.error().message << " (see --help)\n";
    return 2;
  }
  auto connection = Connect(ReadClusterFlags(*vm));
  if (!connection) {
    err << program << ": " << connection.error().ToString() << "\n";
    return 1;
  }
  const auto checks = RunDoctor(connection->client, {connection->ns, account});
  out << FormatChecks(checks);
  return AllOk(checks) ? 0 : 1;
}

}  // namespace gearbox::cli
