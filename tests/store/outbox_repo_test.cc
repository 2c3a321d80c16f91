// The outbox repository (store/outbox_repo.h) on both backends (store_backend.h: SQLite in
// store_outbox_test, PostgreSQL in store_pg_test): alert rows, retries, channels, digests.
#include "store/outbox_repo.h"

#include <gtest/gtest.h>

#include "outbox_fixture.h"

namespace veille::store {
namespace {

class OutboxRepo : public testing::OutboxFixture {};

TEST_P(OutboxRepo, ListsRowsFilteredByStatusWithTheirRuleAndTitle) {
  AddMentions({"Un", "Deux"}, {"mail"}, 2000);
  ASSERT_TRUE(store().MarkDelivered(1, 2001));
  auto all = ListOutbox(store(), std::nullopt, 0);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  auto delivered = ListOutbox(store(), OutboxStatus::kDelivered, 0);
  ASSERT_TRUE(delivered);
  ASSERT_EQ(delivered->size(), 1u);
  EXPECT_EQ(delivered->front().rule, "marque");
  EXPECT_EQ(delivered->front().title.value_or(""), "Un");
  EXPECT_EQ(delivered->front().feed_name, "Presse");
  auto counts = CountOutbox(store());
  ASSERT_TRUE(counts);
  EXPECT_EQ((*counts)[OutboxStatus::kPending], 1);
  EXPECT_EQ((*counts)[OutboxStatus::kDelivered], 1);
}

TEST_P(OutboxRepo, APageOfTheListIsTheNewestRowsNewestFirst) {
  AddMentions({"Un", "Deux", "Trois", "Quatre"}, {"mail"}, 2000);
  auto ids = [](const Result<std::vector<OutboxListRow>>& rows) {
    std::vector<std::int64_t> out;
    if (rows) {
      for (const auto& r : *rows) out.push_back(r.row.id);
    }
    return out;
  };
  auto all = ListOutbox(store(), std::nullopt, 0);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 4u);
  const std::int64_t newest = all->front().row.id;
  EXPECT_EQ(ids(ListOutbox(store(), std::nullopt, 2)),
            (std::vector<std::int64_t>{newest, newest - 1}));
  ASSERT_TRUE(store().MarkDelivered(newest, 2001));
  EXPECT_EQ(ids(ListOutbox(store(), OutboxStatus::kPending, 2)),
            (std::vector<std::int64_t>{newest - 1, newest - 2}));
  auto delivered = ListOutbox(store(), OutboxStatus::kDelivered, 2);
  ASSERT_TRUE(delivered);
  ASSERT_EQ(delivered->size(), 1u);
  EXPECT_EQ(delivered->front().title.value_or(""), "Quatre") << "the page's rows keep their join";
}

TEST_P(OutboxRepo, ListsADerivedTitleForAnEntryWithoutOne) {
  AddMentions({""}, {"mail"}, 2000);  // a Mastodon post: no title, only text
  auto rows = ListOutbox(store(), std::nullopt, 0);
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().title.value_or("(null)"), testing::kUntitledText);
  EXPECT_TRUE(rows->front().title_derived);
}

TEST_P(OutboxRepo, RetryPutsOnlyDeadDisabledOrRemovedRowsBackToPendingWithAFreshSchedule) {
  AddMentions({"Un", "Deux"}, {"mail"}, 2000);
  ASSERT_TRUE(store().MarkFailed(1, "550 no such user", 2000, true));
  ASSERT_TRUE(store().MarkDelivered(2, 2001));
  auto retried = RetryOutbox(store(), 1, 3000);
  ASSERT_TRUE(retried);
  EXPECT_TRUE(*retried);
  auto not_retried = RetryOutbox(store(), 2, 3000);
  ASSERT_TRUE(not_retried);
  EXPECT_FALSE(*not_retried) << "a delivered row is never sent again by retry";
  auto missing = RetryOutbox(store(), 99, 3000);
  ASSERT_TRUE(missing);
  EXPECT_FALSE(*missing);
  EXPECT_EQ(Statuses(), (std::vector<std::string>{"pending", "delivered"}));
  EXPECT_EQ(Scalar("SELECT attempts FROM outbox WHERE id = 1"), 0);
  EXPECT_EQ(Scalar("SELECT next_attempt_at FROM outbox WHERE id = 1"), 3000);
}

