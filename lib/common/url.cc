#include "common/url.h"

#include <curl/curl.h>

#include <memory>

namespace veille {
namespace {

struct HandleDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
using Handle = std::unique_ptr<CURLU, HandleDeleter>;

unsigned FlagsFor(UrlForm form) {
  unsigned flags = CURLU_NON_SUPPORT_SCHEME;  // any scheme parses; callers judge it
  if (form == UrlForm::kLenient) flags |= CURLU_URLENCODE | CURLU_ALLOW_SPACE;
  return flags;
}

// One part of the handle, or nullopt when it is absent.
std::optional<std::string> Part(CURLU* u, CURLUPart part, unsigned flags = 0) {
  char* value = nullptr;
  if (curl_url_get(u, part, &value, flags) != CURLUE_OK || value == nullptr) return std::nullopt;
  std::string out(value);
  curl_free(value);
  return out;
}

std::string LowerAscii(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

// Sets `text` on a fresh handle; nullopt when libcurl refuses it. A NUL byte would cut the C
// string short (the part after it would vanish unseen), so it is refused here.
Handle SetUrl(std::string_view text, unsigned flags) {
  if (text.find('\0') != std::string_view::npos) return nullptr;
  Handle u(curl_url());
  if (!u) return nullptr;
  const std::string s(text);
  if (curl_url_set(u.get(), CURLUPART_URL, s.c_str(), flags) != CURLUE_OK) return nullptr;
  return u;
}

std::optional<Url> FromHandle(CURLU* u, unsigned flags, bool again) {
  Url url;
  auto scheme = Part(u, CURLUPART_SCHEME);
  if (!scheme) return std::nullopt;
  url.scheme = LowerAscii(*scheme);
  if (auto host = Part(u, CURLUPART_HOST)) {
    std::string normal = LowerAscii(*host);
    if (normal.empty() || normal.front() != '[') {
      while (!normal.empty() && normal.back() == '.') normal.pop_back();
      if (normal.empty()) return std::nullopt;  // "http://.../"
    }
    if (normal != *host) {
      // Write the normalised host back and parse the whole URL once more, so that libcurl's own
      // normalisation (numeric IPv4 forms) applies to it too and href carries it.
      if (again || curl_url_set(u, CURLUPART_HOST, normal.c_str(), 0) != CURLUE_OK) {
        return std::nullopt;
      }
      auto href = Part(u, CURLUPART_URL);
      Handle second = href ? SetUrl(*href, flags) : nullptr;
      if (!second) return std::nullopt;
      return FromHandle(second.get(), flags, true);
    }
    url.host = std::move(normal);
  }
  if (auto port = Part(u, CURLUPART_PORT)) {
    url.explicit_port = true;
    url.port = std::stoi(*port);  // libcurl only accepts 0..65535
  } else if (auto default_port = Part(u, CURLUPART_PORT, CURLU_DEFAULT_PORT)) {
    url.port = std::stoi(*default_port);
  }
  if (auto user = Part(u, CURLUPART_USER)) {
    url.userinfo = *user;
    if (auto password = Part(u, CURLUPART_PASSWORD)) url.userinfo += ":" + *password;
  }
  url.path = Part(u, CURLUPART_PATH).value_or("");
  url.query = Part(u, CURLUPART_QUERY);
  url.fragment = Part(u, CURLUPART_FRAGMENT);
  auto href = Part(u, CURLUPART_URL);
  if (!href) return std::nullopt;
  url.href = std::move(*href);
  return url;
}

}  // namespace

std::optional<Url> Url::Parse(std::string_view text, UrlForm form) {
  const unsigned flags = FlagsFor(form);
  Handle u = SetUrl(text, flags);
  if (!u) return std::nullopt;
  return FromHandle(u.get(), flags, false);
}

std::optional<Url> Url::Resolve(std::string_view reference) const {
  const unsigned flags = FlagsFor(UrlForm::kLenient);
  Handle u = SetUrl(href, flags);
  if (!u || reference.find('\0') != std::string_view::npos) return std::nullopt;
  const std::string ref(reference);
  if (curl_url_set(u.get(), CURLUPART_URL, ref.c_str(), flags) != CURLUE_OK) return std::nullopt;
  return FromHandle(u.get(), flags, false);
}

std::string Url::HostPort() const { return host + ":" + std::to_string(port); }

std::string Url::Origin() const { return scheme + "://" + HostPort(); }

std::optional<std::string> WebLink(std::string_view link) {
  auto url = Url::Parse(link, UrlForm::kLenient);
  if (!url || !url->IsWeb()) return std::nullopt;
  return std::move(url->href);
}

std::string HostPortOf(std::string_view url) {
  auto parsed = Url::Parse(url);
  return parsed && parsed->IsWeb() ? parsed->HostPort() : std::string();
}

std::string HostOf(std::string_view url, UrlForm form) {
  auto parsed = Url::Parse(url, form);
  return parsed ? parsed->host : std::string();
}

}  // namespace veille
