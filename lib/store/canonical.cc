#include "store/canonical.h"

#include <algorithm>
#include <array>
#include <optional>
#include <vector>

#include "common/url.h"

namespace veille::store {
namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = Lower(c);
  return out;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.substr(0, prefix.size()) == prefix;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes %XX escapes (and '+' as a space, as query strings are form-encoded).
std::string PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2]));
      i += 2;
    } else if (s[i] == '+') {
      out += ' ';
    } else {
      out += s[i];
    }
  }
  return out;
}

struct Parts {
  std::string scheme;    // lower-case
  std::string userinfo;  // with the trailing '@', or empty
  std::string host;      // lower-case, no trailing dot
  std::string port;      // without ':'; empty when the URL does not name one
  std::string path;
  std::vector<std::string> params;  // raw "k=v" pieces of the query, in order
};

// The link's parts as the URL module reads it (libcurl's parser, as everywhere else).
std::optional<Parts> Split(std::string_view link) {
  const std::optional<Url> url = Url::Parse(link, UrlForm::kLenient);
  if (!url || !url->IsWeb()) return std::nullopt;
  Parts u;
  u.scheme = url->scheme;
  if (!url->userinfo.empty()) u.userinfo = url->userinfo + "@";
  u.host = url->host;
  if (url->explicit_port) u.port = std::to_string(url->port);
  u.path = url->path;
  if (url->query) {
    std::string_view query = *url->query;
    while (!query.empty()) {
      const auto amp = query.find('&');
      std::string_view piece = query.substr(0, amp);
      if (!piece.empty()) u.params.emplace_back(piece);
      if (amp == std::string_view::npos) break;
      query = query.substr(amp + 1);
    }
  }
  return u;
}

std::string_view ParamName(std::string_view piece) { return piece.substr(0, piece.find('=')); }

std::optional<std::string> ParamValue(const Parts& u, std::string_view name) {
  for (const auto& piece : u.params) {
    if (ParamName(piece) == name) {
      const auto eq = piece.find('=');
      if (eq == std::string::npos) return std::string();
      return PercentDecode(std::string_view(piece).substr(eq + 1));
    }
  }
  return std::nullopt;
}

bool IsGoogleHost(std::string_view host) {
  // google.com, www.google.fr, google.co.uk, ...
  std::string_view h = host;
  if (StartsWith(h, "www.")) h.remove_prefix(4);
  return StartsWith(h, "google.");
}

// The wrapped destination when `u` is a known redirector.
std::optional<std::string> Unwrapped(const Parts& u) {
  std::vector<std::string_view> keys;
  if (IsGoogleHost(u.host) && u.path == "/url") {
    keys = {"url", "q"};
  } else if (u.host == "news.google.com") {
    keys = {"url"};
  } else if (u.host == "feedproxy.google.com" || EndsWith(u.host, "feedburner.com")) {
    keys = {"url"};
  } else if ((u.host == "www.bing.com" || u.host == "bing.com") &&
             EndsWith(u.path, "/apiclick.aspx")) {
    keys = {"url"};
  }
  for (std::string_view key : keys) {
    if (auto v = ParamValue(u, key)) {
      const std::string lower = LowerAscii(v->substr(0, 8));
      if (StartsWith(lower, "http://") || StartsWith(lower, "https://")) return v;
    }
  }
  return std::nullopt;
}

bool IsTrackingParam(std::string_view raw_name) {
  static constexpr std::array<std::string_view, 26> kExact = {
      "fbclid",     "gclid",       "dclid",   "gclsrc",    "msclkid",     "mc_cid",    "mc_eid",
      "yclid",      "igshid",      "_ga",     "_gl",       "_hsenc",      "_hsmi",     "mkt_tok",
      "xtor",       "ocid",        "ncid",    "at_medium", "at_campaign", "at_source", "cmpid",
      "oly_enc_id", "oly_anon_id", "vero_id", "wt.mc_id",  "ref_src"};
  const std::string name = LowerAscii(raw_name);
  if (StartsWith(name, "utm_")) return true;
  return std::find(kExact.begin(), kExact.end(), name) != kExact.end();
}

