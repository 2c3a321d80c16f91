// The feed model: what the parser extracts from one document, in the shape of the parse contract.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/time.h"

namespace veille::feed {

enum class Format { kUnknown, kRss09x, kRss20, kRss10, kAtom03, kAtom10, kJson10, kJson11 };

// "rss20", "rss10", "rss09x", "atom10", "atom03", "json10", "json11", "unknown" (the parse
// contract's names).
std::string_view FormatName(Format format);

// One item / entry. Text fields are plain UTF-8 text (HTML already turned into text, whitespace
// collapsed, control characters removed); empty values are nullopt.
struct Entry {
  std::optional<std::string> id;  // RSS guid, Atom id, RSS 1.0 rdf:about
  std::optional<std::string> title;
  std::optional<std::string> link;  // absolute when a base was known
  std::optional<UnixSeconds> published;
  std::optional<UnixSeconds> updated;
  std::optional<std::string> author;
  std::optional<std::string> summary;
  std::optional<std::string> content;
  std::vector<std::string> categories;
  std::optional<std::string> language;  // xml:lang / dc:language / channel language, when known

  // Stable identity for dedup within one feed (see identity.h); filled by ParseFeed.
  std::string key;
};

struct Feed {
  Format format = Format::kUnknown;
  std::optional<std::string> title;
  std::optional<std::string> link;
  std::optional<std::string> language;
  std::vector<Entry> entries;

  // Publisher hints that may only lengthen the poll interval (RSS <ttl>, sy:updatePeriod).
  std::optional<std::int64_t> ttl_seconds;

  // True when the document was not well-formed and only the entries complete before the error
  // were kept. Callers must not store HTTP validators for such a fetch.
  bool recovered = false;
  // Human-readable notes about repairs (encoding fallback, entities fixed, identity downgraded).
  std::vector<std::string> warnings;
  // Why the bytes were not read in the encoding the document declared (RELIABILITY.md B6: the
  // feed is "encoding suspect"); nullopt when they were (feed/charset.h DecodedText::suspect).
  std::optional<std::string> encoding_suspect;
};

}  // namespace veille::feed
