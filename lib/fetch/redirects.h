// What a poll's redirect hops mean for the stored feed URL.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "fetch/fetcher.h"

namespace veille::fetch {

// The URL a feed has permanently moved to: the location of the last hop of the leading run of
// permanent redirects (301, 308). nullopt when the first hop is temporary (302, 303, 307) or
// there was no redirect. A location that is not an http(s) URL ends the run. Feed it to
// schedule::ObserveRedirect to count consecutive polls.
std::optional<std::string> PermanentTarget(const std::vector<Redirect>& hops);

}  // namespace veille::fetch
