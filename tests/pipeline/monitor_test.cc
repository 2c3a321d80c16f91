// The monitor end to end in-process: a real local HTTP server (cpp-httplib), a real SQLite file,
// and a fake wall clock.
#include "pipeline/monitor.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <thread>

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
        res.status = 304;
        return;
      }
      res.set_header("ETag", "\"e1\"");
      res.set_content(kFeed, "application/rss+xml");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    dir_ = std::filesystem::temp_directory_path() /
           ("veille-monitor-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    server_.stop();
    thread_.join();
    std::filesystem::remove_all(dir_);
  }

  config::Config Config() {
    const std::string text = "[daemon]\ndatabase = \"v.db\"\n[polling]\nallow_private = [\"127.0.0.1:" +
                             std::to_string(port_) + "\"]\n[[feed]]\nurl = \"http://127.0.0.1:" +
                             std::to_string(port_) +
                             "/feed.xml\"\nname = \"T\"\n[[rule]]\nname = \"marque\"\nquery = "
                             "'Orélia'\n";
    auto c = config::ParseConfig(text, (dir_ / "veille.toml").string());
    EXPECT_TRUE(c) << c.error().message;
    return *c;
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
};

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

}  // namespace
}  // namespace veille::pipeline
