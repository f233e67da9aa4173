// See label_selector.h. The grammar is k8s.io/apimachinery's labels.Parse: requirements joined by
// commas; `key`, `!key`, `key=value` (or `==`), `key!=value`, `key in (v1,v2)`,
// `key notin (v1,v2)`; spaces around the parts are allowed.
#include "kube/label_selector.h"

#include <algorithm>

namespace gearbox::kube {

namespace {

std::string Trimmed(const std::string& s) {
  const size_t first = s.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

// A label key or value as the API server allows them: no spaces, operators or brackets. (The
// server checks the finer rules of its syntax; this only keeps the parse unambiguous.)
bool IsWord(const std::string& s) {
  return std::none_of(s.begin(), s.end(), [](char c) {
    return c == ' ' || c == '\t' || c == '=' || c == '!' || c == '(' || c == ')' || c == ',';
  });
}

// The requirements' texts: the selector split at the commas that are not inside parentheses.
Result<std::vector<std::string>> SplitRequirements(const std::string& text) {
  std::vector<std::string> parts(1);
  int depth = 0;
  for (char c : text) {
    if (c == '(') ++depth;
    if (c == ')' && --depth < 0) break;
    if (c == ',' && depth == 0) {
      parts.emplace_back();
    } else {
      parts.back() += c;
    }
  }
  if (depth != 0) return Error::Invalid("label selector \"" + text + "\": unbalanced parentheses");
  return parts;
}

Result<std::vector<std::string>> SetValues(const std::string& requirement, const std::string& set) {
  std::vector<std::string> values;
  size_t start = 0;
  while (start <= set.size()) {
    const size_t comma = std::min(set.find(',', start), set.size());
    std::string value = Trimmed(set.substr(start, comma - start));
    if (!IsWord(value) || value.empty())
      return Error::Invalid("label selector requirement \"" + requirement + "\": bad value set");
    values.push_back(std::move(value));
    start = comma + 1;
  }
  return values;
}

}  // namespace

Result<LabelSelector> LabelSelector::Parse(const std::string& text) {
  LabelSelector selector;
  selector.text_ = text;
  if (Trimmed(text).empty()) return selector;
  ASSIGN_OR_RETURN(std::vector<std::string> parts, SplitRequirements(text));
  for (const auto& part : parts) {
    ASSIGN_OR_RETURN(Requirement r, ParseRequirement(Trimmed(part)));
    selector.requirements_.push_back(std::move(r));
  }
  return selector;
}

// `key in (a,b)` or `key notin (a,b)`; `open` is where the value set begins.
Result<LabelSelector::Requirement> LabelSelector::ParseSet(const std::string& text, size_t open) {
  auto bad = [&](const char* why) -> Result<Requirement> {
    return Error::Invalid("label selector requirement \"" + text + "\": " + why);
  };
  if (text.back() != ')') return bad("text after the value set");
  const std::string head = Trimmed(text.substr(0, open));
  const size_t space = head.find_last_of(" \t");
  if (space == std::string::npos) return bad("expected `in` or `notin` before the value set");
  const std::string op = head.substr(space + 1);
  if (op != "in" && op != "notin") return bad("only `in` and `notin` take a value set");
  Requirement r;
  r.op = op == "in" ? Requirement::Op::kIn : Requirement::Op::kNotIn;
  r.key = Trimmed(head.substr(0, space));
  ASSIGN_OR_RETURN(r.values, SetValues(text, text.substr(open + 1, text.size() - open - 2)));
  return r;
}

// `key=value`, `key==value` or `key!=value`; `eq` is where the `=` is.
Result<LabelSelector::Requirement> LabelSelector::ParseEquality(const std::string& text,
                                                                size_t eq) {
  const bool negated = eq > 0 && text[eq - 1] == '!';
  Requirement r;
  r.op = negated ? Requirement::Op::kNotEquals : Requirement::Op::kEquals;
  r.key = Trimmed(text.substr(0, negated ? eq - 1 : eq));
  const size_t value_at = eq + 1 + (!negated && eq + 1 < text.size() && text[eq + 1] == '=');
  r.values = {Trimmed(text.substr(value_at))};
  if (!IsWord(r.values[0]))
    return Error::Invalid("label selector requirement \"" + text + "\": bad value");
  return r;
}

Result<LabelSelector::Requirement> LabelSelector::ParseRequirement(const std::string& text) {
  if (text.empty()) return Error::Invalid("label selector: an empty requirement");
  Requirement r;
  if (const size_t open = text.find('('); open != std::string::npos) {
    ASSIGN_OR_RETURN(r, ParseSet(text, open));
  } else if (const size_t eq = text.find('='); eq != std::string::npos) {
    ASSIGN_OR_RETURN(r, ParseEquality(text, eq));
  } else if (text.front() == '!') {
    r.op = Requirement::Op::kDoesNotExist;
    r.key = Trimmed(text.substr(1));
  } else {
    r.key = text;
  }
  if (r.key.empty() || !IsWord(r.key))
    return Error::Invalid("label selector requirement \"" + text + "\": bad key");
  return r;
}

bool LabelSelector::Holds(const Requirement& r, const web::json::value* labels) {
  const web::json::value* value = nullptr;
  if (labels && labels->is_object()) {
    const auto& object = labels->as_object();
    if (auto it = object.find(r.key); it != object.end() && it->second.is_string())
      value = &it->second;
  }
  auto in_values = [&] {
    return value &&
           std::find(r.values.begin(), r.values.end(), value->as_string()) != r.values.end();
  };
  switch (r.op) {
    case Requirement::Op::kEquals:
    case Requirement::Op::kIn:
      return in_values();
    case Requirement::Op::kNotEquals:
    case Requirement::Op::kNotIn:
      return !in_values();
    case Requirement::Op::kExists:
      return value != nullptr;
    case Requirement::Op::kDoesNotExist:
      return value == nullptr;
  }
  return false;
}

bool LabelSelector::Matches(const web::json::value* labels) const {
  return std::all_of(requirements_.begin(), requirements_.end(),
                     [&](const Requirement& r) { return Holds(r, labels); });
}

}  // namespace gearbox::kube
