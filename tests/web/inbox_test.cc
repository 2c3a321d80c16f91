// The inbox pages through App::Handle on a real SQLite archive: hostile feed text rendered as
// text (titles, names, snippets, links), the filters and the search, triage (one row, checked
// rows, a story's tags and note) as the CLI's store calls see it, the story page, and the
// refusals (no token, a foreign "back", unknown stories).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <regex>

#include "archive/backtest.h"
#include "common/escape.h"
#include "store/triage.h"
#include "tests/common/hostile_text.h"
#include "web/app.h"
#include "web/html.h"

namespace veille::web {
namespace {

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

std::size_t Count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

constexpr std::int64_t kNow = 1'800'000'000;  // the App's clock, in seconds

class InboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("veille-inbox-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "veille.db").string();
    auto daemon = store::Store::Open(path_, store::Access::kMigrate);
    ASSERT_TRUE(daemon) << daemon.error().message;
    auto ids = (*daemon)->SyncFeeds(
        {{"https://a.example/feed", "Le Fil <b>"}, {"https://b.example/feed", "Wire"}}, 1000);
    ASSERT_TRUE(ids);
    // Feed A: one entry per hostile title (rule "marque"), one with a hostile link, and the
    // story "Rappel" that feed B publishes too (same canonical link).
    store::DocumentCommit a;
    a.feed.feed_id = (*ids)[0];
    a.feed.fetched_at = kNow - 3600;  // within the rule tester's last 7 days
    a.feed.next_due_at = kNow;
    int n = 0;
    for (const std::string_view title : testing::kHostileTitles) {
      store::EntryRecord e;
      e.key = "hostile-" + std::to_string(n);
      e.title = std::string(title);
      e.summary = "Alpéa " + std::string(title);
      e.link = std::string(testing::kHostileLinks[n % std::size(testing::kHostileLinks)]);
      e.language = "fr";
      store::MentionRecord m;
      m.rule = "marque";
      m.category = "brand";
      m.terms = {"Alpéa"};
      m.snippet = "<i>x</i> Alpéa " + std::string(title);
      m.highlights = {{9, 15}};  // "Alpéa" after the escaped-to-be markup
      e.mentions.push_back(m);
      a.entries.push_back(e);
      ++n;
    }
    a.entries.push_back(StoryEntry("rappel-a"));
    ASSERT_TRUE((*daemon)->CommitDocument(a));
    store::DocumentCommit b = a;
    b.feed.feed_id = (*ids)[1];
    b.entries = {StoryEntry("rappel-b")};
    b.entries[0].mentions[0].rule = "crise";
    b.entries[0].mentions[0].category = "crisis";
    ASSERT_TRUE((*daemon)->CommitDocument(b));

    AppOptions options;
    options.version = "9.8.7";
    options.archive = ArchiveAccess{
        [path = path_](store::Access access) { return store::Store::Open(path, access); },
        {config::RuleEntry{"marque", "brand", "Alpéa SA", "Alpéa", "", {}, 0, 0},
         config::RuleEntry{"crise", "crisis", "", "rappel NEAR/3 Alpéa", "stage", {}, 0, 0}}};
    std::map<std::string, i18n::Translator> translators;
    translators.emplace("en", i18n::Translator());
    auto fr = i18n::LoadTranslator("fr", {VEILLE_BINARY_DIR "/locale"});
    ASSERT_TRUE(fr.has_value()) << fr.error().message;
    translators.emplace("fr", std::move(*fr));
    app_ = std::make_unique<App>(std::move(options), std::move(translators),
                                 [] { return kNow * 1000; });
  }
  void TearDown() override {
    app_.reset();
    std::filesystem::remove_all(dir_);
  }

  static store::EntryRecord StoryEntry(const std::string& key) {
    store::EntryRecord e;
    e.key = key;
    e.title = "Rappel de produits Alpéa";
    e.summary = "Alpéa annonce un rappel de ses crèmes.";
    e.link = "https://news.example/rappel?utm_source=" + key;
    e.canonical_link = "https://news.example/rappel";
    e.language = "fr";
    store::MentionRecord m;
    m.rule = "marque";
    m.category = "brand";
    m.terms = {"Alpéa"};
    m.snippet = "Alpéa annonce un rappel de ses crèmes.";
    m.highlights = {{0, 6}};
    m.channels = {"mail"};
    e.mentions.push_back(m);
    return e;
  }

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
  Response Get(const std::string& path, std::map<std::string, std::string> query = {}) {
    return Send("GET", path, std::move(query));
  }
  Response Post(std::map<std::string, std::string> form) {
    if (!form.count("csrf")) form["csrf"] = CsrfOf(Get("/inbox").body);
    return Send("POST", "/triage", {}, std::move(form));
  }

