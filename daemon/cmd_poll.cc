// veille poll FEED… | --all: asks the running daemon to poll feeds now. The request goes
// through the database (feeds.poll_requested_at, one short write transaction); the daemon looks
// for requests whenever another process has committed (at most a second later), polls those
// feeds at once and clears each request with the state of the poll that answers it
// (docs/cli.md, docs/polling.md).

#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "archive/daemon_liveness.h"
#include "common/redact.h"
#include "daemon/cli_filters.h"
#include "daemon/cli_support.h"
#include "daemon/commands.h"
#include "i18n/translator.h"
#include "store/poll_requests.h"

namespace veille::cli {
namespace {

struct PollArgs {
  std::vector<std::string> feeds;
  bool all = false;
  bool wait = false;
  std::string timeout = "60s";
  bool json = false;
};

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The running daemon's pid, or a message saying why no daemon will answer a request.
Result<std::int64_t> RunningDaemon(store::Store& store, const std::string& database) {
  auto status = store.ReadStatus();
  if (!status) return tl::unexpected(status.error());
  const UnixSeconds now = Now();
  switch (archive::LivenessOf(store, *status, now)) {
    case archive::Liveness::kNeverStarted:
      return Fail(ErrorCode::kNotFound,
                  i18n::Format(i18n::Tr("veilled is not running on {database} (it never started)"),
                               {{"database", database}}));
    case archive::Liveness::kStopped:
      return Fail(
          ErrorCode::kNotFound,
          i18n::Format(i18n::Tr("veilled is not running on {database} (it stopped at "
                                "{time} UTC)"),
                       {{"database", database}, {"time", ShortTime(*(*status)->stopped_at)}}));
    case archive::Liveness::kEnded:
      return Fail(ErrorCode::kNotFound,
                  i18n::Format(i18n::Tr("veilled is not running on {database} (pid {pid} ended "
                                        "without a clean stop)"),
                               {{"database", database}, {"pid", std::to_string((*status)->pid)}}));
    case archive::Liveness::kStale:
      return Fail(ErrorCode::kNotFound,
                  i18n::Format(i18n::Tr("veilled (pid {pid}) has written no heartbeat for "
                                        "{duration}: it may be hung (see veille status)"),
                               {{"pid", std::to_string((*status)->pid)},
                                {"duration", FormatDuration(now - (*status)->heartbeat_at)}}));
    case archive::Liveness::kRunning:
      break;
  }
  return (*status)->pid;
}

int Run(const GlobalOptions& global, const PollArgs& args) {
  if (args.all == !args.feeds.empty()) {
    std::cerr << "veille: poll: " << i18n::Tr("name the feeds to poll, or give --all (not both)")
              << "\n";
    return 2;
  }
  const auto timeout_s = ParseDurationSeconds(args.timeout);
  if (!timeout_s || *timeout_s <= 0) {
    std::cerr << "veille: --timeout " << TerminalSafe(args.timeout) << ": "
              << i18n::Tr("expected a duration such as 60s or 5m") << "\n";
    return 2;
  }
  auto config = LoadConfigOrReport(global.config_path);
  if (!config) return 2;
  // Like `veille outbox retry`: a short BEGIN IMMEDIATE transaction that waits up to 5 s for
  // the daemon's commit and sets only poll_requested_at; never creates the database.
  auto opened = store::Store::Open(config->daemon.database, store::Access::kWrite, 5000);
  if (!opened) {
    std::cerr << "veille: " << opened.error().message << "\n";
    return 1;
  }
  store::Store& store = **opened;
  auto rows = store.ListFeeds();
  if (!rows) return ReportError(rows.error());
  std::set<std::string> configured;
  for (const auto& f : config->feeds) configured.insert(f.url);
  std::map<std::int64_t, const store::FeedRow*> by_id;
  for (const auto& r : *rows) by_id[r.id] = &r;

  // The feeds named (folded names or URLs, as --feed elsewhere), or every configured one.
  std::vector<std::int64_t> wanted;
  if (args.all) {
    for (const auto& r : *rows) {
      if (configured.count(r.url)) wanted.push_back(r.id);
    }
  }
  for (const std::string& name : args.feeds) {
    auto ids = ResolveFeed(store, name);
    if (!ids) return ReportError(ids.error());
    for (const std::int64_t id : *ids) wanted.push_back(id);
  }
  std::vector<std::int64_t> ids;
  std::set<std::int64_t> seen;
  for (const std::int64_t id : wanted) {
    if (!seen.insert(id).second) continue;
    const store::FeedRow& r = *by_id.at(id);
    if (!configured.count(r.url)) {
      std::cerr << "veille: "
                << i18n::Format(i18n::Tr("feed '{feed}' is no longer in {config}: the daemon does "
                                         "not poll it"),
                                {{"feed", TerminalSafe(r.name)}, {"config", config->path}})
                << "\n";
      return 2;
    }
    if (r.state == FeedState::kGone) {
      std::cerr << "veille: "
                << i18n::Format(i18n::Tr("skipping '{feed}': it answered 410 Gone and is no "
                                         "longer polled (fix its URL in {config})"),
                                {{"feed", TerminalSafe(r.name)}, {"config", config->path}})
                << "\n";
      continue;
    }
    ids.push_back(id);
  }
  if (ids.empty()) {
    std::cerr << "veille: "
              << (args.all ? i18n::Tr("no feed to poll (has veilled registered the configured "
                                      "feeds yet?)")
                           : i18n::Tr("no feed to poll"))
              << "\n";
    return 1;
  }
  auto pid = RunningDaemon(store, config->daemon.database);
  if (!pid) {
    std::cerr << "veille: "
              << i18n::Format(i18n::Tr("{reason}; nothing was asked (start veilled, or poll every "
                                       "feed once with veilled --once)"),
                              {{"reason", pid.error().message}})
              << "\n";
    return 1;
  }
  auto requested = store::RequestPolls(store, ids, NowMs());
  if (!requested) return ReportError(requested.error());
  if (!args.wait) {
    if (args.json) {
      nlohmann::ordered_json asked = nlohmann::ordered_json::array();
      for (const std::int64_t id : ids) asked.push_back(by_id.at(id)->name);
      std::cout << DumpJson(nlohmann::ordered_json{{"daemon_pid", *pid}, {"asked", asked}}) << "\n";
    } else {
      std::cout << i18n::Format(
                       i18n::TrN("Asked veilled (pid {pid}) to poll {n} feed now; veille feeds "
                                 "shows the outcome (or use --wait).",
                                 "Asked veilled (pid {pid}) to poll {n} feeds now; veille feeds "
                                 "shows the outcome (or use --wait).",
                                 ids.size()),
                       {{"pid", std::to_string(*pid)}, {"n", std::to_string(ids.size())}})
                << "\n";
    }
    return 0;
  }

  // --wait: until every request is cleared (its poll committed), or the timeout.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(*timeout_s);
  std::set<std::int64_t> waiting(ids.begin(), ids.end());
  while (!waiting.empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto pending = store::PendingPollRequests(store);
    if (!pending) return ReportError(pending.error());
    std::set<std::int64_t> still;
    for (const auto& p : *pending) {
      if (waiting.count(p.feed_id)) still.insert(p.feed_id);
    }
    waiting = std::move(still);
  }
  auto after = store.ListFeeds();
  if (!after) return ReportError(after.error());
  int failed = 0;
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  std::vector<std::vector<std::string>> table;
  for (const auto& r : *after) {
    if (std::find(ids.begin(), ids.end(), r.id) == ids.end()) continue;
    const store::FeedRow& before = *by_id.at(r.id);
    const bool done = !waiting.count(r.id);
    const std::string outcome = done ? r.last_outcome.value_or("-") : "";
    const bool ok = done && (outcome == "ok" || outcome == "not_modified");
    failed += ok ? 0 : 1;
    // What this poll added (retention may prune meanwhile: never below zero).
    const std::int64_t new_entries = std::max<std::int64_t>(0, r.entry_count - before.entry_count);
    const std::int64_t new_mentions =
        std::max<std::int64_t>(0, r.mention_count - before.mention_count);
    if (args.json) {
      out.push_back(
          {{"name", r.name},
           {"url", RedactUrl(r.url)},
           {"polled", done},
           {"outcome", done ? nlohmann::ordered_json(outcome) : nullptr},
           {"http_status",
            done && r.last_status ? nlohmann::ordered_json(*r.last_status) : nullptr},
           {"error", done && r.last_error ? nlohmann::ordered_json(*r.last_error) : nullptr},
           {"new_entries", new_entries},
           {"new_mentions", new_mentions},
           {"next_poll",
            r.next_due_at ? nlohmann::ordered_json(FormatIso8601(*r.next_due_at)) : nullptr}});
    } else {
      table.push_back({TerminalSafe(r.name),
                       !done            ? i18n::Tr("not polled yet")
                       : r.last_outcome ? OutcomeLabel(outcome)
                                        : "-",
                       done && r.last_status ? std::to_string(*r.last_status) : "-",
                       std::to_string(new_entries), std::to_string(new_mentions),
                       ShortTime(r.next_due_at),
                       TerminalSafe(done ? r.last_error.value_or("") : "")});
    }
  }
  if (args.json) {
    std::cout << DumpJson(out) << "\n";
  } else {
    PrintTable(
        {i18n::TrP("column", "FEED"), i18n::TrP("column", "OUTCOME"), i18n::TrP("column", "STATUS"),
         i18n::TrP("column", "NEW ENTRIES"), i18n::TrP("column", "NEW MENTIONS"),
         i18n::TrP("column", "NEXT POLL"), i18n::TrP("column", "ERROR")},
        table, {{6, 20}, {0, 16}}, TerminalWidth());
    if (!waiting.empty()) {
      std::cout << i18n::Format(
                       i18n::TrN("{n} not polled within {timeout} (still asked: veilled polls it "
                                 "as soon as it can; a server's Retry-After or a busy host may "
                                 "delay it).",
                                 "{n} not polled within {timeout} (still asked: veilled polls them "
                                 "as soon as it can; a server's Retry-After or a busy host may "
                                 "delay them).",
                                 waiting.size()),
                       {{"n", std::to_string(waiting.size())}, {"timeout", args.timeout}})
                << "\n";
    }
  }
  return failed == 0 ? 0 : 1;
}

void AddPollCommand(CLI::App& app, GlobalOptions& global, int* exit_code) {
  auto args = std::make_shared<PollArgs>();
  CLI::App* cmd = app.add_subcommand("poll", "Ask the running veilled to poll feeds now");
  cmd->add_option("FEED", args->feeds, "Feed names (as veille feeds lists them) or URLs");
  cmd->add_flag("--all", args->all, "Every configured feed");
  cmd->add_flag("--wait", args->wait, "Wait for the polls and print what they found");
  cmd->add_option("--timeout", args->timeout, "With --wait: how long to wait (default 60s)");
  cmd->add_flag("--json", args->json, "JSON: with --wait, one object per feed polled");
  cmd->callback([&global, args, exit_code] { *exit_code = Run(global, *args); });
}

}  // namespace

VEILLE_REGISTER_COMMAND("poll", AddPollCommand);

}  // namespace veille::cli
