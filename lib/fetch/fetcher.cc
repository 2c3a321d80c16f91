// The libcurl multi engine. One multi handle, one share (DNS, connections, TLS sessions), one
// loop driven by curl_multi_poll; our own queue enforces the global and per-host limits.
//
// Redirects are followed here, not by libcurl (CURLOPT_FOLLOWLOCATION is off): each hop's
// Location is parsed once by the URL module (libcurl's own parser), its scheme checked, the SSRF
// guard applied to exactly that URL (at connect time, or on the URL itself through a proxy),
// and the request headers decided for that hop. Nothing depends on which of several Location
// headers libcurl would have picked (security review, finding 1).
#include "fetch/fetcher.h"

#include <curl/curl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <ctime>
#include <deque>
#include <map>
#include <set>
#include <unordered_map>

#include "common/redact.h"
#include "common/sanitize.h"
#include "common/url.h"
#include "fetch/address.h"
#include "fetch/http_date.h"
#include "fetch/local_file.h"
#include "fetch/proxy_env.h"
#include "fetch/retry_after.h"
#include "fetch/url_check.h"

namespace veille::fetch {
namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kAccept =
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8";
constexpr const char* kSystemCaBundles[] = {"/etc/ssl/certs/ca-certificates.crt",
                                            "/etc/pki/tls/certs/ca-bundle.crt"};

void EnsureCurlGlobal() {
  static const bool initialised = [] {
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  }();
  (void)initialised;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && Lower(a) == Lower(b);
}

// One line, at most 300 bytes, no control character of any kind (C0, DEL, C1 as bytes or as
// UTF-8), valid UTF-8: error text goes to logs, the database and the CLI.
std::string OneLine(std::string_view text) { return SanitizeLine(text, 300); }

// libcurl would follow any 3xx but 304 that carries a Location, so every one of them is a hop.
bool IsRedirectStatus(long status) { return status >= 300 && status < 400 && status != 304; }

// Host names that are loopback by definition (RFC 6761): "localhost" and "*.localhost".
bool IsLocalhostName(std::string_view host) {
  return host == "localhost" || host.ends_with(".localhost");
}

class FetcherImpl;

// One transfer, from Submit to its result: one easy handle reused for every hop. Owned by the
// queue, then by running_.
struct Transfer {
  FetchRequest request;
  Url origin;  // the configured URL: its origin (scheme, host, port) gets the feed's headers
  Url hop;     // the URL requested on this hop (origin on the first)
  std::string host_key;
  const FetcherImpl* owner = nullptr;
  std::size_t max_body = 0;
  std::size_t max_headers = 0;
  Clock::time_point deadline{};  // the total timeout covers every hop
  bool via_proxy = false;
  CURL* easy = nullptr;
  curl_slist* header_list = nullptr;
  char errbuf[CURL_ERROR_SIZE] = {};
  std::string body;
  bool body_over_cap = false;
  bool discard_body = false;  // a redirect's body is read (to keep the connection) and dropped
  std::size_t discarded = 0;
  std::size_t header_bytes = 0;
  bool headers_over_cap = false;
  std::string blocked;  // why the SSRF guard refused a connection
  double earlier_hops_s = 0;
  // The response being received; reset at each status line (each hop).
  long status = 0;
  int location_count = 0;
  std::string reason, etag, last_modified, content_type, date, retry_after, cache_control, expires,
      location, cf_mitigated;
  std::vector<Redirect> redirects;

  Transfer() = default;
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;
  ~Transfer() {
    curl_slist_free_all(header_list);
    if (easy != nullptr) curl_easy_cleanup(easy);
  }
};

class FetcherImpl final : public Fetcher {
 public:
  explicit FetcherImpl(const FetchOptions& options) : options_(options) {}
  FetcherImpl(const FetcherImpl&) = delete;
  FetcherImpl& operator=(const FetcherImpl&) = delete;

  ~FetcherImpl() override {
    AbortAll();
    if (multi_ != nullptr) curl_multi_cleanup(multi_);
    if (share_ != nullptr) curl_share_cleanup(share_);
  }

  Result<void> Init();
  void Submit(FetchRequest request) override;
  std::vector<FetchResult> Poll(std::chrono::milliseconds max_wait) override;
  std::size_t pending() const override { return queued_ + running_.size() + ready_.size(); }
  void AbortAll() override;
  std::vector<std::uint64_t> CancelQueued(const std::string& host_port) override;
  void Wakeup() override {
    wakeup_requested_.store(true);
    curl_multi_wakeup(multi_);
  }

