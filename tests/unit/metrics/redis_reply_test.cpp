// Reading Redis replies as the queue source does (metrics/redis_reply.h), on replies decoded by
// hiredis from bytes as a server would send them.
#include "metrics/redis_reply.h"

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <memory>
#include <string>

namespace gearbox::metrics {
namespace {

// The first reply hiredis decodes from `bytes`.
std::shared_ptr<redisReply> Decode(const std::string& bytes) {
  std::unique_ptr<redisReader, void (*)(redisReader*)> reader(redisReaderCreate(), redisReaderFree);
  void* reply = nullptr;
  if (redisReaderFeed(reader.get(), bytes.data(), bytes.size()) != REDIS_OK ||
      redisReaderGetReply(reader.get(), &reply) != REDIS_OK || reply == nullptr) {
    return nullptr;
  }
  return {static_cast<redisReply*>(reply), freeReplyObject};
}

TEST(JobReadyAtMs, TimestampPlusDelayAndNoneForAJobThatIsGone) {
  auto both = Decode("*2\r\n$13\r\n1700000000000\r\n$4\r\n5000\r\n");
  ASSERT_TRUE(both);
  auto ready = JobReadyAtMs(ReplyStrings(*both));
  ASSERT_TRUE(ready.ok());
  EXPECT_EQ(**ready, 1700000005000.0);

  auto gone = Decode("*2\r\n$-1\r\n$-1\r\n");
  ASSERT_TRUE(gone);
  auto none = JobReadyAtMs(ReplyStrings(*gone));
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

// Found by tests/fuzz/redis_reply_fuzz.cpp (corpus/redis_reply/job_timestamp_nan): strtod read
// "nane" as NaN, and "x" as 0, a job waiting since 1970.
TEST(JobReadyAtMs, AFieldThatIsNotAFiniteNumberIsAnErrorNotAWait) {
  auto nan = Decode("*2\r\n$4\r\nnane\r\n*0\r\n");
  ASSERT_TRUE(nan);
  auto ready = JobReadyAtMs(ReplyStrings(*nan));
  ASSERT_FALSE(ready.ok());
  EXPECT_EQ(ready.error().kind, Error::Kind::kDecode);
  EXPECT_EQ(ready.error().message.find("nane"), std::string::npos)
      << "a job's contents are not quoted: " << ready.error().message;

  for (const char* text : {"x", "inf", "1e999", "12abc", ""}) {
    EXPECT_FALSE(JobReadyAtMs({std::string(text), std::nullopt}).ok()) << text;
    EXPECT_FALSE(JobReadyAtMs({std::string("1"), std::string(text)}).ok()) << text;
  }
  EXPECT_FALSE(JobReadyAtMs({std::string("1e308"), std::string("1e308")}).ok());
}

TEST(ReplyStreamGroup, CountsOfTheNamedGroupAndErrorsThatSayWhy) {
  auto groups = Decode(
      "*2\r\n*4\r\n$4\r\nname\r\n$5\r\nother\r\n$7\r\npending\r\n:9\r\n"
      "*6\r\n$4\r\nname\r\n$1\r\ng\r\n$7\r\npending\r\n:2\r\n$3\r\nlag\r\n:7\r\n");
  ASSERT_TRUE(groups);
  auto counts = ReplyStreamGroup(*groups, "redis", "s", "g");
  ASSERT_TRUE(counts.ok()) << counts.error().message;
  EXPECT_EQ(counts->lag, 7);
  EXPECT_EQ(counts->pending, 2);
  EXPECT_EQ(ReplyStreamGroup(*groups, "redis", "s", "other").error().kind, Error::Kind::kNoData);
  EXPECT_EQ(ReplyStreamGroup(*groups, "redis", "s", "none").error().kind, Error::Kind::kNoData);
  auto integer = Decode(":1\r\n");
  EXPECT_EQ(ReplyStreamGroup(*integer, "redis", "s", "g").error().kind, Error::Kind::kDecode);
}

// Redis Cluster: the masters' slot ranges, entries not of the shape left out.
TEST(ClusterSlots, MastersAreReadAndMalformedEntriesLeftOut) {
  auto reply = Decode(
      "*4\r\n"
      "*3\r\n:0\r\n:5460\r\n*3\r\n$9\r\n127.0.0.1\r\n:7000\r\n$2\r\nid\r\n"
      "*3\r\n:5461\r\n:10922\r\n*2\r\n$0\r\n\r\n:7001\r\n"    // "": the host asked
      "*3\r\n:10923\r\n:99999\r\n*2\r\n$1\r\nx\r\n:7002\r\n"  // a slot out of range
      "*2\r\n:1\r\n:2\r\n");                                  // no master
  ASSERT_TRUE(reply);
  auto ranges = ReplyClusterSlots(*reply);
  ASSERT_EQ(ranges.size(), 2u);
  EXPECT_EQ(ranges[0].first, 0);
  EXPECT_EQ(ranges[0].last, 5460);
  EXPECT_EQ(ranges[0].host, "127.0.0.1");
  EXPECT_EQ(ranges[0].port, 7000);
  EXPECT_EQ(ranges[1].host, "");
  EXPECT_EQ(ranges[1].port, 7001);
  auto not_an_array = Decode("+OK\r\n");
  EXPECT_TRUE(ReplyClusterSlots(*not_an_array).empty());
}

}  // namespace
}  // namespace gearbox::metrics
