#include "common/escape.h"

#include "common/url.h"

namespace veille {

std::string EscapeMarkup(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default: {
        const auto u = static_cast<unsigned char>(c);
        if ((u < 0x20 && c != '\t' && c != '\n') || u == 0x7f) break;
        out += c;
      }
    }
  }
  return out;
}

std::string SafeHref(std::string_view link) { return EscapeMarkup(WebLink(link).value_or("")); }

}  // namespace veille
