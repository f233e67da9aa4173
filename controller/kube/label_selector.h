// A label selector in the text form the API server writes (a /scale's status.selector, kubectl's
// -l, a labelSelector query): "app=web,tier in (a,b),!canary,env notin (dev),zone", matched
// against an object's labels in memory as the API server matches it, so that a cache can answer
// what a LIST by selector would.
#pragma once

#include <cpprest/json.h>

#include <string>
#include <vector>

#include "base/result.h"

namespace gearbox::kube {

class LabelSelector {
 public:
  // The requirements of the text; an Error (kInvalid) naming the part that does not parse. The
  // empty text selects everything. Set-based `gt`/`lt` (node selectors only) are refused.
  static Result<LabelSelector> Parse(const std::string& text);

  // Whether an object with these labels (metadata.labels: an object of strings, or absent) is
  // selected: every requirement holds.
  bool Matches(const web::json::value* labels) const;
  const std::string& text() const { return text_; }  // as parsed

 private:
  struct Requirement {
    enum class Op { kEquals, kNotEquals, kIn, kNotIn, kExists, kDoesNotExist };
    std::string key;
    Op op = Op::kExists;
    std::vector<std::string> values;
  };
  static Result<Requirement> ParseRequirement(const std::string& text);
  static Result<Requirement> ParseSet(const std::string& text, size_t open);
  static Result<Requirement> ParseEquality(const std::string& text, size_t eq);
  static bool Holds(const Requirement& r, const web::json::value* labels);

  std::string text_;
  std::vector<Requirement> requirements_;
};

}  // namespace gearbox::kube
