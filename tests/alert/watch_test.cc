// Spike and feed-health alerts: the pure decisions, then events recorded once per window and
// delivered through a channel.
#include "alert/watch.h"

#include <gtest/gtest.h>

#include "alert/dispatcher.h"
#include "alert/payload.h"
#include "store/outbox_repo.h"
#include "test_store.h"

namespace veille::alert {
namespace {

using testing::TempStore;

constexpr UnixSeconds kNow = 1795638610;

TEST(DetectSpike, NeedsBothTheMinimumCountAndThreeSigmasAboveTheMean) {
  const std::vector<int> quiet(336, 0);
  EXPECT_FALSE(DetectSpike(quiet, 4, {}).spike) << "below the minimum count";
  EXPECT_TRUE(DetectSpike(quiet, 5, {}).spike);
  std::vector<int> busy(336, 10);
  for (std::size_t i = 0; i < busy.size(); i += 2) busy[i] = 20;  // mean 15, sigma 5
  const SpikeCheck at = DetectSpike(busy, 29, {});
  EXPECT_DOUBLE_EQ(at.mean, 15);
  EXPECT_DOUBLE_EQ(at.stddev, 5);
  EXPECT_FALSE(at.spike) << "29 < 15 + 3 x 5";
  EXPECT_TRUE(DetectSpike(busy, 30, {}).spike);
}

TEST(AssessFeed, ReportsGoneBrokenAndSilentFeedsOncePerEpisode) {
  store::FeedRow feed;
  feed.name = "Presse";
  feed.last_success_at = kNow - 86400;
  EXPECT_FALSE(AssessFeed(feed, 30, kNow, {}).unhealthy);
  feed.consecutive_failures = 5;
  feed.last_error = "HTTP 500";
  const FeedHealthCheck broken = AssessFeed(feed, 30, kNow, {});
  EXPECT_TRUE(broken.unhealthy);
  EXPECT_EQ(broken.state, "broken");
  EXPECT_NE(broken.reason.find("HTTP 500"), std::string::npos);
  feed.consecutive_failures = 6;
  EXPECT_EQ(AssessFeed(feed, 30, kNow, {}).window_key, broken.window_key)
      << "the same episode until a success";
  feed.state = FeedState::kGone;
  EXPECT_EQ(AssessFeed(feed, 30, kNow, {}).state, "gone");
}

TEST(AssessFeed, SilentMeansMuchLongerThanTheUsualGapAndAtLeastTwoDays) {
  store::FeedRow feed;
  feed.name = "Blog";
  feed.last_new_entry_at = kNow - 3 * 86400;
  // 30 entries in 30 days: one a day; ten days of silence are needed.
  EXPECT_FALSE(AssessFeed(feed, 30, kNow, {}).unhealthy);
  feed.last_new_entry_at = kNow - 11 * 86400;
  EXPECT_EQ(AssessFeed(feed, 30, kNow, {}).state, "silent");
  // 300 entries in 30 days: ten a day; still at least two days.
  feed.last_new_entry_at = kNow - 86400;
  EXPECT_FALSE(AssessFeed(feed, 300, kNow, {}).unhealthy);
  feed.last_new_entry_at = kNow - 3 * 86400;
  EXPECT_TRUE(AssessFeed(feed, 300, kNow, {}).unhealthy);
  EXPECT_FALSE(AssessFeed(feed, 2, kNow, {}).unhealthy) << "no cadence known: no verdict";
}

class RecordingTransport : public Transport {
 public:
  Delivery Deliver(const Alert&) override { return {}; }
  Delivery DeliverDigest(const Digest&) override { return {}; }
  Delivery DeliverEvent(const EventMessage& event) override {
    events.push_back(event);
    return {};
  }
  std::vector<EventMessage> events;
};

TEST(RunWatches, ASpikeIsRecordedOncePerWindowAndDeliveredToItsChannel) {
  TempStore db;
  for (int day = 14; day >= 1; --day) db.AddMentions({"baseline"}, {}, kNow - day * 86400);
  db.AddMentions({"1", "2", "3", "4", "5", "6"}, {}, kNow - 600);
  WatchConfig config;
  config.spike_channels["marque"] = {"ops"};
  auto first = RunWatches(db.store(), config, kNow);
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_EQ(first->size(), 2u) << "the last hour and the last day";
  EXPECT_NE(first->front().find("spike: marque: 6 mentions"), std::string::npos) << first->front();
  auto again = RunWatches(db.store(), config, kNow + 60);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->empty()) << "at most once per window";

  auto t = std::make_shared<RecordingTransport>();
  Dispatcher d(db.store(), 1);
  d.SetTransport("ops", t);
  auto stats = d.DeliverDue(kNow + 60);
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->events, 2);
  ASSERT_EQ(t->events.size(), 2u);
  EXPECT_EQ(t->events[0].kind, "spike");
  EXPECT_EQ(t->events[0].key.rfind("ev1-", 0), 0u);
  const auto body = nlohmann::json::parse(EventBody(WebhookFormat::kJson, t->events[0]));
  EXPECT_EQ(body["type"], "spike.detected");
  EXPECT_EQ(body["details"]["rule"], "marque");
  EXPECT_EQ(body["details"]["count"], 6);
  ASSERT_TRUE(d.DeliverDue(kNow + 120));
  EXPECT_EQ(t->events.size(), 2u) << "each event once";
}

TEST(RunWatches, NoSpikeIsReportedBeforeAWeekOfHistory) {
  TempStore db;
  db.AddMentions({"1", "2", "3", "4", "5", "6", "7", "8"}, {}, kNow - 6 * 86400);
  db.AddMentions({"1", "2", "3", "4", "5", "6", "7", "8"}, {}, kNow - 600);
  WatchConfig config;
  config.spike_channels["marque"] = {"ops"};
  auto events = RunWatches(db.store(), config, kNow);
  ASSERT_TRUE(events);
  EXPECT_TRUE(events->empty());
}

TEST(RunWatches, ABrokenFeedIsReportedToTheOperatorChannelOnce) {
  TempStore db;
  auto feeds = db.store().ListFeeds();
  ASSERT_TRUE(feeds);
  store::FeedUpdate u;
  u.feed_id = feeds->front().id;
  u.fetched_at = kNow;
  u.outcome = Outcome::kHttp5xx;
  u.error = "HTTP 503";
  u.state = FeedState::kFailing;
  u.consecutive_failures = 7;
  u.next_due_at = kNow + 3600;
  ASSERT_TRUE(db.store().UpdateFeed(u));
  WatchConfig config;
  config.health_channels = {"ops"};
  config.feed_urls = {feeds->front().url};
  auto events = RunWatches(db.store(), config, kNow);
  ASSERT_TRUE(events);
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ(events->front(), "[veille] feed broken: Presse");
  auto again = RunWatches(db.store(), config, kNow + 600);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->empty());
  auto rows = store::ListEvents(db.store(), 0);
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().channel, "ops");
  EXPECT_NE(rows->front().event.text.find("HTTP 503"), std::string::npos);
}

}  // namespace
}  // namespace veille::alert
