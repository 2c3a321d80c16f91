#include "pipeline/channels.h"

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "alert/log_transport.h"
#include "alert/signature.h"
#include "alert/smtp_transport.h"
#include "alert/webhook_transport.h"
#include "config/entities.h"
#include "i18n/translator.h"

namespace veille::pipeline {
namespace {

Result<std::shared_ptr<alert::Transport>> BuildEmail(const config::ChannelEntry& c,
                                                     const i18n::Translator& tr) {
  alert::SmtpOptions o;
  o.translator = tr;
  o.url = c.smtp_url;
  o.tls = c.tls == "smtps" ? alert::SmtpTls::kSmtps
                           : (c.tls == "none" ? alert::SmtpTls::kNone : alert::SmtpTls::kStartTls);
  o.username = c.username;
  if (!c.username.empty()) {
    auto password = ReadSecret(c.password_file);
    if (!password) return tl::unexpected(password.error());
    o.password = std::move(*password);
  }
  o.from = c.from;
  o.to = c.to;
  o.connect_timeout_ms = c.connect_timeout_s * 1000;
  o.timeout_ms = c.timeout_s.value_or(60) * 1000;
  o.ca_file = c.ca_file;
  auto t = alert::SmtpTransport::Create(std::move(o));
  if (!t) return tl::unexpected(t.error());
  return std::shared_ptr<alert::Transport>(std::move(*t));
}

Result<std::shared_ptr<alert::Transport>> BuildWebhook(const config::Config& config,
                                                       const config::ChannelEntry& c,
                                                       const i18n::Translator& tr) {
  alert::WebhookOptions o;
  o.translator = tr;
  o.url = c.url;
  if (!c.url_file.empty()) {
    // The URL is a secret as a whole: read like password_file, shown as scheme and host only.
    auto url = ReadSecret(c.url_file);
    if (!url) return tl::unexpected(url.error());
    o.url = std::move(*url);
  }
  o.format = alert::ParseWebhookFormat(c.format).value_or(alert::WebhookFormat::kJson);
  if (!c.secret_file.empty()) {
    auto secret = ReadSecret(c.secret_file);
    if (!secret) return tl::unexpected(secret.error());
    auto key = alert::ParseWebhookSecret(*secret);
    if (!key) return tl::unexpected(key.error());
    o.key = std::move(*key);
  }
  o.hub_signature = c.hub_signature;
  o.allow_private = config.polling.allow_private;
  o.connect_timeout_ms = c.connect_timeout_s * 1000;
  o.timeout_ms = c.timeout_s.value_or(20) * 1000;
  o.user_agent = config.daemon.user_agent;
  o.ca_file = c.ca_file;
  auto t = alert::WebhookTransport::Create(std::move(o));
  if (!t) return tl::unexpected(t.error());
  return std::shared_ptr<alert::Transport>(std::move(*t));
}

Result<alert::ChannelPolicy> PolicyFor(const config::ChannelEntry& c) {
  alert::ChannelPolicy p;
  auto offset = alert::ZoneOffset(c.time_zone);
  if (!offset) return tl::unexpected(offset.error());
  p.offset = std::move(*offset);
  p.digest = c.mode == "digest";
  p.digest_schedule.every = c.digest == "hourly" ? alert::DigestSchedule::Every::kHourly
                                                 : alert::DigestSchedule::Every::kDaily;
  p.digest_schedule.minute_of_day = c.digest_minute;
  p.digest_when_empty = c.digest_when_empty;
  if (c.quiet_hours) p.quiet = alert::QuietHours{c.quiet_hours->first, c.quiet_hours->second};
  p.burst_limit = c.burst_limit;
  p.burst_window_s = c.burst_window_s;
  return p;
}

}  // namespace

void RegisterTransports(const config::Config& config, alert::Dispatcher& dispatcher) {
  dispatcher.ClearTransports();
  // The language of the messages; a missing catalog must not stop alerts: English, said once.
  i18n::Translator tr;
  if (auto loaded = i18n::LoadTranslator(config.daemon.language)) {
    tr = std::move(*loaded);
  } else {
    spdlog::error("language {}: {}; alerts are written in English", config.daemon.language,
                  loaded.error().message);
  }
  auto log_sink = [](const std::string& line) { spdlog::info("{}", line); };
  std::vector<std::string> names;
  for (const auto& channel : config.channels) {
    names.push_back(channel.name);
    auto policy = PolicyFor(channel);
    Result<std::shared_ptr<alert::Transport>> transport =
        Fail(ErrorCode::kConfig, "unknown channel type " + channel.type);
    if (channel.type == "log") {
      transport =
          std::shared_ptr<alert::Transport>(std::make_shared<alert::LogTransport>(log_sink));
    } else if (channel.type == "email") {
      transport = BuildEmail(channel, tr);
    } else if (channel.type == "webhook") {
      transport = BuildWebhook(config, channel, tr);
    }
    if (!policy) transport = tl::unexpected(policy.error());
    if (!transport) {
      spdlog::error("channel {}: {}; its alerts stay pending until this is fixed", channel.name,
                    transport.error().message);
      continue;
    }
    dispatcher.SetTransport(channel.name, std::move(*transport), std::move(*policy));
  }
  dispatcher.SetConfiguredChannels(std::move(names));
  dispatcher.SetRuleEntities(config::EntitiesOf(config.rules));  // alerts loaded from now on
  dispatcher.SetLeaseTime(config.daemon.lease_time_ms);          // claims on a shared database
}

alert::WatchConfig WatchConfigFor(const config::Config& config) {
  alert::WatchConfig w;
  std::set<std::string> spike;
  for (const auto& c : config.channels) {
    if (c.spike_alerts) spike.insert(c.name);
    if (c.feed_health_alerts) w.health_channels.push_back(c.name);
  }
  for (const auto& rule : config.rules) {
    for (const auto& channel : rule.channels) {
      if (spike.count(channel) > 0) w.spike_channels[rule.name].push_back(channel);
    }
  }
  for (const auto& feed : config.feeds) w.feed_urls.push_back(feed.url);
  return w;
}

}  // namespace veille::pipeline
