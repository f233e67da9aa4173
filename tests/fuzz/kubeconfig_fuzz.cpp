// kube::ParseKubeconfig on arbitrary YAML: a Config or an Error, never a crash; a Config's server
// has no trailing slash, and it has a client key exactly when it has a client certificate.
//
// The loader reads the files a kubeconfig names. Relative names resolve in an empty directory;
// documents naming anything under /dev, /proc, /sys or /run are skipped, since reading
// /dev/zero or /dev/stdin would exhaust memory or wait forever (the loader trusts its file).
#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "kube/config.h"

namespace {

bool NamesASpecialFile(const std::string& text) {
  for (const char* dir : {"/dev", "/proc", "/sys", "/run"}) {
    if (text.find(dir) != std::string::npos) return true;
  }
  return false;
}

// Whether a scalar the loader could take for a file name names a special file. The deepest such
// name is clusters[i].cluster.certificate-authority, 4 levels down; deeper nodes are not looked
// at (an alias may make a node contain itself). `budget` bounds the walk, since aliases can
// repeat a node many times; an exhausted budget counts as yes.
bool NamesASpecialFile(const YAML::Node& node, int depth, int& budget) {
  if (--budget < 0) return true;
  if (depth > 5) return false;
  if (node.IsScalar()) return NamesASpecialFile(node.Scalar());
  if (node.IsSequence()) {
    for (const auto& item : node)
      if (NamesASpecialFile(item, depth + 1, budget)) return true;
  }
  if (node.IsMap()) {
    for (const auto& kv : node) {
      if (NamesASpecialFile(kv.first, depth + 1, budget) ||
          NamesASpecialFile(kv.second, depth + 1, budget))
        return true;
    }
  }
  return false;
}

bool Skip(const std::string& yaml) {
  try {
    int budget = 10'000;
    return NamesASpecialFile(YAML::Load(yaml), 0, budget);
  } catch (const YAML::Exception&) {
    return false;  // the loader fails the same way, before it reads any file
  }
}

const std::string& EmptyDirectory() {
  static const std::string dir = [] {
    char name[] = "/tmp/gearbox-fuzz-kubeconfig-XXXXXX";
    if (mkdtemp(name) == nullptr) std::abort();
    return std::string(name);
  }();
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string yaml(reinterpret_cast<const char*>(data), size);
  if (Skip(yaml)) return 0;
  for (bool allow_insecure : {false, true}) {
    auto config = gearbox::kube::ParseKubeconfig(yaml, EmptyDirectory(), {"", allow_insecure});
    if (!config) continue;
    if (!config->server.empty() && config->server.back() == '/') std::abort();
    if (config->client_cert_pem.empty() != config->client_key_pem.empty()) std::abort();
  }
  return 0;
}
