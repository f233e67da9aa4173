// The expiring credential cache on a fake clock: one fetch while the credential is fresh, a new
// one when less than the margin is left, and a failure remembered (not retried) for its pause.
#include "metrics/expiring_cache.h"

#include <gtest/gtest.h>

namespace gearbox::metrics {
namespace {

TEST(ExpiringCache, ACredentialIsFetchedOnceThenAgainWhenLessThanTheMarginIsLeft) {
  kube::FakeClock clock;
  int calls = 0;
  ExpiringCache<std::string> cache(
      [&]() -> Result<Expiring<std::string>> {
        ++calls;
        return Expiring<std::string>{"token-" + std::to_string(calls), std::chrono::hours(1)};
      },
      clock, std::chrono::minutes(5));
  EXPECT_EQ(cache.Get().value(), "token-1");
  clock.Advance(std::chrono::minutes(54));
  EXPECT_EQ(cache.Get().value(), "token-1");
  clock.Advance(std::chrono::minutes(2));
  EXPECT_EQ(cache.Get().value(), "token-2");
  EXPECT_EQ(calls, 2);
}

TEST(ExpiringCache, AShortLivedCredentialIsRefreshedAtHalfItsLife) {
  kube::FakeClock clock;
  int calls = 0;
  ExpiringCache<int> cache(
      [&]() -> Result<Expiring<int>> {
        return Expiring<int>{++calls, std::chrono::minutes(4)};
      },
      clock, std::chrono::minutes(5));
  EXPECT_EQ(cache.Get().value(), 1);
  clock.Advance(std::chrono::minutes(1));
  EXPECT_EQ(cache.Get().value(), 1);
  clock.Advance(std::chrono::minutes(1));
  EXPECT_EQ(cache.Get().value(), 2);
}

TEST(ExpiringCache, AFailureIsReturnedWithoutAskingAgainUntilItsPauseHasPassed) {
  kube::FakeClock clock;
  int calls = 0;
  bool fail = true;
  ExpiringCache<int> cache(
      [&]() -> Result<Expiring<int>> {
        ++calls;
        if (fail) return Error::Of(Error::Kind::kTransport, "down");
        return Expiring<int>{7, std::chrono::hours(1)};
      },
      clock, std::chrono::minutes(5), std::chrono::seconds(10));
  EXPECT_FALSE(cache.Get());
  fail = false;
  clock.Advance(std::chrono::seconds(9));
  EXPECT_FALSE(cache.Get());
  EXPECT_EQ(calls, 1);
  clock.Advance(std::chrono::seconds(2));
  EXPECT_EQ(cache.Get().value(), 7);
  EXPECT_EQ(calls, 2);
}

}  // namespace
}  // namespace gearbox::metrics
