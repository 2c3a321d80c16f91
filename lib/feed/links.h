// Link resolution against xml:base and the document URL, with libcurl's URL API (no I/O).
#pragma once

#include <string>
#include <string_view>

namespace veille::feed {

// True when `url` starts with a scheme ("http:", "tag:", "at:").
bool HasScheme(std::string_view url);

// `ref` resolved against `base` (RFC 3986). A `ref` with a scheme, an empty base, or anything
// curl refuses comes back unchanged.
std::string ResolveUrl(std::string_view base, std::string_view ref);

}  // namespace veille::feed
