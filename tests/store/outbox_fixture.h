// The outbox repository's suites (outbox_repo_test.cc, outbox_events_test.cc) on both backends
// (store_backend.h): a store with one feed and helpers that commit mentions routed to channels,
// as the alert tests' TempStore (tests/alert/test_store.h) does on SQLite alone.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "store/outbox_repo.h"
#include "store/store.h"
#include "store_backend.h"

namespace veille::store::testing {

// How long the suites' claims last (DueAlertGroups, DueEvents): longer than any test.
inline constexpr std::int64_t kClaimMs = 60'000;

inline constexpr const char* kUntitledText = "Orélia lance une bouteille consignée pour ses eaux";

class OutboxFixture : public ::testing::TestWithParam<const StoreBackend*> {
 protected:
  void SetUp() override {
    location_ = GetParam()->Create(std::string("outbox-") +
                                   ::testing::UnitTest::GetInstance()->current_test_info()->name());
    auto s = Store::Open(location_, Access::kMigrate);
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(*s);
    auto ids = store_->SyncFeeds({{"https://a.example/feed", "Presse"}}, 1000);
    ASSERT_TRUE(ids) << ids.error().message;
    feed_id_ = (*ids)[0];
  }
  void TearDown() override {
    store_.reset();
    GetParam()->Remove(location_);
  }

  Store& store() { return *store_; }

  // One entry per title, each mentioning rule "marque" on `channels`; an empty title commits an
  // entry without one (a Mastodon post) whose summary is kUntitledText.
  void AddMentions(const std::vector<std::string>& titles, const std::vector<std::string>& channels,
                   UnixSeconds now) {
    DocumentCommit c = Commit(now);
    for (const auto& title : titles) {
      EntryRecord e = Entry(title, now);
      if (title.empty()) {
        e.title.reset();
        e.summary = kUntitledText;
      }
      MentionRecord m;
      m.rule = "marque";
      m.category = "brand";
      m.terms = {"Orélia"};
      m.snippet = "la marque Orélia innove";
      m.highlights = {{10, 17}};
      m.channels = channels;
      e.mentions.push_back(m);
      c.entries.push_back(e);
    }
    auto r = store_->CommitDocument(c);
    ASSERT_TRUE(r) << r.error().message;
  }

  // One entry titled `title` that every rule of `rules` matched, each routed to `channels`.
  void AddEntryMatching(const std::string& title, const std::vector<std::string>& rules,
                        const std::vector<std::string>& channels, UnixSeconds now) {
    DocumentCommit c = Commit(now);
    EntryRecord e = Entry(title, now);
    for (const auto& rule : rules) {
      MentionRecord m;
      m.rule = rule;
      m.category = rule == "crise" ? "crisis" : "brand";
      m.terms = {"Orélia"};
      m.snippet = "Orélia annonce un rappel";
      m.highlights = {{0, 7}};
      m.channels = channels;
      e.mentions.push_back(m);
    }
    c.entries.push_back(e);
    auto r = store_->CommitDocument(c);
    ASSERT_TRUE(r) << r.error().message;
  }

  // A spike event of rule "marque" in window `window`.
  static EventRecord Spike(const std::string& window, UnixSeconds at) {
    EventRecord e;
    e.kind = "spike";
    e.subject = "marque";
    e.window_key = window;
    e.title = "[veille] spike: marque";
    e.text = "12 mentions in an hour";
    e.payload = R"({"rule":"marque","count":12})";
    e.created_at = at;
    return e;
  }

  // The status of every outbox row, in id order, read with SQL of its own.
  std::vector<std::string> Statuses() {
    std::vector<std::string> out;
    const std::int64_t rows = Scalar("SELECT COUNT(*) FROM outbox");
    for (std::int64_t id = 1; id <= rows; ++id) {
      const std::int64_t status = Scalar(
          "SELECT CASE status WHEN 'pending' THEN 1 WHEN 'delivered' THEN 2 WHEN 'dead' THEN 3 "
          "WHEN 'disabled' THEN 4 WHEN 'channel_removed' THEN 5 WHEN 'suppressed' THEN 6 ELSE 7 "
          "END FROM outbox WHERE id = " +
          std::to_string(id));
      static const char* const kNames[] = {"(no row)", "pending",         "delivered",  "dead",
                                           "disabled", "channel_removed", "suppressed", "(other)"};
      out.emplace_back(kNames[status]);
    }
    return out;
  }

  std::int64_t Scalar(const std::string& sql) {
    auto n = GetParam()->Run(*store_, location_, sql);
    EXPECT_TRUE(n) << sql << ": " << n.error().message;
    return n ? *n : -1;
  }

  std::string location_;

 private:
  DocumentCommit Commit(UnixSeconds now) const {
    DocumentCommit c;
    c.feed.feed_id = feed_id_;
    c.feed.fetched_at = now;
    c.feed.next_due_at = now + 1800;
    return c;
  }
  EntryRecord Entry(const std::string& title, UnixSeconds now) {
    EntryRecord e;
    e.key = "key-" + title + "-" + std::to_string(counter_++);
    e.title = title;
    e.link = "https://a.example/" + std::to_string(counter_);
    e.canonical_link = "https://a.example/canonical/" + std::to_string(counter_);
    e.author = "Jeanne";
    e.published_at = now - 60;
    return e;
  }

  std::unique_ptr<Store> store_;
  std::int64_t feed_id_ = 0;
  int counter_ = 0;
};

}  // namespace veille::store::testing
