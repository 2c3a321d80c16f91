#include "store/canonical.h"

#include <gtest/gtest.h>

namespace veille::store {
namespace {

struct LinkCase {
  const char* input;
  const char* expected;
};

TEST(CanonicalLinkTest, NormalizesTrackingRedirectorsAndSpelling) {
  const LinkCase cases[] = {
      // tracking parameters
      {"https://www.lemonde.fr/economie/article/2026/11/25/"
       "renault.html?utm_source=rss&utm_medium=feed",
       "https://www.lemonde.fr/economie/article/2026/11/25/renault.html"},
      {"https://example.org/a?id=7&fbclid=IwAR0&gclid=Cj0&mc_cid=1&mc_eid=2",
       "https://example.org/a?id=7"},
      {"https://example.org/a?UTM_Campaign=x&page=2&xtor=RSS-3", "https://example.org/a?page=2"},
      {"https://example.org/a?msclkid=1&igshid=2&_hsenc=3&yclid=4", "https://example.org/a"},
      // scheme, host, port, fragment, trailing slash
      {"HTTPS://WWW.Example.ORG:443/Path/", "https://www.example.org/Path"},
      {"http://example.org:80", "http://example.org/"},
      {"http://example.org:8080/a/", "http://example.org:8080/a"},
      {"https://example.org./a#comments", "https://example.org/a"},
      {"https://example.org/", "https://example.org/"},
      // redirectors
      {"https://www.google.com/url?rct=j&sa=t&url=https://www.lesechos.fr/"
       "x.html%3Futm_source%3Dalert&ct=ga",
       "https://www.lesechos.fr/x.html"},
      {"https://www.google.fr/url?q=https%3A%2F%2Fexample.org%2Fstory%2F&sa=U",
       "https://example.org/story"},
      {"https://news.google.com/news/url?sa=t&url=https://example.org/n?id=3&utm_medium=rss",
       "https://example.org/n?id=3"},
      {"http://feedproxy.google.com/~r/Blog/~3/abc/?url=https%3A%2F%2Fblog.example.org%2Fpost",
       "https://blog.example.org/post"},
      {"https://www.bing.com/news/apiclick.aspx?ref=FexRss&url=https%3a%2f%2fexample.org%2fz",
       "https://example.org/z"},
      // nested wrappers
      {"https://www.google.com/"
       "url?url=https%3A%2F%2Fnews.google.com%2Fx%3Furl%3Dhttps%253A%252F%252Fexample.org%252Fdeep",
       "https://example.org/deep"},
      // left alone
      {"https://news.google.com/rss/articles/CBMi?oc=5",
       "https://news.google.com/rss/articles/CBMi?oc=5"},
      {"https://www.google.com/search?q=orange", "https://www.google.com/search?q=orange"},
      {"  mailto:someone@example.org ", "mailto:someone@example.org"},
      {"tag:example.org,2026:1", "tag:example.org,2026:1"},
      {"https://user@example.org/a", "https://user@example.org/a"},
      {"https://[2001:db8::1]:443/a/", "https://[2001:db8::1]/a"},
  };
  for (const LinkCase& c : cases) {
    EXPECT_EQ(CanonicalLink(c.input), c.expected) << "input: " << c.input;
  }
}

TEST(CanonicalLinkTest, IsIdempotent) {
  for (const char* link : {"https://Example.org/a/?utm_source=x#f", "http://e.org:80",
                           "https://www.google.com/url?q=https://e.org/"}) {
    const std::string once = CanonicalLink(link);
    EXPECT_EQ(CanonicalLink(once), once) << "input: " << link;
  }
}

struct TitleCase {
  const char* a;
  const char* b;
  bool same;
};

TEST(StoryTitleKeyTest, JoinsTitlesThatDifferOnlyInCaseAccentsPunctuationAndSource) {
  const TitleCase cases[] = {
      {"Renault rappelle 300 000 véhicules", "RENAULT RAPPELLE 300 000 VEHICULES", true},
      {"Renault rappelle 300 000 véhicules", "Renault rappelle 300 000 véhicules - Le Monde", true},
      {"L’Oréal rachète une marque coréenne", "L'Oréal rachète une marque coréenne | Les Echos",
       true},
      {"Œuvre d'art volée au musée", "Oeuvre d’art volée au musée", true},
      {"Renault rappelle 300 000 véhicules", "Renault rappelle 200 000 véhicules", false},
      {"Orange augmente ses prix", "Orange baisse ses prix", false},
  };
  for (const TitleCase& c : cases) {
    const std::string ka = StoryTitleKey(c.a);
    const std::string kb = StoryTitleKey(c.b);
    EXPECT_FALSE(ka.empty()) << c.a;
    EXPECT_EQ(ka == kb, c.same) << "a: " << c.a << "\nb: " << c.b << "\nkeys: " << ka << " / "
                                << kb;
  }
}

TEST(StoryTitleKeyTest, IsEmptyForTitlesTooShortToIdentifyAStory) {
  for (const char* title : {"", "Accueil", "Home page", "Untitled - Blog", "a b c d"}) {
    EXPECT_EQ(StoryTitleKey(title), "") << "title: " << title;
  }
}

TEST(StoryTitleKeyTest, KeepsASourceSuffixWhenTooLittleWouldBeLeft) {
  EXPECT_EQ(StoryTitleKey("Orange - résultats du troisième trimestre"),
            "orange resultats du troisieme trimestre");
}

}  // namespace
}  // namespace veille::store
