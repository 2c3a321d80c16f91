#include "alert/dispatcher.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <map>
#include <thread>

#include "store/outbox_repo.h"
#include "test_store.h"

namespace veille::alert {
namespace {

using testing::TempStore;

// A transport that answers from a script and records what it was given.
class ScriptedTransport : public Transport {
 public:
  std::deque<Delivery> script;  // empty: delivered
  std::vector<std::string> ids;
  std::vector<std::size_t> digest_sizes;
  std::string endpoint;

  Delivery Next() {
    if (script.empty()) return Delivery{};
    Delivery d = script.front();
    script.pop_front();
    return d;
  }
  Delivery Deliver(const Alert& alert) override {
    ids.push_back(alert.outbox.idempotency_key);
    std::string rules;
    for (const auto* m : alert.Mentions()) rules += (rules.empty() ? "" : ",") + m->rule;
    alert_rules.push_back(rules);
    alert_entities.push_back(EntitiesOf(alert));
    return Next();
  }
  // "Alpéa,-": each rule's entity, "-" for none.
  static std::string EntitiesOf(const Alert& alert) {
    std::string entities;
    for (const auto* m : alert.Mentions()) {
      entities += (entities.empty() ? "" : ",") + alert.EntityOf(*m).value_or("-");
    }
    return entities;
  }
  Delivery DeliverDigest(const Digest& digest) override {
    ids.push_back(digest.key);
    digest_sizes.push_back(digest.alerts.size());
    for (const Alert& a : digest.alerts) digest_rules.push_back(a.Mentions().size());
    for (const Alert& a : digest.alerts) digest_entities.push_back(EntitiesOf(a));
    return Next();
  }
  std::vector<std::string> alert_rules;      // "marque,crise" per alert delivered one by one
  std::vector<std::string> alert_entities;   // "Alpéa,-" per alert delivered one by one
  std::vector<std::string> digest_entities;  // per article, every digest
  std::vector<std::size_t> digest_rules;     // rules per article, every digest
  Delivery DeliverEvent(const EventMessage& event) override {
    ids.push_back(event.key);
    events.push_back(event.title);
    return Next();
  }
  std::string Endpoint() const override { return endpoint; }
  std::vector<std::string> events;
};

Delivery Retry(bool channel_wide = false, std::optional<std::int64_t> retry_after = {}) {
  Delivery d;
  d.status = Delivery::Status::kRetry;
  d.error = "temporary";
  d.channel_wide = channel_wide;
  d.retry_after_s = retry_after;
  return d;
}

Delivery Status(Delivery::Status s, std::string error) {
  Delivery d;
  d.status = s;
  d.error = std::move(error);
  return d;
}

TEST(RetryDelay, FollowsTheScheduleWithinTwentyPercentAndEndsAfterNineRetries) {
  std::mt19937_64 rng(7);
  const std::int64_t base[] = {5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400};
  for (int attempt = 1; attempt <= 9; ++attempt) {
    for (int i = 0; i < 50; ++i) {
      const auto d = RetryDelay(attempt, rng);
      ASSERT_TRUE(d);
      EXPECT_GE(*d, base[attempt - 1] * 4 / 5) << attempt;
      EXPECT_LE(*d, base[attempt - 1] * 6 / 5) << attempt;
    }
  }
  EXPECT_FALSE(RetryDelay(10, rng));
}

TEST(Dispatcher, DeliversEachDueRowOnceWithItsStableKey) {
  TempStore db;
  db.AddMentions({"Un", "Deux"}, {"mail"}, 2000);
  auto t = std::make_shared<ScriptedTransport>();
  Dispatcher d(db.store(), 1);
  d.SetTransport("mail", t);
  auto s = d.DeliverDue(2000);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->delivered, 2);
  auto again = d.DeliverDue(5000);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->delivered, 0);
  ASSERT_EQ(t->ids.size(), 2u);
  EXPECT_NE(t->ids[0], t->ids[1]);
  EXPECT_EQ(db.Statuses(), (std::vector<std::string>{"delivered", "delivered"}));
}

