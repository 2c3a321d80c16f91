// The monitor's group commit (docs/storage.md, "Group commit") and its delivery step, with no
// HTTP server: a scripted fetcher answers each poll when the test says, and the clocks move only
// when the test moves them. A real SQLite file; a poll counts as committed once its feed's row
// records it.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "pipeline/monitor.h"
#include "store/outbox_repo.h"
#include "tests/pipeline/growing_feed.h"
#include "tests/pipeline/scripted_fetcher.h"

namespace veille::pipeline {
namespace {

using test_support::FetchScript;

class MonitorBatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("veille-monitor-batch-" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static std::string Url(int i) { return "http://feeds.test/" + std::to_string(i) + ".xml"; }

  // `feeds` feeds (Url(1) ..) with `feed_keys`, these [daemon] keys, and one rule (whose
  // alerts go to a log channel with `with_channel`).
  config::Config Config(int feeds, const std::string& daemon_keys,
                        const std::string& feed_keys = "", bool with_channel = false) {
    std::string text = "[daemon]\ndatabase = \"v.db\"\n" + daemon_keys + "\n";
    for (int i = 1; i <= feeds; ++i) {
      text += "[[feed]]\nurl = \"" + Url(i) + "\"\nname = \"F" + std::to_string(i) + "\"\n" +
              feed_keys + "\n";
    }
    text += "[[rule]]\nname = \"marque\"\nquery = 'Orélia'\n";
    if (with_channel) {
      text += "channels = [\"journal\"]\n[[channel]]\nname = \"journal\"\ntype = \"log\"\n";
    }
    auto config = config::ParseConfig(text, (dir_ / "veille.toml").string());
    EXPECT_TRUE(config) << config.error().message;
    return *config;
  }

  std::unique_ptr<Monitor> Start(const config::Config& config) {
    MonitorParts parts;
    parts.clocks = clocks_.Clocks();
    parts.make_fetcher = test_support::ScriptedFetchers(script_);
    auto monitor = Monitor::Create(config, std::move(parts));
    EXPECT_TRUE(monitor) << monitor.error().message;
    return monitor ? std::move(*monitor) : nullptr;
  }

  // Runs the monitor's loop with `steps`: each runs after a turn of the loop, and the next one
  // from the following turn once it returned true. The loop stops after the last step, or
  // after `max_turns` turns (a failure).
  void Drive(Monitor& monitor, std::vector<std::function<bool()>> steps, int max_turns = 200) {
    std::atomic<bool> stop{false};
    std::size_t step = 0;
    int turns = 0;
    auto run = monitor.Run(stop, [&] {
      if (step < steps.size() && steps[step]()) ++step;
      if (step == steps.size() || ++turns >= max_turns) stop = true;
    });
    EXPECT_TRUE(run) << run.error().message;
    EXPECT_EQ(step, steps.size()) << "stopped after " << turns << " turns at step " << step;
  }

  // The start spreads the feeds' first polls one a second: moves the clocks until every feed
  // was submitted.
  std::function<bool()> UntilAllSubmitted(std::size_t feeds) {
    return [this, feeds] {
      if (script_->Waiting().size() == feeds) return true;
      clocks_.Advance(1000);
      return false;
    };
  }

  // The polls committed: the feeds whose row records a fetch.
  int Committed() {
    auto store = store::Store::Open((dir_ / "v.db").string(), store::Access::kRead);
    EXPECT_TRUE(store) << store.error().message;
    if (!store) return -1;
    auto feeds = (*store)->ListFeeds();
    EXPECT_TRUE(feeds) << feeds.error().message;
    int n = 0;
    for (const store::FeedRow& f : feeds ? *feeds : std::vector<store::FeedRow>{}) {
      n += f.last_fetch_at ? 1 : 0;
    }
    return n;
  }

  std::filesystem::path dir_;
  std::shared_ptr<FetchScript> script_ = std::make_shared<FetchScript>();
  test_support::ManualClocks clocks_;
};

TEST_F(MonitorBatchTest, ABatchClosesWhenCommitBatchPollsHaveJoined) {
  auto monitor = Start(Config(5, "commit_batch = 3\ncommit_interval = \"60s\""));
  ASSERT_TRUE(monitor);
  Drive(*monitor, {
                      UntilAllSubmitted(5),
                      [&] {
                        EXPECT_TRUE(script_->Answer(Url(1), FetchScript::NotModified()));
                        EXPECT_TRUE(script_->Answer(Url(2), FetchScript::Status(500)));
                        return true;
                      },
                      [&] {
                        EXPECT_EQ(Committed(), 0) << "two polls of three committed";
                        EXPECT_TRUE(script_->Answer(Url(3), FetchScript::NotModified()));
                        return true;
                      },
                      [&] {
                        EXPECT_EQ(Committed(), 3) << "the third poll did not close the batch";
                        EXPECT_TRUE(script_->Answer(Url(4), FetchScript::NotModified()));
                        return true;
                      },
                      [&] {
                        EXPECT_EQ(Committed(), 3) << "the next batch holds one poll of three";
                        return true;
                      },
                  });
}

TEST_F(MonitorBatchTest, AnOpenBatchIsCommittedOnceCommitIntervalHasPassedAndNotBefore) {
  auto monitor = Start(Config(2, "commit_batch = 64\ncommit_interval = \"5s\""));
  ASSERT_TRUE(monitor);
  Drive(*monitor, {
                      UntilAllSubmitted(2),
                      [&] {
                        EXPECT_TRUE(script_->Answer(Url(1), FetchScript::NotModified()));
                        return true;
                      },
                      [&] {
                        EXPECT_EQ(Committed(), 0) << "committed at once, F2 still in flight";
                        clocks_.Advance(4999);
                        return true;
                      },
                      [&] {
                        EXPECT_EQ(Committed(), 0) << "committed 1 ms before commit_interval";
                        clocks_.Advance(1);
                        return true;
                      },
                      [&] {
                        EXPECT_EQ(Committed(), 1) << "not committed at commit_interval";
                        EXPECT_EQ(script_->Waiting().size(), 1u);
                        return true;
                      },
                  });
}

TEST_F(MonitorBatchTest, ABatchIsCommittedAsSoonAsNothingIsInFlight) {
  auto monitor = Start(Config(2, "commit_batch = 64\ncommit_interval = \"60s\""));
  ASSERT_TRUE(monitor);
  Drive(*monitor,
        {
            UntilAllSubmitted(2),
            [&] {
              EXPECT_TRUE(script_->Answer(Url(1), FetchScript::NotModified()));
              return true;
            },
            [&] {
              EXPECT_EQ(Committed(), 0) << "committed with F2 still in flight";
              // A document: fetched, then parsed on the pool, then idle.
              EXPECT_TRUE(script_->Answer(Url(2), FetchScript::Ok(test_support::GrowingRss(3))));
              return true;
            },
            // The clocks stand still from here: only idleness can close the batch.
            [&] { return Committed() == 2; },
        });
  auto store = store::Store::Open((dir_ / "v.db").string(), store::Access::kRead);
  ASSERT_TRUE(store) << store.error().message;
  auto feeds = (*store)->ListFeeds();
  ASSERT_TRUE(feeds) << feeds.error().message;
  auto f2 =
      std::find_if(feeds->begin(), feeds->end(), [](const auto& f) { return f.name == "F2"; });
  ASSERT_NE(f2, feeds->end());
  EXPECT_EQ(f2->entry_count, 3) << "the document's entries, committed with it";
  EXPECT_EQ(f2->mention_count, 3);
}

// The loop's delivery step runs once a second of the monotonic clock: a committed mention's
// alert waits for it (and no longer), whatever the wall clock does.
TEST_F(MonitorBatchTest, ACommittedAlertGoesOutAtTheNextDeliveryStepOneSecondAfterTheLast) {
  auto monitor = Start(Config(1, "", "backfill_alerts = true", true));
  ASSERT_TRUE(monitor);
  auto outbox = [&](store::OutboxStatus status) -> std::int64_t {
    auto store = store::Store::Open((dir_ / "v.db").string(), store::Access::kRead);
    EXPECT_TRUE(store) << store.error().message;
    if (!store) return -1;
    auto counts = store::CountOutbox(**store);
    EXPECT_TRUE(counts) << counts.error().message;
    return counts && counts->count(status) ? counts->at(status) : 0;
  };
  // The first turn took a delivery step; the clocks stand still until the test moves them.
  Drive(*monitor,
        {
            UntilAllSubmitted(1),
            [&] {
              EXPECT_TRUE(script_->Answer(Url(1), FetchScript::Ok(test_support::GrowingRss(1))));
              return true;
            },
            [&] { return Committed() == 1; },
            [&] {
              EXPECT_EQ(outbox(store::OutboxStatus::kPending), 1);
              clocks_.Advance(999);
              return true;
            },
            [&] {
              EXPECT_EQ(outbox(store::OutboxStatus::kDelivered), 0)
                  << "delivered before a second had passed since the last step";
              clocks_.Advance(1);
              return true;
            },
            [&] {
              EXPECT_EQ(outbox(store::OutboxStatus::kDelivered), 1)
                  << "not delivered a second after the last step";
              return true;
            },
        });
}

}  // namespace
}  // namespace veille::pipeline
