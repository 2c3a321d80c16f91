// The `webhook` channel: an HTTP POST per alert (or digest) with Standard Webhooks headers and
// signature, through libcurl, behind the fetcher's SSRF guard.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "alert/payload.h"
#include "alert/transport.h"
#include "common/result.h"
#include "i18n/translator.h"

namespace veille::alert {

struct WebhookOptions {
  std::string url;  // http:// or https://
  WebhookFormat format = WebhookFormat::kJson;
  std::string key;             // HMAC key bytes (decoded whsec_ secret); empty: unsigned
  bool hub_signature = false;  // also send X-Hub-Signature-256
  std::vector<std::string> allow_private;  // "host:port" that may be loopback/private
  std::int64_t connect_timeout_ms = 10'000;
  std::int64_t timeout_ms = 20'000;  // Standard Webhooks suggests 15-30 s
  std::size_t max_response = 4096;   // bytes of response body kept (the rest is discarded)
  std::string user_agent = "veille";
  std::string ca_file;
  i18n::Translator translator;  // the language of the messages ([daemon] language)
};

// What the receiver answered, for tests and logs.
struct WebhookResponse {
  long status = 0;
  std::string body;  // at most max_response bytes
};

class WebhookTransport : public Transport {
 public:
  // Checks the URL (http or https, a host). kConfig errors.
  [[nodiscard]] static Result<std::unique_ptr<WebhookTransport>> Create(WebhookOptions options);

  // 2xx delivered. 3xx failure (never followed). 410 disables the endpoint. 408, 429 and 5xx
  // retry (Retry-After honoured on 429 and 503). Other 4xx dead. Timeouts and resets after the
  // body was sent are ambiguous retries with the same webhook-id.
  Delivery Deliver(const Alert& alert) override;
  Delivery DeliverDigest(const Digest& digest) override;
  Delivery DeliverEvent(const EventMessage& event) override;
  std::unique_ptr<Transfer> Start(const Alert& alert) override;
  std::unique_ptr<Transfer> StartDigest(const Digest& digest) override;
  std::unique_ptr<Transfer> StartEvent(const EventMessage& event) override;
  std::string Endpoint() const override { return options_.url; }

  // Posts `body` as message `id`, signed at `timestamp` (exposed for tests).
  Delivery Post(const std::string& id, UnixSeconds timestamp, const std::string& body,
                std::int64_t budget_ms, WebhookResponse* response = nullptr);

 private:
  explicit WebhookTransport(WebhookOptions options) : options_(std::move(options)) {}
  WebhookOptions options_;
};

}  // namespace veille::alert
