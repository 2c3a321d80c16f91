#include "fetch/proxy_env.h"

#include <algorithm>
#include <cstdlib>
#include <string_view>

namespace veille::fetch {

ProxyEnvironment ProxyEnvironment::Read() {
  auto get = [](const char* a, const char* b) {
    const char* v = std::getenv(a);
    if ((v == nullptr || *v == '\0') && b != nullptr) v = std::getenv(b);
    return std::string(v == nullptr ? "" : v);
  };
  return {get("http_proxy", nullptr), get("https_proxy", "HTTPS_PROXY"),
          get("all_proxy", "ALL_PROXY"), get("no_proxy", "NO_PROXY")};
}

std::string ProxyEnvironment::For(const Url& url) const {
  const std::string& proxy =
      url.scheme == "https" ? (https.empty() ? all : https) : (http.empty() ? all : http);
  if (proxy.empty()) return {};
  const std::string& host = url.host;
  std::string_view list = no_proxy;
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    std::string entry(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    entry.erase(std::remove(entry.begin(), entry.end(), ' '), entry.end());
    for (char& c : entry) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    if (entry.empty()) continue;
    if (entry == "*") return {};
    if (entry.front() == '.') entry.erase(0, 1);
    if (host == entry || (host.size() > entry.size() && host.ends_with("." + entry))) return {};
  }
  return proxy;
}

}  // namespace veille::fetch