std::string Assemble(const Parts& u) {
  std::string out = u.scheme + "://" + u.userinfo + u.host;
  const bool default_port = u.port.empty() || (u.scheme == "http" && u.port == "80") ||
                            (u.scheme == "https" && u.port == "443");
  if (!default_port) out += ":" + u.port;
  std::string path = u.path.empty() ? "/" : u.path;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  out += path;
  bool first = true;
  for (const auto& piece : u.params) {
    if (IsTrackingParam(ParamName(piece))) continue;
    out += first ? '?' : '&';
    out += piece;
    first = false;
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// Two-byte UTF-8 Latin letters (U+00C0..U+017F subset) -> ASCII spelling, lower-case.
std::optional<std::string_view> FoldLatin(unsigned char b1, unsigned char b2) {
  const unsigned cp = ((b1 & 0x1Fu) << 6) | (b2 & 0x3Fu);
  if (cp >= 0xC0 && cp <= 0xC5) return "a";
  if (cp >= 0xE0 && cp <= 0xE5) return "a";
  if (cp == 0xC6 || cp == 0xE6) return "ae";
  if (cp == 0xC7 || cp == 0xE7) return "c";
  if ((cp >= 0xC8 && cp <= 0xCB) || (cp >= 0xE8 && cp <= 0xEB)) return "e";
  if ((cp >= 0xCC && cp <= 0xCF) || (cp >= 0xEC && cp <= 0xEF)) return "i";
  if (cp == 0xD1 || cp == 0xF1) return "n";
  if ((cp >= 0xD2 && cp <= 0xD6) || (cp >= 0xF2 && cp <= 0xF6) || cp == 0xD8 || cp == 0xF8) {
    return "o";
  }
  if ((cp >= 0xD9 && cp <= 0xDC) || (cp >= 0xF9 && cp <= 0xFC)) return "u";
  if (cp == 0xDD || cp == 0xFD || cp == 0xFF || cp == 0x178) return "y";
  if (cp == 0xDF) return "ss";
  if (cp == 0x152 || cp == 0x153) return "oe";
  return std::nullopt;
}

std::vector<std::string> Words(std::string_view title) {
  std::vector<std::string> words;
  std::string current;
  auto flush = [&] {
    if (!current.empty()) words.push_back(std::move(current));
    current.clear();
  };
  for (std::size_t i = 0; i < title.size(); ++i) {
    const auto c = static_cast<unsigned char>(title[i]);
    if (c < 0x80) {
      if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')) {
        current += static_cast<char>(c);
      } else if (c >= 'A' && c <= 'Z') {
        current += Lower(static_cast<char>(c));
      } else {
        flush();
      }
      continue;
    }
    if ((c & 0xE0) == 0xC0 && i + 1 < title.size()) {
      const auto c2 = static_cast<unsigned char>(title[i + 1]);
      if (auto folded = FoldLatin(c, c2)) {
        current += *folded;
        ++i;
        continue;
      }
    }
    // Other non-ASCII: typographic punctuation and spaces (U+2000..U+206F, U+00A0, U+00AB,
    // U+00BB) separate words; every other character is kept as it is.
    if (c == 0xE2 && i + 1 < title.size() && static_cast<unsigned char>(title[i + 1]) == 0x80) {
      flush();
      i += 2;
      continue;
    }
    if (c == 0xC2 && i + 1 < title.size()) {
      const auto c2 = static_cast<unsigned char>(title[i + 1]);
      if (c2 == 0xA0 || c2 == 0xAB || c2 == 0xBB) {
        flush();
        ++i;
        continue;
      }
    }
    current += static_cast<char>(c);
  }
  flush();
  return words;
}

}  // namespace

std::string CanonicalLink(std::string_view link) {
  std::string current(Trim(link));
  for (int depth = 0; depth < 3; ++depth) {
    auto u = Split(current);
    if (!u) return current;
    auto inner = Unwrapped(*u);
    if (!inner) return Assemble(*u);
    current = std::string(Trim(*inner));
  }
  auto u = Split(current);
  return u ? Assemble(*u) : current;
}

std::string StoryTitleKey(std::string_view title) {
  title = Trim(title);
  // " - Le Monde" / " | Le Monde" at the end: the source, as news aggregators append it.
  for (std::string_view sep :
       {std::string_view(" - "), std::string_view(" | "), std::string_view(" \xE2\x80\x93 "),
        std::string_view(" \xE2\x80\x94 ")}) {
    const auto at = title.rfind(sep);
    if (at == std::string_view::npos) continue;
    const std::string_view suffix = title.substr(at + sep.size());
    if (suffix.size() <= 40 && Words(title.substr(0, at)).size() >= 3) {
      title = title.substr(0, at);
      break;
    }
  }
  const auto words = Words(title);
  std::string key;
  for (const auto& w : words) {
    if (!key.empty()) key += ' ';
    key += w;
  }
  if (words.size() < 3 || key.size() < 15) return {};
  return key;
}

}  // namespace veille::store
