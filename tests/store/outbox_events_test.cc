// Operator events (spike and feed-health alerts, store/outbox_repo.h) and the mention counts
// their baselines read, on both backends (store_backend.h: SQLite in store_outbox_test,
// PostgreSQL in store_pg_test).
#include <gtest/gtest.h>

#include "outbox_fixture.h"
#include "store/outbox_repo.h"

namespace veille::store {
namespace {

class OutboxEvents : public testing::OutboxFixture {};

TEST_P(OutboxEvents, AnEventIsRecordedOncePerWindowWithOneRowPerChannel) {
  auto first = RecordEvent(store(), Spike("2026-12-07T08", 5000), {"ops", "mail"});
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_TRUE(*first);
  auto again = RecordEvent(store(), Spike("2026-12-07T08", 5100), {"ops", "mail"});
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_FALSE(*again) << "the same window says nothing new";
  auto next = RecordEvent(store(), Spike("2026-12-07T09", 8600), {"ops"});
  ASSERT_TRUE(next);
  EXPECT_TRUE(*next);
  auto rows = ListEvents(store(), 0);
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].event.window_key, "2026-12-07T09") << "newest first";
  EXPECT_EQ((*rows)[1].channel, "mail");
  EXPECT_EQ((*rows)[2].channel, "ops");
  EXPECT_EQ((*rows)[2].event.payload, R"({"rule":"marque","count":12})");
  EXPECT_EQ((*rows)[2].status, OutboxStatus::kPending);
  EXPECT_EQ((*rows)[2].next_attempt_at, 5000);
  EXPECT_EQ((*rows)[2].idempotency_key.rfind("ev1-", 0), 0u);
  EXPECT_NE((*rows)[1].idempotency_key, (*rows)[2].idempotency_key);
  auto limited = ListEvents(store(), 1);
  ASSERT_TRUE(limited);
  EXPECT_EQ(limited->size(), 1u);
}

TEST_P(OutboxEvents, TheIdempotencyKeyIsTheSameOnEveryDatabase) {
  // A takeover (`db copy`, another daemon) repeats an event only with the same key.
  ASSERT_TRUE(RecordEvent(store(), Spike("w", 5000), {"ops"}));
  auto rows = ListEvents(store(), 0);
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().idempotency_key, "ev1-17d10b7686db71e16702017799907288");
}

TEST_P(OutboxEvents, DueEventsFollowTheirLifeCycle) {
  ASSERT_TRUE(RecordEvent(store(), Spike("a", 5000), {"ops"}));
  ASSERT_TRUE(RecordEvent(store(), Spike("b", 5000), {"ops"}));
  auto early = DueEvents(store(), "ops", 4999, 10, testing::kClaimMs);
  ASSERT_TRUE(early) << early.error().message;
  EXPECT_TRUE(early->empty());
  auto due = DueEvents(store(), "ops", 5000, 10, testing::kClaimMs);
  ASSERT_TRUE(due);
  ASSERT_EQ(due->size(), 2u);
  ASSERT_TRUE(MarkEventDelivered(store(), (*due)[0].id, 5001));
  ASSERT_TRUE(MarkEventFailed(store(), (*due)[1].id, "HTTP 503", 5600, false));
  auto after = DueEvents(store(), "ops", 5500, 10, testing::kClaimMs);
  ASSERT_TRUE(after);
  EXPECT_TRUE(after->empty()) << "delivered, and the other waits until 5600";
  auto retry = DueEvents(store(), "ops", 5600, 10, testing::kClaimMs);
  ASSERT_TRUE(retry);
  ASSERT_EQ(retry->size(), 1u);
  EXPECT_EQ(retry->front().attempts, 1);
  EXPECT_EQ(retry->front().last_error.value_or(""), "HTTP 503");
  ASSERT_TRUE(MarkEventFailed(store(), retry->front().id, "HTTP 410", 5700, true));
  auto dead = DueEvents(store(), "ops", 9000, 10, testing::kClaimMs);
  ASSERT_TRUE(dead);
  EXPECT_TRUE(dead->empty());
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM event_outbox WHERE status = 'dead'"), 1);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM event_outbox WHERE status = 'delivered' "
                   "AND delivered_at = 5001 AND last_error IS NULL"),
            1);
  auto other = DueEvents(store(), "mail", 9000, 10, testing::kClaimMs);
  ASSERT_TRUE(other);
  EXPECT_TRUE(other->empty()) << "only the channel's own rows";
}

