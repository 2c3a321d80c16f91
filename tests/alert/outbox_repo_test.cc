#include "store/outbox_repo.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "test_store.h"

namespace veille::store {
namespace {

using alert::testing::TempStore;

TEST(OutboxRepo, ListsRowsFilteredByStatusWithTheirRuleAndTitle) {
  TempStore db;
  db.AddMentions({"Un", "Deux"}, {"mail"}, 2000);
  ASSERT_TRUE(db.store().MarkDelivered(1, 2001));
  auto all = ListOutbox(db.store(), std::nullopt, 0);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  auto delivered = ListOutbox(db.store(), OutboxStatus::kDelivered, 0);
  ASSERT_TRUE(delivered);
  ASSERT_EQ(delivered->size(), 1u);
  EXPECT_EQ(delivered->front().rule, "marque");
  EXPECT_EQ(delivered->front().title.value_or(""), "Un");
  EXPECT_EQ(delivered->front().feed_name, "Presse");
  auto counts = CountOutbox(db.store());
  ASSERT_TRUE(counts);
  EXPECT_EQ((*counts)[OutboxStatus::kPending], 1);
  EXPECT_EQ((*counts)[OutboxStatus::kDelivered], 1);
}

TEST(OutboxRepo, ListsADerivedTitleForAnEntryWithoutOne) {
  TempStore db;
  db.AddMentions({""}, {"mail"}, 2000);  // a Mastodon post: no title, only text
  auto rows = ListOutbox(db.store(), std::nullopt, 0);
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().title.value_or("(null)"), alert::testing::kUntitledText);
  EXPECT_TRUE(rows->front().title_derived);
}

TEST(OutboxRepo, RetryPutsOnlyDeadDisabledOrRemovedRowsBackToPendingWithAFreshSchedule) {
  TempStore db;
  db.AddMentions({"Un", "Deux"}, {"mail"}, 2000);
  ASSERT_TRUE(db.store().MarkFailed(1, "550 no such user", 2000, true));
  ASSERT_TRUE(db.store().MarkDelivered(2, 2001));
  auto retried = RetryOutbox(db.store(), 1, 3000);
  ASSERT_TRUE(retried);
  EXPECT_TRUE(*retried);
  auto not_retried = RetryOutbox(db.store(), 2, 3000);
  ASSERT_TRUE(not_retried);
  EXPECT_FALSE(*not_retried) << "a delivered row is never sent again by retry";
  auto missing = RetryOutbox(db.store(), 99, 3000);
  ASSERT_TRUE(missing);
  EXPECT_FALSE(*missing);
  EXPECT_EQ(db.Statuses(), (std::vector<std::string>{"pending", "delivered"}));
  EXPECT_EQ(db.Scalar("SELECT attempts FROM outbox WHERE id = 1"), 0);
  EXPECT_EQ(db.Scalar("SELECT next_attempt_at FROM outbox WHERE id = 1"), 3000);
}

TEST(OutboxRepo, DueRowsComeGroupedOneGroupPerEntryOldestFirst) {
  TempStore db;
  db.AddEntryMatching("Rappel chez Orélia", {"marque", "crise"}, {"mail", "hook"}, 2000);
  db.AddMentions({"Seule"}, {"mail"}, 2100);
  // Rows: 1 marque/mail, 2 marque/hook, 3 crise/mail, 4 crise/hook, 5 Seule/mail.
  auto groups = DueAlertGroups(db.store(), "mail", 3000, 0);
  ASSERT_TRUE(groups) << groups.error().message;
  ASSERT_EQ(groups->size(), 2u);
  ASSERT_EQ((*groups)[0].size(), 2u) << "both rules of the first entry travel together";
  EXPECT_EQ((*groups)[0][0].id, 1);
  EXPECT_EQ((*groups)[0][1].id, 3);
  ASSERT_EQ((*groups)[1].size(), 1u);
  EXPECT_EQ((*groups)[1][0].id, 5);
  // The limit counts alerts, never splitting one.
  auto first = DueAlertGroups(db.store(), "mail", 3000, 1);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->size(), 1u);
  EXPECT_EQ(first->front().size(), 2u);
  // Not due yet: nothing.
  auto early = DueAlertGroups(db.store(), "mail", 1999, 0);
  ASSERT_TRUE(early);
  EXPECT_TRUE(early->empty());
  // Only pending rows, and only this channel's.
  ASSERT_TRUE(db.store().MarkDelivered(5, 3001));
  auto hook = DueAlertGroups(db.store(), "hook", 3000, 0);
  ASSERT_TRUE(hook);
  ASSERT_EQ(hook->size(), 1u);
  EXPECT_EQ(hook->front().size(), 2u);
  EXPECT_EQ(hook->front()[0].channel, "hook");
}

TEST(OutboxRepo, AGroupIsDueWhenAnyOfItsRowsIsAndComesWhole) {
  TempStore db;
  db.AddEntryMatching("Rappel chez Orélia", {"marque", "crise"}, {"mail"}, 2000);
  // Row 2 alone was retried later by hand: the group still goes out whole when row 1 is due.
  ASSERT_TRUE(db.store().MarkFailed(2, "451 later", 5000, false));
  auto groups = DueAlertGroups(db.store(), "mail", 2500, 0);
  ASSERT_TRUE(groups);
  ASSERT_EQ(groups->size(), 1u);
  EXPECT_EQ(groups->front().size(), 2u);
}

