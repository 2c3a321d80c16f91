// The libcurl callbacks that fill a Transfer, and the outcome of a libcurl error.
#include "fetch/transfer.h"

#include <algorithm>
#include <cctype>

#include "common/sanitize.h"

namespace veille::fetch::detail {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && Lower(a) == Lower(b);
}

std::string OneLine(std::string_view text) { return SanitizeLine(text, 300); }

std::size_t OnBody(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t len = size * count;
  if (t->discard_body) {
    t->discarded += len;
    if (t->discarded > t->max_body) {
      t->body_over_cap = true;
      return 0;
    }
    return len;
  }
  if (t->body.size() + len > t->max_body) {  // decoded bytes: a gzip bomb stops here
    t->body_over_cap = true;
    return 0;
  }
  // Grow at most to the cap, and never copy more than a quarter of it: once the buffer holds a
  // quarter of the cap it goes to the cap at once (its pages are touched only as the body fills
  // them), so a capped body peaks near the cap and not at twice it (RELIABILITY.md A8). The new
  // buffer starts empty: reserve() on a full one may round up to twice its capacity (libstdc++),
  // which near the cap doubled the memory (faults scorecard: 32 MiB for a 16 MiB cap).
  if (t->body.size() + len > t->body.capacity()) {
    const std::size_t capacity = t->body.capacity();
    const std::size_t next =
        4 * capacity >= t->max_body
            ? t->max_body
            : std::min(t->max_body, std::max(t->body.size() + len, 2 * capacity));
    std::string grown;
    grown.reserve(next);
    grown.append(t->body);
    t->body.swap(grown);
  }
  t->body.append(data, len);
  return len;
}

std::size_t OnHeader(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t len = size * count;
  t->header_bytes += len;
  if (t->header_bytes > t->max_headers) {
    t->headers_over_cap = true;
    return 0;
  }
  std::string_view line(data, len);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);

  if (line.starts_with("HTTP/")) {  // a new response: 1xx, or the one that answers this hop
    t->status = 0;
    t->location_count = 0;
    t->reason.clear();
    t->etag.clear();
    t->last_modified.clear();
    t->content_type.clear();
    t->date.clear();
    t->retry_after.clear();
    t->cache_control.clear();
    t->expires.clear();
    t->location.clear();
    t->cf_mitigated.clear();
    const std::size_t sp = line.find(' ');
    if (sp != std::string_view::npos && line.size() >= sp + 4) {
      long code = 0;
      for (std::size_t i = sp + 1; i < sp + 4; ++i) {
        if (!std::isdigit(static_cast<unsigned char>(line[i]))) return len;
        code = code * 10 + (line[i] - '0');
      }
      t->status = code;
      if (line.size() > sp + 5) t->reason = OneLine(line.substr(sp + 5));
    }
    return len;
  }
  if (line.empty()) {  // end of this response's headers: a redirect's body is not kept
    t->discard_body = IsRedirectStatus(t->status) && t->location_count > 0;
    return len;
  }
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) return len;
  const std::string_view name = line.substr(0, colon);
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (IEquals(name, "location")) ++t->location_count;  // more than one is refused (NextHop)
  struct Field {
    std::string_view name;
    std::string Transfer::*member;
  };
  static constexpr Field kFields[] = {
      {"etag", &Transfer::etag},
      {"last-modified", &Transfer::last_modified},
      {"content-type", &Transfer::content_type},
      {"date", &Transfer::date},
      {"retry-after", &Transfer::retry_after},
      {"cache-control", &Transfer::cache_control},
      {"expires", &Transfer::expires},
      {"location", &Transfer::location},
      {"cf-mitigated", &Transfer::cf_mitigated},
  };
  for (const Field& f : kFields) {
    if (IEquals(name, f.name)) {
      (t->*f.member).assign(value.substr(0, 8192));
      break;
    }
  }
  return len;
}

Outcome ClassifyCurlCode(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return Outcome::kDns;
    case CURLE_OPERATION_TIMEDOUT:
      return Outcome::kTimeout;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_USE_SSL_FAILED:
      return Outcome::kTls;
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      return Outcome::kBlocked;
    case CURLE_TOO_MANY_REDIRECTS:
      return Outcome::kHttp4xx;
    case CURLE_FILESIZE_EXCEEDED:
      return Outcome::kTooLarge;
    default:
      return Outcome::kConnect;
  }
}

}  // namespace veille::fetch::detail
