#include "config/fingerprint.h"

#include <xxhash.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <optional>

#include "common/redact.h"

namespace veille::config {
namespace {

// The description's first line; a daemon that stores another version is "unreadable".
constexpr std::string_view kHeader = "veille-config-summary 1";

// The sections, in the order they are described and named.
enum Section : std::size_t { kSettings, kFeeds, kRules, kChannels, kSectionCount };
constexpr std::array<std::string_view, kSectionCount> kSectionNames = {"settings", "feeds", "rules",
                                                                       "channels"};
constexpr std::array<char, kSectionCount> kItemTags = {'s', 'f', 'r', 'c'};

std::string Hex(std::uint64_t value, int digits) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(value));
  return std::string(buf + 16 - digits, static_cast<std::size_t>(digits));
}

std::uint64_t Hash(std::string_view text) { return XXH3_64bits(text.data(), text.size()); }

// Fields of one item joined with a separator no config value holds (the unit separator).
class Fields {
 public:
  Fields& Add(std::string_view value) {
    text_ += value;
    text_ += '\x1f';
    return *this;
  }
  Fields& Add(std::int64_t value) { return Add(std::to_string(value)); }
  Fields& Add(bool value) { return Add(std::string_view(value ? "1" : "0")); }
  Fields& Add(std::vector<std::string> values) {
    std::sort(values.begin(), values.end());
    for (const auto& v : values) {
      text_ += v;
      text_ += '\x1e';
    }
    return Add(std::string_view());
  }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

// "set" / "" for a secret whose presence alone counts.
std::string_view Presence(std::string_view secret) { return secret.empty() ? "" : "set"; }

// A name as a description key: at most kMaxNameBytes (on a UTF-8 boundary), with spaces,
// control bytes and '%' escaped as %XX so that it is one token of one line.
std::string EscapeName(std::string_view name) {
  std::size_t n = std::min(name.size(), kMaxNameBytes);
  while (n > 0 && n < name.size() && (static_cast<unsigned char>(name[n]) & 0xC0) == 0x80) --n;
  std::string out;
  for (const char ch : name.substr(0, n)) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c == 0x7f || c == '%') {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out.empty() ? "%00" : out;
}

std::string UnescapeName(std::string_view key) {
  std::string out;
  for (std::size_t i = 0; i < key.size(); ++i) {
    if (key[i] == '%' && i + 2 < key.size()) {
      unsigned value = 0;
      if (std::sscanf(std::string(key.substr(i + 1, 2)).c_str(), "%2x", &value) == 1) {
        if (value >= 0x20 && value != 0x7f) out += static_cast<char>(value);
        i += 2;
        continue;
      }
    }
    out += key[i];
  }
  return out;
}

// One section: item key -> the full text of its settings (hashed when described).
using Items = std::map<std::string, std::string>;

void Put(Items& items, std::string key, const std::string& fields) {
  auto [it, inserted] = items.emplace(std::move(key), fields);
  if (!inserted) it->second += '\x1d' + fields;  // a repeated name: both count
}

Items SettingsItems(const Config& c) {
  Items items;
  Put(items, "daemon.retention", Fields().Add(c.daemon.retention_s).text());
  Put(items, "daemon.language", Fields().Add(c.daemon.language).text());
  Put(items, "daemon.lease_time", Fields().Add(c.daemon.lease_time_ms).text());
  Put(items, "polling.interval", Fields().Add(c.polling.interval_s).text());
  Put(items, "polling.min_interval", Fields().Add(c.polling.min_interval_s).text());
  Put(items, "polling.max_interval", Fields().Add(c.polling.max_interval_s).text());
  Put(items, "polling.broken_after", Fields().Add(c.polling.broken_after_s).text());
  Put(items, "polling.max_body",
      Fields().Add(static_cast<std::int64_t>(c.polling.max_body)).text());
  Put(items, "polling.max_entries",
      Fields().Add(static_cast<std::int64_t>(c.polling.max_entries)).text());
  Put(items, "polling.max_redirects", Fields().Add(std::int64_t{c.polling.max_redirects}).text());
  Put(items, "polling.timeout", Fields().Add(c.polling.timeout_s).text());
  Put(items, "polling.honor_publisher_interval",
      Fields().Add(c.polling.honor_publisher_interval).text());
  return items;
}

Items FeedItems(const Config& c, std::map<std::string, std::string>* labels) {
  Items items;
  for (const FeedEntry& f : c.feeds) {
    std::vector<std::string> headers;  // names only: a value may be a token
    for (const auto& [name, value] : f.headers) {
      std::string lower = name;
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
      headers.push_back(lower + (value.empty() ? "" : "=set"));
    }
    Fields fields;
    fields.Add(f.url)
        .Add(f.name)
        .Add(f.interval_s.value_or(c.polling.interval_s))
        .Add(f.high_priority)
        .Add(f.backfill_alerts)
        .Add(f.honor_publisher_interval.value_or(c.polling.honor_publisher_interval))
        .Add(f.user_agent)
        .Add(std::move(headers))
        .Add(Presence(f.username))
        .Add(Presence(f.password_file))
        .Add(f.ca_file)
        .Add(RedactUrl(f.proxy))
        .Add(f.timeout_s.value_or(-1));
    std::string key = Hex(Hash(f.url), 12);
    if (labels != nullptr) (*labels)[key] = RedactUrl(f.url);
    Put(items, std::move(key), fields.text());
  }
  return items;
}

Items RuleItems(const Config& c, const QueryCanonicalizer& canonical) {
  auto canon = [&](const std::string& q) { return canonical && !q.empty() ? canonical(q) : q; };
  Items items;
  for (const RuleEntry& r : c.rules) {
    Put(items, EscapeName(r.name),
        Fields()
            .Add(r.name)
            .Add(r.category)
            .Add(r.entity.empty() ? r.name : r.entity)
            .Add(canon(r.query))
            .Add(canon(r.exclude))
            .Add(r.channels)
            .text());
  }
  return items;
}

Items ChannelItems(const Config& c) {
  Items items;
  for (const ChannelEntry& ch : c.channels) {
    Fields fields;
    fields.Add(ch.name)
        .Add(ch.type)
        .Add(ch.mode)
        .Add(ch.smtp_url.empty() ? "" : RedactSecretUrl(ch.smtp_url))  // host, no user or path
        .Add(Presence(ch.username))
        .Add(Presence(ch.password_file))
        .Add(ch.from)
        .Add(ch.to)
        .Add(ch.tls)
        .Add(ch.url.empty() ? "" : RedactSecretUrl(ch.url))  // the token is in the path
        .Add(ch.url_file)
        .Add(Presence(ch.secret_file))
        .Add(ch.format)
        .Add(ch.hub_signature)
        .Add(ch.timeout_s.value_or(-1))
        .Add(ch.ca_file)
        .Add(ch.time_zone)
        .Add(ch.digest)
        .Add(std::int64_t{ch.digest_minute})
        .Add(ch.digest_when_empty)
        .Add(ch.quiet_hours ? std::to_string(ch.quiet_hours->first) + "-" +
                                  std::to_string(ch.quiet_hours->second)
                            : std::string())
        .Add(std::int64_t{ch.burst_limit})
        .Add(ch.burst_window_s)
        .Add(ch.spike_alerts)
        .Add(ch.feed_health_alerts);
    Put(items, EscapeName(ch.name), fields.text());
  }
  return items;
}

// A description, read back.
struct ParsedSection {
  std::string hash;
  std::size_t count = 0;
  bool itemised = true;
  std::map<std::string, std::string> items;  // key -> item hash
};
using Parsed = std::array<ParsedSection, kSectionCount>;

std::vector<std::string_view> Tokens(std::string_view line) {
  std::vector<std::string_view> out;
  while (!line.empty()) {
    const std::size_t start = line.find_first_not_of(' ');
    if (start == std::string_view::npos) break;
    line.remove_prefix(start);
    const std::size_t end = line.find(' ');
    out.push_back(line.substr(0, end));
    if (end == std::string_view::npos) break;
    line.remove_prefix(end);
  }
  return out;
}

// nullopt when `text` is not a description of this version. Malformed lines of a right header
// make it unreadable too: a partly read description would name differences that are not there.
std::optional<Parsed> Parse(std::string_view text) {
  if (!text.starts_with(kHeader)) return std::nullopt;
  Parsed parsed;
  std::array<bool, kSectionCount> seen = {};
  std::size_t pos = text.find('\n');
  while (pos != std::string_view::npos && pos + 1 < text.size()) {
    const std::size_t end = text.find('\n', pos + 1);
    const std::string_view line = text.substr(
        pos + 1, end == std::string_view::npos ? std::string_view::npos : end - pos - 1);
    pos = end;
    if (line.empty()) continue;
    const auto tokens = Tokens(line);
    if (tokens.size() == 4 && tokens[0] == "S") {
      const auto it = std::find(kSectionNames.begin(), kSectionNames.end(), tokens[1]);
      if (it == kSectionNames.end()) return std::nullopt;
      ParsedSection& s = parsed[static_cast<std::size_t>(it - kSectionNames.begin())];
      s.hash = std::string(tokens[2]);
      s.count = std::strtoull(std::string(tokens[3]).c_str(), nullptr, 10);
      s.itemised = s.count <= kMaxItemsPerSection;
      seen[static_cast<std::size_t>(it - kSectionNames.begin())] = true;
      continue;
    }
    if (tokens.size() != 3 || tokens[0].size() != 1) return std::nullopt;
    const auto tag = std::find(kItemTags.begin(), kItemTags.end(), tokens[0][0]);
    if (tag == kItemTags.end()) return std::nullopt;
    parsed[static_cast<std::size_t>(tag - kItemTags.begin())].items[std::string(tokens[1])] =
        std::string(tokens[2]);
  }
  for (const bool s : seen) {
    if (!s) return std::nullopt;
  }
  return parsed;
}

// "'a', 'b' and 3 more" (names), or the feeds' labels.
std::string NameList(const i18n::Translator& tr, const std::vector<std::string>& names,
                     std::size_t max_names) {
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < max_names; ++i) {
    out += (i == 0 ? "" : ", ") + names[i];
  }
  if (names.size() <= max_names) return out;
  const std::size_t more = names.size() - max_names;
  return i18n::Format(
      tr.TrNP("config difference", "{names} and {n} more", "{names} and {n} more", more),
      {{"names", out}, {"n", tr.Integer(static_cast<std::int64_t>(more))}});
}