TEST(OutboxRepo, BurstWindowsCountMessagesNotRows) {
  TempStore db;
  db.AddEntryMatching("Rappel chez Orélia", {"marque", "crise"}, {"mail"}, 2000);
  db.AddMentions({"Seule"}, {"mail"}, 2000);
  ASSERT_TRUE(MarkDigestDelivered(db.store(), {1, 2}, "mail", "v1-merged", 2100, false));
  ASSERT_TRUE(db.store().MarkDelivered(3, 2100));
  auto sent = DeliveredSince(db.store(), "mail", 2000);
  ASSERT_TRUE(sent);
  EXPECT_EQ(*sent, 2) << "one merged alert and one single alert";
}

TEST(OutboxRepo, RetryAllDeadCountsTheRowsItRequeued) {
  TempStore db;
  db.AddMentions({"Un", "Deux", "Trois"}, {"mail"}, 2000);
  ASSERT_TRUE(db.store().MarkFailed(1, "550", 2000, true));
  ASSERT_TRUE(db.store().MarkFailed(3, "554", 2000, true));
  auto n = RetryAllDead(db.store(), 2500);
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 2);
  EXPECT_EQ(db.Statuses(), (std::vector<std::string>{"pending", "pending", "pending"}));
}

TEST(OutboxRepo, PendingRowsOfAChannelNoLongerConfiguredBecomeChannelRemoved) {
  TempStore db;
  db.AddMentions({"Un"}, {"mail", "hook", "journal"}, 2000);
  auto n = MarkChannelsRemoved(db.store(), {"journal", "mail"}, 2100);
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(db.Statuses(), (std::vector<std::string>{"pending", "channel_removed", "pending"}));
}

TEST(OutboxRepo, DisablingAnEndpointStopsItsPendingRowsAndRetryReenablesIt) {
  TempStore db;
  db.AddMentions({"Un", "Deux"}, {"hook"}, 2000);
  auto moved = DisableChannel(db.store(), "hook", "https://h.example/a", "HTTP 410", 2100);
  ASSERT_TRUE(moved);
  EXPECT_EQ(*moved, 2);
  auto reason = ChannelDisabledReason(db.store(), "hook", "https://h.example/a");
  ASSERT_TRUE(reason);
  EXPECT_EQ(reason->value_or(""), "HTTP 410");
  auto other = ChannelDisabledReason(db.store(), "hook", "https://h.example/new");
  ASSERT_TRUE(other);
  EXPECT_FALSE(other->has_value()) << "a new URL is a new endpoint";
  ASSERT_TRUE(RetryOutbox(db.store(), 1, 2200));
  auto after = ChannelDisabledReason(db.store(), "hook", "https://h.example/a");
  ASSERT_TRUE(after);
  EXPECT_FALSE(after->has_value());
  EXPECT_EQ(db.Statuses(), (std::vector<std::string>{"pending", "disabled"}));
}

TEST(OutboxRepo, DigestDeliveryMarksEveryRowAndRecordsTheDigestTime) {
  TempStore db;
  db.AddMentions({"Un", "Deux"}, {"mail"}, 2000);
  auto due = DueForChannel(db.store(), "mail", 2000, 0);
  ASSERT_TRUE(due);
  ASSERT_EQ(due->size(), 2u);
  ASSERT_TRUE(MarkDigestDelivered(db.store(), {(*due)[0].id, (*due)[1].id}, "mail", "digest-1",
                                  2600, true));
  EXPECT_EQ(db.Statuses(), (std::vector<std::string>{"delivered", "delivered"}));
  auto last = LastDigestAt(db.store(), "mail");
  ASSERT_TRUE(last);
  EXPECT_EQ(last->value_or(0), 2600);
  auto since = DeliveredSince(db.store(), "mail", 2500);
  ASSERT_TRUE(since);
  EXPECT_EQ(*since, 1) << "a digest is one message for the burst window";
  EXPECT_EQ(db.Scalar("SELECT COUNT(*) FROM outbox WHERE digest_key = 'digest-1'"), 2);
}

TEST(OutboxRepo, NextPendingAttemptLooksOnlyAtTheNamedChannels) {
  TempStore db;
  db.AddMentions({"Un"}, {"mail", "hook"}, 2000);
  ASSERT_TRUE(db.store().MarkFailed(1, "451", 2300, false));
  auto mail = NextPendingAttempt(db.store(), {"mail"});
  ASSERT_TRUE(mail);
  EXPECT_EQ(mail->value_or(0), 2300);
  auto none = NextPendingAttempt(db.store(), {"other"});
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
}

TEST(OutboxRepo, CanonicalLinkComesFromTheMentionsEntry) {
  TempStore db;
  db.AddMentions({"Un"}, {"mail"}, 2000);
  auto link = CanonicalLinkOf(db.store(), 1);
  ASSERT_TRUE(link);
  EXPECT_EQ(link->value_or(""), "https://a.example/canonical/1");
}

}  // namespace
}  // namespace veille::store
