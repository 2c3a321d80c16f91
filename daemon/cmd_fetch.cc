// veille fetch URL: one fetch with the daemon's settings, everything it saw printed. The tool to
// run when a feed misbehaves: status, kept headers, redirects, timings, outcome class, parse.
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "common/redact.h"
#include "config/config.h"
#include "daemon/cli_fetch.h"
#include "daemon/cli_support.h"
#include "daemon/commands.h"
#include "feed/parse.h"
#include "fetch/fetcher.h"
#include "i18n/translator.h"

namespace veille::cli {
namespace {

struct FetchArgs {
  std::string url;
  std::vector<std::string> allow_private;
  std::string user_agent;
  std::string etag;
  std::string last_modified;
  std::int64_t timeout_s = 0;
  bool no_config = false;
  bool body = false;
  bool json = false;
};

// "0.123 s" ("0,123 s" in French).
std::string Seconds(double s) { return i18n::ProcessTranslator().Decimal(s, 3) + " s"; }

// The daemon's fetch settings: the config's when the file exists, then the flags on top.
std::optional<fetch::FetchOptions> Settings(const GlobalOptions& global, const FetchArgs& args) {
  std::optional<fetch::FetchOptions> options =
      DaemonFetchOptions(global.config_path, !args.no_config);
  if (!options) return std::nullopt;
  for (const auto& entry : args.allow_private) options->allow_private.push_back(entry);
  if (!args.user_agent.empty()) options->user_agent = args.user_agent;
  if (args.timeout_s > 0) options->timeout_s = args.timeout_s;
  return options;
}

struct ParseSummary {
  bool parsed = false;
  std::string text;   // "rss20, 12 entries, title ..." or the parse error, in the language
  std::string error;  // "not parsed: ...", in English (the JSON's "error")
  nlohmann::json json;
};

ParseSummary Summarise(const fetch::FetchResult& r, std::size_t max_body) {
  ParseSummary s;
  feed::ParseOptions options;
  options.base_url = r.effective_url;
  options.content_type = r.content_type;
  options.max_bytes = max_body;
  auto parsed = feed::ParseFeed(r.body, options);
  if (!parsed) {
    s.error = "not parsed: " + parsed.error().message;
    s.text = i18n::Format(i18n::Tr("not parsed: {error}"), {{"error", parsed.error().message}});
    s.json = {{"error", parsed.error().message}};
    return s;
  }
  s.parsed = true;
  s.text = i18n::Format(
      i18n::TrN("{format}, {n} entry", "{format}, {n} entries", parsed->entries.size()),
      {{"format", feed::FormatName(parsed->format)},
       {"n", std::to_string(parsed->entries.size())}});
  if (parsed->title) {
    s.text += ", " + i18n::Format(i18n::Tr("title \"{title}\""),
                                  {{"title", TerminalSafe(*parsed->title)}});
  }
  if (parsed->ttl_seconds) s.text += ", ttl " + std::to_string(*parsed->ttl_seconds) + " s";
  if (parsed->recovered) s.text += " " + i18n::Tr("(recovered from a damaged document)");
  s.json = {{"format", feed::FormatName(parsed->format)},
            {"title", parsed->title ? nlohmann::json(*parsed->title) : nlohmann::json()},
            {"entries", parsed->entries.size()},
            {"recovered", parsed->recovered},
            {"warnings", parsed->warnings}};
  return s;
}

int Run(const GlobalOptions& global, const FetchArgs& args) {
  const std::optional<fetch::FetchOptions> options = Settings(global, args);
  if (!options) return 2;
  auto fetcher = fetch::Fetcher::Create(*options);
  if (!fetcher) {
    std::cerr << "veille: " << fetcher.error().message << "\n";
    return 2;
  }
  fetch::FetchRequest request;
  request.url = args.url;
  // A relative path names a local file, as in the config (relative to where we stand here).
  struct stat st {};
  if (args.url.find("://") == std::string::npos && !args.url.starts_with("/") &&
      ::stat(args.url.c_str(), &st) == 0) {
    request.url = std::filesystem::absolute(args.url).lexically_normal().string();
  }
  request.etag = args.etag;
  request.last_modified = args.last_modified;
  (*fetcher)->Submit(request);
  std::vector<fetch::FetchResult> results;
  while ((*fetcher)->pending() > 0 && results.empty()) {
    results = (*fetcher)->Poll(std::chrono::milliseconds(1000));
  }
  if (results.empty()) return 2;
  fetch::FetchResult& r = results.front();

  ParseSummary parse;
  if (r.outcome == Outcome::kOk) {
    parse = Summarise(r, options->max_body);
    if (!parse.parsed) {
      r.outcome = Outcome::kParse;
      r.error = parse.error;
    }
  }
  // With --body, stdout carries the body alone (so that it pipes into `veille parse`); the
  // summary goes to stderr.
  std::ostream& summary = args.body ? std::cerr : std::cout;
  const auto opt = [](const std::string& v) {
    return v.empty() ? nlohmann::json() : nlohmann::json(v);
  };

  if (args.json) {
    nlohmann::json redirects = nlohmann::json::array();
    for (const auto& hop : r.redirects) {
      redirects.push_back({{"status", hop.status}, {"location", RedactUrl(hop.location)}});
    }
    nlohmann::json out = {
        {"url", RedactUrl(args.url)},
        {"outcome", OutcomeName(r.outcome)},
        {"status", r.http_status},
        {"http_version", opt(r.http_version)},
        {"error", opt(r.error)},
        {"effective_url", RedactUrl(r.effective_url)},
        {"redirects", redirects},
        {"primary_ip", opt(r.primary_ip)},
        {"content_type", opt(r.content_type)},
        {"etag", opt(r.etag)},
        {"last_modified", opt(r.last_modified)},
        {"retry_after_s", r.retry_after_s ? nlohmann::json(*r.retry_after_s) : nlohmann::json()},
        {"max_age_s", r.max_age_s ? nlohmann::json(*r.max_age_s) : nlohmann::json()},
        {"body_bytes", r.decoded_bytes},
        {"fingerprint", opt(r.fingerprint)},
        {"timings",
         {{"dns_s", r.timings.dns_s},
          {"connect_s", r.timings.connect_s},
          {"tls_s", r.timings.tls_s},
          {"first_byte_s", r.timings.first_byte_s},
          {"total_s", r.timings.total_s}}},
        {"parse", parse.json.is_null() ? nlohmann::json() : parse.json},
    };
    summary << DumpJson(out) << "\n";
  } else {
    // Labels in the language of the messages (the HTTP header names as they are), values
    // aligned in one column.
    // TRANSLATORS: the labels of veille fetch's summary, one per line.
    const std::string url = i18n::TrP("fetch", "url");
    const std::string outcome = i18n::TrP("fetch", "outcome");
    const std::string status = i18n::TrP("fetch", "status");
    const std::string error = i18n::TrP("fetch", "error");
    const std::string redirect = i18n::TrP("fetch", "redirect");
    const std::string effective = i18n::TrP("fetch", "effective url");
    const std::string ip = i18n::TrP("fetch", "primary ip");
    const std::string body = i18n::TrP("fetch", "body");
    const std::string timings = i18n::TrP("fetch", "timings");
    const std::string parsed = i18n::TrP("fetch", "parse");
    std::size_t width = 14;
    for (const auto* l :
         {&url, &outcome, &status, &error, &redirect, &effective, &ip, &body, &timings, &parsed}) {
      width = std::max(width, DisplayWidth(*l));
    }
    const auto line = [&summary, width](const std::string& name, const std::string& value) {
      summary << name << std::string(width + 2 - DisplayWidth(name), ' ')
              << (value.empty() ? "-" : TerminalSafe(value)) << "\n";
    };
    line(url, RedactUrl(args.url));
    line(outcome, OutcomeLabel(OutcomeName(r.outcome)));
    line(status, r.http_status == 0
                     ? ""
                     : std::to_string(r.http_status) + " (HTTP/" + r.http_version + ")");
    line(error, r.outcome == Outcome::kParse && !parse.parsed ? parse.text : r.error);
    for (const auto& hop : r.redirects) {
      line(redirect, std::to_string(hop.status) + " -> " + RedactUrl(hop.location));
    }
    line(effective, RedactUrl(r.effective_url));
    line(ip, r.primary_ip);
    line("content-type", r.content_type);
    line("etag", r.etag);
    line("last-modified", r.last_modified);
    line("retry-after", r.retry_after_s ? std::to_string(*r.retry_after_s) + " s" : "");
    line("max-age", r.max_age_s ? std::to_string(*r.max_age_s) + " s" : "");
    const std::string decoded = std::to_string(r.decoded_bytes);
    line(body, r.fingerprint.empty()
                   ? i18n::Format(i18n::TrN("{n} byte decoded", "{n} bytes decoded",
                                            static_cast<std::uint64_t>(r.decoded_bytes)),
                                  {{"n", decoded}})
                   : i18n::Format(i18n::TrN("{n} byte decoded, fingerprint {fingerprint}",
                                            "{n} bytes decoded, fingerprint {fingerprint}",
                                            static_cast<std::uint64_t>(r.decoded_bytes)),
                                  {{"n", decoded}, {"fingerprint", r.fingerprint}}));
    line(timings, i18n::Format(i18n::Tr("dns {dns}, connect {connect}, tls {tls}, first byte "
                                        "{first_byte}, total {total}"),
                               {{"dns", Seconds(r.timings.dns_s)},
                                {"connect", Seconds(r.timings.connect_s)},
                                {"tls", Seconds(r.timings.tls_s)},
                                {"first_byte", Seconds(r.timings.first_byte_s)},
                                {"total", Seconds(r.timings.total_s)}}));
    if (r.outcome == Outcome::kOk || r.outcome == Outcome::kParse) line(parsed, parse.text);
  }
  if (args.body && !r.body.empty())
    std::cout.write(r.body.data(), static_cast<std::streamsize>(r.body.size()));
  std::cout.flush();
  return IsSuccess(r.outcome) ? 0 : 1;
}

void AddFetchCommand(CLI::App& app, GlobalOptions& global, int* exit_code) {
  auto args = std::make_shared<FetchArgs>();
  CLI::App* cmd = app.add_subcommand(
      "fetch",
      "Fetch one URL with the daemon's settings and show status, headers kept, redirects, "
      "timings, outcome class and parse summary (exit 0 ok/not_modified, 1 failure, 2 usage)");
  cmd->add_option("url", args->url, "http(s) URL, file:///absolute/path or /absolute/path")
      ->required();
  cmd->add_option("--allow-private", args->allow_private,
                  "HOST:PORT exempt from the SSRF guard (repeatable; adds to the config's)")
      ->allow_extra_args(false);
  cmd->add_option("--user-agent", args->user_agent, "User-Agent to send instead of the config's");
  cmd->add_option("--etag", args->etag, "Send this ETag as If-None-Match");
  cmd->add_option("--last-modified", args->last_modified, "Send this date as If-Modified-Since");
  cmd->add_option("--timeout", args->timeout_s, "Total timeout in seconds")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--no-config", args->no_config, "Ignore the config file: built-in defaults only");
  cmd->add_flag("--body", args->body,
                "Write the decoded body to stdout (the summary goes to stderr), e.g. to pipe it "
                "into `veille parse -`");
  cmd->add_flag("--json", args->json, "Print the summary as JSON");
  cmd->callback([&global, args, exit_code] { *exit_code = Run(global, *args); });
}

}  // namespace

VEILLE_REGISTER_COMMAND("fetch", AddFetchCommand);

}  // namespace veille::cli