TEST(Dispatcher, TwoRulesMatchingOneEntrySendOneAlertWithTheFirstRowsKey) {
  TempStore db;
  db.AddEntryMatching("Rappel chez Orélia", {"marque", "crise"}, {"mail"}, 2000);
  db.AddMentions({"Autre"}, {"mail"}, 2000);
  auto t = std::make_shared<ScriptedTransport>();
  Dispatcher d(db.store(), 1);
  d.SetTransport("mail", t);
  auto s = d.DeliverDue(2000);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->delivered, 3) << "rows";
  EXPECT_EQ(s->messages, 2) << "one alert per article";
  EXPECT_EQ(t->alert_rules, (std::vector<std::string>{"marque,crise", "marque"}));
  auto rows = store::ListOutbox(db.store(), std::nullopt, 0);
  ASSERT_TRUE(rows);
  std::map<std::int64_t, store::OutboxListRow> by_id;
  for (const auto& r : *rows) by_id[r.row.id] = r;
  EXPECT_EQ(t->ids[0], by_id[1].row.idempotency_key);
  // Each row of the merged alert is delivered and names the message that carried it.
  EXPECT_EQ(db.Statuses(), (std::vector<std::string>{"delivered", "delivered", "delivered"}));
  EXPECT_EQ(by_id[1].digest_key.value_or(""), by_id[1].row.idempotency_key);
  EXPECT_EQ(by_id[2].digest_key.value_or(""), by_id[1].row.idempotency_key);
  EXPECT_FALSE(by_id[3].digest_key.has_value());
}

TEST(Dispatcher, AMergedAlertIsRetriedWholeWithTheSameKeyAcrossARestart) {
  TempStore db;
  db.AddEntryMatching("Rappel chez Orélia", {"marque", "crise"}, {"mail"}, 2000);
  auto t = std::make_shared<ScriptedTransport>();
  t->script = {Retry()};
  {
    Dispatcher d(db.store(), 1);
    d.SetTransport("mail", t);
    auto s = d.DeliverDue(2000);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->retried, 2);
  }
  EXPECT_EQ(db.Scalar("SELECT COUNT(DISTINCT next_attempt_at) FROM outbox"), 1);
  EXPECT_EQ(db.Scalar("SELECT MIN(attempts) FROM outbox"), 1);
  // A new dispatcher (a restarted daemon) sends the same alert under the same key.
  Dispatcher restarted(db.store(), 2);
  restarted.SetTransport("mail", t);
  auto s = restarted.DeliverDue(db.Scalar("SELECT next_attempt_at FROM outbox LIMIT 1"));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->messages, 1);
  ASSERT_EQ(t->ids.size(), 2u);
  EXPECT_EQ(t->ids[0], t->ids[1]);
  EXPECT_EQ(t->alert_rules, (std::vector<std::string>{"marque,crise", "marque,crise"}));
  EXPECT_EQ(db.Statuses(), (std::vector<std::string>{"delivered", "delivered"}));
  EXPECT_EQ(db.Scalar("SELECT MIN(attempts) FROM outbox"), 2);
}

TEST(Dispatcher, AMergedAlertThatFailsForGoodTakesEveryRowDead) {
  TempStore db;
  db.AddEntryMatching("Rappel chez Orélia", {"marque", "crise"}, {"mail"}, 2000);
  auto t = std::make_shared<ScriptedTransport>();
  t->script = {Status(Delivery::Status::kDead, "550 no such user")};
  Dispatcher d(db.store(), 1);
  d.SetTransport("mail", t);
  auto s = d.DeliverDue(2000);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->dead, 2);
  EXPECT_EQ(db.Statuses(), (std::vector<std::string>{"dead", "dead"}));
  // `veille outbox retry --all-dead` brings the alert back whole.
  ASSERT_TRUE(store::RetryAllDead(db.store(), 3000));
  ASSERT_TRUE(d.DeliverDue(3000));
  EXPECT_EQ(t->alert_rules, (std::vector<std::string>{"marque,crise", "marque,crise"}));
  EXPECT_EQ(db.Statuses(), (std::vector<std::string>{"delivered", "delivered"}));
}

