// Watch streams as the API server sends them: events split across chunks, several per chunk,
// bookmarks, ERROR events (410 Gone), and garbage.
#include "kube/watch_decoder.h"

#include <gtest/gtest.h>

namespace gearbox::kube {
namespace {

const std::string kAdded =
    R"({"type":"ADDED","object":{"kind":"ConfigMap","metadata":{"name":"a","namespace":"ns","resourceVersion":"10"}}})";
const std::string kBookmark =
    R"({"type":"BOOKMARK","object":{"kind":"ConfigMap","metadata":{"resourceVersion":"42"}}})";
const std::string kGone =
    R"json({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource version: 5 (10)","reason":"Expired","code":410}})json";

TEST(WatchDecoderTest, EventSplitAcrossChunks) {
  WatchDecoder d;
  std::string line = kAdded + "\n";
  for (size_t i = 0; i + 1 < line.size(); ++i) {
    EXPECT_TRUE(d.Feed(line.substr(i, 1)).empty()) << "complete too early at byte " << i;
  }
  auto events = d.Feed(line.substr(line.size() - 1));
  ASSERT_EQ(events.size(), 1u);
  ASSERT_TRUE(events[0]);
  EXPECT_EQ(events[0]->type, WatchEvent::Type::kAdded);
  EXPECT_EQ(events[0]->ResourceVersion(), "10");
  EXPECT_EQ(events[0]->object.at("metadata").at("name").as_string(), "a");
  EXPECT_TRUE(d.pending().empty());
}

TEST(WatchDecoderTest, SeveralEventsInOneChunkAndCrlf) {
  WatchDecoder d;
  auto events = d.Feed(kAdded + "\r\n" + kBookmark + "\n\n" + kAdded.substr(0, 10));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0]->type, WatchEvent::Type::kAdded);
  EXPECT_EQ(events[1]->type, WatchEvent::Type::kBookmark);
  EXPECT_EQ(events[1]->ResourceVersion(), "42");
  EXPECT_EQ(d.pending(), kAdded.substr(0, 10));
}

TEST(WatchDecoderTest, ErrorEventCarriesTheStatus) {
  auto e = DecodeWatchLine(kGone);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->type, WatchEvent::Type::kError);
  Error err = e->AsError();
  EXPECT_TRUE(err.IsGone());
  EXPECT_EQ(err.reason, "Expired");
  EXPECT_NE(err.message.find("too old resource version"), std::string::npos);
}

TEST(WatchDecoderTest, GarbageIsReportedNotSkipped) {
  struct Case {
    std::string line;
    std::string want;
  };
  for (const auto& c : std::vector<Case>{
           {"<html>502 Bad Gateway</html>", "not JSON"},
           {R"({"kind":"ConfigMap"})", "not an event"},
           {R"({"type":"ADDED"})", "not an event"},
           {R"({"type":"RENAMED","object":{}})", "unknown type \"RENAMED\""},
           {R"([1,2,3])", "not an event"},
       }) {
    auto e = DecodeWatchLine(c.line);
    ASSERT_FALSE(e) << c.line;
    EXPECT_EQ(e.error().kind, Error::Kind::kDecode);
    EXPECT_NE(e.error().message.find(c.want), std::string::npos) << e.error().message;
  }
  WatchDecoder d;
  auto events = d.Feed("garbage\n" + kAdded + "\n");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_FALSE(events[0]);
  EXPECT_TRUE(events[1]);  // one bad line does not lose the next event
}

}  // namespace
}  // namespace gearbox::kube
