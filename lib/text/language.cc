#include "text/language.h"

#include <cstdio>  // compact_lang_det.h names FILE without including it

// clang-format off
#include <cld2/public/compact_lang_det.h>
#include <cld2/public/encodings.h>
// clang-format on

#include <algorithm>
#include <array>
#include <cctype>

namespace veille::text {
namespace {

constexpr std::size_t kMaxTagBytes = 35;
constexpr int kOverrideMinPercent = 90;
constexpr int kOverrideMinLetters = 200;

bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAsciiAlnum(char c) { return IsAsciiAlpha(c) || (c >= '0' && c <= '9'); }
char Lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }
char Upper(char c) { return static_cast<char>(std::toupper(static_cast<unsigned char>(c))); }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// "no", "nb" and "nn", "ms" and "id", "hr", "sr" and "bs" are told apart badly from text: a
// declared one of them is never overridden by another of the same family.
std::string_view Family(std::string_view primary) {
  if (primary == "nb" || primary == "nn") return "no";
  if (primary == "id") return "ms";
  if (primary == "sr" || primary == "bs" || primary == "sh") return "hr";
  if (primary == "iw") return "he";
  return primary;
}

std::string_view Primary(std::string_view tag) { return tag.substr(0, tag.find('-')); }

// Cuts `text` to at most `max` bytes without splitting a UTF-8 sequence.
std::string_view CutUtf8(std::string_view text, std::size_t max) {
  if (text.size() <= max) return text;
  std::size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut);
}

// A tag of the BCP 47 shape: a primary subtag of 2 or 3 letters, then subtags of 1 to 8
// letters or digits, separated by '-' or '_'. Canonical case: language lower, script title,
// region upper, the rest lower.
std::optional<std::string> TagShape(std::string_view s) {
  std::string out;
  std::size_t index = 0;
  while (true) {
    const std::size_t end = std::min(s.find_first_of("-_"), s.size());
    const std::string_view sub = s.substr(0, end);
    if (sub.empty() || sub.size() > 8 || !std::all_of(sub.begin(), sub.end(), IsAsciiAlnum)) {
      return std::nullopt;
    }
    if (index == 0) {
      if (sub.size() < 2 || sub.size() > 3 || !std::all_of(sub.begin(), sub.end(), IsAsciiAlpha)) {
        return std::nullopt;
      }
      for (char c : sub) out += Lower(c);
    } else {
      out += '-';
      const bool alpha = std::all_of(sub.begin(), sub.end(), IsAsciiAlpha);
      for (std::size_t i = 0; i < sub.size(); ++i) {
        const bool upper = alpha && ((sub.size() == 2) || (sub.size() == 4 && i == 0));
        out += upper ? Upper(sub[i]) : Lower(sub[i]);
      }
    }
    ++index;
    if (end == s.size()) break;
    s.remove_prefix(end + 1);
  }
  return out;
}

}  // namespace

std::string_view LanguageSourceName(LanguageSource source) {
  return source == LanguageSource::kDetected ? "detected" : "declared";
}

std::optional<LanguageSource> ParseLanguageSource(std::string_view name) {
  if (name == "declared") return LanguageSource::kDeclared;
  if (name == "detected") return LanguageSource::kDetected;
  return std::nullopt;
}

std::optional<std::string> CanonicalLanguageTag(std::string_view declared) {
  declared = Trim(declared);
  if (declared.empty() || declared.size() > kMaxTagBytes) return std::nullopt;
  if (auto tag = TagShape(declared)) {
    const std::string_view primary = Primary(*tag);
    // Undetermined, multiple, no linguistic content, missing: no language said.
    if (primary == "und" || primary == "mul" || primary == "zxx" || primary == "mis" ||
        primary == "qaa") {
      return std::nullopt;
    }
    return tag;
  }
  // A language written by name ("French", "english"), as some RSS generators do: CLD2 knows
  // the English names of its languages, in capitals.
  if (!std::all_of(declared.begin(), declared.end(), IsAsciiAlpha)) return std::nullopt;
  std::string name;
  for (char c : declared) name += Upper(c);
  const CLD2::Language language = CLD2::GetLanguageFromName(name.c_str());
  if (language == CLD2::UNKNOWN_LANGUAGE) return std::nullopt;
  return TagShape(CLD2::LanguageCode(language));
}

std::optional<Detection> DetectLanguage(std::string_view text, std::size_t max_bytes) {
  text = CutUtf8(text, max_bytes);
  if (text.empty()) return std::nullopt;
  const CLD2::CLDHints hints = {nullptr, nullptr, CLD2::UNKNOWN_ENCODING, CLD2::UNKNOWN_LANGUAGE};
  std::array<CLD2::Language, 3> languages{};
  std::array<int, 3> percents{};
  std::array<double, 3> scores{};
  int text_bytes = 0;
  bool reliable = false;
  int valid_prefix = 0;
  const CLD2::Language found = CLD2::ExtDetectLanguageSummaryCheckUTF8(
      text.data(), static_cast<int>(text.size()), /*is_plain_text=*/true, &hints, 0,
      languages.data(), percents.data(), scores.data(), nullptr, &text_bytes, &reliable,
      &valid_prefix);
  if (valid_prefix < static_cast<int>(text.size())) {
    // CLD2 refuses the whole buffer over one bad byte: read what comes before it.
    if (valid_prefix <= 0) return std::nullopt;
    return DetectLanguage(text.substr(0, static_cast<std::size_t>(valid_prefix)), max_bytes);
  }
  if (found == CLD2::UNKNOWN_LANGUAGE || found == CLD2::TG_UNKNOWN_LANGUAGE) return std::nullopt;
  std::optional<std::string> code = TagShape(CLD2::LanguageCode(found));
  if (!code || Primary(*code) == "xx") return std::nullopt;  // a script, not a language
  if (*code == "iw") *code = "he";
  Detection d;
  d.code = std::move(*code);
  d.percent = languages[0] == found ? percents[0] : 0;
  d.text_bytes = text_bytes;
  d.reliable = reliable;
  return d;
}

bool Contradicts(std::string_view tag, std::string_view sample) {
  const std::optional<std::string> declared = CanonicalLanguageTag(tag);
  if (!declared) return false;
  const std::optional<Detection> d = DetectLanguage(sample, kMaxCheckBytes);
  return d && d->reliable && d->percent >= kOverrideMinPercent &&
         d->text_bytes >= kOverrideMinLetters &&
         Family(Primary(d->code)) != Family(Primary(*declared));
}

std::optional<EntryLanguage> EntryLanguageOf(std::string_view declared, std::string_view title,
                                             std::string_view text) {
  if (std::optional<std::string> tag = CanonicalLanguageTag(declared)) {
    return EntryLanguage{std::move(*tag), LanguageSource::kDeclared};
  }
  // The title, then the text, within the bound.
  std::string sample(CutUtf8(title, kMaxDetectionBytes));
  if (!text.empty() && sample.size() + 1 < kMaxDetectionBytes) {
    if (!sample.empty()) sample += '\n';
    sample += CutUtf8(text, kMaxDetectionBytes - sample.size());
  }
  const std::optional<Detection> detected = DetectLanguage(sample);
  if (!detected || !detected->reliable) return std::nullopt;
  return EntryLanguage{detected->code, LanguageSource::kDetected};
}

}  // namespace veille::text