TEST(Dispatcher, ADigestListsEachArticleOnceWithItsRules) {
  TempStore db;
  db.AddEntryMatching("Rappel chez Orélia", {"marque", "crise"}, {"daily"}, 2000);
  db.AddMentions({"Autre"}, {"daily"}, 2000);
  auto t = std::make_shared<ScriptedTransport>();
  ChannelPolicy policy;
  policy.digest = true;
  policy.digest_schedule.every = DigestSchedule::Every::kHourly;
  policy.digest_schedule.minute_of_day = 0;
  Dispatcher d(db.store(), 1);
  d.SetTransport("daily", t, policy);
  d.SetRuleEntities({{"marque", "Alpéa"}, {"crise", "crise"}});
  ASSERT_TRUE(d.DeliverDue(1000));  // the schedule starts
  auto s = d.DeliverDue(3600 + 10);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->delivered, 3);
  ASSERT_EQ(t->digest_sizes, (std::vector<std::size_t>{2}));
  EXPECT_EQ(t->digest_rules, (std::vector<std::size_t>{2, 1}));
  EXPECT_EQ(t->digest_entities, (std::vector<std::string>{"Alpéa,crise", "Alpéa"}));
}

// Issue 19: alerts name who each rule is about, from the configuration in force when the alert
// is loaded: a reload (RegisterTransports calls SetRuleEntities again) changes the next attempts.
TEST(Dispatcher, AlertsNameTheEntitiesOfTheConfigurationInForceWhenTheyAreLoaded) {
  TempStore db;
  db.AddEntryMatching("Rappel chez Orélia", {"marque", "crise"}, {"mail"}, 2000);
  auto t = std::make_shared<ScriptedTransport>();
  t->script = {Retry(), Retry()};
  Dispatcher d(db.store(), 1);
  d.SetTransport("mail", t);
  ASSERT_TRUE(d.DeliverDue(2000));           // no configuration handed over: no entity
  d.SetRuleEntities({{"marque", "Alpéa"}});  // "crise" is not in this configuration
  ASSERT_TRUE(d.DeliverDue(db.Scalar("SELECT next_attempt_at FROM outbox LIMIT 1")));
  d.SetRuleEntities({{"marque", "Orélia"}, {"crise", "Alpéa"}});  // the reload
  ASSERT_TRUE(d.DeliverDue(db.Scalar("SELECT next_attempt_at FROM outbox LIMIT 1")));
  EXPECT_EQ(t->alert_entities, (std::vector<std::string>{"-,-", "Alpéa,-", "Orélia,Alpéa"}));
  EXPECT_EQ(db.Statuses(), (std::vector<std::string>{"delivered", "delivered"}));
}

TEST(Dispatcher, ARetryWaitsForItsBackoffAndKeepsTheSameKey) {
  TempStore db;
  db.AddMentions({"Un"}, {"mail"}, 2000);
  auto t = std::make_shared<ScriptedTransport>();
  t->script = {Retry(), Retry()};
  Dispatcher d(db.store(), 1);
  d.SetTransport("mail", t);
  ASSERT_TRUE(d.DeliverDue(2000));
  const auto next = db.Scalar("SELECT next_attempt_at FROM outbox");
  EXPECT_GE(next, 2004);
  EXPECT_LE(next, 2006);
  ASSERT_TRUE(d.DeliverDue(next - 1));
  EXPECT_EQ(t->ids.size(), 1u) << "no attempt before the backoff ends";
  ASSERT_TRUE(d.DeliverDue(next));
  ASSERT_TRUE(d.DeliverDue(db.Scalar("SELECT next_attempt_at FROM outbox")));
  ASSERT_EQ(t->ids.size(), 3u);
  EXPECT_EQ(t->ids[0], t->ids[2]);
  EXPECT_EQ(db.Statuses(), (std::vector<std::string>{"delivered"}));
  EXPECT_EQ(db.Scalar("SELECT attempts FROM outbox"), 3);
}

TEST(Dispatcher, APermanentFailureGoesDeadAfterOneAttemptWithTheReason) {
  TempStore db;
  db.AddMentions({"Un"}, {"mail"}, 2000);
  auto t = std::make_shared<ScriptedTransport>();
  t->script = {Status(Delivery::Status::kDead, "550 5.1.1 no such user")};
  Dispatcher d(db.store(), 1);
  d.SetTransport("mail", t);
  auto s = d.DeliverDue(2000);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->dead, 1);
  ASSERT_EQ(s->notices.size(), 1u);
  ASSERT_TRUE(d.DeliverDue(900000));
  EXPECT_EQ(t->ids.size(), 1u);
  EXPECT_EQ(db.Statuses(), (std::vector<std::string>{"dead"}));
  auto rows = store::ListOutbox(db.store(), store::OutboxStatus::kDead, 0);
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows->front().row.last_error.value_or(""), "550 5.1.1 no such user");
}