// How one section differs, or nullopt when it is the same.
std::optional<std::string> DescribeSection(const i18n::Translator& tr, std::size_t section,
                                           const ParsedSection& here, const ParsedSection& there,
                                           const ConfigSummary& summary, std::size_t max_names) {
  using i18n::Format;
  if (here.hash == there.hash) return std::nullopt;
  if (!here.itemised || !there.itemised) {
    return Format(tr.TrP("config difference",
                         "differ ({here} here, {there} in the other; too many to compare one by "
                         "one)"),
                  {{"here", tr.Integer(static_cast<std::int64_t>(here.count))},
                   {"there", tr.Integer(static_cast<std::int64_t>(there.count))}});
  }
  auto shown = [&](const std::string& key) {
    if (section == kFeeds) {
      const auto it = summary.feed_labels.find(key);
      return it != summary.feed_labels.end()
                 ? it->second
                 : Format(tr.TrP("config difference", "feed {key}"), {{"key", key}});
    }
    return "'" + UnescapeName(key) + "'";
  };
  std::vector<std::string> only_here, only_there, differ;
  for (const auto& [key, hash] : here.items) {
    const auto it = there.items.find(key);
    if (it == there.items.end()) {
      only_here.push_back(shown(key));
    } else if (it->second != hash) {
      differ.push_back(shown(key));
    }
  }
  for (const auto& [key, hash] : there.items) {
    if (!here.items.contains(key)) only_there.push_back(shown(key));
  }
  for (auto* names : {&only_here, &only_there, &differ}) std::sort(names->begin(), names->end());
  std::vector<std::string> parts;
  if (!only_here.empty()) {
    parts.push_back(Format(tr.TrNP("config difference", "{n} only here ({names})",
                                   "{n} only here ({names})", only_here.size()),
                           {{"n", tr.Integer(static_cast<std::int64_t>(only_here.size()))},
                            {"names", NameList(tr, only_here, max_names)}}));
  }
  if (!only_there.empty()) {
    // The other daemon's feeds are stored as hashes of their URLs: counted, not named.
    const std::string n = tr.Integer(static_cast<std::int64_t>(only_there.size()));
    parts.push_back(section == kFeeds
                        ? Format(tr.TrNP("config difference", "{n} only in the other",
                                         "{n} only in the other", only_there.size()),
                                 {{"n", n}})
                        : Format(tr.TrNP("config difference", "{n} only in the other ({names})",
                                         "{n} only in the other ({names})", only_there.size()),
                                 {{"n", n}, {"names", NameList(tr, only_there, max_names)}}));
  }
  if (!differ.empty()) {
    parts.push_back(
        Format(tr.TrNP("config difference", "{names} differs", "{names} differ", differ.size()),
               {{"names", NameList(tr, differ, max_names)}}));
  }
  // The same items, hashes colliding: never seen.
  if (parts.empty()) return tr.TrP("config difference", "differ");
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}

}  // namespace