TEST_P(OutboxEvents, ARetryPutsADeadOrPendingEventBackInTheQueueDueNow) {
  // The web inbox's /alerts: "Retry" on a dead event, "Send now" on a pending one.
  ASSERT_TRUE(RecordEvent(store(), Spike("a", 5000), {"ops", "mail", "chat"}));
  auto rows = ListEvents(store(), 0);
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 3u);
  const std::int64_t dead = (*rows)[0].id, pending = (*rows)[1].id, delivered = (*rows)[2].id;
  const std::string dead_channel = (*rows)[0].channel;
  ASSERT_TRUE(MarkEventFailed(store(), dead, "refused", 6000, true));
  ASSERT_TRUE(MarkEventFailed(store(), pending, "timeout", 9000, false));
  ASSERT_TRUE(MarkEventDelivered(store(), delivered, 5500));
  for (const std::int64_t id : {dead, pending}) {
    auto retried = RetryEvent(store(), id, 7000);
    ASSERT_TRUE(retried) << retried.error().message;
    EXPECT_TRUE(*retried) << id;
  }
  auto retried = RetryEvent(store(), delivered, 7000);
  ASSERT_TRUE(retried);
  EXPECT_FALSE(*retried) << "a delivered event is not sent again";
  retried = RetryEvent(store(), 987654, 7000);
  ASSERT_TRUE(retried);
  EXPECT_FALSE(*retried);
  rows = ListEvents(store(), 0);
  ASSERT_TRUE(rows);
  for (const auto& r : *rows) {
    if (r.id == delivered) {
      EXPECT_EQ(r.status, OutboxStatus::kDelivered);
      continue;
    }
    EXPECT_EQ(r.status, OutboxStatus::kPending) << r.id;
    EXPECT_EQ(r.attempts, 0) << "a fresh retry schedule";
    EXPECT_EQ(r.next_attempt_at, 7000) << "due now";
  }
  auto due = DueEvents(store(), dead_channel, 7000, 10, testing::kClaimMs);
  ASSERT_TRUE(due);
  EXPECT_EQ(due->size(), 1u) << "the dispatcher sees it";
}

TEST_P(OutboxEvents, MentionCountsBucketMentionsByWindow) {
  constexpr UnixSeconds kNow = 1'800'000'000;
  AddMentions({"a", "b"}, {}, kNow - 7200 + 10);
  AddMentions({"c"}, {}, kNow - 10);
  AddMentions({"old"}, {}, kNow - 4 * 3600);
  auto counts = MentionCounts(store(), "marque", kNow - 3 * 3600, kNow, 3600);
  ASSERT_TRUE(counts) << counts.error().message;
  EXPECT_EQ(*counts, (std::vector<int>{0, 2, 1}));
  auto other = MentionCounts(store(), "crise", kNow - 3 * 3600, kNow, 3600);
  ASSERT_TRUE(other);
  EXPECT_EQ(*other, (std::vector<int>{0, 0, 0}));
}

TEST_P(OutboxEvents, TheEarliestMentionSaysHowMuchHistoryThereIs) {
  auto none = EarliestMention(store());
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_FALSE(none->has_value());
  AddMentions({"b"}, {}, 3000);
  AddMentions({"a"}, {}, 2000);
  auto first = EarliestMention(store());
  ASSERT_TRUE(first);
  EXPECT_EQ(first->value_or(0), 2000);
}

}  // namespace

#ifndef VEILLE_STORE_TEST_POSTGRES
INSTANTIATE_TEST_SUITE_P(Backend, OutboxEvents, ::testing::Values(testing::SqliteBackendForTests()),
                         testing::BackendName());
#else
INSTANTIATE_TEST_SUITE_P(Backend, OutboxEvents,
                         ::testing::Values(testing::PostgresBackendForTests()),
                         testing::BackendName());
#endif
}  // namespace veille::store