  bool Allowed(const std::string& host_port) const { return allow_.count(Lower(host_port)) > 0; }

  // Through a proxy the address connected is never seen: a URL whose host is a numeric address
  // outside the public internet, or a loopback name, is refused unless allowlisted. The host is
  // the URL module's (libcurl's numeric forms and trailing dots already normalised).
  bool PrivateThroughProxy(const Url& url) const {
    const std::optional<AddressClass> cls = ClassifyAddressLiteral(url.host);
    const bool private_host = (cls && *cls != AddressClass::kPublic) || IsLocalhostName(url.host);
    return private_host && !Allowed(url.HostPort());
  }

 private:
  struct Host {
    int active = 0;
    bool started = false;
    Clock::time_point last_start{};
    std::deque<std::unique_ptr<Transfer>> queue;
  };

  std::optional<Clock::time_point> StartQueued(Clock::time_point now);
  void Start(std::unique_ptr<Transfer> t);
  // Sets the easy handle up for t.hop (URL, proxy, headers, credentials, timeouts); the reason
  // the hop is refused, or nullopt.
  std::optional<std::string> PrepareHop(Transfer& t);
  // After a finished response to t.hop: true when it was a redirect now being followed (the
  // handle is back in the multi handle). Otherwise the transfer is over; a refused redirect
  // fills `refusal` and `outcome`.
  bool FollowRedirect(Transfer& t, std::string* refusal, Outcome* outcome);
  void Drain();
  FetchResult Finish(Transfer& t, CURLcode code);
  FetchResult Refuse(const FetchRequest& request, Outcome outcome, std::string error) const;

  FetchOptions options_;
  CURLM* multi_ = nullptr;
  CURLSH* share_ = nullptr;
  std::string ca_file_;
  std::set<std::string> allow_;
  ProxyEnvironment env_;
  std::map<std::string, Host> hosts_;
  std::string rr_cursor_;  // the host started last: the next round begins after it
  Clock::time_point last_cleanup_{};
  std::size_t queued_ = 0;
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> running_;
  std::vector<FetchResult> ready_;
  std::atomic<bool> wakeup_requested_{false};
};

// --- libcurl callbacks ---------------------------------------------------------------------

std::size_t OnBody(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t len = size * count;
  if (t->discard_body) {
    t->discarded += len;
    if (t->discarded > t->max_body) {
      t->body_over_cap = true;
      return 0;
    }
    return len;
  }
  if (t->body.size() + len > t->max_body) {  // decoded bytes: a gzip bomb stops here
    t->body_over_cap = true;
    return 0;
  }
  // Grow at most to the cap, and never copy more than a quarter of it: once the buffer holds a
  // quarter of the cap it goes to the cap at once (its pages are touched only as the body fills
  // them), so a capped body peaks near the cap and not at twice it (RELIABILITY.md A8). The new
  // buffer starts empty: reserve() on a full one may round up to twice its capacity (libstdc++),
  // which near the cap doubled the memory (faults scorecard: 32 MiB for a 16 MiB cap).
  if (t->body.size() + len > t->body.capacity()) {
    const std::size_t capacity = t->body.capacity();
    const std::size_t next =
        4 * capacity >= t->max_body
            ? t->max_body
            : std::min(t->max_body, std::max(t->body.size() + len, 2 * capacity));
    std::string grown;
    grown.reserve(next);
    grown.append(t->body);
    t->body.swap(grown);
  }
  t->body.append(data, len);
  return len;
}

std::size_t OnHeader(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t len = size * count;
  t->header_bytes += len;
  if (t->header_bytes > t->max_headers) {
    t->headers_over_cap = true;
    return 0;
  }
  std::string_view line(data, len);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);

