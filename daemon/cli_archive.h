// The archive from the command line: the query language answered from the full-text index
// (a superset of candidates) and verified by the real matcher; output formats shared by
// mentions, search, export and test-rule --since.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "archive/document.h"
#include "archive/json.h"
#include "archive/search.h"
#include "common/result.h"
#include "daemon/cli_support.h"
#include "match/matcher.h"
#include "match/query.h"
#include "store/entry_date.h"
#include "store/search.h"
#include "store/store.h"

namespace veille::cli {

// Shared with the web inbox (lib/archive): one search, one schema, one document.
using archive::DocumentOf;
using archive::EntitiesOf;
using archive::EntryDateOf;
using archive::HitJson;
using archive::ListMatchingMentions;
using archive::MentionJson;
using archive::RuleEntities;
using archive::SearchArchive;
using archive::SearchHit;
using archive::SearchStats;

// An ISO 8601 time, or "" (CSV cells).
std::string OptIso(const std::optional<UnixSeconds>& t);

enum class Format { kTable, kJson, kNdjson, kCsv };
std::optional<Format> ParseFormat(std::string_view name);

// kRfc4180: comma-separated. kExcel: what a spreadsheet in a French (or any comma-decimal)
// locale opens cleanly: semicolon-separated, the file starting with a UTF-8 byte order mark.
enum class CsvDialect { kRfc4180, kExcel };

// What a listing command prints (mentions, search): --format, or --json, or --excel (CSV in the
// kExcel dialect). Fails with kInvalidArgument and a message in the language of the messages
// when the format is unknown or --excel is combined with another format.
struct Output {
  Format format = Format::kTable;
  CsvDialect dialect = CsvDialect::kRfc4180;
};
[[nodiscard]] Result<Output> ChooseOutput(std::string_view format, bool json, bool excel);

// One CSV record (RFC 4180: quoted when needed, quotes doubled, CRLF line end). Cells that a
// spreadsheet would run as a formula (starting with = + - @ or a tab) get a leading apostrophe.
std::string CsvRecord(const std::vector<std::string>& cells,
                      CsvDialect dialect = CsvDialect::kRfc4180);

// What a CSV file of this dialect starts with: the UTF-8 BOM for kExcel, else nothing.
std::string_view CsvPreamble(CsvDialect dialect);

// The CSV columns of a mention (mentions --format csv, export). `entity` comes last, so that
// the columns of older files keep their places.
std::vector<std::string> MentionCsvHeader();
std::vector<std::string> MentionCsvCells(const store::MentionRow& m,
                                         const archive::RuleEntities& entities);

// The snippet marked as HighlightedSnippet does, from archive::FocusSnippet's window ("…" in
// front when it starts further in), so that a narrow table column still shows the hit.
std::string FocusedSnippet(const std::string& snippet, const std::vector<match::Highlight>& hl,
                           std::size_t lead, MarkStyle style = TerminalMarkStyle());

// Prints search hits as a table (date, feed, title, snippet with the hits marked as
// HighlightedSnippet does) fitting the terminal: the output of `veille search` and of the
// backtest's newest matches.
void PrintHitTable(const std::vector<SearchHit>& hits);

}  // namespace veille::cli
