// veille discover URL: the feeds of a site. Fetches the page with the daemon's settings, reads
// the feeds it declares or links to (or the usual paths), verifies each by fetching and parsing
// it, and prints one row per real feed, as JSON, or as ready [[feed]] blocks.
#include <sys/stat.h>

#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

#include "common/redact.h"
#include "daemon/cli_fetch.h"
#include "daemon/cli_support.h"
#include "daemon/commands.h"
#include "feed/links.h"
#include "i18n/translator.h"
#include "pipeline/discover.h"

namespace veille::cli {
namespace {

struct DiscoverArgs {
  std::string url;
  std::vector<std::string> allow_private;
  std::int64_t timeout_s = 0;
  std::size_t max_candidates = 24;
  bool no_config = false;
  bool json = false;
  bool toml = false;
};

// A TOML basic string: quotes, backslashes and control characters escaped.
std::string TomlString(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    auto b = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (b < 0x20 || b == 0x7F) {
      static constexpr char kHex[] = "0123456789ABCDEF";
      out += "\\u00";
      out += kHex[b >> 4];
      out += kHex[b & 15];
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string Newest(const std::optional<UnixSeconds>& t) { return t ? ShortTime(t) : "-"; }

// How a candidate was found (feed::FeedLinkKindName, or "given": the URL itself), in words.
std::string FoundBy(std::string_view kind) {
  // TRANSLATORS: how veille discover found a feed: declared by the page (<link rel=alternate>),
  // a link in the page, a guessed usual path, or the URL given is the feed itself.
  static constexpr const char* kKinds[] = {
      i18n::NC_("found by", "declared"), i18n::NC_("found by", "link"),
      i18n::NC_("found by", "guess"), i18n::NC_("found by", "given")};
  for (const char* known : kKinds) {
    if (kind == known) return i18n::TrP("found by", known);
  }
  return std::string(kind);
}

// Feed names are unique in a config: "Title", "Title (2)", ...; a feed without a title is named
// after its host and path.
std::vector<std::string> FeedNames(const std::vector<pipeline::DiscoveredFeed>& feeds) {
  std::vector<std::string> names;
  std::set<std::string> taken;
  for (const auto& f : feeds) {
    std::string base = f.title.value_or("");
    if (base.empty()) {
      base = f.final_url;
      if (auto at = base.find("://"); at != std::string::npos) base.erase(0, at + 3);
    }
    std::string name = base;
    for (int n = 2; !taken.insert(name).second; ++n) name = base + " (" + std::to_string(n) + ")";
    names.push_back(name);
  }
  return names;
}

void PrintToml(const pipeline::Discovery& d) {
  std::vector<std::string> names = FeedNames(d.feeds);
  std::cout << "# "
            << i18n::Format(i18n::Tr("Feeds of {url}, found by veille discover"),
                            {{"url", TerminalSafe(RedactUrl(d.url))}})
            << "\n";
  for (std::size_t i = 0; i < d.feeds.size(); ++i) {
    const auto& f = d.feeds[i];
    const auto entries = static_cast<std::uint64_t>(f.entries);
    const std::string n = std::to_string(f.entries);
    const std::string format(feed::FormatName(f.format));
    std::cout << "\n# "
              << (f.newest ? i18n::Format(
                                 i18n::TrN("{format}, {n} entry, newest {date}",
                                           "{format}, {n} entries, newest {date}", entries),
                                 {{"format", format}, {"n", n}, {"date", FormatIso8601(*f.newest)}})
                           : i18n::Format(
                                 i18n::TrN("{format}, {n} entry", "{format}, {n} entries", entries),
                                 {{"format", format}, {"n", n}}))
              << "\n"
              << "[[feed]]\n"
              << "url = " << TomlString(f.final_url) << "\n"
              << "name = " << TomlString(names[i]) << "\n";
  }
}

nlohmann::json ToJson(const pipeline::Discovery& d) {
  auto opt = [](const std::optional<std::string>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json();
  };
  nlohmann::json feeds = nlohmann::json::array();
  for (const auto& f : d.feeds) {
    feeds.push_back({{"url", f.url},
                     {"final_url", f.final_url},
                     {"title", opt(f.title)},
                     {"format", feed::FormatName(f.format)},
                     {"entries", f.entries},
                     {"newest", f.newest ? nlohmann::json(FormatIso8601(*f.newest)) : nullptr},
                     {"found_by", f.is_page ? "given" : feed::FeedLinkKindName(f.kind)}});
  }
  nlohmann::json rejected = nlohmann::json::array();
  for (const auto& r : d.rejected) {
    rejected.push_back(
        {{"url", r.url}, {"found_by", feed::FeedLinkKindName(r.kind)}, {"reason", r.reason}});
  }
  return {{"url", RedactUrl(d.url)},
          {"final_url", RedactUrl(d.final_url)},
          {"page_title", opt(d.page_title)},
          {"is_feed", !d.feeds.empty() && d.feeds[0].is_page},
          {"feeds", feeds},
          {"not_feeds", rejected},
          {"tried_usual_paths", d.tried_usual_paths}};
}

void PrintHuman(const pipeline::Discovery& d) {
  if (!d.feeds.empty() && d.feeds[0].is_page) {
    std::cout << i18n::Format(i18n::Tr("{url} is a feed."),
                              {{"url", TerminalSafe(RedactUrl(d.url))}})
              << "\n";
  } else {
    std::string page = TerminalSafe(RedactUrl(d.final_url));
    if (d.page_title) {
      // TRANSLATORS: a page's address and its title.
      page = i18n::Format(i18n::Tr("{url} (\"{title}\")"),
                          {{"url", page}, {"title", TerminalSafe(*d.page_title)}});
    }
    std::cout << i18n::Format(
                     i18n::TrN("{page}: {n} feed found", "{page}: {n} feeds found", d.feeds.size()),
                     {{"page", page}, {"n", std::to_string(d.feeds.size())}})
              << "\n";
  }
  if (!d.feeds.empty()) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& f : d.feeds) {
      rows.push_back({TerminalSafe(f.final_url), TerminalSafe(f.title.value_or("-")),
                      std::string(feed::FormatName(f.format)), std::to_string(f.entries),
                      Newest(f.newest),
                      FoundBy(f.is_page ? "given" : feed::FeedLinkKindName(f.kind))});
    }
    PrintTable({i18n::TrP("column", "URL"), i18n::TrP("column", "TITLE"),
                i18n::TrP("column", "FORMAT"), i18n::TrP("column", "ENTRIES"),
                i18n::TrP("column", "NEWEST"), i18n::TrP("column", "FOUND")},
               rows, {{1, 12}, {0, 30}}, TerminalWidth());
  }
  if (!d.rejected.empty()) {
    std::cout << (d.feeds.empty() ? i18n::Tr("Tried, not feeds:") : i18n::Tr("Not feeds:")) << "\n";
    for (const auto& r : d.rejected) {
      std::cout << "  " << TerminalSafe(r.url) << " (" << FoundBy(feed::FeedLinkKindName(r.kind))
                << "): " << TerminalSafe(r.reason) << "\n";
    }
  }
  if (d.feeds.empty()) {
    std::cout << (d.page_is_html
                      ? (d.tried_usual_paths ? i18n::Tr("The page declares no feed that works, "
                                                        "and none of the usual feed paths is one.")
                                             : i18n::Tr("The page declares no feed that works."))
                      : (d.tried_usual_paths ? i18n::Tr("The page is not HTML and not a feed, and "
                                                        "none of the usual feed paths is one.")
                                             : i18n::Tr("The page is not HTML and not a feed.")))
              << "\n";
  }
}

int Run(const GlobalOptions& global, const DiscoverArgs& args) {
  if (args.json && args.toml) {
    std::cerr << "veille: " << i18n::Tr("--json and --toml cannot be combined") << "\n";
    return 2;
  }
  std::string url = args.url;
  struct stat st {};
  bool local = url.starts_with("/") || url.starts_with("file://");
  if (!local && url.find("://") == std::string::npos && ::stat(url.c_str(), &st) == 0) {
    url = std::filesystem::absolute(url).lexically_normal().string();  // a page saved on disk
    local = true;
  }
  if (!local && !feed::ResolveRequestUrl("", url)) {
    std::cerr << "veille: " << TerminalSafe(RedactUrl(url)) << ": "
              << i18n::Tr("expected an http(s) URL (without credentials) or a local file") << "\n";
    return 2;
  }
  std::optional<fetch::FetchOptions> options =
      DaemonFetchOptions(global.config_path, !args.no_config);
  if (!options) return 2;
  for (const auto& entry : args.allow_private) options->allow_private.push_back(entry);
  if (args.timeout_s > 0) options->timeout_s = args.timeout_s;
  auto fetcher = fetch::Fetcher::Create(*options);
  if (!fetcher) {
    std::cerr << "veille: " << fetcher.error().message << "\n";
    return 2;
  }
  pipeline::DiscoverOptions discover;
  discover.max_body = options->max_body;
  discover.max_candidates = args.max_candidates;
  auto found = pipeline::Discover(**fetcher, url, discover);
  if (!found) {
    std::cerr << "veille: " << TerminalSafe(RedactUrl(found.error().message)) << "\n";
    return 1;
  }
  if (args.json) {
    std::cout << ToJson(*found).dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
              << "\n";
  } else if (args.toml) {
    if (found->feeds.empty()) {
      std::cerr << "veille: "
                << i18n::Format(i18n::Tr("no feed found at {url}"),
                                {{"url", TerminalSafe(RedactUrl(url))}})
                << "\n";
    } else {
      PrintToml(*found);
    }
  } else {
    PrintHuman(*found);
  }
  return found->feeds.empty() ? 1 : 0;
}

void AddDiscoverCommand(CLI::App& app, GlobalOptions& global, int* exit_code) {
  auto args = std::make_shared<DiscoverArgs>();
  CLI::App* cmd = app.add_subcommand(
      "discover",
      "Find the feeds of a web page or site: declared links, feed links, then the usual paths, "
      "each verified by fetching it (exit 0 found, 1 none, 2 usage)");
  cmd->add_option("url", args->url, "Page or site URL (http/https), or a saved page on disk")
      ->required();
  cmd->add_flag("--json", args->json, "Print the feeds and the rejected candidates as JSON");
  cmd->add_flag("--toml", args->toml, "Print ready [[feed]] blocks for the config");
  cmd->add_option("--allow-private", args->allow_private,
                  "HOST:PORT exempt from the SSRF guard (repeatable; adds to the config's)")
      ->allow_extra_args(false);
  cmd->add_option("--timeout", args->timeout_s, "Total timeout per request, in seconds")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--max-candidates", args->max_candidates,
                  "Candidate URLs fetched at most (default 24)")
      ->check(CLI::Range(1, 100));
  cmd->add_flag("--no-config", args->no_config, "Ignore the config file: built-in defaults only");
  cmd->callback([&global, args, exit_code] { *exit_code = Run(global, *args); });
}

}  // namespace

VEILLE_REGISTER_COMMAND("discover", AddDiscoverCommand);

}  // namespace veille::cli