  std::vector<store::MentionRow> Mentions(store::MentionFilter filter = {}) {
    auto s = store::Store::Open(path_, store::Access::kRead);
    EXPECT_TRUE(s);
    filter.limit = 0;
    auto rows = (*s)->ListMentions(filter);
    EXPECT_TRUE(rows);
    return rows ? *rows : std::vector<store::MentionRow>{};
  }
  std::int64_t IdOf(const std::string& title) {
    for (const auto& m : Mentions()) {
      if (m.title == title) return m.id;
    }
    ADD_FAILURE() << "no mention titled " << title;
    return 0;
  }

  std::filesystem::path dir_;
  std::string path_;
  std::unique_ptr<App> app_;
  std::string cookie_;
};

TEST_F(InboxTest, HostileTitlesNamesAndSnippetsAreTextAndHostileLinksNeverHrefs) {
  const Response r = Get("/");
  ASSERT_EQ(r.status, 200) << r.body;
  for (const std::string_view title : testing::kHostileTitles) {
    EXPECT_EQ(r.body.find(title), std::string::npos) << "raw: " << title;
    EXPECT_NE(r.body.find(EscapeMarkup(title)), std::string::npos) << "escaped: " << title;
  }
  for (const std::string_view link : testing::kHostileLinks) {
    EXPECT_EQ(r.body.find("href=\"" + EscapeMarkup(link)), std::string::npos) << link;
  }
  EXPECT_EQ(Count(r.body, "<script"), 1u) << "only the page's own script element";
  EXPECT_EQ(r.body.find("<img"), std::string::npos);
  EXPECT_EQ(r.body.find("<svg"), std::string::npos);
  EXPECT_NE(r.body.find("Le Fil &lt;b&gt;"), std::string::npos) << "the feed name, escaped";
  // The snippet: markup escaped, the hit in <mark>.
  EXPECT_NE(r.body.find("&lt;i&gt;x&lt;/i&gt; <mark>Alpéa</mark>"), std::string::npos);
  // The canonical link of the story is a real link.
  EXPECT_NE(r.body.find("href=\"https://news.example/rappel\""), std::string::npos);
}

TEST_F(InboxTest, MarkedSnippetSkipsOffsetsThatAreNotInTheSnippet) {
  EXPECT_EQ(MarkedSnippet("a <b> c", {{2, 5}}, 60), "a <mark>&lt;b&gt;</mark> c");
  EXPECT_EQ(MarkedSnippet("abc", {{2, 9}, {1, 0}}, 60), "abc");
  EXPECT_EQ(SafeBack("//evil.example/x"), "/");
  EXPECT_EQ(SafeBack("/\\evil.example"), "/");
  EXPECT_EQ(SafeBack("https://evil.example/"), "/");
  EXPECT_EQ(SafeBack("/inbox?rule=marque&page=2"), "/inbox?rule=marque&page=2");
}

TEST_F(InboxTest, AStoryPublishedByTwoFeedsIsOneRowAlsoInAnotherSource) {
  const Response r = Get("/inbox");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(Count(r.body, ">Rappel de produits Alpéa</a>"), 1u) << r.body;
  EXPECT_NE(r.body.find("also in 1 source"), std::string::npos);
  EXPECT_EQ(Count(r.body, "<li class=\"mention"), std::size(testing::kHostileTitles) + 1);
}

TEST_F(InboxTest, CategoriesAreShownInTheReadersLanguageAndFilteredByTheirName) {
  ASSERT_EQ(
      Send("POST", "/language", {}, {{"csrf", CsrfOf(Get("/inbox").body)}, {"language", "fr"}})
          .status,
      303);
  Response r = Get("/inbox");
  EXPECT_NE(r.body.find("<option value=\"brand\">marque</option>"), std::string::npos)
      << "the category filter says brand in French, and filters on the stored name";
  const auto rows = Mentions();
  ASSERT_FALSE(rows.empty());
  const auto brand = std::find_if(rows.begin(), rows.end(),
                                  [](const store::MentionRow& m) { return m.category == "brand"; });
  ASSERT_NE(brand, rows.end());
  r = Get("/story/" + std::to_string(brand->story_id));
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("</span> \u00b7 marque \u00b7 <span class=\"feed\">"), std::string::npos)
      << "the story page names the category in French";
}

