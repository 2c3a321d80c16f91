#include "feed/dates.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace veille::feed {
namespace {

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::vector<std::string> SplitWhitespace(std::string_view s) {
  std::vector<std::string> parts;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && IsSpace(s[i])) ++i;
    std::size_t start = i;
    while (i < s.size() && !IsSpace(s[i])) ++i;
    if (i > start) parts.emplace_back(s.substr(start, i - start));
  }
  return parts;
}

// Python's int() on a short token: optional spaces and sign, then decimal digits only.
std::optional<std::int64_t> PyInt(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  bool negative = false;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s.empty() || s.size() > 12) return std::nullopt;
  std::int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return negative ? -v : v;
}

// Python's int(float(s)) for time fields such as "05.123".
std::optional<std::int64_t> PyIntOfFloat(std::string_view s) {
  std::size_t dot = s.find('.');
  if (dot == std::string_view::npos) return PyInt(s);
  auto whole = dot == 0 ? std::optional<std::int64_t>(0) : PyInt(s.substr(0, dot));
  std::string_view frac = s.substr(dot + 1);
  for (char c : frac) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  if (dot == 0 && frac.empty()) return std::nullopt;
  return whole;
}

std::optional<int> ZoneHours(std::string_view name) {
  struct Zone {
    std::string_view name;
    int hours;
  };
  static constexpr std::array<Zone, 41> kZones = {{
      {"ut", 0},    {"gmt", 0},   {"z", 0},     {"utc", 0},   {"adt", -3},  {"ast", -4},
      {"at", -4},   {"edt", -4},  {"est", -5},  {"et", -5},   {"cdt", -5},  {"cst", -6},
      {"ct", -6},   {"mdt", -6},  {"mst", -7},  {"mt", -7},   {"pdt", -7},  {"pst", -8},
      {"pt", -8},   {"met", 1},   {"mest", 2},  {"cet", 1},   {"cest", 2},  {"bst", 1},
      {"wet", 0},   {"west", 1},  {"eet", 2},   {"eest", 3},  {"msk", 3},   {"jst", 9},
      {"hst", -10}, {"akst", -9}, {"akdt", -8}, {"aest", 10}, {"aedt", 11}, {"nzst", 12},
      {"nzdt", 13}, {"a", -1},    {"n", 1},     {"m", -12},   {"y", 12},
  }};
  for (const auto& z : kZones) {
    if (z.name == name) return z.hours;
  }
  if (name.size() == 1 && name[0] >= 'a' && name[0] <= 'z' && name[0] != 'j') {
    char c = name[0];
    if (c <= 'i') return -(c - 'a' + 1);
    if (c >= 'k' && c <= 'm') return -(c - 'k' + 10);
    if (c >= 'n' && c <= 'y') return c - 'n' + 1;
  }
  return std::nullopt;
}

bool IsLeap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// Python's datetime(...) validation, then the UTC instant after subtracting the offset.
std::optional<UnixSeconds> Compose(std::int64_t year, std::int64_t month, std::int64_t day,
                                   std::int64_t hour, std::int64_t minute, std::int64_t second,
                                   std::int64_t offset_minutes) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1) return std::nullopt;
  int dim = kDays[static_cast<std::size_t>(month - 1)] + ((month == 2 && IsLeap(year)) ? 1 : 0);
  if (day > dim || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 ||
      second > 59) {
    return std::nullopt;
  }
  std::int64_t days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  std::int64_t t = days * 86400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
  // The shifted instant must still be a valid datetime (years 1..9999).
  if (t < DaysFromCivil(1, 1, 1) * 86400 || t >= DaysFromCivil(10000, 1, 1) * 86400) {
    return std::nullopt;
  }
  return t;
}

std::optional<int> Month(std::string_view token) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  std::string_view head = token.substr(0, 3);
  for (std::size_t i = 0; i < kMonths.size(); ++i) {
    if (kMonths[i] == head) return static_cast<int>(i + 1);
  }
  return std::nullopt;
}

