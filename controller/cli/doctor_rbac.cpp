// The RBAC check of `doctor` (doctor.h): for the target of every component of every
// ScalingPolicy, may the subject get it and patch its replicas? An access review asks the API
// server itself, so every authorizer (RBAC, webhooks) is accounted for.
#include "cli/doctor.h"
#include "kube/discovery.h"
#include "kube/json_fields.h"

namespace gearbox::cli {

using kube::Json;

namespace {

struct Target {
  std::string policy;  // "shop/storefront"
  std::string ns;
  std::string component;
  std::string api_version, kind, name, replicas_field;
};

std::vector<Target> TargetsOf(const Json& policy) {
  std::vector<Target> targets;
  const std::string ns = kube::StringAt(policy, {"metadata", "namespace"});
  const Json* components = kube::FieldAt(policy, {"spec", "components"});
  if (!components || !components->is_array()) return targets;
  for (const auto& c : components->as_array())
    targets.push_back({ns + "/" + kube::StringAt(policy, {"metadata", "name"}), ns,
                       kube::StringAt(c, {"name"}), kube::StringAt(c, {"target", "apiVersion"}),
                       kube::StringAt(c, {"target", "kind"}), kube::StringAt(c, {"target", "name"}),
                       kube::StringAt(c, {"target", "replicasField"})});
  return targets;
}

// A SelfSubjectAccessReview for the user, or a SubjectAccessReview for "NAMESPACE:NAME".
Json AccessReview(const std::string& service_account, Json attributes) {
  Json review = Json::object();
  review["apiVersion"] = Json::string("authorization.k8s.io/v1");
  review["spec"] = Json::object();
  review["spec"]["resourceAttributes"] = std::move(attributes);
  if (service_account.empty()) {
    review["kind"] = Json::string("SelfSubjectAccessReview");
    return review;
  }
  const std::string ns = service_account.substr(0, service_account.find(':'));
  review["kind"] = Json::string("SubjectAccessReview");
  review["spec"]["user"] = Json::string("system:serviceaccount:" + service_account);
  review["spec"]["groups"] = Json::array({Json::string("system:serviceaccounts"),
                                          Json::string("system:serviceaccounts:" + ns),
                                          Json::string("system:authenticated")});
  return review;
}

Result<bool> Allowed(kube::Client& client, const std::string& service_account,
                     const Json& attributes) {
  const kube::ResourceRef reviews{
      "authorization.k8s.io", "v1",
      service_account.empty() ? "selfsubjectaccessreviews" : "subjectaccessreviews", false};
  ASSIGN_OR_RETURN(const Json answer,
                   client.Create(reviews, "", AccessReview(service_account, attributes)));
  const Json* allowed = kube::FieldAt(answer, {"status", "allowed"});
  return allowed && allowed->is_boolean() && allowed->as_bool();
}

Json Attributes(const Target& t, const kube::ResourceRef& ref, const std::string& verb,
                const std::string& subresource) {
  return Json::object({{"namespace", Json::string(t.ns)},
                       {"verb", Json::string(verb)},
                       {"group", Json::string(ref.group)},
                       {"resource", Json::string(ref.resource)},
                       {"subresource", Json::string(subresource)},
                       {"name", Json::string(t.name)}});
}

// get and patch of the target's /scale, or of the object itself when it has a replicasField.
CheckResult ReviewTarget(kube::Client& client, kube::Discovery& discovery, const Target& t,
                         const std::string& subject) {
  const std::string what = t.policy + " " + t.component + " (" + t.kind + " " + t.name + ")";
  auto info = discovery.Resolve(t.api_version, t.kind);
  if (!info)
    return {false, what + ": " + t.api_version + " " + t.kind +
                       " is not served: install its operator or CRD first"};
  const std::string sub = t.replicas_field.empty() ? "scale" : "";
  const std::string resource = info->ref.Name() + (sub.empty() ? "" : "/" + sub);
  std::vector<std::string> refused;
  for (const char* verb : {"get", "patch"}) {
    auto allowed = Allowed(client, subject, Attributes(t, info->ref, verb, sub));
    if (!allowed) return {false, what + ": access review failed: " + allowed.error().ToString()};
    if (!*allowed) refused.push_back(verb);
  }
  const std::string who = subject.empty() ? "you" : "system:serviceaccount:" + subject;
  if (refused.empty()) return {true, what + ": " + who + " may get and patch " + resource};
  std::string verbs = refused.front() + (refused.size() > 1 ? " and " + refused.back() : "");
  return {false, what + ": " + who + " may not " + verbs + " " + resource + " in " + t.ns +
                     ": grant it in the controller's ClusterRole (chart values rbac)"};
}

}  // namespace

std::vector<CheckResult> CheckTargetRbac(std::shared_ptr<kube::Client> client,
                                         const DoctorOptions& options) {
  auto policies = client->List({"gearbox.dev", "v1alpha1", "scalingpolicies"}, "");
  if (!policies)
    return {{false, "ScalingPolicies cannot be listed (" + policies.error().ToString() +
                        "), so their targets' RBAC is not checked"}};
  const Json* items = kube::FieldAt(*policies, {"items"});
  if (!items || !items->is_array() || items->size() == 0)
    return {{true, "no ScalingPolicy yet: no target to check RBAC for"}};
  kube::Discovery discovery(client);
  std::vector<CheckResult> results;
  for (const auto& policy : items->as_array())
    for (const Target& t : TargetsOf(policy))
      results.push_back(ReviewTarget(*client, discovery, t, options.service_account));
  return results;
}

}  // namespace gearbox::cli
