#include "feed/entities.h"

#include <algorithm>
#include <array>
#include <iterator>
#include <string>

namespace veille::feed {
namespace {

struct EntityRow {
  std::string_view name;
  std::string_view utf8;
};

// Generated from Python's html.entities.html5 by gen_entities.py; sorted by name bytes.
constexpr EntityRow kEntities[] = {
#include "feed/html5_entities.inc"
};

constexpr std::size_t kMaxEntityName = 32;

// windows-1252 meanings of 0x80..0x9F (0 where the code page leaves the byte undefined).
constexpr std::array<char16_t, 32> kC1 = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

}  // namespace

std::optional<std::string_view> LookupEntity(std::string_view name) {
  const auto* it =
      std::lower_bound(std::begin(kEntities), std::end(kEntities), name,
                       [](const EntityRow& row, std::string_view n) { return row.name < n; });
  if (it == std::end(kEntities) || it->name != name) return std::nullopt;
  return it->utf8;
}

std::size_t MatchEntityPrefix(std::string_view text, std::string_view* expansion) {
  std::size_t max_len = std::min(text.size(), kMaxEntityName + 1);
  for (std::size_t len = max_len; len > 0; --len) {
    if (auto hit = LookupEntity(text.substr(0, len))) {
      *expansion = *hit;
      return len;
    }
  }
  return 0;
}

void AppendUtf8(std::string* out, char32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

char32_t FixNumericReference(unsigned long value) {
  if (value >= 0x80 && value <= 0x9F) {
    char16_t mapped = kC1[value - 0x80];
    return mapped != 0 ? mapped : static_cast<char32_t>(value);
  }
  if (value == 0 || (value >= 0xD800 && value <= 0xDFFF) || value > 0x10FFFF) return 0xFFFD;
  return static_cast<char32_t>(value);
}

}  // namespace veille::feed