  if (line.starts_with("HTTP/")) {  // a new response: 1xx, or the one that answers this hop
    t->status = 0;
    t->location_count = 0;
    t->reason.clear();
    t->etag.clear();
    t->last_modified.clear();
    t->content_type.clear();
    t->date.clear();
    t->retry_after.clear();
    t->cache_control.clear();
    t->expires.clear();
    t->location.clear();
    t->cf_mitigated.clear();
    const std::size_t sp = line.find(' ');
    if (sp != std::string_view::npos && line.size() >= sp + 4) {
      long code = 0;
      for (std::size_t i = sp + 1; i < sp + 4; ++i) {
        if (!std::isdigit(static_cast<unsigned char>(line[i]))) return len;
        code = code * 10 + (line[i] - '0');
      }
      t->status = code;
      if (line.size() > sp + 5) t->reason = OneLine(line.substr(sp + 5));
    }
    return len;
  }
  if (line.empty()) {  // end of this response's headers: a redirect's body is not kept
    t->discard_body = IsRedirectStatus(t->status) && t->location_count > 0;
    return len;
  }
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) return len;
  const std::string_view name = line.substr(0, colon);
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (IEquals(name, "location")) ++t->location_count;  // more than one is refused (NextHop)
  struct Field {
    std::string_view name;
    std::string Transfer::*member;
  };
  static constexpr Field kFields[] = {
      {"etag", &Transfer::etag},
      {"last-modified", &Transfer::last_modified},
      {"content-type", &Transfer::content_type},
      {"date", &Transfer::date},
      {"retry-after", &Transfer::retry_after},
      {"cache-control", &Transfer::cache_control},
      {"expires", &Transfer::expires},
      {"location", &Transfer::location},
      {"cf-mitigated", &Transfer::cf_mitigated},
  };
  for (const Field& f : kFields) {
    if (IEquals(name, f.name)) {
      (t->*f.member).assign(value.substr(0, 8192));
      break;
    }
  }
  return len;
}

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

Outcome ClassifyCurlCode(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return Outcome::kDns;
    case CURLE_OPERATION_TIMEDOUT:
      return Outcome::kTimeout;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_USE_SSL_FAILED:
      return Outcome::kTls;
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      return Outcome::kBlocked;
    case CURLE_TOO_MANY_REDIRECTS:
      return Outcome::kHttp4xx;
    case CURLE_FILESIZE_EXCEEDED:
      return Outcome::kTooLarge;
    default:
      return Outcome::kConnect;
  }
}

// --- FetcherImpl ---------------------------------------------------------------------------

Result<void> FetcherImpl::Init() {
  if (options_.concurrency < 1 || options_.per_host < 1) {
    return Fail(ErrorCode::kInvalidArgument, "fetch concurrency and per_host must be at least 1");
  }
  if (options_.max_redirects < 0 || options_.timeout_s < 1 || options_.connect_timeout_s < 1) {
    return Fail(ErrorCode::kInvalidArgument, "fetch timeouts must be positive");
  }
  EnsureCurlGlobal();
  multi_ = curl_multi_init();
  share_ = curl_share_init();
  if (multi_ == nullptr || share_ == nullptr)
    return Fail(ErrorCode::kInternal, "libcurl init failed");
  curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
  curl_multi_setopt(multi_, CURLMOPT_PIPELINING, long{CURLPIPE_MULTIPLEX});
  curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, long{std::max(64, options_.concurrency * 2)});

  ca_file_ = options_.ca_file;
  if (ca_file_.empty()) {
    for (const char* candidate : kSystemCaBundles) {
      if (::access(candidate, R_OK) == 0) {
        ca_file_ = candidate;
        break;
      }
    }
  }
  for (const std::string& entry : options_.allow_private) allow_.insert(Lower(entry));
  env_ = ProxyEnvironment::Read();
  return {};
}

FetchResult FetcherImpl::Refuse(const FetchRequest& request, Outcome outcome,
                                std::string error) const {
  FetchResult r;
  r.tag = request.tag;
  r.outcome = outcome;
  r.effective_url = request.url;
  r.error = OneLine(error);
  return r;
}

