#include "daemon/cli_support.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <utility>

#include "common/sanitize.h"
#include "i18n/translator.h"

namespace veille::cli {

std::optional<config::Config> LoadConfigOrReport(const std::string& path) {
  auto config = config::LoadConfig(path);
  if (!config) {
    std::cerr << "veille: " << config.error().message << "\n";
    return std::nullopt;
  }
  return std::move(*config);
}

std::unique_ptr<store::Store> OpenStoreOrReport(const config::Config& config) {
  auto store = store::Store::Open(config.daemon.database, store::Access::kRead);
  if (!store) {
    std::cerr << "veille: " << store.error().message << "\n";
    return nullptr;
  }
  return std::move(*store);
}

std::string TerminalSafe(std::string_view text) {
  // The one sanitiser (common/sanitize.h) without trimming: snippets are printed piece by piece.
  std::string out = SanitizeText(text);
  for (char& c : out) {
    if (c == '\n' || c == '\t') c = ' ';
  }
  return out;
}

std::string DumpJson(const nlohmann::json& value, int indent) {
  return value.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string DumpJson(const nlohmann::ordered_json& value, int indent) {
  return value.dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

namespace {

// The bytes of the SGR sequence ("\033[…m") at text[i], or 0. Only HighlightedSnippet writes
// them: TerminalSafe removes ESC from whatever came from a feed.
std::size_t SgrAt(std::string_view text, std::size_t i) {
  if (text[i] != '\033' || i + 1 >= text.size() || text[i + 1] != '[') return 0;
  for (std::size_t j = i + 2; j < text.size(); ++j) {
    if (text[j] == 'm') return j - i + 1;
    if ((text[j] < '0' || text[j] > '9') && text[j] != ';') return 0;
  }
  return 0;
}

constexpr const char* kBoldOn = "\033[1m";
constexpr const char* kBoldOff = "\033[0m";

}  // namespace

std::size_t DisplayWidth(std::string_view text) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < text.size();) {
    if (const std::size_t sgr = SgrAt(text, i)) {
      i += sgr;
      continue;
    }
    n += (static_cast<unsigned char>(text[i++]) & 0xC0) != 0x80 ? 1 : 0;
  }
  return n;
}

std::string Ellipsize(std::string_view text, std::size_t width) {
  if (DisplayWidth(text) <= width) return std::string(text);
  if (width == 0) return {};
  std::string out;
  std::size_t columns = 0;
  bool styled = false;  // a bold highlight cut in the middle is closed before the "…"
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (const std::size_t sgr = SgrAt(text, i)) {
      const std::string_view seq = text.substr(i, sgr);
      styled = seq != kBoldOff;
      out += seq;
      i += sgr - 1;
      continue;
    }
    const bool starts = (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
    if (starts) {
      if (columns + 1 >= width) break;
      ++columns;
    }
    out += text[i];
  }
  if (styled) out += kBoldOff;
  out += "\u2026";
  return out;
}

std::size_t TerminalWidth() {
  if (const char* env = std::getenv("COLUMNS"); env && *env) {
    const long v = std::strtol(env, nullptr, 10);
    if (v >= 40 && v <= 1000) return static_cast<std::size_t>(v);
  }
  struct winsize ws = {};
  if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40) {
    return ws.ws_col;
  }
  return 120;
}

void PrintTable(const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows,
                const std::vector<Shrink>& shrink, std::size_t width,
                const std::vector<std::string>& details) {
  std::vector<std::size_t> widths(header.size(), 0);
  for (std::size_t c = 0; c < header.size(); ++c) widths[c] = DisplayWidth(header[c]);
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size() && c < widths.size(); ++c) {
      widths[c] = std::max(widths[c], DisplayWidth(row[c]));
    }
  }
  std::size_t total = 0;
  for (auto w : widths) total += w + 2;
  for (const Shrink& s : shrink) {
    if (total <= width || s.column >= widths.size() || widths[s.column] <= s.min_width) continue;
    const std::size_t give = std::min(total - width, widths[s.column] - s.min_width);
    widths[s.column] -= give;
    total -= give;
  }
  auto print_row = [&](const std::vector<std::string>& row) {
    std::string line;
    for (std::size_t c = 0; c < widths.size(); ++c) {
      const std::string cell = Ellipsize(c < row.size() ? row[c] : "", widths[c]);
      line += cell;
      if (c + 1 < widths.size()) line += std::string(widths[c] - DisplayWidth(cell) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    std::cout << line << "\n";
  };
  print_row(header);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    print_row(rows[i]);
    if (i < details.size() && !details[i].empty()) std::cout << "    " << details[i] << "\n";
  }
}

