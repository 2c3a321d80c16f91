// The monitor end to end in-process: a real local HTTP server (cpp-httplib), a real SQLite file,
// and a fake wall clock.
#include "pipeline/monitor.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>

#include "store/retention.h"
#include "tests/common/local_server.h"
#include "tests/pipeline/growing_feed.h"

namespace veille::pipeline {
namespace {

constexpr const char* kFeed = R"(<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>T</title><link>https://t.example/</link>
<item><title>Orélia ouvre une boutique</title><link>https://t.example/1</link><guid>1</guid></item>
<item><title>Rien à voir</title><link>https://t.example/2</link><guid>2</guid></item>
</channel></rss>)";

class MonitorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Get("/feed.xml", [this](const httplib::Request& req, httplib::Response& res) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        if_none_match_.push_back(req.get_header_value("If-None-Match"));
      }
      if (req.get_header_value("If-None-Match") == "\"e1\"") {
        // The wall clock jumps while this conditional poll is under way (the loop waits in the
        // fetcher; a 304 is staged and committed as soon as it arrives, in the same turn).
        clock_ += jump_during_conditional_.exchange(0);
        res.status = 304;
        return;
      }
      res.set_header("ETag", "\"e1\"");
      res.set_content(kFeed, "application/rss+xml");
    });
    server_.Get("/old.xml", [this](const httplib::Request&, httplib::Response& res) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        ++old_hits_;
      }
      res.status = 301;
      res.set_header("Location", "/feed.xml");
    });
    // Security review finding 1: a 301 with two Locations, the feed then a local file.
    server_.Get("/dupe.xml", [this](const httplib::Request&, httplib::Response& res) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        ++dupe_hits_;
      }
      res.status = 301;
      res.set_header("Location", "/feed.xml");
      res.set_header("Location", "file://" + (dir_ / "private.xml").string());
    });
    server_.Get("/gone.xml", [this](const httplib::Request&, httplib::Response& res) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        ++gone_hits_;
      }
      res.status = 410;
    });
    server_.Get("/growing.xml", [this](const httplib::Request&, httplib::Response& res) {
      int n = 0;
      {
        std::lock_guard<std::mutex> lock(mu_);
        n = ++growing_hits_;
      }
      res.set_content(test_support::GrowingRss(n), "application/rss+xml");
    });
    port_ = test_support::StartLocalServer(server_, thread_);
    dir_ = std::filesystem::temp_directory_path() /
           ("veille-monitor-" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    server_.stop();
    thread_.join();
    std::filesystem::remove_all(dir_);
  }

  config::Config Config(const std::string& path = "/feed.xml") {
    const std::string text =
        "[daemon]\ndatabase = \"v.db\"\n[polling]\nallow_private = [\"127.0.0.1:" +
        std::to_string(port_) + "\"]\n[[feed]]\nurl = \"http://127.0.0.1:" + std::to_string(port_) +
        path +
        "\"\nname = \"T\"\n[[rule]]\nname = \"marque\"\nquery = "
        "'Orélia'\n";
    auto c = config::ParseConfig(text, (dir_ / "veille.toml").string());
    EXPECT_TRUE(c) << c.error().message;
    return *c;
  }

  // /feed.xml polled every 10 s.
  config::Config EveryTenSeconds() {
    const std::string text =
        "[daemon]\ndatabase = \"v.db\"\n[polling]\ninterval = \"10s\"\nmin_interval = "
        "\"10s\"\nallow_private = [\"127.0.0.1:" +
        std::to_string(port_) + "\"]\n[[feed]]\nurl = \"http://127.0.0.1:" + std::to_string(port_) +
        "/feed.xml\"\nname = \"T\"\npriority = \"high\"\n[[rule]]\nname = \"marque\"\n"
        "query = 'Orélia'\n";
    auto config = config::ParseConfig(text, (dir_ / "veille.toml").string());
    EXPECT_TRUE(config) << config.error().message;
    return *config;
  }

  // Polls /feed.xml every 10 s of a fake wall clock. After the first poll the clock jumps by
  // `jump` and stays there for three turns of the loop, then moves 11 s on. Returns the requests
  // seen {just before the 11 s, at the end}.
  std::pair<int, int> PollsAroundAJump(std::int64_t jump) {
    std::atomic<UnixSeconds> now{1'800'000'000};
    auto monitor = Monitor::Create(EveryTenSeconds(), [&] { return now.load(); });
    EXPECT_TRUE(monitor) << monitor.error().message;
    std::atomic<bool> stop{false};
    int ticks = 0;
    int first_seen = 0;
    int jumped_at = 0;
    int before = -1;
    auto run = (*monitor)->Run(stop, [&] {
      ++ticks;
      const int polls = static_cast<int>(Requests().size());
      if (first_seen == 0 && polls >= 1) first_seen = ticks;
      // Two turns after the request arrived, its poll is recorded and the next one scheduled.
      if (jumped_at == 0 && first_seen > 0 && ticks >= first_seen + 2) {
        due_before_jump_ = StoredNextDue();
        now += jump;
        jumped_at = ticks;
      } else if (jumped_at > 0 && ticks == jumped_at + 3) {
        before = polls;
        due_after_jump_ = StoredNextDue();
        now += 11;
      } else if (jumped_at > 0 && ticks > jumped_at + 3 && (polls >= 2 || ticks > jumped_at + 15)) {
        stop = true;
      }
    });
    EXPECT_TRUE(run) << run.error().message;
    return {before, static_cast<int>(Requests().size())};
  }

  // The next poll `veille feeds` shows for the one feed.
  UnixSeconds StoredNextDue() {
    // A read-only open failed once in about a thousand loaded runs (the process crashed on it
    // then); it is not what these tests check, so it is retried, and said on stderr so that
    // the cause can be found (the CLI opens the database the same way).
    auto store = store::Store::Open((dir_ / "v.db").string(), store::Access::kRead);
    for (int attempt = 1; !store && attempt < 3; ++attempt) {
      std::cerr << "StoredNextDue: read-only open failed (" << store.error().message
                << "), retrying\n";
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      store = store::Store::Open((dir_ / "v.db").string(), store::Access::kRead);
    }
    EXPECT_TRUE(store) << store.error().message;
    if (!store) return 0;
    auto feeds = (*store)->ListFeeds();
    EXPECT_TRUE(feeds && feeds->size() == 1) << (feeds ? "" : feeds.error().message);
    return feeds && !feeds->empty() ? (*feeds)[0].next_due_at.value_or(0) : 0;
  }

  std::vector<std::string> Requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return if_none_match_;
  }

  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::filesystem::path dir_;
  std::mutex mu_;
  std::vector<std::string> if_none_match_;
  int old_hits_ = 0;
  int gone_hits_ = 0;
  int dupe_hits_ = 0;
  int growing_hits_ = 0;
  std::atomic<UnixSeconds> clock_{1'800'000'000};  // a fake wall clock the server can move
  std::atomic<std::int64_t> jump_during_conditional_{0};
  UnixSeconds due_before_jump_ = 0;  // PollsAroundAJump: the stored next poll around the jump
  UnixSeconds due_after_jump_ = 0;
};