TEST_P(OutboxRepo, DueRowsComeGroupedOneGroupPerEntryOldestFirst) {
  AddEntryMatching("Rappel chez Orélia", {"marque", "crise"}, {"mail", "hook"}, 2000);
  AddMentions({"Seule"}, {"mail"}, 2100);
  // Rows: 1 marque/mail, 2 marque/hook, 3 crise/mail, 4 crise/hook, 5 Seule/mail.
  auto groups = DueAlertGroups(store(), "mail", 3000, 0, testing::kClaimMs);
  ASSERT_TRUE(groups) << groups.error().message;
  ASSERT_EQ(groups->size(), 2u);
  ASSERT_EQ((*groups)[0].size(), 2u) << "both rules of the first entry travel together";
  EXPECT_EQ((*groups)[0][0].id, 1);
  EXPECT_EQ((*groups)[0][1].id, 3);
  ASSERT_EQ((*groups)[1].size(), 1u);
  EXPECT_EQ((*groups)[1][0].id, 5);
  // The limit counts alerts, never splitting one.
  auto first = DueAlertGroups(store(), "mail", 3000, 1, testing::kClaimMs);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->size(), 1u);
  EXPECT_EQ(first->front().size(), 2u);
  // Not due yet: nothing.
  auto early = DueAlertGroups(store(), "mail", 1999, 0, testing::kClaimMs);
  ASSERT_TRUE(early);
  EXPECT_TRUE(early->empty());
  // Only pending rows, and only this channel's.
  ASSERT_TRUE(store().MarkDelivered(5, 3001));
  auto hook = DueAlertGroups(store(), "hook", 3000, 0, testing::kClaimMs);
  ASSERT_TRUE(hook);
  ASSERT_EQ(hook->size(), 1u);
  EXPECT_EQ(hook->front().size(), 2u);
  EXPECT_EQ(hook->front()[0].channel, "hook");
}

TEST_P(OutboxRepo, AGroupIsDueWhenAnyOfItsRowsIsAndComesWhole) {
  AddEntryMatching("Rappel chez Orélia", {"marque", "crise"}, {"mail"}, 2000);
  // Row 2 alone was retried later by hand: the group still goes out whole when row 1 is due.
  ASSERT_TRUE(store().MarkFailed(2, "451 later", 5000, false));
  auto groups = DueAlertGroups(store(), "mail", 2500, 0, testing::kClaimMs);
  ASSERT_TRUE(groups);
  ASSERT_EQ(groups->size(), 1u);
  EXPECT_EQ(groups->front().size(), 2u);
}

TEST_P(OutboxRepo, BurstWindowsCountMessagesNotRows) {
  AddEntryMatching("Rappel chez Orélia", {"marque", "crise"}, {"mail"}, 2000);
  AddMentions({"Seule"}, {"mail"}, 2000);
  ASSERT_TRUE(MarkDigestDelivered(store(), {1, 2}, "mail", "v1-merged", 2100, false));
  ASSERT_TRUE(store().MarkDelivered(3, 2100));
  auto sent = DeliveredSince(store(), "mail", 2000);
  ASSERT_TRUE(sent);
  EXPECT_EQ(*sent, 2) << "one merged alert and one single alert";
}

TEST_P(OutboxRepo, RetryAllDeadCountsTheRowsItRequeued) {
  AddMentions({"Un", "Deux", "Trois"}, {"mail"}, 2000);
  ASSERT_TRUE(store().MarkFailed(1, "550", 2000, true));
  ASSERT_TRUE(store().MarkFailed(3, "554", 2000, true));
  auto n = RetryAllDead(store(), 2500);
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 2);
  EXPECT_EQ(Statuses(), (std::vector<std::string>{"pending", "pending", "pending"}));
}

TEST_P(OutboxRepo, PendingRowsOfAChannelNoLongerConfiguredBecomeChannelRemoved) {
  AddMentions({"Un"}, {"mail", "hook", "journal"}, 2000);
  auto n = MarkChannelsRemoved(store(), {"journal", "mail"}, 2100);
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(Statuses(), (std::vector<std::string>{"pending", "channel_removed", "pending"}));
}

