#include "alert/smtp_transport.h"

#include <curl/curl.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>

#include "alert/encoding.h"
#include "alert/mime.h"
#include "common/redact.h"
#include "common/sanitize.h"
#include "common/url.h"
#include "fetch/address.h"

namespace veille::alert {
namespace {

struct Upload {
  const std::string* data = nullptr;
  std::size_t offset = 0;
  std::string error_reply;  // the server's last 4xx/5xx reply ("550 5.1.1 no such user")
  long error_code = 0;
  bool loopback_only = false;
  std::string blocked;
};

std::size_t ReadBody(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* u = static_cast<Upload*>(user);
  const std::size_t n = std::min(size * count, u->data->size() - u->offset);
  std::copy_n(u->data->data() + u->offset, n, buffer);
  u->offset += n;
  return n;
}

// For SMTP, libcurl hands every server reply line to the header callback.
std::size_t OnReply(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* u = static_cast<Upload*>(user);
  const std::string_view line(buffer, size * count);
  if (line.size() >= 3 && (line[0] == '4' || line[0] == '5') &&
      std::isdigit(static_cast<unsigned char>(line[1])) &&
      std::isdigit(static_cast<unsigned char>(line[2]))) {
    u->error_reply = OneLine(SanitizeText(line.substr(0, 300)));
    u->error_code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
  }
  return size * count;
}

// With tls = "none" the connection may only reach a loopback address (checked after DNS).
curl_socket_t OnOpenSocket(void* user, curlsocktype, curl_sockaddr* address) {
  auto* u = static_cast<Upload*>(user);
  if (u->loopback_only) {
    const auto cls = fetch::ClassifySockaddr(&address->addr);
    if (!cls || *cls != fetch::AddressClass::kLoopback) {
      u->blocked = "tls = \"none\" is only allowed to a loopback server, not " +
                   fetch::SockaddrToHostPort(&address->addr);
      return CURL_SOCKET_BAD;
    }
  }
  return ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

bool HasLineBreak(const std::string& s) { return s.find_first_of("\r\n") != std::string::npos; }

}  // namespace

Result<std::unique_ptr<SmtpTransport>> SmtpTransport::Create(SmtpOptions options) {
  std::string scheme = options.url.substr(0, options.url.find("://"));
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (options.url.find("://") == std::string::npos || (scheme != "smtp" && scheme != "smtps")) {
    return Fail(ErrorCode::kConfig, "smtp_url must start with smtp:// or smtps://");
  }
  if (options.tls == SmtpTls::kSmtps && scheme != "smtps") {
    return Fail(ErrorCode::kConfig, "tls = \"smtps\" needs an smtps:// URL");
  }
  if (options.tls != SmtpTls::kSmtps && scheme == "smtps") {
    return Fail(ErrorCode::kConfig, "an smtps:// URL needs tls = \"smtps\"");
  }
  const std::string host = HostOf(options.url, UrlForm::kStrict);
  if (host.empty()) return Fail(ErrorCode::kConfig, "smtp_url has no host");
  if (options.tls == SmtpTls::kNone) {
    const auto cls = fetch::ClassifyAddressLiteral(host);
    const bool loopback = host == "localhost" || (cls && *cls == fetch::AddressClass::kLoopback);
    if (!loopback) {
      return Fail(ErrorCode::kConfig,
                  "tls = \"none\" is refused for " + host +
                      ": mail would cross the network in clear text (only loopback servers)");
    }
  }
  if (options.to.empty()) return Fail(ErrorCode::kConfig, "no recipient ('to')");
  if (HasLineBreak(options.from) || AddressOf(options.from).find('@') == std::string::npos) {
    return Fail(ErrorCode::kConfig, "'from' must be one address such as \"veille <a@b.org>\"");
  }
  for (const auto& to : options.to) {
    if (HasLineBreak(to) || AddressOf(to).find('@') == std::string::npos) {
      return Fail(ErrorCode::kConfig, "'to' entry \"" + OneLine(to) + "\" is not an address");
    }
  }
  return std::unique_ptr<SmtpTransport>(new SmtpTransport(std::move(options)));
}

Delivery SmtpTransport::Deliver(const Alert& alert) {
  const EmailMessage message =
      ComposeMentionEmail(alert, options_.from, options_.to, alert.now, options_.translator);
  return Send(RenderEmail(message), alert.budget_ms);
}

Delivery SmtpTransport::DeliverDigest(const Digest& digest) {
  const EmailMessage message =
      ComposeDigestEmail(digest.alerts, digest.key, digest.channel, options_.from, options_.to,
                         digest.now, options_.translator);
  return Send(RenderEmail(message), digest.budget_ms);
}

namespace {

// One SMTP transaction: the message, the envelope and the buffers libcurl writes into, kept
// alive with the easy handle.
class SmtpTransfer : public Transfer {
 public:
  SmtpTransfer(const SmtpOptions& options, std::string message, std::int64_t budget_ms)
      : options_(options), message_(std::move(message)) {
    curl_ = curl_easy_init();
    if (!curl_) return;
    upload_.data = &message_;
    upload_.loopback_only = options_.tls == SmtpTls::kNone;
    for (const auto& to : options_.to) {
      rcpt_ = curl_slist_append(rcpt_, ("<" + AddressOf(to) + ">").c_str());
    }
    mail_from_ = "<" + AddressOf(options_.from) + ">";
    std::int64_t timeout_ms = options_.timeout_ms;
    if (budget_ms > 0) timeout_ms = std::min(timeout_ms, budget_ms);
    CURL* curl = curl_;
    curl_easy_setopt(curl, CURLOPT_URL, options_.url.c_str());
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(
        curl, CURLOPT_USE_SSL,
        static_cast<long>(options_.tls == SmtpTls::kNone ? CURLUSESSL_NONE : CURLUSESSL_ALL));
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, mail_from_.c_str());
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt_);
    // One refused recipient does not stop the others (it is reported when all are refused).
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT_ALLLOWFAILS, 1L);
    if (!options_.username.empty()) {
      curl_easy_setopt(curl, CURLOPT_USERNAME, options_.username.c_str());
      curl_easy_setopt(curl, CURLOPT_PASSWORD, options_.password.c_str());
    }
    if (!options_.ca_file.empty()) {
      curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_file.c_str());
    }
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message_.size()));
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, &ReadBody);
    curl_easy_setopt(curl, CURLOPT_READDATA, &upload_);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &OnReply);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &upload_);
    curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, &OnOpenSocket);
    curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, &upload_);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(std::min(options_.connect_timeout_ms, timeout_ms)));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ms));
    // Also bounds the wait for each reply, QUIT included: after a timeout libcurl still says
    // QUIT and would otherwise wait for the server's answer long past the timeout.
    curl_easy_setopt(curl, CURLOPT_SERVER_RESPONSE_TIMEOUT,
                     static_cast<long>(std::max<std::int64_t>(1, (timeout_ms + 999) / 1000)));
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf_);
    // QUIT as soon as the message is done, on this transfer: a connection kept for reuse would
    // be closed later by the multi handle's internal one, whose QUIT waits for the reply with no
    // progress callback to cut it (a server silent after DATA held a stop for the full timeout),
    // and one that ended in a timeout must not be reused half-way through a reply.
    curl_easy_setopt(curl, CURLOPT_FORBID_REUSE, 1L);
  }
  ~SmtpTransfer() override {
    if (curl_) curl_easy_cleanup(curl_);
    curl_slist_free_all(rcpt_);
  }
  SmtpTransfer(const SmtpTransfer&) = delete;
  SmtpTransfer& operator=(const SmtpTransfer&) = delete;

  CURL* easy() override { return curl_; }
  Delivery Finish(CURLcode code) override;

 private:
  const SmtpOptions& options_;
  std::string message_;
  Upload upload_;
  curl_slist* rcpt_ = nullptr;
  std::string mail_from_;
  char errbuf_[CURL_ERROR_SIZE] = {0};
  CURL* curl_ = nullptr;
};