void FetcherImpl::Submit(FetchRequest request) {
  switch (SchemeOf(request.url)) {
    case UrlScheme::kFile:
      if (!options_.allow_files) {
        ready_.push_back(Refuse(request, Outcome::kBlocked, "local files are not allowed"));
      } else {
        ready_.push_back(FetchLocalFile(request, options_.max_body));
      }
      return;
    case UrlScheme::kOther:
      ready_.push_back(
          Refuse(request, Outcome::kBlocked,
                 "only http, https and local files may be fetched: " + RedactUrl(request.url)));
      return;
    case UrlScheme::kHttp:
    case UrlScheme::kHttps:
      break;
  }
  for (const auto& [name, value] : request.headers) {
    if (auto problem = HeaderProblem(name, value)) {
      ready_.push_back(Refuse(request, Outcome::kBlocked, "refused: " + *problem));
      return;
    }
  }
  std::optional<Url> url = Url::Parse(request.url);
  if (!url || !url->IsWeb()) {
    ready_.push_back(Refuse(request, Outcome::kBlocked, "invalid URL: " + RedactUrl(request.url)));
    return;
  }
  auto t = std::make_unique<Transfer>();
  t->request = std::move(request);
  t->host_key = url->HostPort();
  t->origin = *url;
  t->hop = std::move(*url);
  hosts_[t->host_key].queue.push_back(std::move(t));
  ++queued_;
}

std::optional<Clock::time_point> FetcherImpl::StartQueued(Clock::time_point now) {
  std::optional<Clock::time_point> next_eligible;
  if (queued_ == 0 || running_.size() >= static_cast<std::size_t>(options_.concurrency)) {
    return next_eligible;  // a finishing transfer wakes the loop up
  }
  const auto spacing = std::chrono::milliseconds(options_.host_spacing_ms);
  // Round robin over hosts, starting after the one served last, so no host starves another.
  auto it = hosts_.upper_bound(rr_cursor_);
  for (std::size_t visited = 0, total = hosts_.size(); visited < total; ++visited, ++it) {
    if (running_.size() >= static_cast<std::size_t>(options_.concurrency)) break;
    if (it == hosts_.end()) it = hosts_.begin();
    Host& host = it->second;
    if (host.queue.empty() || host.active >= options_.per_host) continue;
    if (host.started && now < host.last_start + spacing) {
      const auto when = host.last_start + spacing;
      if (!next_eligible || when < *next_eligible) next_eligible = when;
      continue;
    }
    std::unique_ptr<Transfer> t = std::move(host.queue.front());
    host.queue.pop_front();
    --queued_;
    ++host.active;
    host.started = true;
    host.last_start = now;
    rr_cursor_ = it->first;
    Start(std::move(t));
  }
  // Forget hosts with nothing queued or running once their spacing window is over (at most
  // once a second: with 10,000 hosts this walk is not free).
  if (now - last_cleanup_ < std::chrono::seconds(1)) return next_eligible;
  last_cleanup_ = now;
  for (auto h = hosts_.begin(); h != hosts_.end();) {
    if (h->second.queue.empty() && h->second.active == 0 && now >= h->second.last_start + spacing) {
      h = hosts_.erase(h);
    } else {
      ++h;
    }
  }
  return next_eligible;
}

void FetcherImpl::Start(std::unique_ptr<Transfer> t) {
  t->owner = this;
  t->max_body = options_.max_body;
  t->max_headers = options_.max_headers;
  t->deadline =
      Clock::now() + std::chrono::seconds(t->request.timeout_s.value_or(options_.timeout_s));
  t->easy = curl_easy_init();
  if (t->easy == nullptr) {
    ready_.push_back(Refuse(t->request, Outcome::kConnect, "libcurl could not create a handle"));
    --hosts_[t->host_key].active;
    return;
  }
  CURL* e = t->easy;
  Transfer* raw = t.get();
  curl_easy_setopt(e, CURLOPT_PRIVATE, raw);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, raw->errbuf);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_SHARE, share_);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, raw);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, raw);
  curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, &OnOpenSocket);
  curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, raw);
  curl_easy_setopt(e, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
  // http and https only; redirects are followed by FollowRedirect, never by libcurl.
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, static_cast<long>(options_.low_speed_limit));
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, static_cast<long>(options_.low_speed_time_s));
  // Size: Content-Length over the cap is refused up front; decoded bytes are counted in OnBody.
  curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options_.max_body));
  curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");  // every encoding this libcurl decodes
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION, long{CURL_HTTP_VERSION_2TLS});
  curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
  const FetchRequest& rq = t->request;
  curl_easy_setopt(e, CURLOPT_USERAGENT,
                   (rq.user_agent.empty() ? options_.user_agent : rq.user_agent).c_str());
  // TLS: always verified; the CA bundle is a file, loaded once and cached by libcurl.
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
  const std::string& ca = rq.ca_file.empty() ? ca_file_ : rq.ca_file;
  if (!ca.empty()) {
    curl_easy_setopt(e, CURLOPT_CAINFO, ca.c_str());
    curl_easy_setopt(e, CURLOPT_CAPATH, static_cast<const char*>(nullptr));
    curl_easy_setopt(e, CURLOPT_CA_CACHE_TIMEOUT, 86400L);
  }
  if (auto refused = PrepareHop(*t)) {
    ready_.push_back(Refuse(rq, Outcome::kBlocked, *refused));
    --hosts_[t->host_key].active;
    return;
  }
  if (curl_multi_add_handle(multi_, e) != CURLM_OK) {
    ready_.push_back(Refuse(rq, Outcome::kConnect, "libcurl refused the transfer"));
    --hosts_[t->host_key].active;
    return;
  }
  running_.emplace(e, std::move(t));
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