ConfigSummary SummarizeConfig(const Config& config, const QueryCanonicalizer& canonical) {
  ConfigSummary summary;
  const std::array<Items, kSectionCount> sections = {
      SettingsItems(config), FeedItems(config, &summary.feed_labels), RuleItems(config, canonical),
      ChannelItems(config)};
  std::string out(kHeader);
  out += '\n';
  for (std::size_t s = 0; s < kSectionCount; ++s) {
    XXH3_state_t* state = XXH3_createState();
    XXH3_64bits_reset(state);
    for (const auto& [key, fields] : sections[s]) {
      XXH3_64bits_update(state, key.data(), key.size());
      XXH3_64bits_update(state, "\n", 1);
      XXH3_64bits_update(state, fields.data(), fields.size());
      XXH3_64bits_update(state, "\n", 1);
    }
    const std::uint64_t hash = XXH3_64bits_digest(state);
    XXH3_freeState(state);
    out += "S " + std::string(kSectionNames[s]) + " " + Hex(hash, 16) + " " +
           std::to_string(sections[s].size()) + "\n";
  }
  for (std::size_t s = 0; s < kSectionCount; ++s) {
    if (sections[s].size() > kMaxItemsPerSection) continue;
    for (const auto& [key, fields] : sections[s]) {
      out += std::string(1, kItemTags[s]) + " " + key + " " + Hex(Hash(fields), 8) + "\n";
    }
  }
  summary.fingerprint = Hex(Hash(out), 16);
  summary.description = std::move(out);
  return summary;
}