TEST(Dispatcher, AChannelWideFailureHoldsTheWholeChannelWithOneAttemptPerStep) {
  TempStore db;
  db.AddMentions({"Un", "Deux", "Trois"}, {"mail"}, 2000);
  auto t = std::make_shared<ScriptedTransport>();
  t->script = {Retry(true), Retry(true)};
  Dispatcher d(db.store(), 1);
  d.SetTransport("mail", t);
  auto s = d.DeliverDue(2000);
  ASSERT_TRUE(s);
  EXPECT_EQ(t->ids.size(), 1u) << "the other alerts are not tried while the server is down";
  EXPECT_EQ(s->notices.size(), 1u);
  ASSERT_TRUE(d.DeliverDue(2001));
  EXPECT_EQ(t->ids.size(), 1u) << "held: no retry storm";
  auto next = d.NextAttempt(2001);
  ASSERT_TRUE(next);
  ASSERT_TRUE(*next);
  EXPECT_GE(**next, 2004);
  ASSERT_TRUE(d.DeliverDue(**next));
  EXPECT_EQ(t->ids.size(), 2u);
  const auto held = db.Scalar("SELECT MAX(next_attempt_at) FROM outbox");
  auto recovered = d.DeliverDue(held + 400);
  ASSERT_TRUE(recovered);
  EXPECT_EQ(recovered->delivered, 3);
  EXPECT_EQ(recovered->notices, (std::vector<std::string>{"channel mail recovered"}));
}

TEST(Dispatcher, RetryAfterIsHonouredEvenWhenLongerThanTheBackoff) {
  TempStore db;
  db.AddMentions({"Un"}, {"hook"}, 2000);
  auto t = std::make_shared<ScriptedTransport>();
  t->script = {Retry(true, 120)};
  Dispatcher d(db.store(), 1);
  d.SetTransport("hook", t);
  ASSERT_TRUE(d.DeliverDue(2000));
  EXPECT_EQ(db.Scalar("SELECT next_attempt_at FROM outbox"), 2120);
  ASSERT_TRUE(d.DeliverDue(2119));
  EXPECT_EQ(t->ids.size(), 1u) << "no attempt before Retry-After";
  ASSERT_TRUE(d.DeliverDue(2120));
  EXPECT_EQ(t->ids.size(), 2u);
}

TEST(Dispatcher, A410DisablesTheEndpointAndStopsEveryPendingAlert) {
  TempStore db;
  db.AddMentions({"Un", "Deux"}, {"hook"}, 2000);
  auto t = std::make_shared<ScriptedTransport>();
  t->endpoint = "https://h.example/a";
  t->script = {Status(Delivery::Status::kDisable, "HTTP 410 Gone")};
  Dispatcher d(db.store(), 1);
  d.SetTransport("hook", t);
  auto s = d.DeliverDue(2000);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->disabled, 2);
  db.AddMentions({"Trois"}, {"hook"}, 2100);
  ASSERT_TRUE(d.DeliverDue(999999));
  EXPECT_EQ(t->ids.size(), 1u) << "attempts after a 410: none";
  EXPECT_EQ(db.Statuses(), (std::vector<std::string>{"disabled", "disabled", "disabled"}));
  // A new URL is a new endpoint.
  t->endpoint = "https://h.example/new";
  ASSERT_TRUE(store::RetryOutbox(db.store(), 3, 1000000));
  ASSERT_TRUE(d.DeliverDue(1000000));
  EXPECT_EQ(t->ids.size(), 2u);
}

TEST(Dispatcher, RowsOfChannelsNoLongerConfiguredBecomeChannelRemoved) {
  TempStore db;
  db.AddMentions({"Un"}, {"old", "mail"}, 2000);
  auto t = std::make_shared<ScriptedTransport>();
  Dispatcher d(db.store(), 1);
  d.SetTransport("mail", t);
  d.SetConfiguredChannels({"mail"});
  auto s = d.DeliverDue(2000);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->removed, 1);
  EXPECT_EQ(db.Statuses(), (std::vector<std::string>{"channel_removed", "delivered"}));
}

