// Which proxy a request goes through when none is configured: the environment, read once.
#pragma once

#include <string>

#include "common/url.h"

namespace veille::fetch {

struct ProxyEnvironment {
  std::string http;      // http_proxy (lowercase only, as curl does: HTTP_PROXY is CGI-unsafe)
  std::string https;     // https_proxy / HTTPS_PROXY
  std::string all;       // all_proxy / ALL_PROXY
  std::string no_proxy;  // no_proxy / NO_PROXY

  static ProxyEnvironment Read();

  // The proxy for `url`, or empty when none applies (no_proxy: "*" or a list of host suffixes).
  // Decided for each hop of a redirect chain, on the URL of that hop.
  std::string For(const Url& url) const;
};

}  // namespace veille::fetch
