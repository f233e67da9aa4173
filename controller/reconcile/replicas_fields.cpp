// See replicas_fields.h.
#include "reconcile/replicas_fields.h"

namespace gearbox::reconcile {

namespace {

std::string RuleFor(const TargetRef& t) {
  return t.kind + "." + t.Group() + "=" + t.replicas_field;
}

// The rules that name `kind`, for the message of a refusal.
std::string AllowedFor(const std::set<std::string>& allowed, const std::string& kind) {
  std::string out;
  for (const auto& rule : allowed) {
    if (rule.rfind(kind + ".", 0) != 0) continue;
    out += (out.empty() ? "" : ", ") + rule.substr(rule.find('=') + 1);
  }
  return out.empty() ? "none" : out;
}

}  // namespace

ReplicasFieldRules::ReplicasFieldRules()
    : allowed_{"RedisCluster.redis.redis.opstreelabs.in=spec.clusterSize",
               "RedisReplication.redis.redis.opstreelabs.in=spec.clusterSize"} {}

Result<ReplicasFieldRules> ReplicasFieldRules::Parse(const std::vector<std::string>& rules) {
  ReplicasFieldRules out;
  out.allowed_.clear();
  for (const auto& rule : rules) {
    const auto eq = rule.find('=');
    const auto dot = rule.find('.');
    if (eq == std::string::npos || dot == std::string::npos || dot > eq || eq + 1 == rule.size())
      return Error::Invalid("replicas field rule \"" + rule + "\": want KIND.GROUP=PATH");
    out.allowed_.insert(rule);
  }
  return out;
}

Status ReplicasFieldRules::Check(const ParsedPolicy& policy) const {
  for (const auto& [component, target] : policy.targets) {
    if (target.replicas_field.empty() || allowed_.count(RuleFor(target))) continue;
    return Error::Of(Error::Kind::kConfig,
                     "component " + component + ": replicasField " + target.replicas_field +
                         " is not one the cluster admin allows for " + target.kind + " (" +
                         AllowedFor(allowed_, target.kind) +
                         "; --replicas-field, docs/security.md)");
  }
  return OkStatus();
}

}  // namespace gearbox::reconcile
