#include "daemon/cli_archive.h"

#include "archive/snippet.h"
#include "common/redact.h"
#include "common/time.h"
#include "config/entities.h"
#include "daemon/cli_support.h"
#include "i18n/translator.h"
#include "store/entry_date.h"

namespace veille::cli {
namespace {

void ReplaceAll(std::string& s, std::string_view from, std::string_view to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
}

std::string_view DateSourceOf(const store::MentionRow& m) {
  return store::DateSourceName(store::DateOf(m.published_at, m.updated_at, m.created_at).source);
}

}  // namespace

std::string OptIso(const std::optional<UnixSeconds>& t) { return t ? FormatIso8601(*t) : ""; }

std::optional<Format> ParseFormat(std::string_view name) {
  if (name == "table") return Format::kTable;
  if (name == "json") return Format::kJson;
  if (name == "ndjson") return Format::kNdjson;
  if (name == "csv") return Format::kCsv;
  return std::nullopt;
}

Result<Output> ChooseOutput(std::string_view format, bool json, bool excel) {
  if (excel && (json || (format != "table" && format != "csv"))) {
    return Fail(ErrorCode::kInvalidArgument,
                i18n::Format(i18n::Tr("--excel writes CSV; it cannot be combined with --format "
                                      "{format}"),
                             {{"format", json ? std::string_view("json") : format}}));
  }
  const auto parsed = ParseFormat(json ? "json" : excel ? "csv" : format);
  if (!parsed) {
    return Fail(ErrorCode::kInvalidArgument,
                i18n::Tr("--format: expected table, json, ndjson or csv"));
  }
  return Output{*parsed, excel ? CsvDialect::kExcel : CsvDialect::kRfc4180};
}

std::string_view CsvPreamble(CsvDialect dialect) {
  return dialect == CsvDialect::kExcel ? std::string_view("\xEF\xBB\xBF") : std::string_view();
}

std::string CsvRecord(const std::vector<std::string>& cells, CsvDialect dialect) {
  const char separator = dialect == CsvDialect::kExcel ? ';' : ',';
  const char* special = dialect == CsvDialect::kExcel ? ";\"\r\n" : ",\"\r\n";
  std::string out;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (i) out += separator;
    std::string cell = cells[i];
    if (!cell.empty() && (cell[0] == '=' || cell[0] == '+' || cell[0] == '-' || cell[0] == '@' ||
                          cell[0] == '\t' || cell[0] == '\r')) {
      cell.insert(0, "'");
    }
    if (cell.find_first_of(special) != std::string::npos) {
      ReplaceAll(cell, "\"", "\"\"");
      cell = "\"" + cell + "\"";
    }
    out += cell;
  }
  return out + "\r\n";
}

std::vector<std::string> MentionCsvHeader() {
  return {"id",    "detected", "rule",           "category", "feed",        "feed_url",
          "title", "link",     "canonical_link", "author",   "published",   "story",
          "terms", "snippet",  "status",         "tags",     "date_source", "entity"};
}

std::vector<std::string> MentionCsvCells(const store::MentionRow& m,
                                         const archive::RuleEntities& entities) {
  const std::optional<std::string> entity = config::EntityOf(entities, m.rule);
  std::string terms;
  for (const auto& t : m.terms) terms += (terms.empty() ? "" : "; ") + t;
  std::string tags;
  for (const auto& t : m.tags) tags += (tags.empty() ? "" : "; ") + t;
  return {std::to_string(m.id),
          FormatIso8601(m.created_at),
          m.rule,
          m.category,
          m.feed_name,
          RedactUrl(m.feed_url),
          m.title.value_or(""),
          m.link.value_or(""),
          m.canonical_link.value_or(""),
          m.author.value_or(""),
          OptIso(store::FeedDate(m.published_at, m.updated_at)),
          std::to_string(m.story_id),
          terms,
          m.snippet,
          std::string(store::TriageStatusName(m.status)),
          tags,
          std::string(DateSourceOf(m)),
          entity.value_or("")};
}

std::string FocusedSnippet(const std::string& snippet, const std::vector<match::Highlight>& hl,
                           std::size_t lead, MarkStyle style) {
  archive::Marks marks;
  for (const auto& m : hl) marks.emplace_back(m.begin, m.end);
  const archive::SnippetFocus focus = archive::FocusSnippet(snippet, marks, lead);
  return (focus.cut ? "\u2026" : "") + HighlightedSnippet(focus.text, focus.marks, style);
}

void PrintHitTable(const std::vector<SearchHit>& hits) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& h : hits) {
    rows.push_back({ShortTime(EntryDateOf(h.entry).at), TerminalSafe(h.entry.feed_name),
                    TerminalSafe(h.entry.title.value_or(i18n::Tr("(no title)"))),
                    FocusedSnippet(h.mention.snippet, h.mention.highlights, 12)});
  }
  PrintTable({i18n::TrP("column", "DATE (UTC)"), i18n::TrP("column", "FEED"),
              i18n::TrP("column", "TITLE"), i18n::TrP("column", "MATCH")},
             rows, {{3, 30}, {1, 16}, {2, 24}}, TerminalWidth());
}

}  // namespace veille::cli