TEST(Dispatcher, AConfiguredChannelWithoutTransportKeepsItsAlertsPending) {
  TempStore db;
  db.AddMentions({"Un"}, {"mail"}, 2000);
  Dispatcher d(db.store(), 1);
  d.SetConfiguredChannels({"mail"});
  ASSERT_TRUE(d.DeliverDue(2000));
  EXPECT_EQ(db.Statuses(), (std::vector<std::string>{"pending"}));
}

TEST(Dispatcher, QuietHoursHoldAlertsUntilTheWindowEnds) {
  TempStore db;
  constexpr UnixSeconds kMidnight = 1795564800;
  db.AddMentions({"Un"}, {"mail"}, kMidnight + 3600);
  auto t = std::make_shared<ScriptedTransport>();
  ChannelPolicy policy;
  policy.quiet = QuietHours{22 * 60, 7 * 60};
  Dispatcher d(db.store(), 1);
  d.SetTransport("mail", t, policy);
  ASSERT_TRUE(d.DeliverDue(kMidnight + 3600));
  EXPECT_TRUE(t->ids.empty());
  ASSERT_TRUE(d.DeliverDue(kMidnight + 7 * 3600));
  EXPECT_EQ(t->ids.size(), 1u);
}

TEST(Dispatcher, ABurstPastTheLimitIsFoldedIntoOneSummary) {
  TempStore db;
  db.AddMentions({"1", "2", "3", "4", "5"}, {"mail"}, 2000);
  auto t = std::make_shared<ScriptedTransport>();
  ChannelPolicy policy;
  policy.burst_limit = 2;
  Dispatcher d(db.store(), 1);
  d.SetTransport("mail", t, policy);
  auto s = d.DeliverDue(2000);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->delivered, 5);
  EXPECT_EQ(s->messages, 3);
  EXPECT_EQ(t->digest_sizes, (std::vector<std::size_t>{3}));
  EXPECT_EQ(std::count_if(t->ids.begin(), t->ids.end(),
                          [](const std::string& id) { return id.rfind("burst-", 0) == 0; }),
            1);
}

TEST(Dispatcher, ADigestChannelSendsOneMessageAtItsSlotAndNothingWhenEmpty) {
  TempStore db;
  constexpr UnixSeconds kMidnight = 1795564800;
  auto t = std::make_shared<ScriptedTransport>();
  ChannelPolicy policy;
  policy.digest = true;
  policy.digest_schedule = DigestSchedule{DigestSchedule::Every::kDaily, 8 * 60};
  Dispatcher d(db.store(), 1);
  d.SetTransport("mail", t, policy);
  ASSERT_TRUE(d.DeliverDue(kMidnight + 3600));  // starts the schedule
  db.AddMentions({"Un", "Deux"}, {"mail"}, kMidnight + 2 * 3600);
  ASSERT_TRUE(d.DeliverDue(kMidnight + 3 * 3600));
  EXPECT_TRUE(t->ids.empty()) << "held until 08:00";
  auto s = d.DeliverDue(kMidnight + 8 * 3600);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->delivered, 2);
  EXPECT_EQ(t->digest_sizes, (std::vector<std::size_t>{2}));
  ASSERT_TRUE(d.DeliverDue(kMidnight + 86400 + 8 * 3600));
  EXPECT_EQ(t->ids.size(), 1u) << "nothing to say: nothing sent";
}

