// The filters the archive commands share (--since/--until, --feed, --rule, --category): parsed
// and checked against the config and the database before anything is listed, so that a typo is
// an error with a suggestion (exit 2) instead of an empty result.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "config/config.h"
#include "store/stats.h"
#include "store/store.h"

namespace veille::cli {

struct Period {
  std::optional<UnixSeconds> since;
  std::optional<UnixSeconds> until;
};

// Parses --since and --until (either may be empty) relative to `now`. Fails with
// kInvalidArgument and a message naming the flag when one does not parse, or when until is not
// after since ("--until 2d is before --since 1d").
[[nodiscard]] Result<Period> ParsePeriod(std::string_view since, std::string_view until,
                                         UnixSeconds now);

// The comparison key of a feed name: its words folded, case, accents and punctuation ignored
// ("La Gazette des Cosmétiques" -> "la gazette des cosmetiques").
std::string FeedNameKey(std::string_view name);

// The stored feeds that `text` names: a feed whose name has the same FeedNameKey, or whose URL
// (configured or moved) is `text` (ASCII case ignored). Fails with kInvalidArgument and
// "unknown feed 'x' (did you mean 'y'?)" when none does.
[[nodiscard]] Result<std::vector<std::int64_t>> ResolveFeed(store::Store& store,
                                                            std::string_view text);

// Checks a --rule value: a configured rule, or one with stored mentions (a rule since removed).
// Fails with kInvalidArgument and "unknown rule 'x' (did you mean 'y'?)".
[[nodiscard]] Result<void> CheckRule(store::Store& store, const config::Config& config,
                                     std::string_view rule);

// The same for --category (a configured rule's category, or one with stored mentions).
[[nodiscard]] Result<void> CheckCategory(store::Store& store, const config::Config& config,
                                         std::string_view category);

// Checks a --lang value: a language tag ("fr", "en-US", "pt_BR") or an English language name
// ("French"); returns the tag ("fr-FR" for "fr_fr"). Fails with kInvalidArgument otherwise.
[[nodiscard]] Result<std::string> ParseLanguageFilter(std::string_view value);

// Prints "veille: <message>" on stderr; returns the exit code: 2 for kInvalidArgument (a usage
// error), else 1.
int ReportError(const Error& error);

// "unknown rule 'word' (did you mean 'x'?)" or "unknown rule 'word'; known: a, b, c", in
// the language of the messages (« » in French).
enum class UnknownKind { kRule, kCategory };
std::string UnknownWithSuggestion(UnknownKind kind, std::string_view word,
                                  const std::vector<std::string>& known);

// The filters that were given, for "No mentions<description>." lines:
// " (rule 'marque', feed 'Journal A', since 7d)"; "" when none.
std::string DescribeFilters(const std::vector<std::pair<std::string, std::string>>& given);

}  // namespace veille::cli
