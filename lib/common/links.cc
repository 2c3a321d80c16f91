#include "common/links.h"

#include "common/url.h"

namespace veille {

ShownLinks ChooseLinks(const std::optional<std::string>& link,
                       const std::optional<std::string>& canonical) {
  ShownLinks shown;
  const bool use_canonical = canonical && !canonical->empty() && WebLink(*canonical).has_value();
  shown.primary = use_canonical ? canonical : link;
  if (shown.primary && shown.primary->empty()) shown.primary.reset();
  if (use_canonical && link && !link->empty() && *link != *canonical) shown.original = link;
  return shown;
}

}  // namespace veille
