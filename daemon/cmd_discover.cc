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
  std::cout << "# Feeds of " << TerminalSafe(RedactUrl(d.url)) << ", found by veille discover\n";
  for (std::size_t i = 0; i < d.feeds.size(); ++i) {
    const auto& f = d.feeds[i];
    std::cout << "\n# " << feed::FormatName(f.format) << ", " << f.entries << " entries"
              << (f.newest ? ", newest " + FormatIso8601(*f.newest) : std::string()) << "\n"
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
    std::cout << TerminalSafe(RedactUrl(d.url)) << " is a feed.\n";
  } else {
    std::cout << TerminalSafe(RedactUrl(d.final_url));
    if (d.page_title) std::cout << " (\"" << TerminalSafe(*d.page_title) << "\")";
    std::cout << ": " << d.feeds.size() << (d.feeds.size() == 1 ? " feed" : " feeds") << " found\n";
  }
  if (!d.feeds.empty()) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& f : d.feeds) {
      rows.push_back({TerminalSafe(f.final_url), TerminalSafe(f.title.value_or("-")),
                      std::string(feed::FormatName(f.format)), std::to_string(f.entries),
                      Newest(f.newest),
                      std::string(f.is_page ? "given" : feed::FeedLinkKindName(f.kind))});
    }
    PrintTable({"URL", "TITLE", "FORMAT", "ENTRIES", "NEWEST", "FOUND"}, rows, {{1, 12}, {0, 30}},
               TerminalWidth());
  }
  if (!d.rejected.empty()) {
    std::cout << (d.feeds.empty() ? "Tried, not feeds:\n" : "Not feeds:\n");
    for (const auto& r : d.rejected) {
      std::cout << "  " << TerminalSafe(r.url) << " (" << feed::FeedLinkKindName(r.kind)
                << "): " << TerminalSafe(r.reason) << "\n";
    }
  }
  if (d.feeds.empty()) {
    std::cout << (d.page_is_html ? "The page declares no feed that works"
                                 : "The page is not HTML and not a feed")
              << (d.tried_usual_paths ? ", and none of the usual feed paths is one.\n" : ".\n");
  }
}

int Run(const GlobalOptions& global, const DiscoverArgs& args) {
  if (args.json && args.toml) {
    std::cerr << "veille: --json and --toml cannot be combined\n";
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
    std::cerr << "veille: " << TerminalSafe(RedactUrl(url))
              << ": expected an http(s) URL (without credentials) or a local file\n";
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
      std::cerr << "veille: no feed found at " << TerminalSafe(RedactUrl(url)) << "\n";
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
