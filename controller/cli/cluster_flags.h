// What the cluster-reading commands of `kubectl gearbox` share: kubectl's flags for where the
// cluster is (--kubeconfig, --context, -n/--namespace), the connection through the controller's
// own kubeconfig loading and API client (kube::LoadDefault, kube::HttpClient), and the parsing of
// a command's flags into a variables_map with errors as values.
#pragma once

#include <boost/program_options.hpp>
#include <memory>
#include <string>

#include "base/result.h"
#include "kube/client.h"

namespace gearbox::cli {

struct ClusterFlags {
  std::string kubeconfig;  // empty: in-cluster, then $KUBECONFIG, then ~/.kube/config
  std::string context;     // empty: the current context
  std::string ns;          // empty: the context's namespace
};

struct Connection {
  std::shared_ptr<kube::Client> client;
  std::string ns;  // the namespace asked for, else the kubeconfig context's
};

// Adds --kubeconfig, --context and -n/--namespace to `flags`.
void AddClusterFlags(boost::program_options::options_description& flags);
ClusterFlags ReadClusterFlags(const boost::program_options::variables_map& vm);

Result<Connection> Connect(const ClusterFlags& flags);

// argv parsed against `flags` and `positional`; a flag that does not parse is kInvalid.
Result<boost::program_options::variables_map> ParseFlags(
    int argc, char** argv, const boost::program_options::options_description& flags,
    const boost::program_options::positional_options_description& positional);

}  // namespace gearbox::cli