// RELIABILITY.md E9: a day forward polls nothing early (no burst); the feed keeps its cadence.
TEST_F(MonitorTest, AWallClockJumpForwardPollsNothingEarly) {
  const auto [before, after] = PollsAroundAJump(86400);
  EXPECT_EQ(before, 1) << "polled again right after the jump";
  EXPECT_EQ(after, 2);
  EXPECT_NEAR(due_after_jump_ - due_before_jump_, 86400, 1)
      << "veille feeds shows the moved schedule";
}

// RELIABILITY.md E10: a year back freezes nothing; the feed is polled 10 s after its last poll.
TEST_F(MonitorTest, AWallClockJumpBackwardFreezesNothing) {
  const auto [before, after] = PollsAroundAJump(-365 * 86400);
  EXPECT_EQ(before, 1);
  EXPECT_EQ(after, 2) << "the feed waits for a due time a year ahead";
  EXPECT_NEAR(due_after_jump_ - due_before_jump_, -365 * 86400, 1)
      << "veille feeds shows the moved schedule";
}

// RELIABILITY.md E9, the race the faults scenario clock_jump met under ASan: the wall clock jumps
// while a poll is under way and the poll ends (a 304, staged and committed at once) in the same
// turn of the loop, before the loop sees the jump. Its due time, counted with the new clock, must
// not move by the jump a second time (the feed would wait a whole day).
TEST_F(MonitorTest, APollEndingInTheTurnOfAClockJumpKeepsItsCadence) {
  auto monitor = Monitor::Create(EveryTenSeconds(), [&] { return clock_.load(); });
  ASSERT_TRUE(monitor) << monitor.error().message;
  jump_during_conditional_ = 86400;
  std::atomic<bool> stop{false};
  int ticks = 0;
  int first_seen = 0;
  int second_seen = 0;
  int moved_at = 0;
  auto run = (*monitor)->Run(stop, [&] {
    ++ticks;
    const std::size_t polls = Requests().size();
    if (first_seen == 0 && polls >= 1) {
      first_seen = ticks;
    } else if (first_seen > 0 && ticks == first_seen + 2) {
      clock_ += 11;  // the conditional poll falls due, and the clock jumps during it
    } else if (second_seen == 0 && polls >= 2) {
      second_seen = ticks;
    } else if (second_seen > 0 && moved_at == 0 && ticks >= second_seen + 2) {
      clock_ += 11;  // ten seconds after the conditional poll, on the new clock
      moved_at = ticks;
    } else if (moved_at > 0 && (polls >= 3 || ticks > moved_at + 15)) {
      stop = true;
    }
    if (ticks > 200) stop = true;
  });
  ASSERT_TRUE(run) << run.error().message;
  EXPECT_EQ(jump_during_conditional_.load(), 0) << "the conditional poll never came";
  EXPECT_EQ(Requests().size(), 3u) << "the poll that met the jump was scheduled a day late";
}

