#include "web/html.h"

#include <ctime>

#include "common/escape.h"

namespace veille::web {

std::string Html(std::string_view text) { return EscapeMarkup(text); }

std::string MarkedSnippet(std::string_view snippet, const archive::Marks& highlights,
                          std::size_t lead) {
  const archive::SnippetFocus focus = archive::FocusSnippet(snippet, highlights, lead);
  std::string out = focus.cut ? "\u2026" : "";
  std::size_t at = 0;
  for (const auto& [b, e] : focus.marks) {
    if (b < at || e > focus.text.size() || b > e) continue;  // stored offsets are data
    out += Html(focus.text.substr(at, b - at));
    out += "<mark>" + Html(focus.text.substr(b, e - b)) + "</mark>";
    at = e;
  }
  return out + Html(focus.text.substr(at));
}

std::string ExternalLink(std::string_view link, const std::string& text_html) {
  const std::string href = SafeHref(link);
  if (href.empty()) return text_html;
  return "<a href=\"" + href + "\" rel=\"noopener noreferrer nofollow\">" + text_html + "</a>";
}

std::string UrlEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == '-' ||
        u == '_' || u == '.' || u == '~') {
      out += c;
    } else if (u == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0xf];
    }
  }
  return out;
}

namespace {

std::tm Utc(UnixSeconds t) {
  const std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  return tm;
}

}  // namespace

std::string HtmlTime(UnixSeconds t) {
  const std::tm tm = Utc(t);
  char buf[32];
  return std::string(buf, std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm));
}

std::string DayOf(UnixSeconds t) {
  const std::tm tm = Utc(t);
  char buf[32];
  return std::string(buf, std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm));
}

std::optional<UnixSeconds> ParseDay(std::string_view day) {
  if (day.size() != 10 || day[4] != '-' || day[7] != '-') return std::nullopt;
  return ParseIso8601Utc(std::string(day) + "T00:00:00Z");
}

std::string SafeBack(std::string_view back) {
  if (back.empty() || back.front() != '/' || back.size() > 2000) return "/";
  if (back.size() > 1 && (back[1] == '/' || back[1] == '\\')) return "/";
  for (const char c : back) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == '\\') return "/";
  }
  return std::string(back);
}

}  // namespace veille::web
