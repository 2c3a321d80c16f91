#include "i18n/accept_language.h"

#include <cctype>
#include <cstdlib>

#include "i18n/translator.h"

namespace veille::i18n {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// q=0.8 -> 800; malformed -> -1.
int Quality(std::string_view params) {
  int q = 1000;
  while (!params.empty()) {
    const auto semi = params.find(';');
    std::string_view p = Trim(params.substr(0, semi));
    params = semi == std::string_view::npos ? std::string_view() : params.substr(semi + 1);
    if (p.size() < 2 || (p[0] != 'q' && p[0] != 'Q') || p[1] != '=') continue;
    std::string_view v = p.substr(2);
    if (v.empty() || v.size() > 5 || (v[0] != '0' && v[0] != '1')) return -1;
    q = (v[0] - '0') * 1000;
    if (v.size() > 1) {
      if (v[1] != '.') return -1;
      int scale = 100;
      for (char c : v.substr(2)) {
        if (c < '0' || c > '9') return -1;
        q += (c - '0') * scale;
        scale /= 10;
      }
    }
    if (q > 1000) return -1;
  }
  return q;
}

}  // namespace

std::string LanguageFromAcceptLanguage(std::string_view header) {
  std::string best;
  int best_q = 0;
  while (!header.empty()) {
    const auto comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    const auto semi = item.find(';');
    std::string_view range = Trim(item.substr(0, semi));
    const int q = Quality(semi == std::string_view::npos ? "" : item.substr(semi + 1));
    if (range.empty() || range == "*" || q <= 0) continue;
    std::string primary(range.substr(0, range.find('-')));
    for (char& c : primary) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    bool known = false;
    for (auto language : kLanguages) known = known || primary == language;
    if (known && q > best_q) {
      best = primary;
      best_q = q;
    }
  }
  return best;
}

}  // namespace veille::i18n
