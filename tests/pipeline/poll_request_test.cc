// `veille poll` requests as the running monitor sees them (store/poll_requests.h): a request is
// polled at once and cleared with that poll's state; one made while the feed's poll is under way
// gets a poll of its own; `veilled --once` answers the requests pending before it. A real local
// HTTP server, a real SQLite file, the CLI's side written through a second connection.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include "pipeline/monitor.h"
#include "store/poll_requests.h"
#include "tests/common/local_server.h"

namespace veille::pipeline {
namespace {

constexpr const char* kFeed = R"(<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>T</title><link>https://t.example/</link>
<item><title>Orélia ouvre une boutique</title><link>https://t.example/1</link><guid>1</guid></item>
</channel></rss>)";

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class PollRequestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Get("/feed.xml", [this](const httplib::Request&, httplib::Response& res) {
      ++hits_;
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms_.load()));
      res.set_content(kFeed, "application/rss+xml");
    });
    port_ = test_support::StartLocalServer(server_, thread_);
    dir_ = std::filesystem::temp_directory_path() /
           ("veille-pollreq-" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    const std::string text =
        "[daemon]\ndatabase = \"v.db\"\n[polling]\ninterval = \"1h\"\nallow_private = "
        "[\"127.0.0.1:" +
        std::to_string(port_) + "\"]\n[[feed]]\nurl = \"http://127.0.0.1:" + std::to_string(port_) +
        "/feed.xml\"\nname = \"T\"\n[[rule]]\nname = \"marque\"\nquery = 'Orélia'\n";
    auto c = config::ParseConfig(text, (dir_ / "veille.toml").string());
    ASSERT_TRUE(c) << c.error().message;
    config_ = *c;
  }
  void TearDown() override {
    server_.stop();
    thread_.join();
    std::filesystem::remove_all(dir_);
  }

  // The CLI's side: a second connection that asks for the one feed to be polled.
  void Request() {
    auto cli = store::Store::Open(config_.daemon.database, store::Access::kWrite);
    ASSERT_TRUE(cli) << cli.error().message;
    auto feeds = (*cli)->ListFeeds();
    ASSERT_TRUE(feeds && feeds->size() == 1);
    auto asked = store::RequestPolls(**cli, {(*feeds)[0].id}, NowMs());
    ASSERT_TRUE(asked) << asked.error().message;
    EXPECT_EQ(*asked, 1);
  }

  std::size_t Pending() {
    auto cli = store::Store::Open(config_.daemon.database, store::Access::kRead);
    EXPECT_TRUE(cli);
    auto pending = store::PendingPollRequests(**cli);
    EXPECT_TRUE(pending);
    return pending ? pending->size() : 0;
  }

  // Runs the monitor until `done` (checked after every turn) or 10 s.
  void RunUntil(Monitor& monitor, const std::function<bool()>& done) {
    std::atomic<bool> stop{false};
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    auto run = monitor.Run(stop, [&] {
      if (done() || std::chrono::steady_clock::now() > deadline) stop = true;
    });
    ASSERT_TRUE(run) << run.error().message;
  }

  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::filesystem::path dir_;
  config::Config config_;
  std::atomic<int> hits_{0};
  std::atomic<int> delay_ms_{0};
};

TEST_F(PollRequestTest, ARequestIsPolledAtOnceAndClearedWithThatPoll) {
  auto monitor = Monitor::Create(config_);
  ASSERT_TRUE(monitor) << monitor.error().message;
  bool asked = false;
  int polls_when_asked = 0;
  RunUntil(**monitor, [&] {
    // Once the first poll is committed (the next one is an hour away), ask for another.
    if (!asked && hits_ == 1 && (*monitor)->Idle()) {
      Request();
      asked = true;
      polls_when_asked = hits_;
    }
    return asked && hits_ == 2 && (*monitor)->Idle() && Pending() == 0;
  });
  EXPECT_TRUE(asked);
  EXPECT_EQ(polls_when_asked, 1);
  EXPECT_EQ(hits_, 2) << "the request was not polled (interval 1 h)";
  EXPECT_EQ(Pending(), 0u) << "the poll answering the request clears it";
}

TEST_F(PollRequestTest, ARequestMadeDuringAPollGetsAPollOfItsOwn) {
  delay_ms_ = 600;
  auto monitor = Monitor::Create(config_);
  ASSERT_TRUE(monitor) << monitor.error().message;
  bool asked = false;
  std::size_t pending_after_first = 99;
  RunUntil(**monitor, [&] {
    if (!asked && hits_ == 1) {  // the first request is at the server
      Request();
      asked = true;
    }
    if (asked && hits_ == 1 && (*monitor)->Idle() && pending_after_first == 99) {
      pending_after_first = Pending();  // the first poll started before the request
    }
    return asked && hits_ == 2 && (*monitor)->Idle() && Pending() == 0;
  });
  EXPECT_TRUE(asked);
  EXPECT_EQ(hits_, 2) << "a request made while the feed was being fetched needs its own poll";
  EXPECT_EQ(Pending(), 0u);
  if (pending_after_first != 99) {
    EXPECT_EQ(pending_after_first, 1u) << "the poll under way does not answer a later request";
  }
}

TEST_F(PollRequestTest, OnceAnswersTheRequestsMadeBeforeIt) {
  auto monitor = Monitor::Create(config_);
  ASSERT_TRUE(monitor) << monitor.error().message;
  Request();
  EXPECT_EQ(Pending(), 1u);
  std::atomic<bool> stop{false};
  auto once = (*monitor)->RunOnce(stop);
  ASSERT_TRUE(once) << once.error().message;
  EXPECT_EQ(hits_, 1);
  EXPECT_EQ(Pending(), 0u);
}

}  // namespace
}  // namespace veille::pipeline