TEST_F(MonitorTest, APollStoresMentionsAndTheNextOneIsConditional) {
  UnixSeconds now = 1'800'000'000;
  auto monitor = Monitor::Create(Config(), [&] { return now; });
  ASSERT_TRUE(monitor) << monitor.error().message;
  std::atomic<bool> stop{false};
  auto first = (*monitor)->RunOnce(stop);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->feeds_ok, 1);
  EXPECT_EQ(first->new_entries, 2);
  EXPECT_EQ(first->new_mentions, 1);
  now += 3600;
  auto second = (*monitor)->RunOnce(stop);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->new_entries, 0);
  const auto requests = Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0], "");
  EXPECT_EQ(requests[1], "\"e1\"");
}

TEST_F(MonitorTest, OnceADayTheFetchGoesOutWithoutValidators) {
  UnixSeconds now = 1'800'000'000;
  auto monitor = Monitor::Create(Config(), [&] { return now; });
  ASSERT_TRUE(monitor) << monitor.error().message;
  std::atomic<bool> stop{false};
  ASSERT_TRUE((*monitor)->RunOnce(stop));
  now += 25 * 3600;
  ASSERT_TRUE((*monitor)->RunOnce(stop));
  now += 3600;
  ASSERT_TRUE((*monitor)->RunOnce(stop));
  const auto requests = Requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[1], "") << "the poll 25 h later must be unconditional";
  EXPECT_EQ(requests[2], "\"e1\"") << "and the next one conditional again";
}

TEST_F(MonitorTest, ABrokenRuleRefusesTheReloadAndKeepsTheOldRules) {
  UnixSeconds now = 1'800'000'000;
  auto monitor = Monitor::Create(Config(), [&] { return now; });
  ASSERT_TRUE(monitor) << monitor.error().message;
  config::Config bad = Config();
  bad.rules[0].query = "Orélia NEAR/3";
  auto r = (*monitor)->Reload(bad);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("veille.toml:"), std::string::npos) << r.error().message;
  EXPECT_EQ((*monitor)->config().rules[0].query, "Orélia");
}

// The error names the failing rule's own line, from the matcher's rule index: not the first
// rule whose name begins the message (two rules of one name here, as a config built in code may
// have).
TEST_F(MonitorTest, ABrokenRuleIsReportedAtItsOwnLine) {
  config::Config bad = Config();
  bad.rules.push_back(bad.rules[0]);
  bad.rules[1].query = "Dacia NEAR/3";
  bad.rules[1].query_line = 14;
  auto monitor = Monitor::Create(bad, SystemNow);
  ASSERT_FALSE(monitor);
  EXPECT_EQ(monitor.error().code, ErrorCode::kConfig);
  EXPECT_EQ(monitor.error().message, (dir_ / "veille.toml").string() +
                                         ":14: rule \"marque\": column 7: expected a term after "
                                         "NEAR/3");
}

