// bench_cache_memory: what the controller holds per policy, part by part: the ScalingPolicy and
// its target as their informers cache them (as they were cached before they were trimmed, and as
// they are now), a pod as the namespace's pods informer caches it, the parsed and compiled spec,
// and the policy's metric series. The objects are read from a cluster (KUBECONFIG); each part is
// kept 2,000 times and the heap counted (mallinfo2), so the figures are bytes per copy.
//
//   KUBECONFIG=... bench_cache_memory NAMESPACE POLICY
#include <malloc.h>

#include <cstdio>
#include <functional>
#include <iostream>
#include <memory>
#include <vector>

#include "kube/client.h"
#include "kube/config.h"
#include "kube/json_fields.h"
#include "metrics/namespace_pods.h"
#include "policy/engine.h"
#include "reconcile/cached_policy.h"
#include "reconcile/exported_metrics.h"
#include "reconcile/policy_spec.h"
#include "reconcile/scale_in_object.h"
#include "telemetry/policy_metrics.h"

using namespace gearbox;
using kube::Json;

namespace {

constexpr int kCopies = 2000;

size_t HeapInUse() { return mallinfo2().uordblks; }

// Bytes per copy of what `make` makes, kept kCopies times.
template <typename T>
double PerCopy(const std::function<T()>& make) {
  std::vector<T> kept;
  kept.reserve(kCopies);
  const size_t before = HeapInUse();
  for (int i = 0; i < kCopies; ++i) kept.push_back(make());
  return static_cast<double>(HeapInUse() - before) / kCopies;
}

// An object as an informer caches it: one immutable copy, shared.
double Cached(const Json& object) {
  return PerCopy<kube::ObjectPtr>([&] { return std::make_shared<const Json>(object); });
}

// What every informer dropped before: managedFields and kubectl's last-applied-configuration.
Json AsListed(Json object) {
  kube::EraseField(object["metadata"], "managedFields");
  if (object["metadata"].has_object_field("annotations"))
    kube::EraseField(object["metadata"]["annotations"],
                     "kubectl.kubernetes.io/last-applied-configuration");
  return object;
}

Json Fetched(Result<Json> r, const char* what) {
  if (!r) {
    std::cerr << what << ": " << r.error().ToString() << "\n";
    std::exit(2);
  }
  return std::move(*r);
}

void Row(const char* what, double before, double after) {
  std::printf("  %-44s %8.2f KiB  %8.2f KiB\n", what, before / 1024, after / 1024);
}

// The policy's series, as PolicyMetrics keeps them for kCopies policies of its shape.
double SeriesPerPolicy(const reconcile::ParsedPolicy& p) {
  prometheus::Registry registry;
  telemetry::PolicyMetrics families(registry);
  std::vector<std::shared_ptr<telemetry::PolicySeries>> kept;
  const size_t before = HeapInUse();
  for (int i = 0; i < kCopies; ++i) {
    auto series = families.For(p.ns, "policy-" + std::to_string(i));
    reconcile::ExportEvaluation(*series, p, 1, policy::Decision{}, {}, {});
    kept.push_back(series);
  }
  return static_cast<double>(HeapInUse() - before) / kCopies;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: bench_cache_memory NAMESPACE POLICY\n";
    return 2;
  }
  const std::string ns = argv[1], name = argv[2];
  const char* path = std::getenv("KUBECONFIG");
  auto config = kube::LoadKubeconfig(path ? path : "");
  if (!config) return std::cerr << config.error().ToString() << "\n", 2;
  auto client = kube::HttpClient::Create(*config);
  if (!client) return std::cerr << client.error().ToString() << "\n", 2;
  kube::HttpClient& c = **client;

  const Json policy = AsListed(
      Fetched(c.Get({"gearbox.dev", "v1alpha1", "scalingpolicies", true}, ns, name), "the policy"));
  const Json& component = policy.at("spec").at("components").at(0);
  const std::string deployment = kube::StringAt(component, {"target", "name"});
  const Json target_object =
      AsListed(Fetched(c.Get({"apps", "v1", "deployments", true}, ns, deployment), "the target"));
  kube::ListOptions one;
  one.limit = 1;
  Json pods = Fetched(c.List({"", "v1", "pods", true}, ns, one), "the pods");

  std::printf("Per policy, %s/%s (bytes of heap per copy, %d copies):\n", ns.c_str(), name.c_str(),
              kCopies);
  std::printf("  %-44s %12s  %12s\n", "", "before", "now");
  Json before_target = target_object;  // what the target informers kept: no pod template
  kube::EraseField(before_target["spec"], "template");
  Json now_target = target_object;
  reconcile::TrimAppsTarget(now_target);
  Json now_policy = policy;
  reconcile::CompactCachedPolicy(now_policy);
  Row("ScalingPolicy with its status (informer)", Cached(policy), Cached(now_policy));
  for (const char* part : {"metadata", "spec", "status"}) {
    if (!policy.has_field(part)) continue;
    const std::string what = std::string("  of which .") + part;
    Row(what.c_str(), Cached(policy.at(part)), Cached(now_policy.at(part)));
  }
  Row("its Deployment (informer)", Cached(before_target), Cached(now_target));
  if (pods.has_array_field("items") && pods.at("items").size() > 0) {
    Json pod = AsListed(pods.at("items").at(0));
    Json trimmed = pod;
    metrics::TrimPod(trimmed);
    Row("a pod (namespace pods informer; before: listed)", Cached(pod), Cached(trimmed));
  }
  auto parsed = reconcile::ParsePolicy(policy);
  if (!parsed) return std::cerr << parsed.error().message << "\n", 1;
  const double spec = PerCopy<std::shared_ptr<reconcile::ParsedPolicy>>(
      [&] { return std::make_shared<reconcile::ParsedPolicy>(*parsed); });
  const double engine = PerCopy<std::shared_ptr<policy::Engine>>(
      [&] { return std::make_shared<policy::Engine>(parsed->spec); });
  const double series = SeriesPerPolicy(*parsed);
  Row("parsed spec (ParsedPolicy)", spec, spec);
  const double engine_spec = PerCopy<std::shared_ptr<policy::Spec>>(
      [&] { return std::make_shared<policy::Spec>(parsed->spec); });
  Row("  of which the engine's spec (policy::Spec)", engine_spec, engine_spec);
  Row("compiled spec (Engine)", engine, engine);
  Row("metric series (PolicyMetrics)", series, series);
  if (policy.has_object_field("status"))
    std::printf("(status: %zu bytes of JSON text; compact: %zu)\n",
                policy.at("status").serialize().size(), now_policy.at("status").as_string().size());
  return 0;
}
