#include "i18n/translator.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

namespace veille::i18n {
namespace {

constexpr const char* kMonths[] = {
    NC_("month", "January"), NC_("month", "February"), NC_("month", "March"),
    NC_("month", "April"),   NC_("month", "May"),      NC_("month", "June"),
    NC_("month", "July"),    NC_("month", "August"),   NC_("month", "September"),
    NC_("month", "October"), NC_("month", "November"), NC_("month", "December")};
constexpr const char* kShortMonths[] = {
    NC_("month abbreviation", "Jan"), NC_("month abbreviation", "Feb"),
    NC_("month abbreviation", "Mar"), NC_("month abbreviation", "Apr"),
    NC_("month abbreviation", "May"), NC_("month abbreviation", "Jun"),
    NC_("month abbreviation", "Jul"), NC_("month abbreviation", "Aug"),
    NC_("month abbreviation", "Sep"), NC_("month abbreviation", "Oct"),
    NC_("month abbreviation", "Nov"), NC_("month abbreviation", "Dec")};

Translator& ProcessSlot() {
  static Translator translator;
  return translator;
}

// Digits grouped by three with `separator`: "12345" -> "12,345".
std::string Group(std::string_view digits, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += separator;
    out += digits[i];
  }
  return out;
}

std::string TwoDigits(unsigned v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02u", v % 100);
  return buf;
}

bool Known(std::string_view language) {
  for (std::string_view l : kLanguages) {
    if (l == language) return true;
  }
  return false;
}

std::string ExecutableDir() {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  return exe.parent_path().string();
}

}  // namespace

std::string Format(std::string_view pattern, std::initializer_list<Arg> args) {
  std::string out;
  out.reserve(pattern.size() + 32);
  std::size_t at = 0;
  while (at < pattern.size()) {
    const std::size_t open = pattern.find('{', at);
    if (open == std::string_view::npos) break;
    const std::size_t close = pattern.find('}', open + 1);
    if (close == std::string_view::npos) break;
    const std::string_view name = pattern.substr(open + 1, close - open - 1);
    const Arg* found = nullptr;
    for (const Arg& a : args) {
      if (a.name == name) found = &a;
    }
    if (found == nullptr) {  // not a placeholder of ours: keep the brace, go on after it
      out.append(pattern.substr(at, open + 1 - at));
      at = open + 1;
      continue;
    }
    out.append(pattern.substr(at, open - at));
    out.append(found->value);
    at = close + 1;
  }
  out.append(pattern.substr(at));
  return out;
}

Translator::Translator() = default;

Translator::Translator(std::string language, std::shared_ptr<const Catalog> catalog)
    : language_(std::move(language)), catalog_(std::move(catalog)) {}

std::string Translator::Tr(std::string_view msgid) const { return TrP({}, msgid); }

std::string Translator::TrP(std::string_view context, std::string_view msgid) const {
  if (catalog_) {
    if (auto found = catalog_->Find(context, msgid)) return std::string(*found);
  }
  return std::string(msgid);
}

std::string Translator::TrN(std::string_view singular, std::string_view plural,
                            std::uint64_t n) const {
  return TrNP({}, singular, plural, n);
}

std::string Translator::TrNP(std::string_view context, std::string_view singular,
                             std::string_view plural, std::uint64_t n) const {
  if (catalog_) {
    if (auto found = catalog_->FindPlural(context, singular, n)) return std::string(*found);
  }
  return std::string(n == 1 ? singular : plural);
}

std::string Translator::Integer(std::int64_t n) const {
  const std::uint64_t magnitude =
      n < 0 ? static_cast<std::uint64_t>(-(n + 1)) + 1 : static_cast<std::uint64_t>(n);
  const std::string digits = std::to_string(magnitude);
  return (n < 0 ? "-" : "") + Group(digits, TrP("thousands separator", ","));
}

std::string Translator::Decimal(double value, int decimals) const {
  if (!std::isfinite(value)) return "-";
  decimals = std::clamp(decimals, 0, 9);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, std::fabs(value));
  const std::string_view text = buf;
  const std::size_t dot = text.find('.');
  std::string out = Group(text.substr(0, dot), TrP("thousands separator", ","));
  if (dot != std::string_view::npos) {
    out += TrP("decimal separator", ".");
    out += text.substr(dot + 1);
  }
  // -0.0 and values that round to zero are written without a sign.
  const bool zero = out.find_first_of("123456789") == std::string::npos;
  return (value < 0 && !zero ? "-" : "") + out;
}

std::string Translator::Percent(double percent, int decimals) const {
  return Format(TrP("percentage", "{number}%"), {{"number", Decimal(percent, decimals)}});
}

std::string Translator::Date(UnixSeconds t, std::int64_t offset_s) const {
  const CivilTime c = ToCivil(t + offset_s);
  const std::string day = c.day == 1 ? TrP("first day of the month", "1") : std::to_string(c.day);
  const std::string year = std::to_string(c.year);
  const std::string month = TrP("month", kMonths[c.month - 1]);
  return Format(TrP("date", "{day} {month} {year}"),
                {{"day", day}, {"month", month}, {"year", year}});
}

