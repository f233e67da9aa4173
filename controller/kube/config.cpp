// See config.h.
#include "kube/config.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>

#include "kube/exec_credential.h"

namespace gearbox::kube {

namespace {

Result<std::string> ReadFile(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::Of(Error::Kind::kConfig, "cannot read " + what + " file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Result<std::string> Base64Decode(const std::string& encoded, const std::string& what) {
  std::string clean;
  for (char c : encoded) {
    if (c != '\n' && c != '\r' && c != ' ') clean += c;
  }
  std::string out((clean.size() / 4 + 1) * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(clean.data()),
                          static_cast<int>(clean.size()));
  if (n < 0) return Error::Of(Error::Kind::kConfig, what + " is not valid base64");
  size_t pad = 0;
  if (!clean.empty() && clean.back() == '=') ++pad;
  if (clean.size() > 1 && clean[clean.size() - 2] == '=') ++pad;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

std::string Resolve(const std::string& path, const std::string& base_dir) {
  if (path.empty() || path[0] == '/' || base_dir.empty()) return path;
  return base_dir + "/" + path;
}

// Reads "<key>-data" (base64) or "<key>" (a file path) from a node.
Result<std::string> DataOrFile(const YAML::Node& node, const std::string& key,
                               const std::string& base_dir) {
  if (node[key + "-data"])
    return Base64Decode(node[key + "-data"].as<std::string>(), key + "-data");
  if (node[key]) return ReadFile(Resolve(node[key].as<std::string>(), base_dir), key);
  return std::string();
}

// The `field` of the entry called `name` in a kubeconfig list (clusters, users, contexts).
std::optional<YAML::Node> FindNamed(const YAML::Node& list, const std::string& name,
                                    const char* field) {
  if (!list || !list.IsSequence()) return std::nullopt;
  for (const auto& item : list) {
    if (item["name"] && item["name"].as<std::string>() == name && item[field]) return item[field];
  }
  return std::nullopt;
}

// The server and how to trust it, from the context's cluster.
Status ApplyCluster(const YAML::Node& cluster, const std::string& cluster_name,
                    const std::string& base_dir, const KubeconfigOptions& options, Config& c) {
  c.server = cluster["server"].as<std::string>();
  while (!c.server.empty() && c.server.back() == '/') c.server.pop_back();
  if (cluster["insecure-skip-tls-verify"] && cluster["insecure-skip-tls-verify"].as<bool>()) {
    if (!options.allow_insecure) {
      return Error::Of(Error::Kind::kConfig,
                       "kubeconfig cluster \"" + cluster_name +
                           "\" sets insecure-skip-tls-verify; refusing to connect without "
                           "verifying the server unless that is allowed explicitly");
    }
    c.insecure_skip_tls_verify = true;
  }
  ASSIGN_OR_RETURN(c.ca_pem, DataOrFile(cluster, "certificate-authority", base_dir));
  return Ok{};
}

// The exec plugin's env list: [{name: N, value: V}, ...].
std::vector<std::pair<std::string, std::string>> ExecEnv(const YAML::Node& env) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!env || !env.IsSequence()) return out;
  for (const auto& item : env) {
    if (item["name"])
      out.emplace_back(item["name"].as<std::string>(), item["value"].as<std::string>(""));
  }
  return out;
}

// users[].user.exec. A command with a slash in it is a path relative to the kubeconfig, as
// kubectl reads it; a bare name is looked up in $PATH.
Result<ExecConfig> ParseExec(const YAML::Node& exec, const std::string& base_dir,
                             const Config& cluster) {
  ExecConfig e;
  e.api_version = exec["apiVersion"].as<std::string>("");
  e.command = exec["command"].as<std::string>("");
  if (e.command.find('/') != std::string::npos) e.command = Resolve(e.command, base_dir);
  if (exec["args"] && exec["args"].IsSequence())
    e.args = exec["args"].as<std::vector<std::string>>();
  e.env = ExecEnv(exec["env"]);
  e.interactive_mode = exec["interactiveMode"].as<std::string>("IfAvailable");
  e.install_hint = exec["installHint"].as<std::string>("");
  if (exec["provideClusterInfo"].as<bool>(false))
    e.cluster = ExecClusterInfo{cluster.server, cluster.ca_pem, cluster.insecure_skip_tls_verify};
  RETURN_IF_ERROR(ValidateExecConfig(e));
  return e;
}

// Client certificate, token, token file or exec plugin, from the context's user.
Status ApplyUser(const YAML::Node& user, const std::string& user_name, const std::string& base_dir,
                 Config& c) {
  ASSIGN_OR_RETURN(c.client_cert_pem, DataOrFile(user, "client-certificate", base_dir));
  ASSIGN_OR_RETURN(c.client_key_pem, DataOrFile(user, "client-key", base_dir));
  if (c.client_cert_pem.empty() != c.client_key_pem.empty()) {
    return Error::Of(Error::Kind::kConfig, "kubeconfig user \"" + user_name +
                                               "\" has a client certificate without a key, "
                                               "or a key without a certificate");
  }
  if (user["token"]) c.bearer_token = user["token"].as<std::string>();
  if (user["tokenFile"]) c.token_file = Resolve(user["tokenFile"].as<std::string>(), base_dir);
  if (user["auth-provider"]) {
    return Error::Of(Error::Kind::kConfig,
                     "kubeconfig user \"" + user_name +
                         "\" uses an auth-provider plugin (removed from kubectl), which gearbox "
                         "does not run; use an exec plugin, a token or a certificate");
  }
  if (user["exec"]) {
    auto exec = ParseExec(user["exec"], base_dir, c);
    if (!exec)
      return Error::Of(exec.error().kind,
                       "kubeconfig user \"" + user_name + "\": " + exec.error().message);
    c.exec = std::move(*exec);
  }
  return Ok{};
}

Result<std::string> ContextName(const YAML::Node& root, const KubeconfigOptions& options) {
  std::string name = options.context;
  if (name.empty() && root["current-context"]) name = root["current-context"].as<std::string>();
  if (name.empty())
    return Error::Of(Error::Kind::kConfig, "kubeconfig has no current-context; name a context");
  return name;
}

}  // namespace

Result<Config> ParseKubeconfig(const std::string& yaml, const std::string& base_dir,
                               const KubeconfigOptions& options) {
  try {
    YAML::Node root = YAML::Load(yaml);
    ASSIGN_OR_RETURN(std::string context_name, ContextName(root, options));
    auto found_context = FindNamed(root["contexts"], context_name, "context");
    if (!found_context) {
      return Error::Of(Error::Kind::kConfig, "kubeconfig has no context \"" + context_name + "\"");
    }
    YAML::Node context = *found_context;
    std::string cluster_name = context["cluster"].as<std::string>("");
    std::string user_name = context["user"].as<std::string>("");
    auto cluster = FindNamed(root["clusters"], cluster_name, "cluster");
    if (!cluster || !(*cluster)["server"]) {
      return Error::Of(Error::Kind::kConfig, "kubeconfig context \"" + context_name +
                                                 "\" names cluster \"" + cluster_name +
                                                 "\", which is missing or has no server");
    }
    Config c;
    if (context["namespace"]) c.default_namespace = context["namespace"].as<std::string>();
    RETURN_IF_ERROR(ApplyCluster(*cluster, cluster_name, base_dir, options, c));
    if (auto user = FindNamed(root["users"], user_name, "user"))
      RETURN_IF_ERROR(ApplyUser(*user, user_name, base_dir, c));
    return c;
  } catch (const YAML::Exception& e) {
    return Error::Of(Error::Kind::kConfig,
                     std::string("kubeconfig is not valid YAML: ") + e.what());
  }
}

Result<Config> LoadKubeconfig(const std::string& path, const KubeconfigOptions& options) {
  auto text = ReadFile(path, "kubeconfig");
  if (!text) return text.error();
  auto slash = path.rfind('/');
  std::string base_dir = slash == std::string::npos ? "." : path.substr(0, slash);
  auto config = ParseKubeconfig(*text, base_dir, options);
  if (!config) {
    Error e = config.error();
    e.message = path + ": " + e.message;
    return e;
  }
  config->source = path;
  return config;
}

Result<Config> LoadInCluster(const std::string& sa_dir) {
  const char* host = std::getenv("KUBERNETES_SERVICE_HOST");
  const char* port = std::getenv("KUBERNETES_SERVICE_PORT");
  if (!host || !port || !*host || !*port) {
    return Error::Of(Error::Kind::kConfig,
                     "not running in a cluster: KUBERNETES_SERVICE_HOST/PORT are not set");
  }
  Config c;
  std::string h = host;
  if (h.find(':') != std::string::npos) h = "[" + h + "]";  // IPv6
  c.server = "https://" + h + ":" + port;
  c.source = "in-cluster";
  c.token_file = sa_dir + "/token";
  auto token = ReadFile(c.token_file, "service account token");
  if (!token) return token.error();
  auto ca = ReadFile(sa_dir + "/ca.crt", "service account CA");
  if (!ca) return ca.error();
  c.ca_pem = *ca;
  if (auto ns = ReadFile(sa_dir + "/namespace", "namespace"); ns && !ns->empty()) {
    c.default_namespace = *ns;
  }
  return c;
}

Result<Config> LoadDefault(const std::string& kubeconfig_path, const KubeconfigOptions& options) {
  if (!kubeconfig_path.empty()) return LoadKubeconfig(kubeconfig_path, options);
  if (const char* host = std::getenv("KUBERNETES_SERVICE_HOST"); host && *host)
    return LoadInCluster();
  if (const char* env = std::getenv("KUBECONFIG"); env && *env) {
    std::string first = env;
    first = first.substr(0, first.find(':'));
    return LoadKubeconfig(first, options);
  }
  if (const char* home = std::getenv("HOME"); home && *home) {
    return LoadKubeconfig(std::string(home) + "/.kube/config", options);
  }
  return Error::Of(Error::Kind::kConfig, "no kubeconfig given, not in a cluster, and no $HOME");
}

}  // namespace gearbox::kube
