// The `email` channel: one message per alert (or per digest) over SMTP with libcurl.
// STARTTLS is required by default; smtps:// is implicit TLS; no TLS only to a loopback server.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "alert/transport.h"
#include "common/result.h"
#include "i18n/translator.h"

namespace veille::alert {

enum class SmtpTls { kStartTls, kSmtps, kNone };

struct SmtpOptions {
  std::string url;  // smtp://host[:port] (starttls, none) or smtps://host[:port] (smtps)
  SmtpTls tls = SmtpTls::kStartTls;
  std::string username;  // empty: no AUTH
  std::string password;  // never logged
  std::string from;      // "Name <addr>"
  std::vector<std::string> to;
  std::int64_t connect_timeout_ms = 10'000;
  std::int64_t timeout_ms = 60'000;  // whole transaction; a hang after DATA ends here
  std::string ca_file;               // extra CA bundle (tests, private CAs); empty: system store
  i18n::Translator translator;       // the language of the messages ([daemon] language)
};

class SmtpTransport : public Transport {
 public:
  // Checks the options: the URL scheme matches `tls`, `none` only for a loopback host, at least
  // one recipient, no CR/LF in addresses. Errors are kConfig.
  [[nodiscard]] static Result<std::unique_ptr<SmtpTransport>> Create(SmtpOptions options);

  // Reply classes: 2xx delivered; 4xx retry; 5xx dead (with the server's reply); 535 and
  // connection failures retry the whole channel; a timeout after the message was sent is an
  // ambiguous retry with the same Message-ID (RFC 1047).
  Delivery Deliver(const Alert& alert) override;
  Delivery DeliverDigest(const Digest& digest) override;
  Delivery DeliverEvent(const EventMessage& event) override;
  std::unique_ptr<Transfer> Start(const Alert& alert) override;
  std::unique_ptr<Transfer> StartDigest(const Digest& digest) override;
  std::unique_ptr<Transfer> StartEvent(const EventMessage& event) override;

  // Sends an already rendered message (exposed for tests).
  Delivery Send(const std::string& message, std::int64_t budget_ms);
  // Prepares the sending of a rendered message without running it.
  std::unique_ptr<Transfer> Prepare(std::string message, std::int64_t budget_ms) const;

 private:
  explicit SmtpTransport(SmtpOptions options) : options_(std::move(options)) {}
  SmtpOptions options_;
};

}  // namespace veille::alert
