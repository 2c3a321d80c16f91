#include "fetch/redirects.h"

namespace veille::fetch {

std::optional<std::string> PermanentTarget(const std::vector<Redirect>& hops) {
  std::optional<std::string> target;
  for (const Redirect& hop : hops) {
    if (hop.status != 301 && hop.status != 308) break;
    target = hop.location;
  }
  return target;
}

}  // namespace veille::fetch
