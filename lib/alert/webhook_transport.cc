#include "alert/webhook_transport.h"

#include <curl/curl.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>

#include "alert/encoding.h"
#include "alert/signature.h"
#include "common/redact.h"
#include "common/sanitize.h"
#include "common/url.h"
#include "fetch/address.h"
#include "fetch/retry_after.h"

namespace veille::alert {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

struct Exchange {
  const WebhookOptions* options = nullptr;
  std::string host_port;  // of the URL, for allow_private
  std::string body;
  std::size_t max_body = 0;
  std::string retry_after;
  std::string date;
  std::string blocked;
};

std::size_t OnBody(char* data, std::size_t size, std::size_t count, void* user) {
  auto* x = static_cast<Exchange*>(user);
  const std::size_t n = size * count;
  if (x->body.size() < x->max_body) {
    x->body.append(data, std::min(n, x->max_body - x->body.size()));
  }
  return n;  // the rest is read and dropped
}

std::size_t OnHeader(char* data, std::size_t size, std::size_t count, void* user) {
  auto* x = static_cast<Exchange*>(user);
  const std::string_view line(data, size * count);
  const auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    const std::string name = Lower(line.substr(0, colon));
    std::string value = OneLine(line.substr(colon + 1).substr(0, 200));
    if (name == "retry-after") x->retry_after = value;
    if (name == "date") x->date = value;
  }
  return size * count;
}

bool Allowed(const WebhookOptions& o, const std::string& host_port) {
  const std::string key = Lower(host_port);
  return std::any_of(o.allow_private.begin(), o.allow_private.end(),
                     [&](const std::string& a) { return Lower(a) == key; });
}

// The fetcher's SSRF guard, applied to webhook URLs: checked on the resolved address.
curl_socket_t OnOpenSocket(void* user, curlsocktype purpose, curl_sockaddr* address) {
  auto* x = static_cast<Exchange*>(user);
  if (purpose == CURLSOCKTYPE_IPCXN) {
    const auto cls = fetch::ClassifySockaddr(&address->addr);
    if (!cls) {
      x->blocked = "blocked: the webhook address is not IP";
      return CURL_SOCKET_BAD;
    }
    if (*cls != fetch::AddressClass::kPublic) {
      const std::string connected = fetch::SockaddrToHostPort(&address->addr);
      if (!Allowed(*x->options, connected) && !Allowed(*x->options, x->host_port)) {
        x->blocked = "blocked: the webhook connects to " + connected + " (" +
                     std::string(fetch::AddressClassName(*cls)) +
                     "), which is not in [polling] allow_private";
        return CURL_SOCKET_BAD;
      }
    }
  }
  return ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

// Delay-seconds as given (a receiver asking for 2 s gets 2 s, at most 7 days); an HTTP-date
// through the fetcher's parser.
std::optional<std::int64_t> RetryAfterSeconds(const std::string& value, UnixSeconds now) {
  if (!value.empty() && value.size() <= 9 &&
      value.find_first_not_of("0123456789") == std::string::npos) {
    return std::clamp<std::int64_t>(std::stoll(value), 1, fetch::kRetryAfterMaxS);
  }
  return fetch::ParseRetryAfter(value, now);
}

}  // namespace

Result<std::unique_ptr<WebhookTransport>> WebhookTransport::Create(WebhookOptions options) {
  const std::optional<Url> url = Url::Parse(options.url);
  if (!url || (url->scheme != "http" && url->scheme != "https")) {
    return Fail(ErrorCode::kConfig, "webhook url must be an http:// or https:// URL");
  }
  if (!url->IsWeb()) return Fail(ErrorCode::kConfig, "webhook url has no host");
  options.url = url->href;  // what the SSRF guard judges is what libcurl requests
  return std::unique_ptr<WebhookTransport>(new WebhookTransport(std::move(options)));
}

Delivery WebhookTransport::Deliver(const Alert& alert) {
  return Post(alert.outbox.idempotency_key, alert.now,
              WebhookBody(options_.format, alert, options_.translator), alert.budget_ms);
}

Delivery WebhookTransport::DeliverDigest(const Digest& digest) {
  return Post(digest.key, digest.now,
              DigestBody(options_.format, digest.alerts, digest.key, digest.channel, digest.now,
                         options_.translator),
              digest.budget_ms);
}

