// The monitor when the database fails under it: a storage error never turns into silence (issue
// 17). A real local HTTP server, a real SQLite file, a fake wall clock; the failure is a column
// of `feeds` renamed under the daemon, so that every read of a whole feed row fails.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>

#include "pipeline/monitor.h"
#include "store/internal.h"
#include "store/outbox_repo.h"
#include "tests/common/local_server.h"
#include "tests/pipeline/growing_feed.h"

namespace veille::pipeline {
namespace {

class MonitorStorageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // One new item per request, each a mention of the rule; no validators.
    server_.Get("/growing.xml", [this](const httplib::Request&, httplib::Response& res) {
      int n = 0;
      {
        std::lock_guard<std::mutex> lock(mu_);
        n = ++hits_;
      }
      res.set_content(test_support::GrowingRss(n), "application/rss+xml");
    });
    port_ = test_support::StartLocalServer(server_, thread_);
    dir_ = std::filesystem::temp_directory_path() /
           ("veille-monitor-storage-" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    server_.stop();
    thread_.join();
    std::filesystem::remove_all(dir_);
  }

  // /growing.xml polled every 10 s; its mentions go to a log channel (backfill_alerts = false:
  // the first poll's alerts are recorded as suppressed).
  config::Config Config() {
    const std::string text =
        "[daemon]\ndatabase = \"v.db\"\n[polling]\ninterval = \"10s\"\nmin_interval = "
        "\"10s\"\nallow_private = [\"127.0.0.1:" +
        std::to_string(port_) + "\"]\n[[feed]]\nurl = \"http://127.0.0.1:" + std::to_string(port_) +
        "/growing.xml\"\nname = \"G\"\npriority = \"high\"\n[[rule]]\nname = \"marque\"\n"
        "query = 'Orélia'\nchannels = [\"journal\"]\n[[channel]]\nname = \"journal\"\n"
        "type = \"log\"\n";
    auto config = config::ParseConfig(text, (dir_ / "veille.toml").string());
    EXPECT_TRUE(config) << config.error().message;
    return *config;
  }

  // Renames a column of `feeds` on a connection of its own: the daemon's reads of a whole feed
  // row (store::Store::GetFeed) fail from then on, and so do its writes of that column.
  void RenameFeedColumn(const std::string& from, const std::string& to) {
    auto store = store::Store::Open((dir_ / "v.db").string(), store::Access::kWrite);
    ASSERT_TRUE(store) << store.error().message;
    auto renamed =
        store::DatabaseOf(**store).Exec("ALTER TABLE feeds RENAME COLUMN " + from + " TO " + to);
    ASSERT_TRUE(renamed) << renamed.error().message;
  }

  int Hits() {
    std::lock_guard<std::mutex> lock(mu_);
    return hits_;
  }

  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::filesystem::path dir_;
  std::mutex mu_;
  int hits_ = 0;
};

// Issue 17: a poll used to read its feed's row again to learn whether it was the feed's first,
// and a failed read made it one, whose alerts are recorded as suppressed (backfill_alerts =
// false). The first-poll time is now kept with the feed's other committed state: a feed row that
// cannot be read changes nothing about the alerts of the polls after the first.
TEST_F(MonitorStorageTest, AnUnreadableFeedRowNeverMakesAPollTheFeedsFirst) {
  UnixSeconds now = 1'800'000'000;
  auto monitor = Monitor::Create(Config(), [&] { return now; });
  ASSERT_TRUE(monitor) << monitor.error().message;
  (*monitor)->SetOnceDeliveryDeadline(0);  // the alerts stay in the outbox, where they are counted
  std::atomic<bool> stop{false};
  auto first = (*monitor)->RunOnce(stop);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->new_mentions, 1);
  EXPECT_EQ(first->alerts_not_sent, 1) << "the first poll's alert is not sent";

  // `name` is read with the whole row and written by no poll: the polls still commit.
  RenameFeedColumn("name", "hidden_name");
  now += 3600;
  auto second = (*monitor)->RunOnce(stop);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->feeds_ok, 1);
  EXPECT_EQ(second->new_mentions, 1);
  EXPECT_EQ(second->alerts_not_sent, 0) << "the second poll was taken as the feed's first";
  EXPECT_EQ(second->first_poll_feeds, 0);
  EXPECT_EQ(second->alerts_pending, 1) << "its alert must wait in the outbox, to be sent";

  monitor->reset();
  RenameFeedColumn("hidden_name", "name");
  auto store = store::Store::Open((dir_ / "v.db").string(), store::Access::kRead);
  ASSERT_TRUE(store) << store.error().message;
  auto counts = store::CountOutbox(**store);
  ASSERT_TRUE(counts) << counts.error().message;
  EXPECT_EQ((*counts)[store::OutboxStatus::kSuppressed], 1);
  EXPECT_EQ((*counts)[store::OutboxStatus::kPending], 1);
}

// A reload that fails reading the feeds' stored state keeps the configuration in force, and its
// schedule: the feeds are still polled when due. The due queue used to be emptied before the
// reads, and no feed that was not under way was polled again until a reload succeeded.
TEST_F(MonitorStorageTest, AReloadThatCannotReadTheFeedsKeepsPollingThem) {
  std::atomic<UnixSeconds> now{1'800'000'000};
  auto monitor = Monitor::Create(Config(), [&] { return now.load(); });
  ASSERT_TRUE(monitor) << monitor.error().message;
  std::atomic<bool> stop{false};
  int ticks = 0;
  int first_seen = 0;
  int failed_at = 0;
  std::string reload_error;
  auto run = (*monitor)->Run(stop, [&] {
    ++ticks;
    if (first_seen == 0 && Hits() >= 1) {
      first_seen = ticks;
    } else if (first_seen > 0 && failed_at == 0 && ticks >= first_seen + 2) {
      // Two turns after the request arrived, its poll is committed and the next one due in
      // 10 s. `encoding_suspect` is read with the whole row, not by the reload's own writes.
      RenameFeedColumn("encoding_suspect", "hidden_mark");
      auto reloaded = (*monitor)->Reload(Config());
      reload_error = reloaded ? "" : reloaded.error().message;
      now += 11;  // the feed falls due
      failed_at = ticks;
    } else if (failed_at > 0 && (Hits() >= 2 || ticks > failed_at + 10)) {
      stop = true;
    }
    if (ticks > 200) stop = true;
  });
  ASSERT_TRUE(run) << run.error().message;
  EXPECT_NE(reload_error, "") << "the reload did not fail: it reads no whole feed row any more";
  EXPECT_EQ(Hits(), 2) << "the failed reload left the feed unpolled";
}

}  // namespace
}  // namespace veille::pipeline
