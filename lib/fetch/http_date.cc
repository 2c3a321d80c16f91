#include "fetch/http_date.h"

#include <array>
#include <cctype>
#include <cstdint>

namespace veille::fetch {
namespace {

constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::array<std::string_view, 7> kDays = {
    "Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};  // 1970-01-01 was a Thursday

// A tiny cursor over the text; every Take* returns false on mismatch.
class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}
  bool done() const { return pos_ == text_.size(); }
  bool Literal(std::string_view lit) {
    if (text_.substr(pos_, lit.size()) != lit) return false;
    pos_ += lit.size();
    return true;
  }
  void SkipSpaces() {
    while (pos_ < text_.size() && text_[pos_] == ' ') ++pos_;
  }
  bool Digits(int min_count, int max_count, int* out) {
    int value = 0;
    int count = 0;
    while (pos_ < text_.size() && count < max_count &&
           std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
      value = value * 10 + (text_[pos_] - '0');
      ++pos_;
      ++count;
    }
    if (count < min_count) return false;
    *out = value;
    return true;
  }
  bool Month(unsigned* out) {
    for (unsigned i = 0; i < kMonths.size(); ++i) {
      if (Literal(kMonths[i])) {
        *out = i + 1;
        return true;
      }
    }
    return false;
  }
  bool SkipWord() {  // the weekday name, any length
    const std::size_t start = pos_;
    while (pos_ < text_.size() && std::isalpha(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    return pos_ > start;
  }
  bool Clock(int* h, int* m, int* s) {
    return Digits(2, 2, h) && Literal(":") && Digits(2, 2, m) && Literal(":") && Digits(2, 2, s);
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

std::optional<UnixSeconds> Assemble(int year, unsigned month, int day, int h, int m, int s) {
  if (day < 1 || day > 31 || h > 23 || m > 59 || s > 60) return std::nullopt;
  const std::int64_t days = DaysFromCivil(year, month, static_cast<unsigned>(day));
  return days * 86400 + h * 3600 + m * 60 + (s == 60 ? 59 : s);
}

}  // namespace

std::optional<UnixSeconds> ParseHttpDate(std::string_view text) {
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  int day = 0, year = 0, h = 0, m = 0, s = 0;
  unsigned month = 0;
  {  // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
    Cursor c(text);
    if (c.SkipWord() && c.Literal(", ") && c.Digits(1, 2, &day) && c.Literal(" ") &&
        c.Month(&month) && c.Literal(" ") && c.Digits(4, 4, &year) && c.Literal(" ") &&
        c.Clock(&h, &m, &s) && c.Literal(" GMT") && c.done()) {
      return Assemble(year, month, day, h, m, s);
    }
  }
  {  // RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT"; two-digit years within 50 years (RFC 9110).
    Cursor c(text);
    if (c.SkipWord() && c.Literal(", ") && c.Digits(2, 2, &day) && c.Literal("-") &&
        c.Month(&month) && c.Literal("-") && c.Digits(2, 2, &year) && c.Literal(" ") &&
        c.Clock(&h, &m, &s) && c.Literal(" GMT") && c.done()) {
      return Assemble(year < 70 ? 2000 + year : 1900 + year, month, day, h, m, s);
    }
  }
  {  // asctime: "Sun Nov  6 08:49:37 1994"
    Cursor c(text);
    if (c.SkipWord() && c.Literal(" ") && c.Month(&month) && c.Literal(" ") &&
        (c.SkipSpaces(), c.Digits(1, 2, &day)) && c.Literal(" ") && c.Clock(&h, &m, &s) &&
        c.Literal(" ") && c.Digits(4, 4, &year) && c.done()) {
      return Assemble(year, month, day, h, m, s);
    }
  }
  return std::nullopt;
}

std::string FormatHttpDate(UnixSeconds t) {
  // FormatIso8601 gives "YYYY-MM-DDTHH:MM:SSZ" with clamping; reuse its civil conversion.
  const std::string iso = FormatIso8601(t);
  const std::int64_t days = (t >= 0 ? t : t - 86399) / 86400;
  const std::string_view day_name = kDays[static_cast<std::size_t>(((days % 7) + 7) % 7)];
  const int month = std::stoi(iso.substr(5, 2));
  std::string out;
  out.reserve(29);
  out.append(day_name);
  out.append(", ");
  out.append(iso, 8, 2);
  out.append(" ");
  out.append(kMonths[static_cast<std::size_t>(month - 1)]);
  out.append(" ");
  out.append(iso, 0, 4);
  out.append(" ");
  out.append(iso, 11, 8);
  out.append(" GMT");
  return out;
}

}  // namespace veille::fetch
