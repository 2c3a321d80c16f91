// veille triage ID…: sets what the team did with mentions (or whole stories): their status
// (new, read, handled, ignored), tags and note, the same state the web inbox shows and sets.
#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "daemon/cli_support.h"
#include "daemon/commands.h"
#include "i18n/translator.h"
#include "store/triage.h"

namespace veille::cli {
namespace {

struct TriageArgs {
  std::vector<std::int64_t> ids;
  bool story = false;
  std::string status;
  std::vector<std::string> tags;
  std::vector<std::string> untags;
  std::string note;
  bool note_given = false;
  std::string by;
};

// "presse, client" and repeated --tag flags give one list.
std::vector<std::string> SplitTags(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const auto& v : values) {
    std::size_t at = 0;
    for (;;) {
      const auto comma = v.find(',', at);
      out.push_back(v.substr(at, comma == std::string::npos ? std::string::npos : comma - at));
      if (comma == std::string::npos) break;
      at = comma + 1;
    }
  }
  return out;
}

// The operator's login name, for "handled by".
std::string LoginName() {
  if (const struct passwd* pw = ::getpwuid(::geteuid()); pw && pw->pw_name) return pw->pw_name;
  if (const char* user = std::getenv("USER"); user && *user) return user;
  return "";
}

int Run(const GlobalOptions& global, const TriageArgs& args) {
  store::TriageChange change;
  if (!args.status.empty()) change.status = store::ParseTriageStatus(args.status);
  change.add_tags = SplitTags(args.tags);
  change.remove_tags = SplitTags(args.untags);
  if (args.note_given) change.note = args.note;
  if (!change.status && change.add_tags.empty() && change.remove_tags.empty() && !change.note) {
    std::cerr << "veille: triage: "
              << i18n::Tr("nothing to change (give --status, --tag, --untag or --note)") << "\n";
    return 2;
  }
  for (const auto& t : change.add_tags) {
    if (auto tag = store::NormalizeTag(t); !tag) {
      std::cerr << "veille: --tag: " << tag.error().message << "\n";
      return 2;
    }
  }
  change.by = args.by.empty() ? LoginName() : args.by;
  change.at = Now();

  auto config = LoadConfigOrReport(global.config_path);
  if (!config) return 2;
  // A second writer: a short BEGIN IMMEDIATE transaction, waiting up to 5 s for the daemon's;
  // never creates or migrates the database.
  auto store = store::Store::Open(config->daemon.database, store::Access::kWrite, 5000);
  if (!store) {
    std::cerr << "veille: " << store.error().message << "\n";
    return 1;
  }
  std::vector<std::int64_t> ids = args.ids;
  if (args.story) {
    auto mentions = store::MentionsOfStories(**store, args.ids);
    if (!mentions) {
      std::cerr << "veille: " << mentions.error().message << "\n";
      return 1;
    }
    if (mentions->empty()) {
      std::cerr << "veille: "
                << i18n::Tr("no mention belongs to the given stories (see veille mentions --story)")
                << "\n";
      return 1;
    }
    ids = std::move(*mentions);
  }
  auto outcome = store::ApplyTriage(**store, ids, change);
  if (!outcome) {
    std::cerr << "veille: triage: " << outcome.error().message << "\n";
    return outcome.error().code == ErrorCode::kInvalidArgument ? 2 : 1;
  }
  for (const auto id : outcome->missing) {
    std::cerr << "veille: "
              << i18n::Format(i18n::Tr("no mention {id}"), {{"id", std::to_string(id)}}) << "\n";
  }
  // The triage statuses (store/triage.h), as the web inbox shows them.
  [[maybe_unused]] static constexpr const char* kStatuses[] = {
      i18n::NC_("triage status", "new"), i18n::NC_("triage status", "read"),
      i18n::NC_("triage status", "handled"), i18n::NC_("triage status", "ignored")};
  std::string what;
  if (change.status) {
    what += i18n::Format(
        i18n::Tr("status {status}"),
        {{"status", i18n::TrP("triage status", store::TriageStatusName(*change.status))}});
  }
  for (const auto& t : change.add_tags) what += (what.empty() ? "" : ", ") + std::string("+") + t;
  for (const auto& t : change.remove_tags)
    what += (what.empty() ? "" : ", ") + std::string("-") + t;
  // TRANSLATORS: in "2 mentions: status read, +press, note": the note was changed.
  if (change.note) what += (what.empty() ? "" : ", ") + i18n::Tr("note");
  const auto changed = static_cast<std::uint64_t>(outcome->changed);
  std::cout << i18n::Format(
                   i18n::TrN("{n} mention: {changes}", "{n} mentions: {changes}", changed),
                   {{"n", std::to_string(outcome->changed)}, {"changes", TerminalSafe(what)}})
            << "\n";
  return outcome->missing.empty() ? 0 : 1;
}

void AddTriageCommand(CLI::App& app, GlobalOptions& global, int* exit_code) {
  auto args = std::make_shared<TriageArgs>();
  CLI::App* cmd = app.add_subcommand(
      "triage", "Set the triage status (new, read, handled, ignored), tags or note of mentions");
  cmd->add_option("ID", args->ids, "Mention ids (from veille mentions), or story ids with --story")
      ->required();
  cmd->add_flag("--story", args->story, "The ids are stories: change every mention of each");
  cmd->add_option("--status", args->status, "new, read, handled or ignored")
      ->check(CLI::IsMember({"new", "read", "handled", "ignored"}));
  cmd->add_option("--tag", args->tags, "Add a tag (repeat, or \"a,b\")");
  cmd->add_option("--untag", args->untags, "Remove a tag (repeat, or \"a,b\")");
  auto* note = cmd->add_option("--note", args->note, "Replace the note (\"\" clears it)");
  cmd->add_option("--by", args->by, "Who made the change (default: your login name)");
  cmd->callback([&global, args, exit_code, note] {
    args->note_given = note->count() > 0;
    *exit_code = Run(global, *args);
  });
}

}  // namespace

VEILLE_REGISTER_COMMAND("triage", AddTriageCommand);

}  // namespace veille::cli
