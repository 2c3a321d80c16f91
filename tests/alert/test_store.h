// A real SQLite store in a temporary directory with a feed and helpers to add mentions.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "store/internal.h"
#include "store/store.h"

namespace veille::alert::testing {

inline constexpr const char* kUntitledText = "Orélia lance une bouteille consignée pour ses eaux";

class TempStore {
 public:
  TempStore() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("veille-alert-" + std::to_string(::getpid()) + "-" + info->test_suite_name() + "-" +
            info->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto s = store::Store::Open((dir_ / "veille.db").string(), store::Access::kMigrate);
    EXPECT_TRUE(s) << (s ? "" : s.error().message);
    store_ = std::move(*s);
    auto ids = store_->SyncFeeds({{"https://a.example/feed", "Presse"}}, 1000);
    EXPECT_TRUE(ids);
    feed_id_ = (*ids)[0];
  }
  ~TempStore() {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  TempStore(const TempStore&) = delete;
  TempStore& operator=(const TempStore&) = delete;

  store::Store& store() { return *store_; }
  std::string path() const { return (dir_ / "veille.db").string(); }
  const std::filesystem::path& dir() const { return dir_; }

  // Commits one entry per title, each mentioning rule "marque" on `channels`. An empty title
  // commits an entry without one (a Mastodon post) whose summary is kUntitledText.
  void AddMentions(const std::vector<std::string>& titles, const std::vector<std::string>& channels,
                   UnixSeconds now, bool alerts_enabled = true) {
    store::DocumentCommit c;
    c.feed.feed_id = feed_id_;
    c.feed.fetched_at = now;
    c.feed.next_due_at = now + 1800;
    c.alerts_enabled = alerts_enabled;
    for (const auto& title : titles) {
      store::EntryRecord e;
      e.key = "key-" + title + "-" + std::to_string(counter_++);
      if (title.empty()) {
        e.summary = kUntitledText;
      } else {
        e.title = title;
      }
      e.link = "https://a.example/" + std::to_string(counter_);
      e.canonical_link = "https://a.example/canonical/" + std::to_string(counter_);
      e.author = "Jeanne";
      e.published_at = now - 60;
      store::MentionRecord m;
      m.rule = "marque";
      m.category = "brand";
      m.terms = {"Orélia"};
      m.snippet = "la marque Orélia <b>lance</b> & innove";
      m.highlights = {{10, 17}};
      m.channels = channels;
      e.mentions.push_back(m);
      c.entries.push_back(e);
    }
    auto r = store_->CommitDocument(c);
    ASSERT_TRUE(r) << r.error().message;
  }

  // Commits one entry titled `title` that `rules` all matched, each routed to `channels`; the
  // first rule is "marque" in the usual fixtures. Returns nothing; rows are written in rule order.
  void AddEntryMatching(const std::string& title, const std::vector<std::string>& rules,
                        const std::vector<std::string>& channels, UnixSeconds now,
                        const std::string& link = "") {
    store::DocumentCommit c;
    c.feed.feed_id = feed_id_;
    c.feed.fetched_at = now;
    c.feed.next_due_at = now + 1800;
    store::EntryRecord e;
    e.key = "key-" + title + "-" + std::to_string(counter_++);
    e.title = title;
    e.link = link.empty() ? "https://a.example/" + std::to_string(counter_) : link;
    e.canonical_link = "https://a.example/canonical/" + std::to_string(counter_);
    e.published_at = now - 60;
    for (const auto& rule : rules) {
      store::MentionRecord m;
      m.rule = rule;
      m.category = rule == "crise" ? "crisis" : "brand";
      m.terms = {rule == "crise" ? "rappel" : "Orélia"};
      m.snippet = rule == "crise" ? "Orélia annonce un rappel de lots" : "la marque Orélia innove";
      m.highlights = {{0, 7}};
      m.channels = channels;
      e.mentions.push_back(m);
    }
    c.entries.push_back(e);
    auto r = store_->CommitDocument(c);
    ASSERT_TRUE(r) << r.error().message;
  }

  // status of every outbox row, by id order.
  std::vector<std::string> Statuses() {
    std::vector<std::string> out;
    auto stmt = DatabaseOf(*store_).Prepare("SELECT status FROM outbox ORDER BY id");
    EXPECT_TRUE(stmt);
    while (*stmt->Step()) out.push_back(stmt->Text(0));
    return out;
  }

  std::int64_t Scalar(const std::string& sql) {
    auto stmt = DatabaseOf(*store_).Prepare(sql);
    EXPECT_TRUE(stmt) << sql;
    auto row = stmt->Step();
    EXPECT_TRUE(row && *row) << sql;
    return stmt->Int(0);
  }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::int64_t feed_id_ = 0;
  int counter_ = 0;
};

}  // namespace veille::alert::testing