TEST_F(MonitorTest, AFeedMovesToItsNewUrlAfterThreePermanentRedirectsAndStaysThere) {
  UnixSeconds now = 1'800'000'000;
  std::atomic<bool> stop{false};
  {
    auto monitor = Monitor::Create(Config("/old.xml"), [&] { return now; });
    ASSERT_TRUE(monitor) << monitor.error().message;
    for (int i = 0; i < 3; ++i) {
      auto r = (*monitor)->RunOnce(stop);
      ASSERT_TRUE(r) << r.error().message;
      EXPECT_EQ(r->feeds_ok, 1);
      now += 3600;
    }
    EXPECT_EQ(old_hits_, 3);
    ASSERT_TRUE((*monitor)->RunOnce(stop));
    EXPECT_EQ(old_hits_, 3) << "the fourth poll goes straight to the new URL";
  }
  // A restart keeps the move.
  auto restarted = Monitor::Create(Config("/old.xml"), [&] { return now; });
  ASSERT_TRUE(restarted) << restarted.error().message;
  ASSERT_TRUE((*restarted)->RunOnce(stop));
  EXPECT_EQ(old_hits_, 3);
  auto store = store::Store::Open((dir_ / "v.db").string(), store::Access::kRead);
  ASSERT_TRUE(store);
  auto feeds = (*store)->ListFeeds();
  ASSERT_TRUE(feeds);
  ASSERT_EQ(feeds->size(), 1u);
  EXPECT_NE((*feeds)[0].fetch_url.value_or("").find("/feed.xml"), std::string::npos);
  EXPECT_NE((*feeds)[0].previous_url.value_or("").find("/old.xml"), std::string::npos);
}

// The private file holds a mention: reading it would show up as an entry.
constexpr const char* kPrivateFeed = R"(<?xml version="1.0"?><rss version="2.0"><channel>
<title>P</title><item><title>Orélia secret interne</title><guid>p1</guid></item></channel></rss>)";

TEST_F(MonitorTest, AFeedOnTheWebNeverMovesToALocalFile) {
  { std::ofstream(dir_ / "private.xml") << kPrivateFeed; }
  UnixSeconds now = 1'800'000'000;
  std::atomic<bool> stop{false};
  auto monitor = Monitor::Create(Config("/dupe.xml"), [&] { return now; });
  ASSERT_TRUE(monitor) << monitor.error().message;
  for (int i = 0; i < 5; ++i) {
    auto r = (*monitor)->RunOnce(stop);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->new_entries, 0) << "poll " << i;
    now += 3600;
  }
  EXPECT_EQ(dupe_hits_, 5) << "every poll still goes to the configured URL";
  auto store = store::Store::Open((dir_ / "v.db").string(), store::Access::kRead);
  ASSERT_TRUE(store);
  auto feeds = (*store)->ListFeeds();
  ASSERT_TRUE(feeds);
  ASSERT_EQ(feeds->size(), 1u);
  EXPECT_FALSE((*feeds)[0].fetch_url.has_value()) << *(*feeds)[0].fetch_url;
  EXPECT_NE((*feeds)[0].last_error.value_or("").find("Location"), std::string::npos)
      << (*feeds)[0].last_error.value_or("");
}

// A database written by an older version may already hold a local file as an http feed's URL:
// it is ignored and the configured URL polled.
TEST_F(MonitorTest, AStoredMoveToALocalFileIsIgnoredForAFeedOnTheWeb) {
  { std::ofstream(dir_ / "private.xml") << kPrivateFeed; }
  UnixSeconds now = 1'800'000'000;
  const config::Config config = Config();
  auto store = store::Store::Open(config.daemon.database, store::Access::kMigrate);
  ASSERT_TRUE(store) << store.error().message;
  auto ids = (*store)->SyncFeeds({{config.feeds[0].url, "T"}}, now);
  ASSERT_TRUE(ids);
  store::FeedUpdate update;
  update.feed_id = (*ids)[0];
  update.fetched_at = now;
  update.outcome = Outcome::kOk;
  update.next_due_at = now;
  update.moved_to = "file://" + (dir_ / "private.xml").string();
  ASSERT_TRUE((*store)->UpdateFeed(update));
  std::atomic<bool> stop{false};
  MonitorParts parts;
  parts.clocks.wall = [&] { return now; };
  parts.store = std::move(*store);  // the monitor goes on with the connection that prepared it
  auto monitor = Monitor::Create(config, std::move(parts));
  ASSERT_TRUE(monitor) << monitor.error().message;
  auto r = (*monitor)->RunOnce(stop);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->new_entries, 2) << "the configured feed, not the file";
  EXPECT_EQ(Requests().size(), 1u);
}

TEST_F(MonitorTest, AGoneFeedIsNeverPolledAgainEvenAfterARestart) {
  UnixSeconds now = 1'800'000'000;
  std::atomic<bool> stop{false};
  {
    auto monitor = Monitor::Create(Config("/gone.xml"), [&] { return now; });
    ASSERT_TRUE(monitor) << monitor.error().message;
    auto r = (*monitor)->RunOnce(stop);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->feeds_failed, 1);
    now += 86400;
    ASSERT_TRUE((*monitor)->RunOnce(stop));
  }
  auto restarted = Monitor::Create(Config("/gone.xml"), [&] { return now; });
  ASSERT_TRUE(restarted);
  ASSERT_TRUE((*restarted)->RunOnce(stop));
  EXPECT_EQ(gone_hits_, 1);
  auto store = store::Store::Open((dir_ / "v.db").string(), store::Access::kRead);
  ASSERT_TRUE(store);
  auto feeds = (*store)->ListFeeds();
  ASSERT_TRUE(feeds);
  EXPECT_EQ((*feeds)[0].state, FeedState::kGone);
}

