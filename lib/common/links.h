// Which link a reader is shown: the canonical link of an entry (redirector unwrapped, tracking
// parameters removed: store::CanonicalLink) where it is a web link, and the link as published
// beside it when the two differ. Shared by alerts, the report, exports and the CLI tables.
#pragma once

#include <optional>
#include <string>

namespace veille {

struct ShownLinks {
  std::optional<std::string> primary;   // the link to open
  std::optional<std::string> original;  // the published link, only when it differs from primary
};

// `canonical` when it is an http(s) link (WebLink), else `link`; `original` is `link` when that
// differs.
ShownLinks ChooseLinks(const std::optional<std::string>& link,
                       const std::optional<std::string>& canonical);

}  // namespace veille
