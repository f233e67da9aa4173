// See document.h.
#include "convert/document.h"

#include <regex>

namespace gearbox::convert {

namespace {

constexpr const char* kStringTag =
    "!";  // YAML's non-specific tag: a string, whatever it reads like

bool ReadsAsAnotherType(const std::string& text) {
  static const std::regex kOther(
      "|~|null|true|false|yes|no|on|off|y|n|[-+]?(\\.?[0-9][0-9_.eE+-]*|\\.inf|\\.nan)|0x[0-9a-f]+",
      std::regex::icase);
  return std::regex_match(text, kOther);
}

class Printer {
 public:
  explicit Printer(const Document& document) : notes_(document.notes) {}

  void Node(YAML::Emitter& out, const YAML::Node& node, const std::string& path) {
    if (node.IsMap()) return Map(out, node, path);
    if (node.IsSequence()) return Sequence(out, node, path);
    Scalar(out, node);
    Comments(out, path);
  }

 private:
  void Map(YAML::Emitter& out, const YAML::Node& node, const std::string& path) {
    out << YAML::BeginMap;
    for (const auto& item : node) {
      const std::string key = item.first.Scalar();
      std::string child = path;
      if (!child.empty()) child += '.';
      child += key;
      out << YAML::Key << key;
      // A comment on a map or a list goes on the line of its key, before its entries.
      if (!item.second.IsScalar()) Comments(out, child);
      out << YAML::Value;
      Node(out, item.second, child);
    }
    out << YAML::EndMap;
  }

  void Sequence(YAML::Emitter& out, const YAML::Node& node, const std::string& path) {
    out << YAML::BeginSeq;
    for (std::size_t i = 0; i < node.size(); ++i)
      Node(out, node[i], path + "[" + std::to_string(i) + "]");
    out << YAML::EndSeq;
  }

  static void Scalar(YAML::Emitter& out, const YAML::Node& node) {
    if (node.Tag() == kStringTag && ReadsAsAnotherType(node.Scalar())) out << YAML::DoubleQuoted;
    out << node.Scalar();
  }

  void Comments(YAML::Emitter& out, const std::string& path) {
    const auto it = notes_.find(path);
    if (it == notes_.end()) return;
    std::string joined;
    for (const auto& note : it->second) joined += (joined.empty() ? "" : "; ") + note;
    out << YAML::Comment(joined);
  }

  const std::map<std::string, std::vector<std::string>>& notes_;
};

}  // namespace

YAML::Node Text(const std::string& text) {
  YAML::Node node(text);
  node.SetTag(kStringTag);
  return node;
}

std::string Emit(const Document& document) {
  YAML::Emitter out;
  for (const auto& line : document.header) out << YAML::Comment(line) << YAML::Newline;
  Printer(document).Node(out, document.policy, "");
  return std::string(out.c_str()) + "\n";
}

}  // namespace gearbox::convert
