// veille outbox: the alert outbox (what was delivered, what waits, what died and why), and
// `veille outbox retry ID|--all-dead` to send dead alerts again.
#include <iostream>
#include <nlohmann/json.hpp>

#include "archive/outbox_text.h"
#include "daemon/cli_support.h"
#include "daemon/commands.h"
#include "i18n/translator.h"
#include "store/outbox_repo.h"

namespace veille::cli {
namespace {

// The statuses of the outbox (store::OutboxRow::status) in the tables' STATUS column, in words
// (i18n::TrP("alert status", name)); the counts line has its own plurals (archive/outbox_text.h).
[[maybe_unused]] constexpr const char* kStatusWords[] = {
    i18n::NC_("alert status", "channel_removed"), i18n::NC_("alert status", "dead"),
    i18n::NC_("alert status", "delivered"),       i18n::NC_("alert status", "disabled"),
    i18n::NC_("alert status", "pending"),         i18n::NC_("alert status", "suppressed")};

struct OutboxArgs {
  std::string status;
  bool json = false;
  int limit = 50;
  std::int64_t retry_id = 0;
  bool all_dead = false;
  bool all_pending = false;
  bool events = false;
};

nlohmann::json OptTime(std::optional<UnixSeconds> t) {
  if (t) return FormatIso8601(*t);
  return nullptr;
}

// An event's kind ("spike", "feed_health": alert/watch.cc) in words; an unknown one as is.
std::string EventKind(const std::string& kind) {
  static constexpr const char* kKinds[] = {i18n::NC_("alert kind", "spike"),
                                           i18n::NC_("alert kind", "feed_health")};
  for (const char* known : kKinds) {
    if (kind == known) return i18n::TrP("alert kind", known);
  }
  return kind;
}

// Spike and feed-health alerts (their own outbox).
int ListEvents(store::Store& store, const OutboxArgs& args) {
  auto rows = store::ListEvents(store, args.limit);
  if (!rows) {
    std::cerr << "veille: " << rows.error().message << "\n";
    return 1;
  }
  if (args.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : *rows) {
      if (!args.status.empty() && store::OutboxStatusName(r.status) != args.status) continue;
      out.push_back({{"id", r.id},
                     {"channel", r.channel},
                     {"status", std::string(store::OutboxStatusName(r.status))},
                     {"attempts", r.attempts},
                     {"kind", r.event.kind},
                     {"title", r.event.title},
                     {"text", r.event.text},
                     {"created", FormatIso8601(r.event.created_at)},
                     {"idempotency_key", r.idempotency_key},
                     {"last_error", r.last_error ? nlohmann::json(*r.last_error) : nullptr}});
    }
    std::cout << DumpJson(out) << "\n";
    return 0;
  }
  std::vector<std::vector<std::string>> table;
  for (const auto& r : *rows) {
    if (!args.status.empty() && store::OutboxStatusName(r.status) != args.status) continue;
    table.push_back({std::to_string(r.id), TerminalSafe(r.channel),
                     i18n::TrP("alert status", store::OutboxStatusName(r.status)),
                     std::to_string(r.attempts), ShortTime(r.event.created_at),
                     EventKind(r.event.kind), TerminalSafe(r.event.title),
                     TerminalSafe(r.last_error.value_or(""))});
  }
  if (table.empty()) {
    std::cout << i18n::Tr("No spike or feed-health alerts.") << "\n";
    return 0;
  }
  PrintTable(
      {"ID", i18n::TrP("column", "CHANNEL"), i18n::TrP("column", "STATUS"),
       i18n::TrP("column", "TRIES"), i18n::TrP("column", "CREATED"), i18n::TrP("column", "KIND"),
       i18n::TrP("column", "TITLE"), i18n::TrP("column", "LAST ERROR")},
      table, {{7, 20}, {6, 30}}, TerminalWidth());
  return 0;
}

int List(const GlobalOptions& global, const OutboxArgs& args) {
  auto config = LoadConfigOrReport(global.config_path);
  if (!config) return 2;
  auto store = OpenStoreOrReport(*config);
  if (!store) return 1;
  if (args.events) return ListEvents(*store, args);
  auto rows = store::ListOutbox(*store, store::ParseOutboxStatus(args.status), args.limit);
  if (!rows) {
    std::cerr << "veille: " << rows.error().message << "\n";
    return 1;
  }
  if (args.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : *rows) {
      out.push_back({
          {"id", r.row.id},
          {"channel", r.row.channel},
          {"status", std::string(store::OutboxStatusName(r.row.status))},
          {"attempts", r.row.attempts},
          {"next_attempt", r.row.status == store::OutboxStatus::kPending
                               ? OptTime(r.row.next_attempt_at)
                               : nullptr},
          {"last_error", r.row.last_error ? nlohmann::json(*r.row.last_error) : nullptr},
          {"created", FormatIso8601(r.row.created_at)},
          {"delivered", OptTime(r.row.delivered_at)},
          {"idempotency_key", r.row.idempotency_key},
          {"digest", r.digest_key ? nlohmann::json(*r.digest_key) : nullptr},
          {"mention_id", r.row.mention_id},
          {"rule", r.rule},
          {"title", r.title ? nlohmann::json(*r.title) : nullptr},
          {"title_derived", r.title_derived},
          {"feed", r.feed_name},
      });
    }
    std::cout << DumpJson(out) << "\n";
    return 0;
  }
  auto counts = store::CountOutbox(*store);
  if (counts) {
    std::cout << i18n::Format(
                     i18n::Tr("Outbox: {counts}"),
                     {{"counts", archive::OutboxCountsText(*counts, i18n::ProcessTranslator())}})
              << "\n";
  }
  // Alerts never sent, and why (the first poll of a feed, a story already alerted).
  if (auto groups = store::CountSuppressed(*store); groups && args.status.empty()) {
    for (const auto& g : *groups) {
      const auto rows_n = static_cast<std::uint64_t>(g.rows);
      const auto feeds_n = static_cast<std::uint64_t>(g.feeds);
      std::cout << "  "
                << i18n::Format(i18n::TrN("{n} alert not sent: ", "{n} alerts not sent: ", rows_n),
                                {{"n", std::to_string(g.rows)}});
      if (g.reason == store::kFirstPollReason) {
        std::cout << i18n::Format(
                         i18n::TrN("first poll of {n} feed; set backfill_alerts = true to send "
                                   "what a feed's first poll finds",
                                   "first poll of {n} feeds; set backfill_alerts = true to send "
                                   "what a feed's first poll finds",
                                   feeds_n),
                         {{"n", std::to_string(g.feeds)}})
                  << "\n";
      } else {
        std::cout << TerminalSafe(g.reason.empty() ? i18n::Tr("no reason recorded") : g.reason)
                  << "\n";
      }
    }
  }
  if (rows->empty()) {
    if (!args.status.empty()) {
      std::cout << i18n::Format(i18n::Tr("No {status} alerts."),
                                {{"status", i18n::TrP("alert status", args.status)}})
                << "\n";
    }
    return 0;
  }
  std::vector<std::vector<std::string>> table;
  for (const auto& r : *rows) {
    std::string when =
        r.row.status == store::OutboxStatus::kPending
            ? i18n::Format(i18n::Tr("next {time}"), {{"time", ShortTime(r.row.next_attempt_at)}})
        : r.row.status == store::OutboxStatus::kSuppressed ? ShortTime(r.row.created_at)
                                                           : ShortTime(r.row.delivered_at);
    table.push_back({std::to_string(r.row.id), TerminalSafe(r.row.channel),
                     i18n::TrP("alert status", store::OutboxStatusName(r.row.status)),
                     std::to_string(r.row.attempts), when, TerminalSafe(r.rule),
                     TerminalSafe(r.title.value_or("")),
                     TerminalSafe(r.row.last_error.value_or(""))});
  }
  PrintTable(
      {"ID", i18n::TrP("column", "CHANNEL"), i18n::TrP("column", "STATUS"),
       i18n::TrP("column", "TRIES"), i18n::TrP("column", "WHEN"), i18n::TrP("column", "RULE"),
       i18n::TrP("column", "TITLE"), i18n::TrP("column", "LAST ERROR / REASON")},
      table, {{7, 20}, {6, 20}}, TerminalWidth());
  return 0;
}