std::optional<UnixSeconds> ParseAsctime(std::string_view text) {
  auto parts = SplitWhitespace(text);
  if (parts.size() == 5) parts.insert(parts.begin() + 4, "+0000");
  if (parts.size() != 6) return std::nullopt;
  std::string joined =
      parts[0] + " " + parts[2] + " " + parts[1] + " " + parts[5] + " " + parts[3] + " " + parts[4];
  return ParseRfc822Date(joined);
}

}  // namespace

std::optional<UnixSeconds> ParseRfc822Date(std::string_view text) {
  auto parts = SplitWhitespace(ToLower(text));
  if (parts.empty()) return std::nullopt;
  if (parts.size() < 5) {
    parts.emplace_back("00:00:00");
    parts.emplace_back("0000");
  }
  static constexpr std::array<std::string_view, 7> kDays = {"mon", "tue", "wed", "thu",
                                                            "fri", "sat", "sun"};
  std::string_view head = std::string_view(parts[0]).substr(0, 3);
  for (auto d : kDays) {
    if (d == head) {
      parts.erase(parts.begin());
      break;
    }
  }
  if (parts.size() < 5) return std::nullopt;
  auto month = Month(parts[1]);
  auto day = PyInt(parts[0]);
  if (!day) {
    auto swapped = Month(parts[0]);
    if (!swapped) return std::nullopt;
    day = PyInt(parts[1]);
    if (!day) return std::nullopt;
    month = swapped;
  }
  if (!month) return std::nullopt;
  auto year = PyInt(parts[2]);
  if (!year) return std::nullopt;
  if (parts[2].size() <= 2) *year += *year < 90 ? 2000 : 1900;

  std::vector<std::string> hms;
  {
    std::string_view t = parts[3];
    std::size_t start = 0;
    while (true) {
      std::size_t colon = t.find(':', start);
      hms.emplace_back(t.substr(start, colon == std::string_view::npos ? t.npos : colon - start));
      if (colon == std::string_view::npos) break;
      start = colon + 1;
    }
    while (hms.size() < 3) hms.emplace_back("0");
    if (hms.size() > 3) return std::nullopt;
  }
  auto hour = PyInt(hms[0]);
  auto minute = PyInt(hms[1]);
  auto second = PyInt(hms[2]);
  if (!hour || !minute || !second) return std::nullopt;

  std::string zone = parts[4];
  if (zone.rfind("etc/", 0) == 0) zone = zone.substr(4);
  if (zone.rfind("gmt", 0) == 0) {
    std::string rest;
    for (char c : zone.substr(3)) {
      if (c != ':') rest.push_back(c);
    }
    zone = rest.empty() ? "gmt" : rest;
  }
  std::int64_t offset = 0;
  if (!zone.empty() && (zone[0] == '-' || zone[0] == '+')) {
    std::optional<std::int64_t> hh = PyInt(std::string_view(zone).substr(1, 2));
    std::optional<std::int64_t> mm;
    if (zone.find(':') != std::string::npos) {
      mm = PyInt(zone.size() > 4 ? std::string_view(zone).substr(4) : std::string_view());
    } else {
      mm = PyInt(zone.size() > 3 ? std::string_view(zone).substr(3) : std::string_view());
    }
    if (!hh || !mm) return std::nullopt;
    offset = *hh * 60 + *mm;
    if (zone[0] == '-') offset = -offset;
  } else {
    offset = ZoneHours(zone).value_or(0) * 60;
  }
  return Compose(*year, *month, *day, *hour, *minute, *second, offset);
}

