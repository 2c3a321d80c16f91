#include "daemon/cli_archive.h"

#include "common/entry_text.h"
#include "common/redact.h"
#include "common/time.h"
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

nlohmann::json Opt(const std::optional<std::string>& v) {
  if (v) return *v;
  return nullptr;
}

nlohmann::json OptTime(const std::optional<UnixSeconds>& v) {
  if (v) return FormatIso8601(*v);
  return nullptr;
}

std::string_view DateSourceOf(const store::MentionRow& m) {
  return store::DateSourceName(store::DateOf(m.published_at, m.updated_at, m.created_at).source);
}

}  // namespace

std::string OptIso(const std::optional<UnixSeconds>& t) { return t ? FormatIso8601(*t) : ""; }

store::EntryDate EntryDateOf(const store::StoredEntry& e) {
  return store::DateOf(e.published_at, e.updated_at, e.first_seen_at);
}

match::Document DocumentOf(const store::StoredEntry& entry, std::string& text) {
  text = EntryText(entry.summary, entry.content);  // as the daemon matches (common/entry_text.h)
  match::Document doc;
  // A derived title is the text's first words: rules never saw it as a title.
  doc.title =
      entry.title && !entry.title_derived ? std::string_view(*entry.title) : std::string_view();
  doc.text = text;
  doc.author = entry.author ? std::string_view(*entry.author) : std::string_view();
  doc.link = entry.link ? std::string_view(*entry.link) : std::string_view();
  doc.feed_name = entry.feed_name;
  doc.feed_url = entry.feed_url;
  doc.language = entry.language ? std::string_view(*entry.language) : std::string_view();
  for (const auto& c : entry.categories) doc.categories.push_back(c);
  return doc;
}

Result<SearchStats> SearchArchive(store::Store& store, const std::string& query,
                                  const store::EntryFilter& filter,
                                  const std::function<bool(const SearchHit&)>& visit,
                                  const std::string& exclude) {
  auto parsed = match::ParseQuery(query);
  if (!parsed) return Fail(ErrorCode::kInvalidArgument, parsed.error().ToString());
  if (!exclude.empty()) {
    if (const std::string problem = match::CheckQuery(exclude); !problem.empty()) {
      return Fail(ErrorCode::kInvalidArgument, "exclude: " + problem);
    }
  }
  auto matcher = match::Matcher::Compile({match::RuleSpec{"search", "", query, exclude}});
  if (!matcher) return Fail(matcher.error().code, matcher.error().message);
  SearchStats stats;
  std::string text;
  auto scanned = store::ScanEntries(store, &*parsed, filter, [&](const store::StoredEntry& entry) {
    ++stats.candidates;
    auto mentions = (*matcher)->Match(DocumentOf(entry, text));
    if (mentions.empty()) return true;
    ++stats.matches;
    return visit(SearchHit{entry, std::move(mentions.front())});
  });
  if (!scanned) return tl::unexpected(scanned.error());
  return stats;
}

std::optional<Format> ParseFormat(std::string_view name) {
  if (name == "table") return Format::kTable;
  if (name == "json") return Format::kJson;
  if (name == "ndjson") return Format::kNdjson;
  if (name == "csv") return Format::kCsv;
  return std::nullopt;
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
  return {"id",    "detected", "rule",           "category", "feed",       "feed_url",
          "title", "link",     "canonical_link", "author",   "published",  "story",
          "terms", "snippet",  "status",         "tags",     "date_source"};
}

std::vector<std::string> MentionCsvCells(const store::MentionRow& m) {
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
          std::string(DateSourceOf(m))};
}

nlohmann::json MentionJson(const store::MentionRow& m) {
  const store::EntryDate date = store::DateOf(m.published_at, m.updated_at, m.created_at);
  nlohmann::json highlights = nlohmann::json::array();
  for (const auto& [b, e] : m.highlights) highlights.push_back({b, e});
  return {
      {"id", m.id},
      {"detected", FormatIso8601(m.created_at)},
      {"rule", m.rule},
      {"category", m.category},
      {"feed", m.feed_name},
      {"feed_url", RedactUrl(m.feed_url)},
      {"title", Opt(m.title)},
      {"title_derived", m.title_derived},
      {"link", Opt(m.link)},
      {"canonical_link", Opt(m.canonical_link)},
      {"author", Opt(m.author)},
      {"published", OptTime(store::FeedDate(m.published_at, m.updated_at))},
      {"updated", OptTime(m.updated_at)},
      {"date", FormatIso8601(date.at)},
      {"date_source", store::DateSourceName(date.source)},
      {"story", m.story_id},
      {"terms", m.terms},
      {"snippet", m.snippet},
      {"highlights", highlights},
      {"status", store::TriageStatusName(m.status)},
      {"tags", m.tags},
      {"note", m.note},
      {"language", Opt(m.language)},
      {"language_source", Opt(m.language_source)},
  };
}

nlohmann::json HitJson(const SearchHit& hit) {
  const auto& e = hit.entry;
  const store::EntryDate date = store::DateOf(e.published_at, e.updated_at, e.first_seen_at);
  nlohmann::json highlights = nlohmann::json::array();
  for (const auto& h : hit.mention.highlights) highlights.push_back({h.begin, h.end});
  return {
      {"entry", e.id},
      {"story", e.story_id},
      {"first_seen", FormatIso8601(e.first_seen_at)},
      {"published", OptTime(store::FeedDate(e.published_at, e.updated_at))},
      {"updated", OptTime(e.updated_at)},
      {"date", FormatIso8601(date.at)},
      {"date_source", store::DateSourceName(date.source)},
      {"feed", e.feed_name},
      {"feed_url", RedactUrl(e.feed_url)},
      {"title", Opt(e.title)},
      {"title_derived", e.title_derived},
      {"link", Opt(e.link)},
      {"canonical_link", Opt(e.canonical_link)},
      {"author", Opt(e.author)},
      {"language", Opt(e.language)},
      {"language_source", Opt(e.language_source)},
      {"terms", hit.mention.terms},
      {"snippet", hit.mention.snippet},
      {"highlights", highlights},
  };
}

std::string FocusedSnippet(const std::string& snippet, const std::vector<match::Highlight>& hl,
                           std::size_t lead, MarkStyle style) {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> marks;
  for (const auto& m : hl) marks.emplace_back(m.begin, m.end);
  if (marks.empty() || marks.front().first > snippet.size()) {
    return HighlightedSnippet(snippet, marks, style);
  }
  // Start at a space about `lead` characters before the first hit (counting back by code
  // points), so that a narrow column still shows it.
  std::size_t start = marks.front().first, chars = 0;
  while (start > 0 && chars < lead) {
    --start;
    if ((static_cast<unsigned char>(snippet[start]) & 0xC0) != 0x80) ++chars;
  }
  if (start == 0) return HighlightedSnippet(snippet, marks, style);
  const std::size_t space = snippet.find(' ', start);
  start = space != std::string::npos && space < marks.front().first ? space + 1 : start;
  const auto shift = static_cast<std::uint32_t>(start);
  for (auto& [b, e] : marks) {
    b = b >= shift ? b - shift : 0;
    e = e >= shift ? e - shift : 0;
  }
  return "\u2026" + HighlightedSnippet(std::string_view(snippet).substr(start), marks, style);
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
