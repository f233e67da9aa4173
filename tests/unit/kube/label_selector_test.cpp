// Selectors matched in memory select what the API server's LIST by the same selector would: the
// resource metrics read a component's pods from a cache with the target's /scale selector.
#include "kube/label_selector.h"

#include <gtest/gtest.h>

namespace gearbox::kube {
namespace {

struct Case {
  const char* selector;
  const char* labels;  // JSON object, or "null" for a pod without labels
  bool selected;
};

TEST(LabelSelector, SelectsWhatTheApiServerWouldSelect) {
  const Case cases[] = {
      {"", R"({"app":"web"})", true},
      {"", "null", true},
      {"app=web", R"({"app":"web","tier":"a"})", true},
      {"app==web", R"({"app":"web"})", true},
      {"app=web", R"({"app":"webs"})", false},
      {"app=web", "null", false},
      {"app!=web", R"({"app":"db"})", true},
      {"app!=web", "null", true},
      {"app!=web", R"({"app":"web"})", false},
      {"app=web,tier in (a, b)", R"({"app":"web","tier":"b"})", true},
      {"app=web,tier in (a,b)", R"({"app":"web","tier":"c"})", false},
      {"app=web,tier in (a,b)", R"({"app":"web"})", false},
      {"env notin (dev)", R"({"env":"prod"})", true},
      {"env notin (dev)", "null", true},
      {"env notin (dev,test)", R"({"env":"test"})", false},
      {"canary", R"({"canary":""})", true},
      {"canary", R"({"app":"web"})", false},
      {"!canary", R"({"app":"web"})", true},
      {"!canary", R"({"canary":"true"})", false},
      {" app = web , !canary ", R"({"app":"web"})", true},
      {"app=", R"({"app":""})", true},
      {"app.kubernetes.io/name=shop", R"({"app.kubernetes.io/name":"shop"})", true},
  };
  for (const auto& c : cases) {
    auto selector = LabelSelector::Parse(c.selector);
    ASSERT_TRUE(selector) << c.selector << ": " << selector.error().message;
    const auto labels = web::json::value::parse(c.labels);
    EXPECT_EQ(selector->Matches(&labels), c.selected) << c.selector << " on " << c.labels;
  }
  auto any = LabelSelector::Parse("app=web");
  ASSERT_TRUE(any);
  EXPECT_FALSE(any->Matches(nullptr)) << "no metadata.labels at all";
}

TEST(LabelSelector, ATextThatDoesNotParseIsAnErrorNamingThePart) {
  for (const char* text :
       {"app in (a,b", "app in a,b)", "app=web,,tier=x", "tier in ()", "tier in (a,,b)", "app=we b",
        "=web", "x > 3", "app in (a) b", "tier exists (a)"}) {
    auto selector = LabelSelector::Parse(text);
    ASSERT_FALSE(selector) << text;
    EXPECT_EQ(selector.error().kind, Error::Kind::kInvalid) << text;
    EXPECT_NE(selector.error().message.find("label selector"), std::string::npos)
        << selector.error().message;
  }
}

}  // namespace
}  // namespace gearbox::kube