FetchResult FetcherImpl::Finish(Transfer& t, CURLcode code) {
  FetchResult r;
  r.tag = t.request.tag;
  CURL* e = t.easy;
  long status = 0;
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
  r.http_status = status;
  long version = 0;
  curl_easy_getinfo(e, CURLINFO_HTTP_VERSION, &version);
  switch (version) {
    case CURL_HTTP_VERSION_1_0:
      r.http_version = "1.0";
      break;
    case CURL_HTTP_VERSION_1_1:
      r.http_version = "1.1";
      break;
    case CURL_HTTP_VERSION_2_0:
      r.http_version = "2";
      break;
    case CURL_HTTP_VERSION_3:
      r.http_version = "3";
      break;
    default:
      break;
  }
  r.effective_url = t.hop.href;
  char* ip = nullptr;
  curl_easy_getinfo(e, CURLINFO_PRIMARY_IP, &ip);
  if (ip != nullptr) r.primary_ip = ip;
  curl_easy_getinfo(e, CURLINFO_NAMELOOKUP_TIME, &r.timings.dns_s);
  curl_easy_getinfo(e, CURLINFO_CONNECT_TIME, &r.timings.connect_s);
  curl_easy_getinfo(e, CURLINFO_APPCONNECT_TIME, &r.timings.tls_s);
  curl_easy_getinfo(e, CURLINFO_STARTTRANSFER_TIME, &r.timings.first_byte_s);
  curl_easy_getinfo(e, CURLINFO_TOTAL_TIME, &r.timings.total_s);
  r.timings.total_s += t.earlier_hops_s;  // every hop
  r.seconds = r.timings.total_s;
  r.redirects = std::move(t.redirects);
  r.content_type = t.content_type;
  r.etag = t.etag;
  r.last_modified = t.last_modified;
  r.decoded_bytes = t.body.size();

  const UnixSeconds reference = ParseHttpDate(t.date).value_or(std::time(nullptr));
  if (!t.retry_after.empty()) r.retry_after_s = ParseRetryAfter(t.retry_after, reference);
  if (!t.cache_control.empty()) r.max_age_s = ParseCacheControlMaxAge(t.cache_control);
  if (!r.max_age_s && !t.expires.empty()) r.max_age_s = ParseExpires(t.expires, reference);

  // libcurl quotes a proxy URL it cannot use whole ("Unsupported proxy scheme for
  // 'bogus://user:password@host'"): redacted like every URL bound for a log or the database.
  const std::string detail =
      OneLine(RedactUrl(t.errbuf[0] != '\0' ? t.errbuf : curl_easy_strerror(code)));
  if (code == CURLE_COULDNT_CONNECT && !t.blocked.empty()) {
    r.outcome = Outcome::kBlocked;
    r.error = OneLine(t.blocked);
  } else if (t.headers_over_cap) {
    r.outcome = Outcome::kTooLarge;
    r.error = "response headers exceed " + std::to_string(options_.max_headers) + " bytes";
  } else if (t.body_over_cap || code == CURLE_FILESIZE_EXCEEDED) {
    r.outcome = Outcome::kTooLarge;
    r.error = "feed exceeds " + std::to_string(options_.max_body) + " bytes (decoded)";
  } else if (code != CURLE_OK) {
    r.outcome = ClassifyCurlCode(code);
    r.error = std::string(OutcomeName(r.outcome)) + ": " + detail;
  } else if (status >= 200 && status < 300) {
    r.fingerprint = BodyFingerprint(t.body);
    if (!t.request.fingerprint.empty() && t.request.fingerprint == r.fingerprint) {
      r.outcome = Outcome::kNotModified;
    } else {
      r.outcome = Outcome::kOk;
      r.body = std::move(t.body);
    }
  } else if (status == 304) {
    r.outcome = Outcome::kNotModified;
    if (r.etag.empty()) r.etag = t.request.etag;
    if (r.last_modified.empty()) r.last_modified = t.request.last_modified;
  } else {
    const std::string http =
        "HTTP " + std::to_string(status) + (t.reason.empty() ? "" : " " + t.reason);
    if (status == 410) {
      r.outcome = Outcome::kGone;
    } else if (status == 429 || (status == 503 && r.retry_after_s)) {
      r.outcome = Outcome::kRateLimited;
    } else if (status >= 500) {
      r.outcome = Outcome::kHttp5xx;
    } else {
      r.outcome = Outcome::kHttp4xx;  // 4xx, and a 3xx without a Location
    }
    if (status == 403 && IEquals(t.cf_mitigated, "challenge")) {
      r.error = OneLine(http + " (a Cloudflare bot challenge: the site blocks automated readers)");
    } else {
      r.error = OneLine(http);
    }
  }
  return r;
}