TEST(Dispatcher, ADaemonWithoutTheMaintenanceLockSendsAlertsButNoDigestAndRemovesNothing) {
  // Several daemons on one database (docs/scaling.md, "Alert delivery"): every one delivers the
  // alerts it claims; only the maintenance daemon sends digests and marks removed channels.
  TempStore db;
  constexpr UnixSeconds kMidnight = 1795564800;
  auto mail = std::make_shared<ScriptedTransport>();
  auto daily = std::make_shared<ScriptedTransport>();
  ChannelPolicy policy;
  policy.digest = true;
  policy.digest_schedule = DigestSchedule{DigestSchedule::Every::kDaily, 8 * 60};
  Dispatcher d(db.store(), 1);
  d.SetTransport("mail", mail);
  d.SetTransport("daily", daily, policy);
  ASSERT_TRUE(d.DeliverDue(kMidnight + 3600));  // starts the digest schedule
  db.AddMentions({"Un"}, {"mail", "daily", "old"}, kMidnight + 2 * 3600);
  d.SetMaintainer(false);
  d.SetConfiguredChannels({"mail", "daily"});  // a reload without channel "old"
  auto s = d.DeliverDue(kMidnight + 9 * 3600);
  ASSERT_TRUE(s);
  EXPECT_EQ(mail->ids.size(), 1u) << "an alert is sent by any daemon";
  EXPECT_TRUE(daily->ids.empty()) << "a digest only by the maintenance daemon";
  EXPECT_EQ(s->removed, 0);
  EXPECT_EQ(db.Statuses(), (std::vector<std::string>{"delivered", "pending", "pending"}));
  d.SetMaintainer(true);  // the lock came to this daemon
  s = d.DeliverDue(kMidnight + 9 * 3600);
  ASSERT_TRUE(s);
  EXPECT_EQ(daily->digest_sizes, (std::vector<std::size_t>{1}));
  EXPECT_EQ(s->removed, 1);
  EXPECT_EQ(db.Statuses(), (std::vector<std::string>{"delivered", "delivered", "channel_removed"}));
}

TEST(Dispatcher, AnEventFailingChannelWideHoldsItsChannelOnTheAlertsSchedule) {
  // Events and alerts share one retry and hold policy (it used to be written twice).
  TempStore db;
  store::EventRecord event;
  event.kind = "spike";
  event.subject = "marque";
  event.window_key = "w1";
  event.title = "pic";
  event.created_at = 2000;
  ASSERT_TRUE(store::RecordEvent(db.store(), event, {"ops"}));
  db.AddMentions({"Un"}, {"ops"}, 2000);
  auto t = std::make_shared<ScriptedTransport>();
  t->script = {Retry(true)};
  Dispatcher d(db.store(), 1);
  d.SetTransport("ops", t);
  auto s = d.DeliverDue(2000);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(t->ids.size(), 1u) << "the alert waits with the event: the channel is held";
  ASSERT_EQ(s->notices.size(), 1u);
  EXPECT_EQ(s->notices[0].rfind("channel ops held for ", 0), 0u) << s->notices[0];
  auto events = store::ListEvents(db.store(), 0);
  ASSERT_TRUE(events);
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ(events->front().attempts, 1);
  EXPECT_GE(events->front().next_attempt_at, 2004) << "5 s +- 20 %, as for an alert";
  EXPECT_LE(events->front().next_attempt_at, 2006);
  EXPECT_EQ(db.Scalar("SELECT attempts FROM outbox"), 0);
  auto later = d.DeliverDue(2010);
  ASSERT_TRUE(later);
  EXPECT_EQ(later->events, 1);
  EXPECT_EQ(later->delivered, 1);
  EXPECT_EQ(later->notices, (std::vector<std::string>{"channel ops recovered"}));
}

TEST(Dispatcher, StopsStartingAttemptsWhenTheBudgetIsSpent) {
  TempStore db;
  db.AddMentions({"Un", "Deux"}, {"mail"}, 2000);
  class Slow : public ScriptedTransport {
   public:
    Delivery Deliver(const Alert& alert) override {
      budgets.push_back(alert.budget_ms);
      std::this_thread::sleep_for(std::chrono::milliseconds(60));
      return ScriptedTransport::Deliver(alert);
    }
    std::vector<std::int64_t> budgets;
  };
  auto t = std::make_shared<Slow>();
  Dispatcher d(db.store(), 1);
  d.SetTransport("mail", t);
  ASSERT_TRUE(d.DeliverDue(2000, 1000, 50));
  ASSERT_EQ(t->budgets.size(), 1u);
  EXPECT_GT(t->budgets[0], 0);
  EXPECT_LE(t->budgets[0], 50);
  EXPECT_EQ(db.Statuses(), (std::vector<std::string>{"delivered", "pending"}));
}

}  // namespace
}  // namespace veille::alert
