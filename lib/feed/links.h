// Link resolution against xml:base and the document URL, with libcurl's URL API (no I/O).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace veille::feed {

// True when `url` starts with a scheme ("http:", "tag:", "at:").
bool HasScheme(std::string_view url);

// `ref` resolved against `base` (RFC 3986). A `ref` with a scheme, an empty base, or anything
// curl refuses comes back unchanged.
std::string ResolveUrl(std::string_view base, std::string_view ref);

// A link found in a page that we may *request*: `ref` resolved against `base`, kept only when the
// result is an absolute http(s) URL with a host, no user name or password and at most
// kMaxRequestUrl bytes; the fragment is dropped. The request itself still goes through the
// fetcher's SSRF guard, which judges the address at connect time.
inline constexpr std::size_t kMaxRequestUrl = 2048;
std::optional<std::string> ResolveRequestUrl(std::string_view base, std::string_view ref);

}  // namespace veille::feed