TEST_P(OutboxRepo, DisablingAnEndpointStopsItsPendingRowsAndRetryReenablesIt) {
  AddMentions({"Un", "Deux"}, {"hook"}, 2000);
  auto moved = DisableChannel(store(), "hook", "https://h.example/a", "HTTP 410", 2100);
  ASSERT_TRUE(moved);
  EXPECT_EQ(*moved, 2);
  auto reason = ChannelDisabledReason(store(), "hook", "https://h.example/a");
  ASSERT_TRUE(reason);
  EXPECT_EQ(reason->value_or(""), "HTTP 410");
  auto other = ChannelDisabledReason(store(), "hook", "https://h.example/new");
  ASSERT_TRUE(other);
  EXPECT_FALSE(other->has_value()) << "a new URL is a new endpoint";
  ASSERT_TRUE(RetryOutbox(store(), 1, 2200));
  auto after = ChannelDisabledReason(store(), "hook", "https://h.example/a");
  ASSERT_TRUE(after);
  EXPECT_FALSE(after->has_value());
  EXPECT_EQ(Statuses(), (std::vector<std::string>{"pending", "disabled"}));
}

TEST_P(OutboxRepo, DigestDeliveryMarksEveryRowAndRecordsTheDigestTime) {
  AddMentions({"Un", "Deux"}, {"mail"}, 2000);
  auto due = DueForChannel(store(), "mail", 2000, 0);
  ASSERT_TRUE(due);
  ASSERT_EQ(due->size(), 2u);
  ASSERT_TRUE(
      MarkDigestDelivered(store(), {(*due)[0].id, (*due)[1].id}, "mail", "digest-1", 2600, true));
  EXPECT_EQ(Statuses(), (std::vector<std::string>{"delivered", "delivered"}));
  auto last = LastDigestAt(store(), "mail");
  ASSERT_TRUE(last);
  EXPECT_EQ(last->value_or(0), 2600);
  auto since = DeliveredSince(store(), "mail", 2500);
  ASSERT_TRUE(since);
  EXPECT_EQ(*since, 1) << "a digest is one message for the burst window";
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM outbox WHERE digest_key = 'digest-1'"), 2);
}

TEST_P(OutboxRepo, NextPendingAttemptLooksOnlyAtTheNamedChannels) {
  AddMentions({"Un"}, {"mail", "hook"}, 2000);
  ASSERT_TRUE(store().MarkFailed(1, "451", 2300, false));
  auto mail = NextPendingAttempt(store(), {"mail"});
  ASSERT_TRUE(mail);
  EXPECT_EQ(mail->value_or(0), 2300);
  auto none = NextPendingAttempt(store(), {"other"});
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
}

TEST_P(OutboxRepo, CanonicalLinkComesFromTheMentionsEntry) {
  AddMentions({"Un"}, {"mail"}, 2000);
  auto link = CanonicalLinkOf(store(), 1);
  ASSERT_TRUE(link);
  EXPECT_EQ(link->value_or(""), "https://a.example/canonical/1");
}

TEST_P(OutboxRepo, TheAlertsOfMentionsComeOldestFirst) {
  AddMentions({"Un"}, {"mail", "hook"}, 2000);
  AddMentions({"Deux"}, {"mail"}, 2100);
  auto rows = OutboxOfMentions(store(), {2, 1});
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].mention_id, 1);
  EXPECT_EQ((*rows)[0].channel, "mail");
  EXPECT_EQ((*rows)[1].channel, "hook");
  EXPECT_EQ((*rows)[2].mention_id, 2);
  EXPECT_EQ((*rows)[2].next_attempt_at, 2100);
  auto none = OutboxOfMentions(store(), {});
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST_P(OutboxRepo, ListingHonoursTheLimitNewestFirst) {
  AddMentions({"Un"}, {"mail"}, 2000);
  AddMentions({"Deux"}, {"mail"}, 2100);
  AddMentions({"Trois"}, {"mail"}, 2200);
  auto rows = ListOutbox(store(), OutboxStatus::kPending, 2);
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].title.value_or(""), "Trois");
  EXPECT_EQ((*rows)[1].title.value_or(""), "Deux");
  EXPECT_FALSE((*rows)[0].digest_key);
}