namespace {

// One POST: the body, headers and buffers libcurl uses, kept alive with the easy handle.
class WebhookTransfer : public Transfer {
 public:
  WebhookTransfer(const WebhookOptions& options, const std::string& id, UnixSeconds timestamp,
                  std::string body, std::int64_t budget_ms, WebhookResponse* response)
      : options_(options), timestamp_(timestamp), body_(std::move(body)), response_(response) {
    curl_ = curl_easy_init();
    if (!curl_) return;
    x_.options = &options_;
    x_.host_port = HostPortOf(options_.url);
    x_.max_body = options_.max_response;
    headers_ = curl_slist_append(headers_, "Content-Type: application/json");
    headers_ = curl_slist_append(headers_, ("webhook-id: " + OneLine(id)).c_str());
    headers_ =
        curl_slist_append(headers_, ("webhook-timestamp: " + std::to_string(timestamp)).c_str());
    if (!options_.key.empty()) {
      // Signed over the exact bytes sent, again on every attempt (the timestamp is this one's).
      headers_ = curl_slist_append(
          headers_, ("webhook-signature: " +
                     StandardWebhookSignature(options_.key, OneLine(id), timestamp, body_))
                        .c_str());
      if (options_.hub_signature) {
        headers_ = curl_slist_append(
            headers_, ("X-Hub-Signature-256: " + HubSignature256(options_.key, body_)).c_str());
      }
    }
    headers_ = curl_slist_append(headers_, "Expect:");
    std::int64_t timeout_ms = options_.timeout_ms;
    if (budget_ms > 0) timeout_ms = std::min(timeout_ms, budget_ms);
    CURL* curl = curl_;
    curl_easy_setopt(curl, CURLOPT_URL, options_.url.c_str());
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);  // 3xx is a failure, never followed
    curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");        // the SSRF guard must see the real peer
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body_.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body_.size()));
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers_);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, options_.user_agent.c_str());
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &OnBody);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &x_);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &OnHeader);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &x_);
    curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, &OnOpenSocket);
    curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, &x_);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(std::min(options_.connect_timeout_ms, timeout_ms)));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ms));
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf_);
    if (!options_.ca_file.empty()) {
      curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_file.c_str());
    }
  }
  ~WebhookTransfer() override {
    if (curl_) curl_easy_cleanup(curl_);
    curl_slist_free_all(headers_);
  }
  WebhookTransfer(const WebhookTransfer&) = delete;
  WebhookTransfer& operator=(const WebhookTransfer&) = delete;

  CURL* easy() override { return curl_; }
  Delivery Finish(CURLcode code) override;

 private:
  const WebhookOptions& options_;
  UnixSeconds timestamp_;
  std::string body_;
  WebhookResponse* response_;
  Exchange x_;
  curl_slist* headers_ = nullptr;
  char errbuf_[CURL_ERROR_SIZE] = {0};
  CURL* curl_ = nullptr;
};

Delivery WebhookTransfer::Finish(CURLcode code) {
  long status = 0;
  curl_off_t uploaded = 0;
  curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_getinfo(curl_, CURLINFO_SIZE_UPLOAD_T, &uploaded);
  if (response_) {
    response_->status = status;
    response_->body = x_.body;
  }
  // A webhook URL is a secret as a whole (Slack, Discord and Teams put the token in its path):
  // scheme and host only, in every error line (logs, outbox.last_error, the CLI).
  const std::string where = "webhook " + RedactSecretUrl(options_.url);
  Delivery d;
  d.status = Delivery::Status::kRetry;
  if (!x_.blocked.empty()) {
    d.error = where + ": " + x_.blocked;
    d.channel_wide = true;
    return d;
  }
  if (code != CURLE_OK) {
    d.error = where + ": " + OneLine(RedactUrl(errbuf_[0] ? errbuf_ : curl_easy_strerror(code)));
    const bool sent = static_cast<std::size_t>(uploaded) >= body_.size();
    if (status == 0 && sent &&
        (code == CURLE_OPERATION_TIMEDOUT || code == CURLE_RECV_ERROR ||
         code == CURLE_GOT_NOTHING || code == CURLE_SEND_ERROR)) {
      d.ambiguous = true;  // the receiver may have processed it: it dedupes on webhook-id
      d.error += " (after the body was sent: possibly delivered)";
    } else if (status == 0) {
      d.channel_wide = true;  // could not reach the endpoint at all
    }
    return d;
  }
  const std::string reply =
      x_.body.empty() ? "" : ": " + OneLine(SanitizeText(x_.body.substr(0, 200)));
  d.error = where + ": HTTP " + std::to_string(status) + reply;
  if (status >= 200 && status < 300) return Delivery{};
  if (status >= 300 && status < 400) {
    d.error = where + ": HTTP " + std::to_string(status) +
              " redirect (not followed: a webhook URL must answer directly)";
    return d;
  }
  if (status == 410) {
    d.status = Delivery::Status::kDisable;
    d.error = where + ": HTTP 410 Gone: the endpoint asked to be disabled";
    return d;
  }
  if (status == 429 || status == 503 || status == 502 || status == 504) {
    d.channel_wide = true;
    if (!x_.retry_after.empty()) d.retry_after_s = RetryAfterSeconds(x_.retry_after, timestamp_);
    return d;
  }
  if (status == 408 || status >= 500) return d;
  d.status = Delivery::Status::kDead;
  return d;
}

}  // namespace

Delivery WebhookTransport::DeliverEvent(const EventMessage& event) {
  return Post(event.key, event.now, EventBody(options_.format, event, options_.translator),
              event.budget_ms);
}

std::unique_ptr<Transfer> WebhookTransport::Start(const Alert& alert) {
  return std::make_unique<WebhookTransfer>(options_, alert.outbox.idempotency_key, alert.now,
                                           WebhookBody(options_.format, alert, options_.translator),
                                           alert.budget_ms, nullptr);
}

std::unique_ptr<Transfer> WebhookTransport::StartDigest(const Digest& digest) {
  return std::make_unique<WebhookTransfer>(
      options_, digest.key, digest.now,
      DigestBody(options_.format, digest.alerts, digest.key, digest.channel, digest.now,
                 options_.translator),
      digest.budget_ms, nullptr);
}

std::unique_ptr<Transfer> WebhookTransport::StartEvent(const EventMessage& event) {
  return std::make_unique<WebhookTransfer>(options_, event.key, event.now,
                                           EventBody(options_.format, event, options_.translator),
                                           event.budget_ms, nullptr);
}

Delivery WebhookTransport::Post(const std::string& id, UnixSeconds timestamp,
                                const std::string& body, std::int64_t budget_ms,
                                WebhookResponse* response) {
  WebhookTransfer transfer(options_, id, timestamp, body, budget_ms, response);
  if (!transfer.easy()) {
    return Delivery{Delivery::Status::kRetry, "curl_easy_init failed", true, {}, false};
  }
  return transfer.Finish(curl_easy_perform(transfer.easy()));
}

}  // namespace veille::alert