Delivery SmtpTransfer::Finish(CURLcode code) {
  long reply = 0;
  curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &reply);
  Delivery d;
  if (code == CURLE_OK) return d;
  const bool sent = upload_.offset == message_.size();
  std::string detail = upload_.error_reply.empty() ? std::string(errbuf_) : upload_.error_reply;
  if (upload_.error_code != 0) reply = upload_.error_code;
  if (detail.empty()) detail = curl_easy_strerror(code);
  d.error = "smtp " + RedactUrl(options_.url) + ": " + OneLine(detail);
  d.status = Delivery::Status::kRetry;
  if (!upload_.blocked.empty()) {
    d.error = "smtp: " + upload_.blocked;
    d.channel_wide = true;
    return d;
  }
  switch (code) {
    case CURLE_LOGIN_DENIED:
      d.error =
          "smtp authentication refused (" + OneLine(detail) + "): check username and password_file";
      d.channel_wide = true;
      return d;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_USE_SSL_FAILED:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
      d.channel_wide = true;
      return d;
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
      // After the whole message went out, the server may have accepted it (RFC 1047).
      if (sent && (reply == 0 || reply == 354)) {
        d.ambiguous = true;
        d.error += " (after the message was sent: possibly delivered)";
        return d;
      }
      if (reply == 0) d.channel_wide = true;
      break;
    default:
      break;
  }
  if (reply >= 500 && reply < 600) {
    d.status = Delivery::Status::kDead;
  } else if (reply == 421) {
    d.channel_wide = true;  // the server is closing the session: try the channel later
  }
  return d;
}

}  // namespace

std::unique_ptr<Transfer> SmtpTransport::Prepare(std::string message,
                                                 std::int64_t budget_ms) const {
  return std::make_unique<SmtpTransfer>(options_, std::move(message), budget_ms);
}

Delivery SmtpTransport::DeliverEvent(const EventMessage& event) {
  return Send(RenderEmail(ComposeEventEmail(event, options_.from, options_.to, event.now,
                                            options_.translator)),
              event.budget_ms);
}

std::unique_ptr<Transfer> SmtpTransport::Start(const Alert& alert) {
  return Prepare(RenderEmail(ComposeMentionEmail(alert, options_.from, options_.to, alert.now,
                                                 options_.translator)),
                 alert.budget_ms);
}

std::unique_ptr<Transfer> SmtpTransport::StartDigest(const Digest& digest) {
  return Prepare(
      RenderEmail(ComposeDigestEmail(digest.alerts, digest.key, digest.channel, options_.from,
                                     options_.to, digest.now, options_.translator)),
      digest.budget_ms);
}

std::unique_ptr<Transfer> SmtpTransport::StartEvent(const EventMessage& event) {
  return Prepare(RenderEmail(ComposeEventEmail(event, options_.from, options_.to, event.now,
                                               options_.translator)),
                 event.budget_ms);
}

Delivery SmtpTransport::Send(const std::string& message, std::int64_t budget_ms) {
  auto transfer = Prepare(message, budget_ms);
  if (!transfer->easy()) {
    return Delivery{Delivery::Status::kRetry, "curl_easy_init failed", true, {}, false};
  }
  return transfer->Finish(curl_easy_perform(transfer->easy()));
}

}  // namespace veille::alert
