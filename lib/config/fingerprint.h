// The parts of a configuration that daemons sharing one database must agree on, as a stable
// fingerprint and a bounded description from which the differences can be named (issue 18,
// docs/scaling.md "Configurations that differ"). Pure: no I/O, no clock.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "i18n/translator.h"

namespace veille::config {

// A rule's query (or exclude) as compiled, so that two spellings of one query agree ("a  OR b"
// and "a OR b"). The pipeline passes the matcher's canonical form (match::DebugString); without
// one, the text as written is used.
using QueryCanonicalizer = std::function<std::string(std::string_view query)>;

struct ConfigSummary {
  // 16 hex digits (XXH3-64 of the description): equal configurations have equal fingerprints.
  std::string fingerprint;
  // What is stored for the other daemons to compare with: per section a hash and a count, and
  // per item a short hash of its settings, keyed by the rule's or channel's name (at most
  // kMaxNameBytes) or a hash of the feed's URL. Never a password, token, header value or
  // webhook URL, nor a hash of one. About 24 bytes per feed; a section of more than
  // kMaxItemsPerSection items is stored without its items (its difference is then not itemised).
  std::string description;
  // The feeds' URLs by the key the description uses, redacted (common/redact.h) for the log:
  // kept here, never stored, to name the feeds "only here".
  std::map<std::string, std::string> feed_labels;
};

inline constexpr std::size_t kMaxItemsPerSection = 20000;
inline constexpr std::size_t kMaxNameBytes = 100;

// Summarises what must agree between daemons on one database: the feeds (URL, name and the
// settings that change how they are polled or alert: interval, priority, headers' names,
// whether credentials are set, proxy, CA, timeout, backfill), the rules (name, category,
// entity, compiled query and exclude, channels), the channels (name, type, mode, schedule,
// destination host, recipients, options) and the [daemon]/[polling] settings that act on the
// shared data (retention, language, lease_time, the polling intervals and limits; not
// user_agent, concurrency, per_host, log_level, lock_file: each daemon's own).
ConfigSummary SummarizeConfig(const Config& config, const QueryCanonicalizer& canonical = {});

// The differences between this configuration and a stored description (another daemon's), in
// one line naming at most `max_names` items per kind then "and N more":
// "feeds: 2 only here (https://a.example/feed, https://b.example/rss), 1 only in the other;
//  rules: 'acme' differs; channels: same". "" when the descriptions are equal. A description
// that does not parse (another version of veille) is said to be unreadable.
// In the language of `tr` (English by default, as in the daemon's log).
std::string DescribeDifferences(const ConfigSummary& here, std::string_view stored,
                                std::size_t max_names = 3,
                                const i18n::Translator& tr = i18n::Translator());

// Another daemon's stored summary.
struct OtherConfig {
  std::string owner;  // "host:pid:random" (the feed leases' owner name)
  std::string fingerprint;
  std::string description;
};

// The one warning a daemon logs at start or reload when other daemons run another
// configuration, or "" when every one runs this one: the daemons grouped by fingerprint, at most
// `max_groups` groups named (then "and N more daemons with other configurations"), each with
// DescribeDifferences.
std::string DifferencesWarning(const ConfigSummary& here, const std::vector<OtherConfig>& others,
                               std::size_t max_groups = 3);

}  // namespace veille::config
