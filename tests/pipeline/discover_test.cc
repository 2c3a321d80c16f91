// Autodiscovery over a real local HTTP server (cpp-httplib) with the real fetcher: candidates are
// verified by fetching and parsing them, the SSRF guard refuses what a page points at.
#include "pipeline/discover.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <thread>

#include "tests/common/local_server.h"

namespace veille::pipeline {
namespace {

constexpr const char* kRss = R"(<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Le Journal</title><link>https://j.example/</link>
<item><title>Un</title><link>https://j.example/1</link><guid>1</guid><pubDate>Mon, 23 Nov 2026 08:00:00 GMT</pubDate></item>
<item><title>Deux</title><link>https://j.example/2</link><guid>2</guid><pubDate>Tue, 24 Nov 2026 09:30:00 GMT</pubDate></item>
</channel></rss>)";

constexpr const char* kJsonFeed =
    R"({"version": "https://jsonfeed.org/version/1.1", "title": "Notes",
        "items": [{"id": "n1", "content_text": "x", "date_published": "2026-11-20T10:00:00Z"}]})";

constexpr const char* kAtom = R"(<feed xmlns="http://www.w3.org/2005/Atom"><title>Guessed</title>
<entry><id>a1</id><title>A</title><updated>2026-11-01T00:00:00Z</updated></entry></feed>)";

class DiscoverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    other_.Get("/feed.xml", [this](const httplib::Request&, httplib::Response& res) {
      ++other_hits_;
      res.set_content(kRss, "application/rss+xml");
    });
    other_port_ = test_support::StartLocalServer(other_, other_thread_);

    server_.Get("/", [this](const httplib::Request&, httplib::Response& res) {
      std::string page = R"(<!DOCTYPE html><html><head><title>Accueil</title>
        <link rel="alternate" type="application/rss+xml" title="Flux" href="/feed/">
        <link rel="alternate" type="application/json" href="/wp-json/wp/v2/pages/2">
        <link rel="alternate" type="application/feed+json" href="/feed.json">
        <link rel="alternate" type="application/rss+xml" href="http://127.0.0.1:)" +
                         std::to_string(other_port_) + R"(/feed.xml">
        <link rel="alternate" type="application/atom+xml" href="http://169.254.169.254/latest/meta-data/">
        <link rel="alternate" type="application/rss+xml" href="/old-feed">
        </head><body><a href="/?feed=rss2">RSS</a><a href="/missing.rss">x</a></body></html>)";
      res.set_content(page, "text/html; charset=utf-8");
    });
    server_.Get("/feed/", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(kRss, "application/rss+xml");
    });
    server_.Get("/old-feed", [](const httplib::Request&, httplib::Response& res) {
      res.status = 301;
      res.set_header("Location", "/feed.json");
    });
    server_.Get("/feed.json", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(kJsonFeed, "application/feed+json");
    });
    server_.Get("/wp-json/wp/v2/pages/2", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"({"id": 2, "title": {"rendered": "Accueil"}})", "application/json");
    });
    server_.Get("/bare", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("<!doctype html><title>Rien</title><p>Pas de flux ici.</p>", "text/html");
    });
    server_.Get("/atom.xml", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(kAtom, "application/atom+xml");
    });
    // "/?feed=rss2" serves the same bytes as /feed/: one feed, not two.
    server_.set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
      if (req.path == "/" && req.get_param_value("feed") == "rss2") {
        res.set_content(kRss, "application/rss+xml");
        return httplib::Server::HandlerResponse::Handled;
      }
      return httplib::Server::HandlerResponse::Unhandled;
    });
    port_ = test_support::StartLocalServer(server_, thread_);
  }
  void TearDown() override {
    server_.stop();
    other_.stop();
    thread_.join();
    other_thread_.join();
  }

  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  // The fetcher allows this test's server only: the second server is a "private address".
  std::unique_ptr<fetch::Fetcher> MakeFetcher() {
    fetch::FetchOptions options;
    options.allow_private = {"127.0.0.1:" + std::to_string(port_)};
    options.host_spacing_ms = 0;
    options.timeout_s = 10;
    auto fetcher = fetch::Fetcher::Create(options);
    EXPECT_TRUE(fetcher.has_value());
    return std::move(*fetcher);
  }

  static const RejectedCandidate* Rejected(const Discovery& d, const std::string& url) {
    for (const auto& r : d.rejected) {
      if (r.url == url) return &r;
    }
    return nullptr;
  }

  httplib::Server server_;
  httplib::Server other_;
  int port_ = 0;
  int other_port_ = 0;
  std::atomic<int> other_hits_{0};
  std::thread thread_;
  std::thread other_thread_;
};

