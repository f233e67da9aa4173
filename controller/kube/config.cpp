// See config.h.
#include "kube/config.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>

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

}  // namespace

Result<Config> ParseKubeconfig(const std::string& yaml, const std::string& base_dir,
                               const KubeconfigOptions& options) {
  try {
    YAML::Node root = YAML::Load(yaml);
    std::string context_name = options.context;
    if (context_name.empty() && root["current-context"]) {
      context_name = root["current-context"].as<std::string>();
    }
    if (context_name.empty()) {
      return Error::Of(Error::Kind::kConfig, "kubeconfig has no current-context; name a context");
    }
    auto found_context = FindNamed(root["contexts"], context_name, "context");
    if (!found_context) {
      return Error::Of(Error::Kind::kConfig, "kubeconfig has no context \"" + context_name + "\"");
    }
    YAML::Node context = *found_context;
    std::string cluster_name = context["cluster"] ? context["cluster"].as<std::string>() : "";
    std::string user_name = context["user"] ? context["user"].as<std::string>() : "";
    auto found_cluster = FindNamed(root["clusters"], cluster_name, "cluster");
    if (!found_cluster || !(*found_cluster)["server"]) {
      return Error::Of(Error::Kind::kConfig, "kubeconfig context \"" + context_name +
                                                 "\" names cluster \"" + cluster_name +
                                                 "\", which is missing or has no server");
    }
    YAML::Node cluster = *found_cluster;
    Config c;
    c.server = cluster["server"].as<std::string>();
    while (!c.server.empty() && c.server.back() == '/') c.server.pop_back();
    if (context["namespace"]) c.default_namespace = context["namespace"].as<std::string>();
    if (cluster["insecure-skip-tls-verify"] && cluster["insecure-skip-tls-verify"].as<bool>()) {
      if (!options.allow_insecure) {
        return Error::Of(Error::Kind::kConfig,
                         "kubeconfig cluster \"" + cluster_name +
                             "\" sets insecure-skip-tls-verify; refusing to connect without "
                             "verifying the server unless that is allowed explicitly");
      }
      c.insecure_skip_tls_verify = true;
    }
    auto ca = DataOrFile(cluster, "certificate-authority", base_dir);
    if (!ca) return ca.error();
    c.ca_pem = *ca;
    if (auto found_user = FindNamed(root["users"], user_name, "user")) {
      YAML::Node user = *found_user;
      auto cert = DataOrFile(user, "client-certificate", base_dir);
      if (!cert) return cert.error();
      auto key = DataOrFile(user, "client-key", base_dir);
      if (!key) return key.error();
      c.client_cert_pem = *cert;
      c.client_key_pem = *key;
      if (c.client_cert_pem.empty() != c.client_key_pem.empty()) {
        return Error::Of(Error::Kind::kConfig, "kubeconfig user \"" + user_name +
                                                   "\" has a client certificate without a key, "
                                                   "or a key without a certificate");
      }
      if (user["token"]) c.bearer_token = user["token"].as<std::string>();
      if (user["tokenFile"]) c.token_file = Resolve(user["tokenFile"].as<std::string>(), base_dir);
      if (user["exec"] || user["auth-provider"]) {
        return Error::Of(Error::Kind::kConfig,
                         "kubeconfig user \"" + user_name +
                             "\" uses exec/auth-provider plugins, which "
                             "gearbox does not run; use a token or certificate");
      }
    }
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
