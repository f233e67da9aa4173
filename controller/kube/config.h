// How to reach and authenticate to the API server: from a kubeconfig (the current context or a
// named one; CA, client certificate and key as files or *-data; bearer token, token file or an
// exec credential plugin, see exec_credential.h) or
// from inside a Pod (the ServiceAccount token, re-read when it rotates, its CA, the service
// host/port). insecure-skip-tls-verify is refused unless the caller allows it explicitly.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kube/result.h"

namespace gearbox::kube {

// What the plugin is told about the cluster when the kubeconfig sets provideClusterInfo.
struct ExecClusterInfo {
  std::string server;
  std::string ca_pem;
  bool insecure_skip_tls_verify = false;
};

// A kubeconfig user's exec credential plugin; exec_credential.h runs it.
struct ExecConfig {
  std::string api_version;  // client.authentication.k8s.io/v1 or .../v1beta1
  std::string command;      // a name looked up in $PATH, or a path
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;  // added to (or replacing) ours
  std::string interactive_mode = "IfAvailable";          // Never, IfAvailable; Always is refused
  std::string install_hint;                              // shown when the command cannot be run
  std::optional<ExecClusterInfo> cluster;                // set when provideClusterInfo is true
  std::chrono::milliseconds timeout{std::chrono::seconds(60)};  // a plugin may open a browser
};

struct Config {
  std::string server;           // https://host:port, no trailing slash
  std::string ca_pem;           // trusted CAs (PEM); empty: the system's
  std::string client_cert_pem;  // client certificate chain (PEM), with client_key_pem
  std::string client_key_pem;
  std::string bearer_token;        // a fixed token, or
  std::string token_file;          // a token file, re-read when it changes (rotation)
  std::optional<ExecConfig> exec;  // a credential plugin (token and/or client certificate)
  bool insecure_skip_tls_verify = false;
  std::string default_namespace = "default";
  std::chrono::milliseconds timeout{std::chrono::seconds(30)};  // per call
  std::string user_agent = "gearbox-controller";
  std::string source;  // where it was read, for the log: "in-cluster" or the kubeconfig's path
};

struct KubeconfigOptions {
  std::string context;  // empty: current-context
  bool allow_insecure = false;
};

// Reads a kubeconfig file.
Result<Config> LoadKubeconfig(const std::string& path, const KubeconfigOptions& options = {});
// Parses kubeconfig text; relative file paths in it resolve against `base_dir`.
Result<Config> ParseKubeconfig(const std::string& yaml, const std::string& base_dir,
                               const KubeconfigOptions& options = {});

// The in-cluster configuration: KUBERNETES_SERVICE_HOST/PORT and the ServiceAccount files under
// `sa_dir` (token, ca.crt, namespace).
Result<Config> LoadInCluster(
    const std::string& sa_dir = "/var/run/secrets/kubernetes.io/serviceaccount");

// The usual order: an explicit kubeconfig path; else in-cluster when KUBERNETES_SERVICE_HOST is
// set; else $KUBECONFIG (first entry); else ~/.kube/config.
Result<Config> LoadDefault(const std::string& kubeconfig_path,
                           const KubeconfigOptions& options = {});

}  // namespace gearbox::kube
