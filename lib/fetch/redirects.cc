#include "fetch/redirects.h"

#include "common/url.h"

namespace veille::fetch {

std::optional<std::string> PermanentTarget(const std::vector<Redirect>& hops) {
  std::optional<std::string> target;
  for (const Redirect& hop : hops) {
    if (hop.status != 301 && hop.status != 308) break;
    // Only an http(s) URL can be a feed's new home: a move to file:, ftp: or anything else
    // ends the run (the fetcher refuses to follow it anyway).
    const std::optional<Url> url = Url::Parse(hop.location);
    if (!url || !url->IsWeb()) break;
    target = url->href;
  }
  return target;
}

}  // namespace veille::fetch