std::string Translator::ShortDate(UnixSeconds t, std::int64_t offset_s) const {
  const CivilTime c = ToCivil(t + offset_s);
  const std::string day = c.day == 1 ? TrP("first day of the month", "1") : std::to_string(c.day);
  const std::string month = TrP("month abbreviation", kShortMonths[c.month - 1]);
  return Format(TrP("short date", "{day} {month}"), {{"day", day}, {"month", month}});
}

std::string Translator::MonthYear(UnixSeconds t, std::int64_t offset_s) const {
  const CivilTime c = ToCivil(t + offset_s);
  const std::string year = std::to_string(c.year);
  const std::string month = TrP("month", kMonths[c.month - 1]);
  return Format(TrP("month and year", "{month} {year}"), {{"month", month}, {"year", year}});
}

std::string Translator::Time(UnixSeconds t, std::int64_t offset_s) const {
  const CivilTime c = ToCivil(t + offset_s);
  return TwoDigits(c.hour) + ":" + TwoDigits(c.minute);
}

std::string Translator::DateTime(UnixSeconds t, std::int64_t offset_s) const {
  const std::string date = Date(t, offset_s);
  const std::string time = Time(t, offset_s);
  return Format(TrP("date and time", "{date}, {time}"), {{"date", date}, {"time", time}});
}

std::string LanguageOf(std::string_view locale) {
  const std::size_t end = locale.find_first_of("_.@");
  std::string language(locale.substr(0, end));
  for (char& c : language) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (language == "c" || language == "posix") return {};
  return language;
}

std::string LanguageNamedByEnvironment(const char* (*getenv)(const char*)) {
  auto value = [&](const char* name) -> std::string_view {
    const char* v = getenv(name);
    return v != nullptr ? std::string_view(v) : std::string_view();
  };
  std::string_view locale = value("LC_ALL");
  if (locale.empty()) locale = value("LC_MESSAGES");
  if (locale.empty()) locale = value("LANG");
  const std::string base = LanguageOf(locale);
  if (base.empty()) return {};  // C, POSIX or unset: LANGUAGE is ignored, as gettext does
  std::string_view list = value("LANGUAGE");
  while (!list.empty()) {
    const std::size_t colon = list.find(':');
    const std::string candidate = LanguageOf(list.substr(0, colon));
    if (Known(candidate)) return candidate;
    if (colon == std::string_view::npos) break;
    list.remove_prefix(colon + 1);
  }
  return Known(base) ? base : std::string();
}

std::string LanguageFromEnvironment(const char* (*getenv)(const char*)) {
  std::string language = LanguageNamedByEnvironment(getenv);
  return language.empty() ? "en" : language;
}

std::string LanguageNamedByEnvironment() {
  return LanguageNamedByEnvironment(
      [](const char* name) -> const char* { return std::getenv(name); });
}

std::string LanguageFromEnvironment() {
  return LanguageFromEnvironment([](const char* name) -> const char* { return std::getenv(name); });
}

std::vector<std::string> CatalogDirectories() {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("VEILLE_LOCALEDIR"); env != nullptr && *env != '\0') {
    dirs.emplace_back(env);
  }
  if (const std::string exe = ExecutableDir(); !exe.empty()) {
    dirs.push_back(exe + "/../share/locale");
    dirs.push_back(exe + "/../locale");
  }
#ifdef VEILLE_INSTALL_LOCALEDIR
  dirs.emplace_back(VEILLE_INSTALL_LOCALEDIR);
#endif
  return dirs;
}

Result<Translator> LoadTranslator(std::string_view language,
                                  const std::vector<std::string>& directories) {
  if (!Known(language)) {
    std::string known;
    for (std::string_view l : kLanguages) known += (known.empty() ? "" : ", ") + std::string(l);
    return Fail(ErrorCode::kInvalidArgument,
                "unknown language '" + std::string(language) + "' (known: " + known + ")");
  }
  if (language == "en") return Translator();
  std::string tried;
  for (const std::string& dir : directories) {
    const std::string path =
        dir + "/" + std::string(language) + "/LC_MESSAGES/" + std::string(kTextDomain) + ".mo";
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
      tried += (tried.empty() ? "" : ", ") + path;
      continue;
    }
    auto catalog = Catalog::Load(path);
    if (!catalog) return tl::unexpected(catalog.error());
    return Translator(std::string(language), std::make_shared<const Catalog>(std::move(*catalog)));
  }
  return Fail(ErrorCode::kNotFound, "no " + std::string(language) + " catalog (tried " +
                                        (tried.empty() ? std::string("no directory") : tried) +
                                        ")");
}

Result<Translator> LoadTranslator(std::string_view language) {
  return LoadTranslator(language, CatalogDirectories());
}

void SetProcessTranslator(Translator translator) { ProcessSlot() = std::move(translator); }

const Translator& ProcessTranslator() { return ProcessSlot(); }

std::string Tr(std::string_view msgid) { return ProcessTranslator().Tr(msgid); }

std::string TrP(std::string_view context, std::string_view msgid) {
  return ProcessTranslator().TrP(context, msgid);
}

std::string TrN(std::string_view singular, std::string_view plural, std::uint64_t n) {
  return ProcessTranslator().TrN(singular, plural, n);
}

}  // namespace veille::i18n
