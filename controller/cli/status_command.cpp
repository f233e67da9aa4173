// See status_command.h.
#include "cli/status_command.h"

#include "cli/cluster_flags.h"
#include "cli/status_view.h"

namespace gearbox::cli {

namespace po = boost::program_options;

namespace {

const kube::ResourceRef kScalingPolicies{"gearbox.dev", "v1alpha1", "scalingpolicies"};

po::options_description StatusFlags() {
  po::options_description flags(
      "kubectl gearbox status NAME: what each component of the ScalingPolicy NAME is doing and\n"
      "why, its metrics against their thresholds, its phase and its recent decisions\n\nFlags");
  flags.add_options()("help,h", "print this help and exit");
  AddClusterFlags(flags);
  flags.add_options()("name", po::value<std::string>()->default_value(""), "the policy");
  return flags;
}

Result<std::string> ReadAndShow(const ClusterFlags& cluster, const std::string& name) {
  ASSIGN_OR_RETURN(const Connection connection, Connect(cluster));
  auto policy = connection.client->Get(kScalingPolicies, connection.ns, name);
  if (!policy && policy.error().IsNotFound())
    return Error::Invalid("scalingpolicy " + name + " not found in namespace " + connection.ns);
  if (!policy) return std::move(policy).error();
  return StatusView(*policy, std::chrono::system_clock::now());
}

}  // namespace

int StatusMain(int argc, char** argv, std::ostream& out, std::ostream& err) {
  po::positional_options_description positional;
  positional.add("name", 1);
  const po::options_description flags = StatusFlags();
  auto vm = ParseFlags(argc, argv, flags, positional);
  if (vm && vm->count("help")) {
    out << flags << "\n";
    return 0;
  }
  if (vm && (*vm)["name"].as<std::string>().empty()) vm = Error::Invalid("NAME is missing");
  if (!vm) {
    err << "kubectl gearbox status: " << vm.error().message << " (see --help)\n";
    return 2;
  }
  const auto text = ReadAndShow(ReadClusterFlags(*vm), (*vm)["name"].as<std::string>());
  if (!text) {
    err << "kubectl gearbox status: " << text.error().ToString() << "\n";
    return 1;
  }
  out << *text;
  return 0;
}

}  // namespace gearbox::cli