std::string ShortTime(std::optional<UnixSeconds> t) {
  if (!t) return "-";
  std::string iso = FormatIso8601(*t);  // 2026-11-25T20:33:25Z
  // TRANSLATORS: a date and time in a table, ten characters then five (keep the width: the
  // columns are aligned on it): 2026-11-25 20:33, 25/11/2026 20:33.
  return i18n::Format(i18n::TrP("table date", "{year}-{month}-{day} {time}"),
                      {{"year", std::string_view(iso).substr(0, 4)},
                       {"month", std::string_view(iso).substr(5, 2)},
                       {"day", std::string_view(iso).substr(8, 2)},
                       {"time", std::string_view(iso).substr(11, 5)}});
}

std::string ShortDuration(std::int64_t seconds) {
  const auto& tr = i18n::ProcessTranslator();
  // TRANSLATORS: the units of a short duration in a table: 1d2h, 30m, 45s (days, hours,
  // minutes, seconds).
  const std::pair<std::int64_t, const char*> units[] = {{86400, i18n::NC_("duration unit", "d")},
                                                        {3600, i18n::NC_("duration unit", "h")},
                                                        {60, i18n::NC_("duration unit", "m")},
                                                        {1, i18n::NC_("duration unit", "s")}};
  if (seconds <= 0) return "0" + tr.TrP("duration unit", "s");
  std::string out;
  for (const auto& [size, unit] : units) {
    if (seconds >= size) {
      out += std::to_string(seconds / size) + tr.TrP("duration unit", unit);
      seconds %= size;
    }
  }
  return out;
}

std::string OutcomeLabel(std::string_view name) {
  // TRANSLATORS: the outcome of one poll of a feed, in a table cell (keep it short).
  static constexpr const char* kOutcomes[] = {
      i18n::NC_("poll outcome", "ok"),        i18n::NC_("poll outcome", "not_modified"),
      i18n::NC_("poll outcome", "dns"),       i18n::NC_("poll outcome", "connect"),
      i18n::NC_("poll outcome", "tls"),       i18n::NC_("poll outcome", "timeout"),
      i18n::NC_("poll outcome", "too_large"), i18n::NC_("poll outcome", "http_4xx"),
      i18n::NC_("poll outcome", "http_5xx"),  i18n::NC_("poll outcome", "rate_limited"),
      i18n::NC_("poll outcome", "gone"),      i18n::NC_("poll outcome", "blocked"),
      i18n::NC_("poll outcome", "parse"),     i18n::NC_("poll outcome", "io"),
      i18n::NC_("poll outcome", "storage")};
  for (const char* known : kOutcomes) {
    if (name == known) return i18n::TrP("poll outcome", known);
  }
  return std::string(name);
}

std::optional<UnixSeconds> ParseSinceArgument(std::string_view text, UnixSeconds now) {
  if (auto d = ParseDurationSeconds(text)) return now - *d;
  if (text.size() == 10) {
    return ParseIso8601Utc(std::string(text) + "T00:00:00Z");
  }
  return ParseIso8601Utc(text);
}

UnixSeconds Now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

MarkStyle TerminalMarkStyle() {
  return isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr ? MarkStyle::kBold
                                                                     : MarkStyle::kPlain;
}

std::string HighlightedSnippet(std::string_view snippet,
                               const std::vector<std::pair<std::uint32_t, std::uint32_t>>& hl,
                               MarkStyle style) {
  const bool bold = style == MarkStyle::kBold;
  const std::string open = bold ? kBoldOn : kPlainMark;
  const std::string close = bold ? kBoldOff : kPlainMark;
  std::string out;
  std::size_t at = 0;
  for (const auto& [b, e] : hl) {
    if (b < at || e > snippet.size() || b > e) continue;  // stored offsets are data: check them
    out += TerminalSafe(snippet.substr(at, b - at));
    out += open + TerminalSafe(snippet.substr(b, e - b)) + close;
    at = e;
  }
  return out + TerminalSafe(snippet.substr(at));
}

std::string ReadFileBytes(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "cannot read " + path + ": " + std::strerror(errno);
  out->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) return "read error on " + path;
  return "";
}

}  // namespace veille::cli
