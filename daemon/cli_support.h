// Helpers shared by the CLI subcommands: loading the config, opening the store read-only,
// printing feed text safely, tables that fit the terminal.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "config/config.h"
#include "store/store.h"

namespace veille::cli {

// Loads the config named by --config; prints "veille: <message>" to stderr on failure.
std::optional<config::Config> LoadConfigOrReport(const std::string& path);

// Opens the config's database read-only; prints the reason to stderr on failure.
std::unique_ptr<store::Store> OpenStoreOrReport(const config::Config& config);

// Feed text made safe for a terminal (common/sanitize.h): valid UTF-8, no C0 or C1 control as a
// byte or as a code point (ESC and the 8-bit CSI included: a hostile title cannot move the
// cursor or change colours), tabs and line breaks as spaces.
std::string TerminalSafe(std::string_view text);

// The one JSON writer of the CLI (every --json output): UTF-8 as is (not \u-escaped), invalid
// bytes replaced with U+FFFD, so it never throws whatever a feed or a server sent.
std::string DumpJson(const nlohmann::json& value, int indent = 2);
std::string DumpJson(const nlohmann::ordered_json& value, int indent = 2);

// Cuts to at most `width` display columns (UTF-8 aware, one column per code point), adding "…";
// a bold highlight cut in the middle is closed first.
std::string Ellipsize(std::string_view text, std::size_t width);

// Display columns of a UTF-8 string (one per code point; the bold sequences take none).
std::size_t DisplayWidth(std::string_view text);

// Terminal width from $COLUMNS or the tty; 120 when unknown.
std::size_t TerminalWidth();

// A column that may shrink (down to `min_width`) when the table is wider than the terminal;
// columns listed first give up their width first.
struct Shrink {
  std::size_t column;
  std::size_t min_width;
};

// Prints rows as aligned columns fitting `width` where the shrinkable columns allow. When
// `details` is given, details[i] is printed under row i, indented (already terminal-safe).
void PrintTable(const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows,
                const std::vector<Shrink>& shrink, std::size_t width,
                const std::vector<std::string>& details = {});

// How every command marks the hits in a snippet: bold on a terminal, else between
// kPlainMark, which no French or English text uses as punctuation (« » and [ ] are; a
// title quoted « like this » stayed readable only while the hits were marked otherwise).
enum class MarkStyle { kPlain, kBold };
inline constexpr const char* kPlainMark = "**";

// kBold when stdout is a terminal and NO_COLOR is unset, else kPlain.
MarkStyle TerminalMarkStyle();

// A snippet for the terminal: control characters neutralised, each highlight marked in
// `style` (**Orélia** rappelle). Stored offsets are data: out-of-order or out-of-range ones
// are skipped. The one snippet marker of mentions, search, test-rule and the backtest;
// DisplayWidth and Ellipsize step over the bold sequences.
std::string HighlightedSnippet(std::string_view snippet,
                               const std::vector<std::pair<std::uint32_t, std::uint32_t>>& hl,
                               MarkStyle style = TerminalMarkStyle());

// "2026-11-25 20:33" in UTC ("25/11/2026 20:33" in French: the process translator), or "-" when
// absent.
std::string ShortTime(std::optional<UnixSeconds> t);

// A duration as FormatDuration writes it ("1d2h", "30m"), with the units of the process
// language ("1j2h", "30min" in French): for table cells.
std::string ShortDuration(std::int64_t seconds);

// A poll outcome name (common/outcome.h: "ok", "not_modified", "dns"...) in the process
// language ("inchangé", "DNS"); an unknown name as it is. English shows the names themselves.
std::string OutcomeLabel(std::string_view name);

// Parses "7d"/"24h" relative to `now`, or an ISO date "2026-11-01" / "2026-11-01T10:00:00Z".
std::optional<UnixSeconds> ParseSinceArgument(std::string_view text, UnixSeconds now);

UnixSeconds Now();

// Reads a whole file into `*out`; "" on success, else a one-line reason naming the file.
std::string ReadFileBytes(const std::string& path, std::string* out);

}  // namespace veille::cli