std::string DescribeDifferences(const ConfigSummary& here, std::string_view stored,
                                std::size_t max_names, const i18n::Translator& tr) {
  const auto mine = Parse(here.description);
  const auto theirs = Parse(stored);
  if (!mine || !theirs) {
    return tr.Tr("its configuration summary is unreadable (another version of veille?)");
  }
  // The sections' names, marked for translation in the order of kSectionNames.
  static constexpr std::array<const char*, kSectionCount> kShownNames = {
      i18n::NC_("config section", "settings"), i18n::NC_("config section", "feeds"),
      i18n::NC_("config section", "rules"), i18n::NC_("config section", "channels")};
  bool any = false;
  std::string out;
  for (const std::size_t s : {kFeeds, kRules, kChannels, kSettings}) {
    const auto text = DescribeSection(tr, s, (*mine)[s], (*theirs)[s], here, max_names);
    any = any || text.has_value();
    if (s == kSettings && !text) continue;  // named only when they differ
    // TRANSLATORS: between two sections of a configuration's differences.
    out += (out.empty() ? "" : tr.TrP("config difference", "; ")) +
           i18n::Format(tr.TrP("config difference", "{section}: {what}"),
                        {{"section", tr.TrP("config section", kShownNames[s])},
                         {"what", text ? *text : tr.TrP("config difference", "same")}});
  }
  return any ? out : "";
}

std::string DifferencesWarning(const ConfigSummary& here, const std::vector<OtherConfig>& others,
                               std::size_t max_groups) {
  // Daemons by fingerprint, in the order first met; the description of the first of each.
  std::vector<std::pair<const OtherConfig*, std::vector<std::string>>> groups;
  for (const OtherConfig& o : others) {
    if (o.fingerprint == here.fingerprint) continue;
    auto it = std::find_if(groups.begin(), groups.end(),
                           [&](const auto& g) { return g.first->fingerprint == o.fingerprint; });
    if (it == groups.end()) {
      groups.push_back({&o, {}});
      it = groups.end() - 1;
    }
    it->second.push_back(o.owner.substr(0, kMaxNameBytes));
  }
  if (groups.empty()) return "";
  std::string out =
      "this daemon's configuration (fingerprint " + here.fingerprint + ") differs from that of ";
  std::size_t shown_daemons = 0;
  std::size_t total = 0;
  for (const auto& g : groups) total += g.second.size();
  for (std::size_t i = 0; i < groups.size() && i < max_groups; ++i) {
    const auto& [first, owners] = groups[i];
    out += i == 0 ? "" : "; from that of ";
    out += (owners.size() == 1 ? "daemon " : "daemons ") + NameList(i18n::Translator(), owners, 2) +
           " (fingerprint " + first->fingerprint.substr(0, 16) + "): ";
    std::string diff = DescribeDifferences(here, first->description);
    out += diff.empty() ? "no difference in the compared settings" : diff;
    shown_daemons += owners.size();
  }
  if (groups.size() > max_groups) {
    out += "; and from " + std::to_string(total - shown_daemons) +
           " more daemons with other configurations";
  }
  return out + " (docs/scaling.md, \"Configurations that differ\")";
}

}  // namespace veille::config
