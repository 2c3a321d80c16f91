#include "config/search.h"

#include <cctype>

#include "config/suggest.h"

namespace veille::config {
namespace {

bool IsAsciiAlnum(unsigned char c) { return std::isalnum(c) != 0 && c < 0x80; }

// A host name as a user would type it: labels of letters, digits and hyphens, at least one dot.
bool IsPlainHost(std::string_view host) {
  if (host.empty() || host.size() > 253 || host.find('.') == std::string_view::npos) return false;
  if (host.front() == '.' || host.back() == '.' || host.front() == '-') return false;
  char previous = 0;
  for (char ch : host) {
    const auto c = static_cast<unsigned char>(ch);
    if (!IsAsciiAlnum(c) && ch != '-' && ch != '.') return false;
    if (ch == '.' && (previous == '.' || previous == '-')) return false;
    previous = ch;
  }
  return true;
}

// A Mastodon hashtag: the query without its '#', letters (any script), digits and '_'.
bool IsHashtag(std::string_view tag) {
  if (tag.empty() || tag.size() > 100) return false;
  for (char ch : tag) {
    const auto c = static_cast<unsigned char>(ch);
    if (!IsAsciiAlnum(c) && ch != '_' && c < 0x80) return false;
  }
  return true;
}

std::string Join(std::string_view a, std::string_view b) {
  std::string out(a);
  out += b;
  return out;
}

}  // namespace

const std::vector<SearchSource>& SearchSources() {
  static const std::vector<SearchSource> kSources = {
      {"google-news",
       "https://news.google.com/rss/search?q={query}&hl={language}&gl={country}&ceid={country}:"
       "{language}",
       true, true, false,
       "Google News search, Google's query syntax (\"quotes\", OR, -word, when:7d); about 100 "
       "newest articles; language defaults to en, country to US"},
      {"bing-news",
       "https://www.bing.com/news/search?q={query}&format=rss&setlang={language}&cc={country}",
       true, true, false, "Bing News search, Bing's query syntax; about 20 newest articles"},
      {"reddit", "https://www.reddit.com/search.rss?q={query}&sort=new", false, false, false,
       "Reddit posts, newest first (Atom); about 25 per request; Reddit limits anonymous clients"},
      {"hacker-news", "https://hnrss.org/newest?q={query}", false, false, false,
       "Hacker News stories through hnrss.org, newest first; 20 per request"},
      {"mastodon", "https://{instance}/tags/{query}.rss", false, false, true,
       "a hashtag on one Mastodon instance (write mastodon:host); the query is the tag, with or "
       "without '#'; only the posts that instance knows of"},
  };
  return kSources;
}

std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (IsAsciiAlnum(c) || ch == '-' || ch == '.' || ch == '_' || ch == '~') {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

Result<std::string> SearchUrl(std::string_view source, std::string_view query,
                              std::string_view language, std::string_view country) {
  std::string_view name = source;
  std::string_view instance;
  if (auto colon = source.find(':'); colon != std::string_view::npos) {
    name = source.substr(0, colon);
    instance = source.substr(colon + 1);
  }
  const SearchSource* found = nullptr;
  std::vector<std::string_view> names;
  for (const SearchSource& s : SearchSources()) {
    names.push_back(s.name);
    if (s.name == name) found = &s;
  }
  if (found == nullptr) {
    std::string message = "unknown search source \"" + std::string(source) + "\"";
    if (auto close = ClosestMatch(name, names); !close.empty()) {
      message += " (did you mean \"" + close + "\"?)";
    }
    return Fail(ErrorCode::kConfig, message + "; `veille sources` lists them");
  }
  if (found->takes_instance && instance.empty()) {
    return Fail(ErrorCode::kConfig,
                Join(name, " needs an instance: \"") + std::string(name) + ":mastodon.social\"");
  }
  if (!found->takes_instance && source.find(':') != std::string_view::npos) {
    return Fail(ErrorCode::kConfig, "search source \"" + std::string(name) + "\" takes no ':'");
  }
  if (query.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return Fail(ErrorCode::kConfig, "[[search]] needs a non-empty 'query'");
  }
  const std::string q = PercentEncode(query);
  if (name == "google-news") {
    const std::string lang(language.empty() ? "en" : language);
    const std::string cc(country.empty() ? "US" : country);
    return "https://news.google.com/rss/search?q=" + q + "&hl=" + lang + "&gl=" + cc +
           "&ceid=" + cc + ":" + lang;
  }
  if (name == "bing-news") {
    std::string url = "https://www.bing.com/news/search?q=" + q + "&format=rss";
    if (!language.empty()) url += "&setlang=" + std::string(language);
    if (!country.empty()) url += "&cc=" + std::string(country);
    return url;
  }
  if (name == "reddit") return "https://www.reddit.com/search.rss?q=" + q + "&sort=new";
  if (name == "hacker-news") return "https://hnrss.org/newest?q=" + q;
  // mastodon
  if (!IsPlainHost(instance)) {
    return Fail(ErrorCode::kConfig,
                "\"" + std::string(instance) + "\" is not a host name (mastodon:mastodon.social)");
  }
  std::string_view tag = query;
  if (!tag.empty() && tag.front() == '#') tag.remove_prefix(1);
  if (!IsHashtag(tag)) {
    return Fail(ErrorCode::kConfig, "mastodon follows a hashtag: \"" + std::string(query) +
                                        "\" is not one (letters, digits and _ only)");
  }
  return "https://" + std::string(instance) + "/tags/" + PercentEncode(tag) + ".rss";
}

}  // namespace veille::config
