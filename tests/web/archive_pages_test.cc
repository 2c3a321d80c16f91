// The dashboard, feeds and alerts pages (archive_pages.h) through App, over a real SQLite store
// holding hostile feed text: every string stays text, no inline style (the CSP forbids it), the
// period chooser, and "poll now" and "retry" writing what `veille poll` and `veille outbox
// retry` write, only with the session's CSRF token.
#include <gtest/gtest.h>

#include <filesystem>

#include "store/outbox_repo.h"
#include "store/poll_requests.h"
#include "tests/common/hostile_text.h"
#include "web/app.h"
#include "web/page_parts.h"

namespace veille::web {
namespace {

constexpr UnixSeconds kNow = 1'796'480'580;  // 2026-12-05T14:23:00Z
constexpr UnixSeconds kDay = 86400;

std::string HeaderOf(const Response& r, const std::string& name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return "";
}

std::string CsrfOf(const std::string& body) {
  const std::string marker = "name=\"csrf\" value=\"";
  const auto at = body.find(marker);
  if (at == std::string::npos) return "";
  const auto begin = at + marker.size();
  return body.substr(begin, body.find('"', begin) - begin);
}

// No hostile markup reached the page as markup.
void ExpectOnlyText(const std::string& body) {
  EXPECT_EQ(body.find("<script>"), std::string::npos);
  EXPECT_EQ(body.find("<img"), std::string::npos);
  EXPECT_EQ(body.find("<svg/onload"), std::string::npos);
  EXPECT_EQ(body.find("' onmouseover='"), std::string::npos);
  EXPECT_EQ(body.find("<style>"), std::string::npos);
  EXPECT_EQ(body.find("style=\""), std::string::npos) << "inline style breaks the CSP";
  EXPECT_EQ(body.find("href=\"javascript:"), std::string::npos);
}

class ArchivePagesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("veille-web-archive-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "veille.db").string();
    auto s = store::Store::Open(path_, store::Access::kMigrate);
    ASSERT_TRUE(s) << s.error().message;
    std::unique_ptr<store::Store> store = std::move(*s);
    hostile_ = std::string(testing::kHostileTitles[1]);  // "><img src=x onerror=alert(1)>
    const std::vector<std::pair<std::string, std::string>> feeds = {
        {"https://a.example/feed", hostile_},
        {"https://b.example/feed", "Gone feed"},
        {"https://c.example/feed", std::string(testing::kHostileTitles[0])}};
    auto ids = store->SyncFeeds(feeds, kNow - 10 * kDay);
    ASSERT_TRUE(ids);
    ids_ = *ids;
    // Feed A: one entry per hostile title, each a mention of a brand rule (one alert each).
    store::DocumentCommit c;
    c.feed.feed_id = ids_[0];
    c.feed.fetched_at = kNow - kDay;
    c.feed.next_due_at = kNow + 3600;
    int n = 0;
    for (std::string_view title : testing::kHostileTitles) {
      store::EntryRecord e;
      e.key = "k" + std::to_string(n++);
      e.title = std::string(title);
      e.link = std::string(testing::kHostileLinks[n % std::size(testing::kHostileLinks)]);
      e.summary = "Alpea " + std::string(title);
      e.published_at = kNow - 2 * kDay;
      e.language = "fr";
      store::MentionRecord m;
      m.rule = n % 2 ? "alpea" : std::string(testing::kHostileTitles[3]);
      m.category = n % 2 ? "brand" : "competitor";
      m.terms = {"alpea"};
      m.snippet = e.summary.value();
      m.channels = {"journal"};
      e.mentions.push_back(m);
      c.entries.push_back(e);
    }
    ASSERT_TRUE(store->CommitDocument(c));
    // Feed B answered 410; feed C fails with a hostile error.
    store::FeedUpdate gone;
    gone.feed_id = ids_[1];
    gone.fetched_at = kNow - kDay;
    gone.outcome = Outcome::kGone;
    gone.state = FeedState::kGone;
    gone.error = "gone: 410";
    ASSERT_TRUE(store->UpdateFeed(gone));
    store::FeedUpdate failing;
    failing.feed_id = ids_[2];
    failing.fetched_at = kNow - kDay;
    failing.outcome = Outcome::kParse;
    failing.state = FeedState::kFailing;
    failing.consecutive_failures = 2;
    failing.error = "parse: " + std::string(testing::kHostileTitles[4]);
    ASSERT_TRUE(store->UpdateFeed(failing));
    // Two dead alerts, the rest pending.
    auto due = store->DueOutbox(kNow + 10 * kDay, 100);
    ASSERT_TRUE(due);
    ASSERT_GE(due->size(), 3u);
    for (std::size_t i = 0; i < 2; ++i) {
      ASSERT_TRUE(
          store->MarkFailed((*due)[i].id, std::string(testing::kHostileTitles[2]), kNow, true));
      dead_.push_back((*due)[i].id);
    }

    AppOptions options;
    options.version = "9.8.7";
    options.archive = ArchiveAccess{
        [path = path_](store::Access access) { return store::Store::Open(path, access, 5000); },
        {config::RuleEntry{"alpea", "brand", "Alpéa", "Alpéa", "", {}, 0, 0}}};
    for (const auto& [url, name] : feeds) options.archive->feeds.push_back({name, url});
    app_ = std::make_unique<App>(std::move(options), std::map<std::string, i18n::Translator>{},
                                 [] { return kNow * 1000; });
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Response Send(const std::string& method, const std::string& path,
                std::map<std::string, std::string> query = {},
                std::map<std::string, std::string> form = {}) {
    Request request;
    request.method = method;
    request.path = path;
    request.peer = "127.0.0.1";
    request.headers = {{"host", "127.0.0.1:8080"}};
    if (!cookie_.empty()) request.cookies["veille_session"] = cookie_;
    request.query = std::move(query);
    request.form = std::move(form);
    Response r = app_->Handle(request);
    const std::string set = HeaderOf(r, "Set-Cookie");
    if (set.starts_with("veille_session=")) cookie_ = set.substr(15, set.find(';') - 15);
    return r;
  }

  std::unique_ptr<store::Store> Reader() {
    auto s = store::Store::Open(path_, store::Access::kRead);
    EXPECT_TRUE(s) << s.error().message;
    return s ? std::move(*s) : nullptr;
  }

  std::filesystem::path dir_;
  std::string path_;
  std::string hostile_;
  std::vector<std::int64_t> ids_;
  std::vector<std::int64_t> dead_;
  std::unique_ptr<App> app_;
  std::string cookie_;
};

TEST_F(ArchivePagesTest, TheDashboardDrawsTheReportsChartsWithHostileLabelsAsText) {
  const Response r = Send("GET", "/dashboard", {{"period", "7d"}});
  ASSERT_EQ(r.status, 200) << r.body;
  ExpectOnlyText(r.body);
  EXPECT_NE(r.body.find("id=\"period-7d\" aria-current=\"page\""), std::string::npos);
  EXPECT_NE(r.body.find("class=\"chart\""), std::string::npos) << "the volume chart";
  EXPECT_NE(r.body.find("class=\"donut\""), std::string::npos) << "the share of voice";
  EXPECT_NE(r.body.find("<svg class=\"swatch\""), std::string::npos);
  EXPECT_NE(r.body.find("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"), std::string::npos)
      << "the hostile feed name, escaped, among the top sources";
  EXPECT_NE(r.body.find("<b>8</b><span>mentions</span>"), std::string::npos);
  EXPECT_NE(r.body.find("French"), std::string::npos) << "the languages chart";
}

TEST_F(ArchivePagesTest, TheDashboardTakesDatesAndSaysWhenItCannot) {
  Response r = Send("GET", "/dashboard", {{"since", "2026-11-01"}, {"until", "2026-11-30"}});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body.find("id=\"period-error\""), std::string::npos);
  EXPECT_NE(r.body.find("value=\"2026-11-01\""), std::string::npos);
  EXPECT_NE(r.body.find("value=\"2026-11-30\""), std::string::npos);
  const std::size_t periods = r.body.find("class=\"periods\"");
  ASSERT_NE(periods, std::string::npos);
  const std::string chooser = r.body.substr(periods, r.body.find("</nav>", periods) - periods);
  EXPECT_EQ(chooser.find("aria-current=\"page\""), std::string::npos) << "no preset chosen";
  EXPECT_NE(r.body.find("<a href=\"/dashboard\" aria-current=\"page\">"), std::string::npos)
      << "the navigation marks the dashboard";
  for (const auto& bad : std::vector<std::map<std::string, std::string>>{
           {{"since", "2026-12-01"}, {"until", "2026-11-01"}},
           {{"since", "\"><script>"}},
           {{"period", "<script>alert(1)</script>"}}}) {
    r = Send("GET", "/dashboard", bad);
    ASSERT_EQ(r.status, 200);
    EXPECT_NE(r.body.find("id=\"period-error\""), std::string::npos);
    EXPECT_NE(r.body.find("id=\"period-30d\" aria-current=\"page\""), std::string::npos);
    ExpectOnlyText(r.body);
  }
}

TEST_F(ArchivePagesTest, TheFeedsPageShowsHealthAndPollNowWritesThePollRequest) {
  Response r = Send("GET", "/feeds");
  ASSERT_EQ(r.status, 200) << r.body;
  ExpectOnlyText(r.body);
  EXPECT_NE(r.body.find("id=\"poll-" + std::to_string(ids_[0]) + "\""), std::string::npos);
  EXPECT_EQ(r.body.find("id=\"poll-" + std::to_string(ids_[1]) + "\""), std::string::npos)
      << "a gone feed is not polled";
  EXPECT_NE(r.body.find("failing"), std::string::npos);
  EXPECT_NE(r.body.find("never run on this database"), std::string::npos);
  // The last and next polls, short in the table, the whole moment as the tooltip.
  EXPECT_NE(r.body.find("<time datetime=\"2026-12-04T14:23:00Z\" title=\"4 December 2026, "
                        "14:23 UTC\">4 Dec, 14:23</time>"),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find(">5 Dec, 15:23</time>"), std::string::npos) << "the next poll";
  const std::string token = CsrfOf(r.body);
  ASSERT_EQ(token.size(), 64u);

  // Without the token: refused, nothing asked.
  r = Send("POST", "/feeds/poll", {}, {{"feed", std::to_string(ids_[0])}});
  EXPECT_EQ(r.status, 403);
  EXPECT_TRUE(store::PendingPollRequests(*Reader())->empty());
  // The gone feed, an unknown one: refused.
  r = Send("POST", "/feeds/poll", {}, {{"csrf", token}, {"feed", std::to_string(ids_[1])}});
  EXPECT_EQ(r.status, 400);
  r = Send("POST", "/feeds/poll", {}, {{"csrf", token}, {"feed", "999"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(store::PendingPollRequests(*Reader())->empty());

  r = Send("POST", "/feeds/poll", {}, {{"csrf", token}, {"feed", std::to_string(ids_[0])}});
  ASSERT_EQ(r.status, 303) << r.body;
  EXPECT_EQ(HeaderOf(r, "Location"), "/feeds?asked=" + std::to_string(ids_[0]));
  auto pending = store::PendingPollRequests(*Reader());
  ASSERT_TRUE(pending);
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].feed_id, ids_[0]);
  r = Send("GET", "/feeds", {{"asked", std::to_string(ids_[0])}});
  EXPECT_NE(r.body.find("id=\"notice\""), std::string::npos);
  EXPECT_NE(r.body.find("class=\"asked\""), std::string::npos);
  ExpectOnlyText(r.body);
}

TEST(MomentCellTest, AnotherYearShowsTheYearAndAnUnknownMomentADash) {
  const i18n::Translator tr;
  const std::string last_year = parts::MomentCell(kNow - 400 * kDay, kNow, tr);
  EXPECT_NE(last_year.find(">31 October 2025</time>"), std::string::npos) << last_year;
  EXPECT_EQ(parts::MomentCell(std::nullopt, kNow, tr), "\u2014");
}

TEST_F(ArchivePagesTest, TheAlertsPageListsDeadAndPendingAndRetryRequeuesThem) {
  Response r = Send("GET", "/alerts");
  ASSERT_EQ(r.status, 200) << r.body;
  ExpectOnlyText(r.body);
  EXPECT_NE(r.body.find("id=\"dead-alerts\""), std::string::npos);
  EXPECT_NE(r.body.find("id=\"pending-alerts\""), std::string::npos);
  EXPECT_NE(r.body.find("&#39; onmouseover=&#39;alert(1)"), std::string::npos)
      << "the hostile last error, escaped";
  const std::string token = CsrfOf(r.body);

  r = Send("POST", "/alerts/retry", {}, {{"id", std::to_string(dead_[0])}});
  EXPECT_EQ(r.status, 403) << "no token";
  EXPECT_EQ(store::CountOutbox(*Reader())->at(store::OutboxStatus::kDead), 2);

  r = Send("POST", "/alerts/retry", {}, {{"csrf", token}, {"id", std::to_string(dead_[0])}});
  ASSERT_EQ(r.status, 303) << r.body;
  EXPECT_EQ(HeaderOf(r, "Location"), "/alerts?retried=1");
  EXPECT_EQ(store::CountOutbox(*Reader())->at(store::OutboxStatus::kDead), 1);
  r = Send("POST", "/alerts/retry", {}, {{"csrf", token}, {"id", std::to_string(dead_[0])}});
  EXPECT_EQ(r.status, 303) << "a pending row is sent now";
  r = Send("POST", "/alerts/retry", {}, {{"csrf", token}, {"id", "123456"}});
  EXPECT_EQ(r.status, 400);

  r = Send("POST", "/alerts/retry", {}, {{"csrf", token}, {"all", "dead"}});
  ASSERT_EQ(r.status, 303);
  EXPECT_EQ(HeaderOf(r, "Location"), "/alerts?retried=1");
  EXPECT_FALSE(store::CountOutbox(*Reader())->contains(store::OutboxStatus::kDead));
  r = Send("GET", "/alerts", {{"retried", "1"}});
  EXPECT_NE(r.body.find("1 alert queued for delivery."), std::string::npos);
  EXPECT_NE(r.body.find("No dead alerts."), std::string::npos);
}

TEST_F(ArchivePagesTest, TheAlertsPageListsPendingAndDeadEventsAndRetryRequeuesThem) {
  // Three spike or feed-health alerts: one delivered (not listed), one pending, one dead, each
  // with a hostile title and error.
  std::vector<std::int64_t> rows;
  {
    auto store = store::Store::Open(path_, store::Access::kWrite);
    ASSERT_TRUE(store) << store.error().message;
    for (int i = 0; i < 3; ++i) {
      store::EventRecord e;
      e.kind = i == 1 ? "feed_health" : "spike";
      e.subject = "alpea";
      e.window_key = "w" + std::to_string(i);
      e.title = "Pic " + std::to_string(i) + " " + std::string(testing::kHostileTitles[i]);
      e.text = "text";
      e.payload = "{}";
      e.created_at = kNow - 3600 + i;
      ASSERT_TRUE(store::RecordEvent(**store, e, {"journal"}));
    }
    auto listed = store::ListEvents(**store, 0);
    ASSERT_TRUE(listed);
    ASSERT_EQ(listed->size(), 3u);
    for (const auto& row : *listed) rows.push_back(row.id);  // newest first
    ASSERT_TRUE(store::MarkEventDelivered(**store, rows[2], kNow));
    ASSERT_TRUE(store::MarkEventFailed(**store, rows[0], std::string(testing::kHostileTitles[3]),
                                       kNow, true));
  }
  Response r = Send("GET", "/alerts");
  ASSERT_EQ(r.status, 200) << r.body;
  ExpectOnlyText(r.body);
  EXPECT_NE(r.body.find("id=\"event-alerts\""), std::string::npos);
  const auto row = [&](std::int64_t id) { return "id=\"event-" + std::to_string(id) + "\""; };
  EXPECT_NE(r.body.find(row(rows[0]) + " class=\"status-dead\""), std::string::npos);
  EXPECT_NE(r.body.find(row(rows[1]) + " class=\"status-pending\""), std::string::npos);
  EXPECT_EQ(r.body.find(row(rows[2])), std::string::npos) << "a delivered one is not listed";
  EXPECT_NE(r.body.find("<td>feed_health</td>"), std::string::npos) << "the kind";
  const std::string token = CsrfOf(r.body);
  const auto status_of = [&](std::int64_t id) {
    auto listed = store::ListEvents(*Reader(), 0);
    for (const auto& e : *listed) {
      if (e.id == id) return e;
    }
    ADD_FAILURE() << "no event row " << id;
    return store::EventOutboxRow{};
  };

  r = Send("POST", "/alerts/retry", {}, {{"event", std::to_string(rows[0])}});
  EXPECT_EQ(r.status, 403) << "no token";
  EXPECT_EQ(status_of(rows[0]).status, store::OutboxStatus::kDead);
  r = Send("POST", "/alerts/retry", {}, {{"csrf", token}, {"event", std::to_string(rows[0])}});
  ASSERT_EQ(r.status, 303) << r.body;
  EXPECT_EQ(HeaderOf(r, "Location"), "/alerts?retried=1");
  const auto retried = status_of(rows[0]);
  EXPECT_EQ(retried.status, store::OutboxStatus::kPending);
  EXPECT_EQ(retried.attempts, 0) << "a fresh retry schedule";
  EXPECT_EQ(retried.next_attempt_at, kNow) << "due now";
  r = Send("POST", "/alerts/retry", {}, {{"csrf", token}, {"event", std::to_string(rows[2])}});
  EXPECT_EQ(r.status, 400) << "a delivered one is not sent again";
  EXPECT_EQ(status_of(rows[2]).status, store::OutboxStatus::kDelivered);
  r = Send("GET", "/alerts");
  EXPECT_EQ(r.body.find("class=\"status-dead\""), std::string::npos) << r.body;
}

TEST(ArchivePagesAuthTest, ThePagesNeedASignInAndAnArchive) {
  AppOptions options;
  options.auth = AuthMode::kPassword;
  options.passwords = PasswordFile::Parse(HashPassword("a password").value(), "web.users").value();
  App app(std::move(options), {}, [] { return kNow * 1000; });
  for (const char* path : {"/dashboard", "/feeds", "/alerts"}) {
    Request request;
    request.method = "GET";
    request.path = path;
    request.peer = "127.0.0.1";
    request.headers = {{"host", "127.0.0.1:8080"}};
    const Response r = app.Handle(request);
    EXPECT_EQ(r.status, 303) << path;
    EXPECT_EQ(HeaderOf(r, "Location"), "/login") << path;
  }
  App local(AppOptions{}, {}, [] { return kNow * 1000; });
  Request request;
  request.method = "GET";
  request.path = "/dashboard";
  request.peer = "127.0.0.1";
  request.headers = {{"host", "127.0.0.1:8080"}};
  EXPECT_EQ(local.Handle(request).status, 503) << "no archive configured";
}

}  // namespace
}  // namespace veille::web
