// Each hop of a transfer: its request (proxy, URL, timeouts, credentials and headers for its
// origin only), the SSRF guard on every socket, and the redirects, followed here and not by
// libcurl (security review, findings 1 and 4).
#include <sys/socket.h>

#include <algorithm>

#include "common/redact.h"
#include "fetch/fetcher_impl.h"
#include "fetch/url_check.h"

namespace veille::fetch::detail {
namespace {

constexpr const char* kAccept =
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8";

}  // namespace

// The SSRF guard: every socket libcurl opens (every hop, every address it tries) passes here
// with the address it is about to connect to, after DNS resolution, so rebinding cannot dodge it.
curl_socket_t OnOpenSocket(void* user, curlsocktype purpose, curl_sockaddr* address) {
  auto* t = static_cast<Transfer*>(user);
  if (purpose == CURLSOCKTYPE_IPCXN && !t->via_proxy) {
    const std::optional<AddressClass> cls = ClassifySockaddr(&address->addr);
    if (!cls) {
      t->blocked = "blocked: " + RedactUrl(t->hop.href) + " uses an address family that is not IP";
      return CURL_SOCKET_BAD;
    }
    if (*cls != AddressClass::kPublic) {
      const std::string connected = SockaddrToHostPort(&address->addr);
      if (!t->owner->Allowed(connected) && !t->owner->Allowed(t->hop.HostPort())) {
        t->blocked = "blocked: " + RedactUrl(t->hop.href) + " connects to " + connected + " (" +
                     std::string(AddressClassName(*cls)) + "), which is not in allow_private";
        return CURL_SOCKET_BAD;
      }
    }
  }
  return ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

std::optional<std::string> FetcherImpl::PrepareHop(Transfer& t) {
  CURL* e = t.easy;
  const FetchRequest& rq = t.request;
  // Proxy: explicit, else the environment's for this hop's URL (so the guard knows).
  std::string proxy = !rq.proxy.empty() ? rq.proxy : options_.proxy;
  if (proxy.empty()) proxy = env_.For(t.hop);
  t.via_proxy = !proxy.empty();
  if (t.via_proxy && PrivateThroughProxy(t.hop)) {
    return "blocked: " + RedactUrl(t.hop.href) + " names a private address";
  }
  curl_easy_setopt(e, CURLOPT_PROXY, proxy.c_str());  // "" disables the environment's proxies
  curl_easy_setopt(e, CURLOPT_NOPROXY, "");
  // The URL the guard judged, as the URL module normalised it: libcurl parses it the same way.
  curl_easy_setopt(e, CURLOPT_URL, t.hop.href.c_str());
  // Timeouts: the total covers every hop.
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(t.deadline - Clock::now());
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(std::max<std::int64_t>(left.count(), 1)));
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT,
                   static_cast<long>(rq.connect_timeout_s.value_or(options_.connect_timeout_s)));
  // The feed's credentials and custom headers go to its configured origin (scheme, host and
  // port) only, on every hop; a redirect elsewhere gets none of them (finding 4).
  const bool same_origin = t.hop.Origin() == t.origin.Origin();
  if (same_origin && !rq.username.empty()) {
    curl_easy_setopt(e, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
    curl_easy_setopt(e, CURLOPT_USERNAME, rq.username.c_str());
    curl_easy_setopt(e, CURLOPT_PASSWORD, rq.password.c_str());
  } else {
    curl_easy_setopt(e, CURLOPT_USERNAME, static_cast<const char*>(nullptr));
    curl_easy_setopt(e, CURLOPT_PASSWORD, static_cast<const char*>(nullptr));
  }
  // Request headers: Accept, validators (they name the feed's content, not a secret: a moved
  // feed can still answer 304), then the feed's extras (checked in Submit).
  curl_slist_free_all(t.header_list);
  t.header_list = nullptr;
  t.header_list = curl_slist_append(t.header_list, (std::string("Accept: ") + kAccept).c_str());
  if (!rq.etag.empty() && !HeaderProblem("If-None-Match", rq.etag)) {
    t.header_list = curl_slist_append(t.header_list, ("If-None-Match: " + rq.etag).c_str());
  }
  if (!rq.last_modified.empty() && !HeaderProblem("If-Modified-Since", rq.last_modified)) {
    t.header_list =
        curl_slist_append(t.header_list, ("If-Modified-Since: " + rq.last_modified).c_str());
  }
  if (same_origin) {
    for (const auto& [name, value] : rq.headers) {
      t.header_list = curl_slist_append(t.header_list, (name + ": " + value).c_str());
    }
  }
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, t.header_list);
  return std::nullopt;
}

bool FetcherImpl::FollowRedirect(Transfer& t, std::string* refusal, Outcome* outcome) {
  if (!IsRedirectStatus(t.status) || t.location_count == 0) return false;
  *outcome = Outcome::kBlocked;
  if (t.location_count > 1) {
    *refusal = "protocol error: HTTP " + std::to_string(t.status) + " with " +
               std::to_string(t.location_count) + " Location headers (refused, not followed)";
    return false;
  }
  std::optional<Url> next = t.hop.Resolve(t.location);
  if (!next) {
    *refusal = "blocked: redirect to an invalid URL: " + RedactUrl(t.location);
    return false;
  }
  t.redirects.push_back({t.status, next->href});
  if (!next->IsWeb()) {
    *refusal = "blocked: redirect to a forbidden scheme: " + RedactUrl(next->href);
    return false;
  }
  if (static_cast<int>(t.redirects.size()) > options_.max_redirects) {
    *outcome = Outcome::kHttp4xx;
    *refusal = "more than " + std::to_string(options_.max_redirects) + " redirects";
    return false;
  }
  double hop_s = 0;
  curl_easy_getinfo(t.easy, CURLINFO_TOTAL_TIME, &hop_s);
  t.earlier_hops_s += hop_s;
  curl_multi_remove_handle(multi_, t.easy);
  t.hop = std::move(*next);
  t.body.clear();
  t.discard_body = false;
  t.discarded = 0;
  t.errbuf[0] = '\0';
  if (auto refused = PrepareHop(t)) {
    *refusal = *refused;
    return false;
  }
  if (curl_multi_add_handle(multi_, t.easy) != CURLM_OK) {
    *outcome = Outcome::kConnect;
    *refusal = "libcurl refused the transfer";
    return false;
  }
  return true;
}

}  // namespace veille::fetch::detail
