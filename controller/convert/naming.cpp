// See naming.h.
#include "convert/naming.h"

#include <algorithm>
#include <cctype>

#include "convert/fields.h"

namespace gearbox::convert {

namespace {

bool Alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

bool Taken(const std::string& name, const Draft& draft) {
  return std::any_of(draft.metrics.begin(), draft.metrics.end(),
                     [&](const SizedMetric& m) { return m.name == name; });
}

}  // namespace

std::string DnsLabel(const std::string& name) {
  std::string label;
  for (const char c : name) {
    const char lower = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (Alnum(lower))
      label += lower;
    else if (!label.empty() && label.back() != '-')
      label += '-';
  }
  if (label.size() > 63) label.resize(63);
  while (!label.empty() && label.back() == '-') label.pop_back();
  return label.empty() ? "workload" : label;
}

std::string UniqueMetricName(const std::string& wanted, const Draft& draft) {
  std::string base;
  for (const char c : wanted) base += Alnum(c) ? c : '_';
  if (base.empty() || !std::isalpha(static_cast<unsigned char>(base.front()))) base = "m_" + base;
  if (base.size() > 56) base.resize(56);  // room for a suffix within the 63 allowed
  std::string name = base;
  for (int n = 2; Taken(name, draft); ++n) name = base + "_" + std::to_string(n);
  return name;
}

Status ReadIdentity(const YAML::Node& object, const std::string& kind, Draft& draft) {
  ASSIGN_OR_RETURN(const YAML::Node metadata, OptionalMap(object, "metadata", ""));
  ASSIGN_OR_RETURN(draft.name, RequiredText(metadata, "name", "metadata"));
  ASSIGN_OR_RETURN(const auto ns, OptionalText(metadata, "namespace", "metadata"));
  draft.ns = ns.value_or("");
  draft.origin = kind + " " + (draft.ns.empty() ? "" : draft.ns + "/") + draft.name;
  return OkStatus();
}

}  // namespace gearbox::convert
