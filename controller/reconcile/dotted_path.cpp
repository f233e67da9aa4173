// See dotted_path.h.
#include "reconcile/dotted_path.h"

#include <sstream>
#include <vector>

#include "kube/json_fields.h"

namespace gearbox::reconcile {

namespace {

std::vector<std::string> SplitPath(const std::string& dotted) {
  std::vector<std::string> parts;
  std::stringstream in(dotted);
  for (std::string part; std::getline(in, part, '.');) parts.push_back(part);
  return parts;
}

}  // namespace

std::optional<int> IntAtPath(const web::json::value& object, const std::string& dotted_path) {
  const web::json::value* cur = &object;
  for (const auto& part : SplitPath(dotted_path)) {
    cur = kube::FieldAt(*cur, {part.c_str()});
    if (!cur) return std::nullopt;
  }
  if (!cur->is_integer()) return std::nullopt;
  return cur->as_integer();
}

web::json::value ReplicasMergePatch(const std::string& dotted_path, int replicas) {
  auto parts = SplitPath(dotted_path);
  web::json::value patch = web::json::value::number(replicas);
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
    web::json::value outer = web::json::value::object();
    outer[*it] = patch;
    patch = outer;
  }
  return patch;
}

}  // namespace gearbox::reconcile