TEST_F(InboxTest, FiltersAndTheSearchNarrowTheList) {
  Response r = Get("/inbox", {{"rule", "crise"}});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(Count(r.body, "<li class=\"mention"), 1u);
  EXPECT_NE(r.body.find("<option value=\"crise\" selected>"), std::string::npos);
  r = Get("/inbox", {{"q", "rappel NEAR/3 crèmes"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Count(r.body, "<li class=\"mention"), 1u) << "the story, as veille search finds it";
  r = Get("/inbox", {{"q", "Alpéa NEAR/3"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("column"), std::string::npos) << "the error at its column";
  r = Get("/inbox", {{"since", "yesterday"}});
  EXPECT_EQ(r.status, 400);
  r = Get("/inbox", {{"lang", "en"}});
  EXPECT_NE(r.body.find("id=\"empty\""), std::string::npos);
  r = Get("/inbox", {{"status", "handled"}});
  EXPECT_NE(r.body.find("id=\"empty\""), std::string::npos);
}

// The mention ids of an inbox page's rows, in order.
std::vector<std::int64_t> RowIds(const std::string& body) {
  static const std::regex row("<li class=\"mention[^\"]*\" id=\"m([0-9]+)\"");
  std::vector<std::int64_t> out;
  for (auto it = std::sregex_iterator(body.begin(), body.end(), row); it != std::sregex_iterator();
       ++it) {
    out.push_back(std::stoll((*it)[1].str()));
  }
  return out;
}

TEST_F(InboxTest, PagesFollowEachOtherToTheLastAndPastTheEndTheListIsEmpty) {
  // Exactly two pages of rule "pile" (each entry its own story), in three commits so that
  // several mentions share one time.
  {
    auto daemon = store::Store::Open(path_, store::Access::kWrite);
    ASSERT_TRUE(daemon) << daemon.error().message;
    auto feeds = (*daemon)->ListFeeds();
    ASSERT_TRUE(feeds);
    for (int commit = 0; commit < 3; ++commit) {
      store::DocumentCommit c;
      c.feed.feed_id = feeds->front().id;
      c.feed.fetched_at = kNow - 7200 + commit;
      c.feed.next_due_at = kNow;
      for (int i = commit * 34; i < std::min(100, commit * 34 + 34); ++i) {
        store::EntryRecord e;
        e.key = "pile-" + std::to_string(i);
        e.title = "Pile numéro " + std::to_string(i);
        e.summary = "Une pile de rappels Alpéa, numéro " + std::to_string(i) + ", et du bruit";
        e.link = "https://pile.example/" + std::to_string(i);
        e.canonical_link = e.link;
        store::MentionRecord m;
        m.rule = "pile";
        m.category = "brand";
        m.terms = {"Alpéa"};
        m.snippet = *e.summary;
        e.mentions.push_back(m);
        c.entries.push_back(e);
      }
      ASSERT_TRUE((*daemon)->CommitDocument(c));
    }
  }
  store::MentionFilter pile;
  pile.rule = "pile";
  std::vector<std::int64_t> all;
  for (const auto& m : Mentions(pile)) all.push_back(m.id);
  ASSERT_EQ(all.size(), 100u);
  const std::vector<std::int64_t> first(all.begin(), all.begin() + 50);
  const std::vector<std::int64_t> second(all.begin() + 50, all.end());

  // The list, the search's join by entry ids, then (with more matching entries than one
  // statement lists: archive/search.cc) the search's join over the list read in chunks.
  for (const std::string q : {"", "pile NEAR/2 rappels", "bruit"}) {
    SCOPED_TRACE("q=" + q);
    if (q == "bruit") {  // 5,000 older entries holding both words, without any mention
      auto daemon = store::Store::Open(path_, store::Access::kWrite);
      ASSERT_TRUE(daemon);
      auto feeds = (*daemon)->ListFeeds();
      ASSERT_TRUE(feeds);
      store::DocumentCommit c;
      c.feed.feed_id = feeds->back().id;
      c.feed.fetched_at = kNow - 86400;
      c.feed.next_due_at = kNow;
      for (int i = 0; i < 5000; ++i) {
        store::EntryRecord e;
        e.key = "bruit-" + std::to_string(i);
        e.title = "Bruit " + std::to_string(i);
        e.summary = "bruit de fond " + std::to_string(i);
        e.link = "https://bruit.example/" + std::to_string(i);
        c.entries.push_back(e);
      }
      ASSERT_TRUE((*daemon)->CommitDocument(c));
    }
    auto query = [&](const std::string& page) {
      std::map<std::string, std::string> out{{"rule", "pile"}};
      if (!q.empty()) out["q"] = q;
      if (!page.empty()) out["page"] = page;
      return out;
    };
    Response r = Get("/inbox", query(""));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(RowIds(r.body), first);
    EXPECT_NE(r.body.find("id=\"next-page\""), std::string::npos);
    EXPECT_EQ(r.body.find("id=\"prev-page\""), std::string::npos);

    r = Get("/inbox", query("2"));
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(RowIds(r.body), second) << "the last page, full";
    EXPECT_NE(r.body.find("id=\"prev-page\""), std::string::npos);
    EXPECT_EQ(r.body.find("id=\"next-page\""), std::string::npos) << "nothing after the last";

    for (const std::string past : {"3", "999"}) {  // 999 is served as the deepest page, 200
      r = Get("/inbox", query(past));
      ASSERT_EQ(r.status, 200);
      EXPECT_TRUE(RowIds(r.body).empty()) << "page " << past;
      EXPECT_NE(r.body.find("id=\"empty\""), std::string::npos);
      EXPECT_NE(r.body.find("id=\"prev-page\""), std::string::npos);
      EXPECT_EQ(r.body.find("id=\"next-page\""), std::string::npos);
    }
  }
  // One mention less on the second page: the page shows what is left, still no next.
  const std::int64_t handled = second.back();
  ASSERT_EQ(Post({{"act", "handled:" + std::to_string(handled)}, {"back", "/inbox"}}).status, 303);
  Response r = Get("/inbox", {{"rule", "pile"}, {"status", "new"}, {"page", "2"}});
  std::vector<std::int64_t> short_page(second.begin(), second.end() - 1);
  EXPECT_EQ(RowIds(r.body), short_page);
  EXPECT_EQ(r.body.find("id=\"next-page\""), std::string::npos);
}

TEST_F(InboxTest, ASearchCountsItsMentionsUpToAThousandThenSaysMoreThan) {
  // 1,200 mentions of a word in every entry: the search stops counting past 1,000 (its work
  // is bounded by the page, archive::FindMatchingMentions) and says so, in either language.
  {
    auto daemon = store::Store::Open(path_, store::Access::kWrite);
    ASSERT_TRUE(daemon) << daemon.error().message;
    auto feeds = (*daemon)->ListFeeds();
    ASSERT_TRUE(feeds);
    store::DocumentCommit c;
    c.feed.feed_id = feeds->front().id;
    c.feed.fetched_at = kNow - 600;
    c.feed.next_due_at = kNow;
    for (int i = 0; i < 1200; ++i) {
      store::EntryRecord e;
      e.key = "masse-" + std::to_string(i);
      e.title = "Masse " + std::to_string(i);
      e.summary = "Une masse de mentions Alpéa " + std::to_string(i);
      e.link = "https://masse.example/" + std::to_string(i);
      store::MentionRecord m;
      m.rule = "masse";
      m.category = "brand";
      m.terms = {"Alpéa"};
      m.snippet = *e.summary;
      e.mentions.push_back(m);
      c.entries.push_back(e);
    }
    ASSERT_TRUE((*daemon)->CommitDocument(c));
  }
  Response r = Get("/inbox", {{"q", "masse"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("id=\"count\">more than 1,000 matching mentions<"), std::string::npos);
  EXPECT_EQ(RowIds(r.body).size(), 50u);
  // Below the cap, the exact count; without a search, none.
  r = Get("/inbox", {{"q", "masse -Alpéa"}});
  EXPECT_NE(r.body.find("id=\"count\">0 matching mentions<"), std::string::npos);
  r = Get("/inbox", {{"q", "masse NEAR/4 1199"}});
  EXPECT_NE(r.body.find("id=\"count\">1 matching mention<"), std::string::npos);
  EXPECT_EQ(RowIds(r.body).size(), 1u);
  r = Get("/inbox");
  EXPECT_EQ(r.body.find("id=\"count\""), std::string::npos);
  ASSERT_EQ(
      Send("POST", "/language", {}, {{"csrf", CsrfOf(Get("/inbox").body)}, {"language", "fr"}})
          .status,
      303);
  r = Get("/inbox", {{"q", "masse"}});
  EXPECT_NE(r.body.find("id=\"count\">plus de 1\u202f000 mentions correspondantes<"),
            std::string::npos)
      << r.body.substr(r.body.find("id=\"count\""), 120);
}

TEST_F(InboxTest, TriageOfOneRowAndOfCheckedRowsIsWhatTheStoreSees) {
  const std::int64_t one = IdOf(std::string(testing::kHostileTitles[0]));
  Response r = Post({{"act", "handled:" + std::to_string(one)}, {"back", "/inbox?rule=marque"}});
  ASSERT_EQ(r.status, 303) << r.body;
  EXPECT_EQ(HeaderOf(r, "Location"), "/inbox?rule=marque");
  store::MentionFilter handled;
  handled.statuses = {store::TriageStatus::kHandled};
  ASSERT_EQ(Mentions(handled).size(), 1u);
  EXPECT_EQ(Mentions(handled)[0].id, one);
  EXPECT_EQ(Count(Get("/inbox", {{"status", "handled"}}).body, "<li class=\"mention"), 1u);

  // Checked rows: each checkbox carries its row's ids.
  const std::int64_t two = IdOf(std::string(testing::kHostileTitles[1]));
  const std::int64_t three = IdOf(std::string(testing::kHostileTitles[2]));
  r = Post({{"act", "ignored"},
            {"sel" + std::to_string(two), std::to_string(two)},
            {"sel" + std::to_string(three), std::to_string(three)},
            {"back", "//evil.example/"}});
  ASSERT_EQ(r.status, 303);
  EXPECT_EQ(HeaderOf(r, "Location"), "/") << "a foreign address is never a redirect";
  store::MentionFilter ignored;
  ignored.statuses = {store::TriageStatus::kIgnored};
  EXPECT_EQ(Mentions(ignored).size(), 2u);
  r = Post({{"act", "tag"}, {"tag", "presse"}, {"sel1", std::to_string(two)}});
  ASSERT_EQ(r.status, 303);
  store::MentionFilter tagged;
  tagged.tag = "presse";
  EXPECT_EQ(Mentions(tagged).size(), 1u);

  EXPECT_EQ(Post({{"act", "ignored"}}).status, 400) << "nothing checked";
  EXPECT_EQ(Post({{"act", "burn:1"}}).status, 400);
  EXPECT_EQ(Post({{"act", "read:1;DROP"}}).status, 400);
}

TEST_F(InboxTest, ATriagePostWithoutTheTokenChangesNothing) {
  const std::int64_t one = IdOf(std::string(testing::kHostileTitles[0]));
  Get("/inbox");
  const Response r = Send("POST", "/triage", {}, {{"act", "handled:" + std::to_string(one)}});
  EXPECT_EQ(r.status, 403);
  store::MentionFilter handled;
  handled.statuses = {store::TriageStatus::kHandled};
  EXPECT_TRUE(Mentions(handled).empty());
  EXPECT_EQ(Get("/triage").status, 405) << "GET never changes anything";
}

TEST_F(InboxTest, TheStoryPageShowsSourcesExplanationsAlertsAndSavesTagsAndNotes) {
  store::MentionFilter crise;
  crise.rule = "crise";
  const auto rows = Mentions(crise);
  ASSERT_EQ(rows.size(), 1u);
  const std::string story = "/story/" + std::to_string(rows[0].story_id);
  Response r = Get(story);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("2 sources"), std::string::npos);
  EXPECT_NE(r.body.find("Le Fil &lt;b&gt;"), std::string::npos);
  EXPECT_NE(r.body.find(">Wire<"), std::string::npos);
  EXPECT_NE(r.body.find("query: matched"), std::string::npos) << "test-rule --explain's words";
  EXPECT_NE(r.body.find("<code>NEAR/3: rappel \u2026 Alpéa</code>"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("exclude (stage): not matched"), std::string::npos);
  EXPECT_NE(r.body.find("<table class=\"alerts\""), std::string::npos);
  EXPECT_NE(r.body.find(">mail<"), std::string::npos);

  r = Send("POST", "/triage", {},
           {{"csrf", CsrfOf(r.body)},
            {"act", "save:" + std::to_string(rows[0].id)},
            {"tags", "presse, <urgent>"},
            {"note", "<script>x</script>"},
            {"back", story}});
  ASSERT_EQ(r.status, 303) << r.body;
  EXPECT_EQ(HeaderOf(r, "Location"), story);
  const auto saved = Mentions(crise);
  EXPECT_EQ(saved[0].tags, (std::vector<std::string>{"<urgent>", "presse"}));
  EXPECT_EQ(saved[0].note, "<script>x</script>");
  r = Get(story);
  EXPECT_EQ(r.body.find("<script>x"), std::string::npos);
  EXPECT_NE(r.body.find("&lt;urgent&gt;, presse"), std::string::npos);

  EXPECT_EQ(Get("/story/999999").status, 404);
  EXPECT_EQ(Get("/story/abc").status, 404);
  EXPECT_EQ(Get("/story/").status, 404);
}

TEST_F(InboxTest, TheRuleTesterReplaysAQueryOverTheArchiveAndShowsErrorsAtTheirColumn) {
  Response r = Get("/tester");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("id=\"tester-hint\""), std::string::npos);
  r = Get("/tester", {{"q", "rappel NEAR/3 Alpéa"}, {"days", "7"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("2 of 10 stored entries would have matched"), std::string::npos) << r.body;
  EXPECT_EQ(Count(r.body, "<li class=\"hit\">"), 2u);
  EXPECT_NE(r.body.find("query: matched"), std::string::npos) << "each hit explained";
  r = Get("/tester", {{"q", "Alpéa"}, {"exclude", "rappel"}, {"days", "7"}});
  EXPECT_NE(r.body.find("8 of 10 stored entries"), std::string::npos) << "the exclude applies";
  for (const std::string_view title : testing::kHostileTitles) {
    EXPECT_EQ(r.body.find(title), std::string::npos) << "raw: " << title;
  }
  r = Get("/tester", {{"q", "Alpéa NEAR/3"}});
  EXPECT_EQ(r.status, 200) << "a half-typed query is the tester's everyday input";
  EXPECT_EQ(Count(r.body, "<li class=\"hit\">"), 0u);
  EXPECT_NE(r.body.find("Query: column "), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("<pre class=\"caret\" id=\"tester-caret\">Alpéa NEAR/3\n"),
            std::string::npos);
  r = Get("/tester", {{"q", "<script>\""}});
  EXPECT_NE(r.body.find("id=\"tester-error\""), std::string::npos);
  EXPECT_EQ(r.body.find("<script>\""), std::string::npos) << "the query is escaped too";
}

// The tester's and `veille test-rule`'s summary: each count takes its own plural. French wrote
// "1 candidats issus de l’index" when the plural followed the matches alone.
TEST(BacktestSummaryTest, EachCountTakesItsOwnPluralInFrench) {
  auto fr = i18n::LoadTranslator("fr", {VEILLE_BINARY_DIR "/locale"});
  ASSERT_TRUE(fr.has_value()) << fr.error().message;
  archive::Backtest b;
  b.entries = 14;
  b.stats.matches = 1;
  b.stats.candidates = 1;
  std::string s = archive::BacktestSummary("1 déc.", b, *fr);
  EXPECT_NE(s.find("1 article enregistré sur 14 aurait correspondu (1 candidat issu de l’index"),
            std::string::npos)
      << s;
  b.stats.matches = 2;
  b.stats.candidates = 3;
  s = archive::BacktestSummary("1 déc.", b, *fr);
  EXPECT_NE(s.find("2 articles enregistrés sur 14 auraient correspondu (3 candidats issus de"),
            std::string::npos)
      << s;
  s = archive::BacktestSummary("Dec 1", b, i18n::Translator());
  EXPECT_NE(s.find("2 of 14 stored entries would have matched (3 candidates from the full-text"),
            std::string::npos)
      << s;
  b.stats.candidates = 1;
  s = archive::BacktestSummary("Dec 1", b, i18n::Translator());
  EXPECT_NE(s.find("(1 candidate from the full-text index)"), std::string::npos) << s;
}

TEST_F(InboxTest, TheNavigationLinksEverySection) {
  const Response r = Get("/inbox");
  for (const char* path : {"/inbox", "/dashboard", "/feeds", "/alerts", "/tester"}) {
    EXPECT_NE(r.body.find(std::string("<a href=\"") + path + "\""), std::string::npos) << path;
  }
  EXPECT_NE(r.body.find("aria-current=\"page\">Inbox<"), std::string::npos);
}

}  // namespace
}  // namespace veille::web