int Retry(const GlobalOptions& global, const OutboxArgs& args) {
  auto config = LoadConfigOrReport(global.config_path);
  if (!config) return 2;
  // The one CLI write: a short BEGIN IMMEDIATE transaction, waiting up to 5 s for the daemon.
  // Opening says itself when there is no database (an SQLite file not created yet, a PostgreSQL
  // database without veille's schema), for either backend.
  auto store = store::Store::Open(config->daemon.database, store::Access::kWrite, 5000);
  if (!store) {
    std::cerr << "veille: " << store.error().message << "\n";
    return 1;
  }
  if (args.all_dead || args.all_pending) {
    for (const bool dead : {true, false}) {
      if (dead ? !args.all_dead : !args.all_pending) continue;
      auto n = dead ? store::RetryAllDead(**store, Now()) : store::RetryAllPending(**store, Now());
      if (!n) {
        std::cerr << "veille: " << n.error().message << "\n";
        return 1;
      }
      const auto count = static_cast<std::uint64_t>(*n);
      std::cout << i18n::Format(dead ? i18n::TrN("{n} dead alert queued for delivery.",
                                                 "{n} dead alerts queued for delivery.", count)
                                     : i18n::TrN("{n} pending alert due now.",
                                                 "{n} pending alerts due now.", count),
                                {{"n", std::to_string(*n)}})
                << "\n";
    }
    return 0;
  }
  auto done = store::RetryOutbox(**store, args.retry_id, Now());
  if (!done) {
    std::cerr << "veille: " << done.error().message << "\n";
    return 1;
  }
  if (!*done) {
    std::cerr << "veille: "
              << i18n::Format(i18n::Tr("outbox row {id} is not pending, dead, disabled or "
                                       "channel_removed (see veille outbox)"),
                              {{"id", std::to_string(args.retry_id)}})
              << "\n";
    return 1;
  }
  std::cout << i18n::Format(i18n::Tr("Alert {id} queued for delivery."),
                            {{"id", std::to_string(args.retry_id)}})
            << "\n";
  return 0;
}

