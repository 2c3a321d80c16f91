// The libcurl multi engine. One multi handle, one share (DNS, connections, TLS sessions), one
// loop driven by curl_multi_poll; our own queue enforces the global and per-host limits.
//
// Redirects are followed by veille, not by libcurl (CURLOPT_FOLLOWLOCATION is off; each hop in
// fetcher_hops.cc, the transfer's state and callbacks in transfer.cc): each hop's
// Location is parsed once by the URL module (libcurl's own parser), its scheme checked, the SSRF
// guard applied to exactly that URL (at connect time, or on the URL itself through a proxy),
// and the request headers decided for that hop. Nothing depends on which of several Location
// headers libcurl would have picked (security review, finding 1).
#include "fetch/fetcher.h"

#include <curl/curl.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>

#include "common/redact.h"
#include "fetch/fetcher_impl.h"
#include "fetch/http_date.h"
#include "fetch/local_file.h"
#include "fetch/retry_after.h"
#include "fetch/url_check.h"

namespace veille::fetch {
namespace detail {
namespace {

constexpr const char* kSystemCaBundles[] = {"/etc/ssl/certs/ca-certificates.crt",
                                            "/etc/pki/tls/certs/ca-bundle.crt"};

void EnsureCurlGlobal() {
  static const bool initialised = [] {
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  }();
  (void)initialised;
}

}  // namespace

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

}  // namespace detail

Result<std::unique_ptr<Fetcher>> Fetcher::Create(const FetchOptions& options) {
  auto fetcher = std::make_unique<detail::FetcherImpl>(options);
  if (auto ok = fetcher->Init(); !ok) return tl::unexpected(ok.error());
  return std::unique_ptr<Fetcher>(std::move(fetcher));
}

}  // namespace veille::fetch