void FetcherImpl::Drain() {
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
    if (msg->msg != CURLMSG_DONE) continue;
    CURL* e = msg->easy_handle;
    const CURLcode code = msg->data.result;
    auto it = running_.find(e);
    if (it == running_.end()) continue;
    Transfer& running = *it->second;
    std::string refusal;
    Outcome outcome = Outcome::kBlocked;
    if (code == CURLE_OK && !running.headers_over_cap && !running.body_over_cap &&
        FollowRedirect(running, &refusal, &outcome)) {
      continue;  // the next hop is on its way with the same handle
    }
    std::unique_ptr<Transfer> t = std::move(it->second);
    running_.erase(it);
    curl_multi_remove_handle(multi_, e);
    auto host = hosts_.find(t->host_key);
    if (host != hosts_.end()) --host->second.active;
    FetchResult r = Finish(*t, code);
    if (!refusal.empty()) {
      r.outcome = outcome;
      r.error = OneLine(refusal);
      r.body.clear();
      r.fingerprint.clear();
    }
    ready_.push_back(std::move(r));
  }
}

std::vector<FetchResult> FetcherImpl::Poll(std::chrono::milliseconds max_wait) {
  const Clock::time_point deadline = Clock::now() + max_wait;
  for (;;) {
    std::optional<Clock::time_point> next_eligible = StartQueued(Clock::now());
    if (!running_.empty()) {
      int still_running = 0;
      curl_multi_perform(multi_, &still_running);
      Drain();
      next_eligible = StartQueued(Clock::now());
    }
    if (!ready_.empty() || (running_.empty() && queued_ == 0)) break;
    const Clock::time_point now = Clock::now();
    if (now >= deadline) break;
    Clock::time_point until = deadline;
    if (next_eligible && *next_eligible < until) until = *next_eligible;
    const auto wait = std::chrono::ceil<std::chrono::milliseconds>(until - now);
    curl_multi_poll(multi_, nullptr, 0, static_cast<int>(std::max<std::int64_t>(wait.count(), 0)),
                    nullptr);
    if (wakeup_requested_.exchange(false)) break;
  }
  std::vector<FetchResult> out;
  out.swap(ready_);
  return out;
}

void FetcherImpl::AbortAll() {
  for (auto& [easy, t] : running_) curl_multi_remove_handle(multi_, easy);
  running_.clear();
  hosts_.clear();
  rr_cursor_.clear();
  queued_ = 0;
  ready_.clear();
}

std::vector<std::uint64_t> FetcherImpl::CancelQueued(const std::string& host_port) {
  std::vector<std::uint64_t> tags;
  auto it = hosts_.find(host_port);
  if (it == hosts_.end()) return tags;
  for (const auto& t : it->second.queue) tags.push_back(t->request.tag);
  queued_ -= it->second.queue.size();
  it->second.queue.clear();
  return tags;
}

}  // namespace

Result<std::unique_ptr<Fetcher>> Fetcher::Create(const FetchOptions& options) {
  auto fetcher = std::make_unique<FetcherImpl>(options);
  if (auto ok = fetcher->Init(); !ok) return tl::unexpected(ok.error());
  return std::unique_ptr<Fetcher>(std::move(fetcher));
}

}  // namespace veille::fetch
