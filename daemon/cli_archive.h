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

#include "common/result.h"
#include "daemon/cli_support.h"
#include "match/matcher.h"
#include "match/query.h"
#include "store/entry_date.h"
#include "store/search.h"
#include "store/store.h"

namespace veille::cli {

// The matcher's view of a stored entry. `text` holds the summary and content the document's
// views point into; it must outlive the document.
match::Document DocumentOf(const store::StoredEntry& entry, std::string& text);

struct SearchHit {
  store::StoredEntry entry;
  match::Mention mention;  // terms, snippet, highlights
};

struct SearchStats {
  std::int64_t candidates = 0;  // entries the index returned
  std::int64_t matches = 0;     // entries the matcher confirmed
};

// Runs `query` (minus the entries matching `exclude`, when not empty) over the stored entries
// in `filter`, newest first, calling `visit` for each confirmed match until it returns false.
// A malformed query fails with kInvalidArgument and a "column N: message".
[[nodiscard]] Result<SearchStats> SearchArchive(store::Store& store, const std::string& query,
                                                const store::EntryFilter& filter,
                                                const std::function<bool(const SearchHit&)>& visit,
                                                const std::string& exclude = "");

// An ISO 8601 time, or "" (CSV cells).
std::string OptIso(const std::optional<UnixSeconds>& t);

// The date a stored entry is shown, sorted and counted by (store/entry_date.h).
store::EntryDate EntryDateOf(const store::StoredEntry& e);

enum class Format { kTable, kJson, kNdjson, kCsv };
std::optional<Format> ParseFormat(std::string_view name);

// kRfc4180: comma-separated. kExcel: what a spreadsheet in a French (or any comma-decimal)
// locale opens cleanly: semicolon-separated, the file starting with a UTF-8 byte order mark.
enum class CsvDialect { kRfc4180, kExcel };

// One CSV record (RFC 4180: quoted when needed, quotes doubled, CRLF line end). Cells that a
// spreadsheet would run as a formula (starting with = + - @ or a tab) get a leading apostrophe.
std::string CsvRecord(const std::vector<std::string>& cells,
                      CsvDialect dialect = CsvDialect::kRfc4180);

// What a CSV file of this dialect starts with: the UTF-8 BOM for kExcel, else nothing.
std::string_view CsvPreamble(CsvDialect dialect);

// The CSV columns of a mention (mentions --format csv, export).
std::vector<std::string> MentionCsvHeader();
std::vector<std::string> MentionCsvCells(const store::MentionRow& m);

// JSON objects for a mention and for a search hit (the fields documented in docs/cli.md).
nlohmann::json MentionJson(const store::MentionRow& m);
nlohmann::json HitJson(const SearchHit& hit);

// The snippet marked as HighlightedSnippet does, starting at a word about `lead` characters
// before the first hit ("…" in front) when it starts further, so that a narrow table column
// still shows the hit.
std::string FocusedSnippet(const std::string& snippet, const std::vector<match::Highlight>& hl,
                           std::size_t lead, MarkStyle style = TerminalMarkStyle());

// Prints search hits as a table (date, feed, title, snippet with the hits marked as
// HighlightedSnippet does) fitting the terminal: the output of `veille search` and of the
// backtest's newest matches.
void PrintHitTable(const std::vector<SearchHit>& hits);

}  // namespace veille::cli
