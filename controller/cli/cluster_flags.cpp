// See cluster_flags.h.
#include "cli/cluster_flags.h"

#include "kube/config.h"

namespace gearbox::cli {

namespace po = boost::program_options;

void AddClusterFlags(po::options_description& flags) {
  flags.add_options()("kubeconfig", po::value<std::string>()->default_value(""),
                      "the kubeconfig (default: in-cluster, then $KUBECONFIG, then "
                      "~/.kube/config)")("context", po::value<std::string>()->default_value(""),
                                         "its context (default: the current)")(
      "namespace,n", po::value<std::string>()->default_value(""),
      "the namespace (default: the context's)");
}

ClusterFlags ReadClusterFlags(const po::variables_map& vm) {
  return {vm["kubeconfig"].as<std::string>(), vm["context"].as<std::string>(),
          vm["namespace"].as<std::string>()};
}

Result<Connection> Connect(const ClusterFlags& flags) {
  kube::KubeconfigOptions options;
  options.context = flags.context;
  ASSIGN_OR_RETURN(kube::Config config, kube::LoadDefault(flags.kubeconfig, options));
  config.user_agent = "kubectl-gearbox";
  const std::string ns = flags.ns.empty() ? config.default_namespace : flags.ns;
  ASSIGN_OR_RETURN(std::shared_ptr<kube::HttpClient> client, kube::HttpClient::Create(config));
  return Connection{std::move(client), ns};
}

Result<po::variables_map> ParseFlags(int argc, char** argv, const po::options_description& flags,
                                     const po::positional_options_description& positional) {
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(flags).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    return Error::Invalid(e.what());
  }
  return vm;
}

}  // namespace gearbox::cli