TEST_F(DiscoverTest, VerifiesEveryCandidateAndKeepsOnlyRealFeeds) {
  auto fetcher = MakeFetcher();
  auto found = Discover(*fetcher, Url("/"), DiscoverOptions{});
  ASSERT_TRUE(found.has_value()) << found.error().message;
  const Discovery& d = *found;
  EXPECT_TRUE(d.page_is_html);
  EXPECT_EQ(d.page_title, "Accueil");
  EXPECT_FALSE(d.tried_usual_paths);
  ASSERT_EQ(d.feeds.size(), 2u);
  EXPECT_EQ(d.feeds[0].url, Url("/feed/"));
  EXPECT_EQ(d.feeds[0].format, feed::Format::kRss20);
  EXPECT_EQ(d.feeds[0].title, "Le Journal");
  EXPECT_EQ(d.feeds[0].entries, 2u);
  EXPECT_EQ(FormatIso8601(d.feeds[0].newest.value_or(0)), "2026-11-24T09:30:00Z");
  // Declared as RSS, redirected to the JSON Feed: listed under the page's URL, with where it
  // ends; the declared /feed.json serves the same bytes and is not listed again.
  EXPECT_EQ(d.feeds[1].url, Url("/old-feed"));
  EXPECT_EQ(d.feeds[1].final_url, Url("/feed.json"));
  EXPECT_EQ(d.feeds[1].format, feed::Format::kJson11);
  // The REST API is JSON but no feed.
  const RejectedCandidate* api = Rejected(d, Url("/wp-json/wp/v2/pages/2"));
  ASSERT_NE(api, nullptr);
  EXPECT_EQ(api->reason, "not a feed: a JSON object without a JSON Feed \"version\" or \"items\"");
  // Another local port and the cloud metadata address: the fetcher's guard refuses them.
  const RejectedCandidate* other =
      Rejected(d, "http://127.0.0.1:" + std::to_string(other_port_) + "/feed.xml");
  ASSERT_NE(other, nullptr);
  EXPECT_NE(other->reason.find("blocked"), std::string::npos) << other->reason;
  EXPECT_EQ(other_hits_.load(), 0);
  const RejectedCandidate* metadata = Rejected(d, "http://169.254.169.254/latest/meta-data/");
  ASSERT_NE(metadata, nullptr);
  EXPECT_NE(metadata->reason.find("blocked"), std::string::npos) << metadata->reason;
  // A missing anchor target is a 404; "/?feed=rss2" serves the bytes of /feed/.
  const RejectedCandidate* missing = Rejected(d, Url("/missing.rss"));
  ASSERT_NE(missing, nullptr);
  EXPECT_EQ(missing->reason.rfind("HTTP 404", 0), 0u) << missing->reason;
}

TEST_F(DiscoverTest, AFeedUrlIsReportedAsTheFeedItself) {
  auto fetcher = MakeFetcher();
  auto found = Discover(*fetcher, Url("/old-feed"), DiscoverOptions{});
  ASSERT_TRUE(found.has_value()) << found.error().message;
  ASSERT_EQ(found->feeds.size(), 1u);
  EXPECT_TRUE(found->feeds[0].is_page);
  EXPECT_EQ(found->feeds[0].final_url, Url("/feed.json"));
  EXPECT_EQ(found->feeds[0].title, "Notes");
  EXPECT_TRUE(found->rejected.empty());
}

TEST_F(DiscoverTest, APageWithoutLinksFallsBackToTheUsualPaths) {
  auto fetcher = MakeFetcher();
  auto found = Discover(*fetcher, Url("/bare"), DiscoverOptions{});
  ASSERT_TRUE(found.has_value()) << found.error().message;
  EXPECT_TRUE(found->tried_usual_paths);
  ASSERT_EQ(found->feeds.size(), 2u);
  EXPECT_EQ(found->feeds[0].url, Url("/atom.xml"));
  EXPECT_EQ(found->feeds[1].url, Url("/?feed=rss2"));
  EXPECT_EQ(found->feeds[0].kind, feed::FeedLinkKind::kUsualPath);
  EXPECT_EQ(found->feeds[0].title, "Guessed");
  // /feed, /rss, /rss.xml were tried before and are listed with their reason.
  ASSERT_NE(Rejected(*found, Url("/rss.xml")), nullptr);
}

TEST_F(DiscoverTest, APageThatCannotBeFetchedIsAnError) {
  auto fetcher = MakeFetcher();
  auto found = Discover(*fetcher, Url("/nothing-here"), DiscoverOptions{});
  ASSERT_FALSE(found.has_value());
  EXPECT_NE(found.error().message.find("HTTP 404"), std::string::npos) << found.error().message;
}

TEST_F(DiscoverTest, TheCandidateBudgetIsKept) {
  auto fetcher = MakeFetcher();
  DiscoverOptions options;
  options.max_candidates = 2;
  auto found = Discover(*fetcher, Url("/"), options);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->feeds.size() + found->rejected.size(), 2u);
}

}  // namespace
}  // namespace veille::pipeline