TEST_P(OutboxRepo, SuppressedRowsAreGroupedByReasonWithTheirFeeds) {
  DocumentCommit first;  // a feed's first poll: recorded, not sent
  auto feeds = store().SyncFeeds({{"https://b.example/feed", "B"}}, 1000);
  ASSERT_TRUE(feeds);
  first.feed.feed_id = (*feeds)[0];
  first.feed.fetched_at = 2000;
  first.feed.next_due_at = 3800;
  first.alerts_enabled = false;
  for (const char* key : {"x", "y"}) {
    EntryRecord e;
    e.key = key;
    e.title = key;
    MentionRecord m;
    m.rule = "marque";
    m.category = "brand";
    m.snippet = "Orélia";
    m.channels = {"mail"};
    e.mentions.push_back(m);
    first.entries.push_back(e);
  }
  ASSERT_TRUE(store().CommitDocument(first));
  AddMentions({"Un"}, {"mail"}, 2000);
  auto groups = CountSuppressed(store());
  ASSERT_TRUE(groups) << groups.error().message;
  ASSERT_EQ(groups->size(), 1u);
  EXPECT_EQ(groups->front().reason, kFirstPollReason);
  EXPECT_EQ(groups->front().rows, 2);
  EXPECT_EQ(groups->front().feeds, 1);
  auto counts = CountOutbox(store());
  ASSERT_TRUE(counts);
  EXPECT_EQ((*counts)[OutboxStatus::kSuppressed], 2);
  EXPECT_EQ((*counts)[OutboxStatus::kPending], 1);
}

TEST_P(OutboxRepo, RetryAllPendingMakesOnlyWaitingRowsDueNow) {
  AddMentions({"Un", "Deux"}, {"mail"}, 2000);
  ASSERT_TRUE(store().MarkFailed(1, "451 later", 5000, false));
  auto n = RetryAllPending(store(), 3000);
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(*n, 1) << "row 2 was already due";
  EXPECT_EQ(Scalar("SELECT next_attempt_at FROM outbox WHERE id = 1"), 3000);
  EXPECT_EQ(Scalar("SELECT attempts FROM outbox WHERE id = 1"), 0);
  EXPECT_EQ(Scalar("SELECT next_attempt_at FROM outbox WHERE id = 2"), 2000);
}

TEST_P(OutboxRepo, AFailedDigestGivesEveryRowTheSameErrorAndTime) {
  AddMentions({"Un", "Deux", "Trois"}, {"mail"}, 2000);
  ASSERT_TRUE(MarkDigestFailed(store(), {1, 2}, "421 busy", 2600, false));
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM outbox WHERE last_error = '421 busy' "
                   "AND next_attempt_at = 2600 AND attempts = 1 AND status = 'pending'"),
            2);
  ASSERT_TRUE(MarkDigestFailed(store(), {3}, "550 refused", 2600, true));
  EXPECT_EQ(Statuses(), (std::vector<std::string>{"pending", "pending", "dead"}));
  auto due = DueForChannel(store(), "mail", 2599, 0);
  ASSERT_TRUE(due);
  EXPECT_TRUE(due->empty());
  auto later = DueForChannel(store(), "mail", 2600, 1);
  ASSERT_TRUE(later);
  ASSERT_EQ(later->size(), 1u) << "the limit";
  EXPECT_EQ(later->front().id, 1);
}

TEST_P(OutboxRepo, TheDigestTimeIsKeptPerChannel) {
  auto never = LastDigestAt(store(), "mail");
  ASSERT_TRUE(never) << never.error().message;
  EXPECT_FALSE(never->has_value());
  ASSERT_TRUE(SetLastDigestAt(store(), "mail", 4000));
  ASSERT_TRUE(SetLastDigestAt(store(), "mail", 4100));
  ASSERT_TRUE(DisableChannel(store(), "mail", "smtp://x", "gone", 4200));
  auto last = LastDigestAt(store(), "mail");
  ASSERT_TRUE(last);
  EXPECT_EQ(last->value_or(0), 4100) << "disabling keeps the digest time";
  auto other = LastDigestAt(store(), "hook");
  ASSERT_TRUE(other);
  EXPECT_FALSE(other->has_value());
}

TEST_P(OutboxRepo, MissingMentionsHaveNoCanonicalLink) {
  auto link = CanonicalLinkOf(store(), 42);
  ASSERT_TRUE(link) << link.error().message;
  EXPECT_FALSE(link->has_value());
}

}  // namespace

#ifndef VEILLE_STORE_TEST_POSTGRES
INSTANTIATE_TEST_SUITE_P(Backend, OutboxRepo, ::testing::Values(testing::SqliteBackendForTests()),
                         testing::BackendName());
#else
INSTANTIATE_TEST_SUITE_P(Backend, OutboxRepo, ::testing::Values(testing::PostgresBackendForTests()),
                         testing::BackendName());
#endif
}  // namespace veille::store