TEST_F(MonitorTest, AFeedFailingForTwoWeeksIsBrokenButStillPolled) {
  UnixSeconds now = 1'800'000'000;
  std::atomic<bool> stop{false};
  auto monitor = Monitor::Create(Config("/missing.xml"), [&] { return now; });
  ASSERT_TRUE(monitor);
  ASSERT_TRUE((*monitor)->RunOnce(stop));
  auto state = [&] {
    auto store = store::Store::Open((dir_ / "v.db").string(), store::Access::kRead);
    return (*(*store)->ListFeeds())[0].state;
  };
  EXPECT_EQ(state(), FeedState::kFailing);
  now += 15 * 86400;
  ASSERT_TRUE((*monitor)->RunOnce(stop));
  EXPECT_EQ(state(), FeedState::kBroken);
}

TEST_F(MonitorTest, AOnceRunMergesTheFullTextSegmentsItsCommitsLeft) {
  UnixSeconds now = 1'800'000'000;
  auto monitor = Monitor::Create(Config("/growing.xml"), [&] { return now; });
  ASSERT_TRUE(monitor) << monitor.error().message;
  std::atomic<bool> stop{false};
  for (int i = 0; i < 10; ++i) {  // ten commits, one new entry each: ten segments
    auto run = (*monitor)->RunOnce(stop);
    ASSERT_TRUE(run) << run.error().message;
    EXPECT_EQ(run->new_entries, 1);
    now += 3600;
  }
  monitor->reset();
  // Without the merging at the end of each run, ten segments (8 or more: a merge is due) would
  // be left waiting; with it, the eighth run merged eight and two are left.
  auto store = store::Store::Open((dir_ / "v.db").string(), store::Access::kMigrate);
  ASSERT_TRUE(store) << store.error().message;
  auto merged = store::Maintain(**store, store::MaintenanceRequest::Index());
  ASSERT_TRUE(merged) << merged.error().message;
  EXPECT_FALSE(merged->more_index_work);
}

TEST_F(MonitorTest, TheDaemonMergesTheFullTextSegmentsWhenNothingIsInFlight) {
  const std::string db = (dir_ / "v.db").string();
  const std::string url = "http://127.0.0.1:" + std::to_string(port_) + "/feed.xml";
  // Ten commits left by an earlier run: ten segments, a merge due (8 or more).
  auto prepared = store::Store::Open(db, store::Access::kMigrate);
  ASSERT_TRUE(prepared) << prepared.error().message;
  auto ids = (*prepared)->SyncFeeds({{url, "T"}}, 1'800'000'000);
  ASSERT_TRUE(ids);
  for (int i = 0; i < 10; ++i) {
    store::DocumentCommit c;
    c.feed.feed_id = (*ids)[0];
    c.feed.fetched_at = 1'800'000'000 + i;
    store::EntryRecord e;
    e.key = "earlier-" + std::to_string(i);
    e.title = "Un article plus ancien";
    c.entries.push_back(e);
    ASSERT_TRUE((*prepared)->CommitDocument(c));
  }
  MonitorParts parts;
  parts.clocks.wall = [] { return UnixSeconds{1'800'000'100}; };
  parts.store = std::move(*prepared);
  auto monitor = Monitor::Create(Config(), std::move(parts));
  ASSERT_TRUE(monitor) << monitor.error().message;
  std::atomic<bool> stop{false};
  int ticks = 0;
  auto run = (*monitor)->Run(stop, [&] {
    if (++ticks >= 5) stop = true;  // the poll of /feed.xml, then idle turns
  });
  ASSERT_TRUE(run) << run.error().message;
  monitor->reset();
  auto store = store::Store::Open(db, store::Access::kMigrate);
  ASSERT_TRUE(store) << store.error().message;
  EXPECT_EQ((*(*store)->ListFeeds())[0].entry_count, 12);
  auto merged = store::Maintain(**store, store::MaintenanceRequest::Index());
  ASSERT_TRUE(merged) << merged.error().message;
  EXPECT_FALSE(merged->more_index_work) << "the idle turns should have merged the ten segments";
}

}  // namespace
}  // namespace veille::pipeline