void AddOutboxCommand(CLI::App& app, GlobalOptions& global, int* exit_code) {
  auto args = std::make_shared<OutboxArgs>();
  CLI::App* cmd = app.add_subcommand("outbox", "Show the alert outbox (delivered, pending, dead)");
  cmd->add_option("--status", args->status, "Only rows with this status")
      ->check(CLI::IsMember(
          {"pending", "delivered", "dead", "suppressed", "channel_removed", "disabled"}));
  cmd->add_flag("--json", args->json, "Print a JSON array");
  cmd->add_option("--limit", args->limit, "At most this many rows, newest first (0: all)");
  cmd->add_flag("--events", args->events, "Spike and feed-health alerts instead of mentions");
  CLI::App* retry =
      cmd->add_subcommand("retry", "Send a dead or waiting alert now (fresh retry schedule)");
  auto* id = retry->add_option("ID", args->retry_id, "Outbox row id (from veille outbox)");
  auto* all = retry->add_flag("--all-dead", args->all_dead, "Every dead alert");
  auto* pending = retry->add_flag("--all-pending", args->all_pending,
                                  "Every pending alert waiting for its next attempt");
  auto* both = retry->add_flag_callback(
      "--all",
      [args] {
        args->all_dead = true;
        args->all_pending = true;
      },
      "Every dead and every pending alert");
  for (auto* flag : {all, pending, both}) {
    id->excludes(flag);
    flag->excludes(id);
  }
  retry->callback([&global, args, exit_code, id, all, pending, both] {
    if (id->count() == 0 && all->count() == 0 && pending->count() == 0 && both->count() == 0) {
      std::cerr << "veille: "
                << i18n::Tr("outbox retry needs an ID, --all-dead, --all-pending or --all") << "\n";
      *exit_code = 2;
      return;
    }
    *exit_code = Retry(global, *args);
  });
  cmd->callback([&global, args, exit_code, retry] {
    if (retry->parsed()) return;
    *exit_code = List(global, *args);
  });
}

}  // namespace

VEILLE_REGISTER_COMMAND("outbox", AddOutboxCommand);

}  // namespace veille::cli