std::optional<UnixSeconds> ParseW3cDate(std::string_view text) {
  std::string s = ToLower(text);
  bool blank = true;
  for (char c : s) {
    if (!IsSpace(c)) blank = false;
  }
  if (blank) return std::nullopt;
  std::vector<std::string> parts;
  {
    std::size_t start = 0;
    while (true) {
      std::size_t t = s.find('t', start);
      parts.push_back(s.substr(start, t == std::string::npos ? std::string::npos : t - start));
      if (t == std::string::npos) break;
      start = t + 1;
    }
  }
  if (parts.size() == 1) {
    // "date", "date time" or the MSSQL-style "date time zone"; anything after that is garbage
    // (the reference ignores it: "3600 3---\n\xff" read as year 3600, a fuzz finding).
    auto ws = SplitWhitespace(parts[0]);
    if (ws.empty() || ws.size() > 3) return std::nullopt;
    parts = ws;
    if (parts.size() == 1) parts.emplace_back("00:00:00z");
  } else if (parts.size() > 2) {
    return std::nullopt;
  }
  // Date: up to three '-'-separated fields, the year exactly four characters.
  std::vector<std::string> date;
  {
    std::string_view d = parts[0];
    for (int n = 0; n < 2; ++n) {
      std::size_t dash = d.find('-');
      if (dash == std::string_view::npos) break;
      date.emplace_back(d.substr(0, dash));
      d = d.substr(dash + 1);
    }
    date.emplace_back(d);
  }
  if (date[0].size() != 4) return std::nullopt;
  while (date.size() < 3) date.emplace_back("1");
  auto year = PyInt(date[0]);
  auto month = PyInt(date[1]);
  auto day = PyInt(date[2]);
  if (!year || !month || !day) return std::nullopt;
  if (!parts[1].empty() && parts[1].back() == 'z') {
    if (parts.size() > 2) return std::nullopt;  // "...z gmt": two zones
    parts[1].pop_back();
    parts.emplace_back("z");
  }
  std::size_t loc = parts[1].find('-');
  if (loc == std::string::npos) loc = parts[1].find('+');
  if (loc == std::string::npos) loc = parts[1].size();
  // A numeric offset inside the time as well as a zone after it: two zones, not a date.
  if (parts.size() > 2 && loc < parts[1].size()) return std::nullopt;
  parts.push_back(parts[1].substr(loc));
  parts[1] = parts[1].substr(0, loc);
  std::vector<std::string> hms;
  {
    std::string_view t = parts[1];
    for (int n = 0; n < 2; ++n) {
      std::size_t colon = t.find(':');
      if (colon == std::string_view::npos) break;
      hms.emplace_back(t.substr(0, colon));
      t = t.substr(colon + 1);
    }
    hms.emplace_back(t);
  }
  while (hms.size() < 3) hms.emplace_back("0");
  const std::string& tz = parts[2];
  std::int64_t offset = 0;
  if (!tz.empty() && (tz[0] == '-' || tz[0] == '+')) {
    auto hh = PyInt(std::string_view(tz).substr(1, 2));
    // "+05:30" (the reference's form) and "+0530" (which the reference misreads as +05:00).
    bool compact = tz.size() == 5 && tz.find(':') == std::string::npos;
    if (!compact && tz.size() > 3 && tz[3] != ':') return std::nullopt;  // "+05x30"
    auto mm = PyInt(compact         ? std::string_view(tz).substr(3)
                    : tz.size() > 4 ? std::string_view(tz).substr(4)
                                    : std::string_view());
    if (!hh || !mm) return std::nullopt;
    offset = *hh * 60 + *mm;
    if (tz[0] == '-') offset = -offset;
  } else {
    // An empty zone is UTC; a name must be one we know (the reference reads any word as UTC).
    if (tz.empty()) {
      offset = 0;
    } else if (const auto hours = ZoneHours(tz)) {
      offset = *hours * 60;
    } else {
      return std::nullopt;
    }
  }
  auto hour = PyIntOfFloat(hms[0]);
  auto minute = PyIntOfFloat(hms[1]);
  auto second = PyIntOfFloat(hms[2]);
  if (!hour || !minute || !second) return std::nullopt;
  return Compose(*year, *month, *day, *hour, *minute, *second, offset);
}

std::optional<UnixSeconds> ParseFeedDate(std::string_view text) {
  if (text.empty() || text.size() > 200) return std::nullopt;
  if (auto t = ParseW3cDate(text)) return t;
  if (auto t = ParseRfc822Date(text)) return t;
  return ParseAsctime(text);
}

}  // namespace veille::feed
