// See cluster.h.
#include "convert/cluster.h"

#include "kube/client.h"
#include "kube/config.h"

namespace gearbox::convert {

namespace {

Result<kube::ResourceRef> Resource(const std::string& type) {
  if (type == "hpa" || type == "horizontalpodautoscaler" || type == "horizontalpodautoscalers")
    return kube::ResourceRef{"autoscaling", "v2", "horizontalpodautoscalers"};
  if (type == "so" || type == "scaledobject" || type == "scaledobjects")
    return kube::ResourceRef{"keda.sh", "v1alpha1", "scaledobjects"};
  return Error::Invalid("--from-cluster " + type + "/...: the type must be hpa or scaledobject");
}

}  // namespace

Result<YAML::Node> ReadFromCluster(const ClusterSource& source) {
  const auto slash = source.object.find('/');
  if (slash == std::string::npos || slash + 1 == source.object.size())
    return Error::Invalid("--from-cluster " + source.object +
                          ": must be hpa/NAME or scaledobject/NAME");
  ASSIGN_OR_RETURN(const kube::ResourceRef resource, Resource(source.object.substr(0, slash)));
  const std::string name = source.object.substr(slash + 1);
  kube::KubeconfigOptions options;
  options.context = source.context;
  ASSIGN_OR_RETURN(const kube::Config config, kube::LoadDefault(source.kubeconfig, options));
  ASSIGN_OR_RETURN(const auto client, kube::HttpClient::Create(config));
  const std::string ns = source.ns.empty() ? config.default_namespace : source.ns;
  auto object = client->Get(resource, ns, name);
  if (!object && object.error().IsNotFound())
    return Error::Invalid(source.object + " not found in namespace " + ns + " (" +
                          object.error().message + ")");
  if (!object) return std::move(object).error();
  return YAML::Load(object->serialize());
}

}  // namespace gearbox::convert
