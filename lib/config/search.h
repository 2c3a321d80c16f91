// [[search]]: one query turned into the feeds of public search engines that publish their
// results as RSS or Atom. Pure string work: no network, no clock.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace veille::config {

struct SearchSource {
  std::string_view name;          // "google-news"; "mastodon" takes ":instance"
  std::string_view url_template;  // documentation form, {query} {language} {country} {instance}
  bool language = false;          // honours `language`
  bool country = false;           // honours `country`
  bool takes_instance = false;    // written "name:host"
  std::string_view notes;         // what the query means there, limits
};

// Every source, in the order `veille sources` prints them.
const std::vector<SearchSource>& SearchSources();

// RFC 3986 percent-encoding of every byte outside the unreserved set (UTF-8 kept as bytes).
std::string PercentEncode(std::string_view text);

// The feed URL of `source` ("google-news", "mastodon:mastodon.social") for `query`.
// `language` ("fr") and `country` ("FR") may be empty. A clear message when the source is
// unknown (with the closest name), when a mastodon instance is not a plain host name, or when
// the query cannot be a hashtag.
Result<std::string> SearchUrl(std::string_view source, std::string_view query,
                              std::string_view language, std::string_view country);

}  // namespace veille::config
