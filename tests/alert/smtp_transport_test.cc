// The email transport against a real SMTP server (aiosmtpd) on 127.0.0.1.
#include "alert/smtp_transport.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "alert/dispatcher.h"
#include "sink_process.h"
#include "store/outbox_repo.h"
#include "test_store.h"

namespace veille::alert {
namespace {

using testing::SinkProcess;
using testing::TempStore;

std::string RecordPath() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return (std::filesystem::temp_directory_path() /
          ("veille-smtp-" + std::to_string(::getpid()) + "-" + info->name() + ".jsonl"))
      .string();
}

SmtpOptions Options(int port) {
  SmtpOptions o;
  o.url = "smtp://127.0.0.1:" + std::to_string(port);
  o.tls = SmtpTls::kNone;
  o.from = "veille <veille@example.org>";
  o.to = {"com@example.org", "Équipe Com <equipe@example.org>"};
  o.connect_timeout_ms = 2000;
  o.timeout_ms = 5000;
  return o;
}

Alert SampleAlert(const std::string& title) {
  Alert a;
  a.outbox.idempotency_key = "v1-00112233445566778899aabbccddeeff";
  a.outbox.channel = "mail";
  a.mention.rule = "marque";
  a.mention.category = "brand";
  a.mention.title = title;
  a.mention.link = "https://news.example/orelia";
  a.mention.feed_name = "Presse";
  a.mention.snippet = "la marque Orélia ouvre une boutique";
  a.mention.highlights = {{10, 17}};
  a.mention.terms = {"Orélia"};
  a.now = 1795638610;
  return a;
}

std::unique_ptr<SmtpTransport> Make(SmtpOptions o) {
  auto t = SmtpTransport::Create(std::move(o));
  EXPECT_TRUE(t) << (t ? "" : t.error().message);
  return t ? std::move(*t) : nullptr;
}

TEST(SmtpTransport, DeliversAMessagePythonParsesBackWithTheDecodedSubject) {
  SinkProcess sink("smtp_sink.py", {}, RecordPath());
  auto t = Make(Options(sink.port()));
  const std::string title = "Orélia ouvre « une boutique » à Paris — 東京 aussi\r\nBcc: x@evil.org";
  const Delivery d = t->Deliver(SampleAlert(title));
  ASSERT_EQ(d.status, Delivery::Status::kDelivered) << d.error;
  const auto records = sink.Records();
  ASSERT_EQ(records.size(), 1u);
  const auto& r = records[0];
  EXPECT_EQ(r["subject"],
            "[veille] marque: Orélia ouvre « une boutique » à Paris — 東京 aussi Bcc: "
            "x@evil.org");
  EXPECT_EQ(r["message_id"], "<v1-00112233445566778899aabbccddeeff@example.org>");
  EXPECT_EQ(r["content_type"], "multipart/alternative");
  EXPECT_EQ(r["defects"], 0);
  EXPECT_TRUE(r["valid_utf8"]);
  EXPECT_LE(r["max_line"].get<int>(), 78);
  EXPECT_EQ(r["rcpt"], nlohmann::json({"com@example.org", "equipe@example.org"}));
  EXPECT_EQ(r["mail_from"], "veille@example.org");
  EXPECT_EQ(r["date"], "Wed, 25 Nov 2026 20:30:10 +0000");
  EXPECT_NE(r["text"].get<std::string>().find("la marque Orélia ouvre une boutique"),
            std::string::npos);
  EXPECT_NE(r["html"].get<std::string>().find("<mark>Orélia</mark>"), std::string::npos);
  for (const auto& name : r["header_names"]) EXPECT_NE(name, "Bcc");
}

// Security review finding 8: a 1,500-character word in a title made a Subject line over 998
// characters; the server answered "500 Line too long" and the alert went dead.
TEST(SmtpTransport, AHugeWordInATitleIsDeliveredWithAShortenedSubject) {
  SinkProcess sink("smtp_sink.py", {}, RecordPath());
  auto t = Make(Options(sink.port()));
  const Delivery d = t->Deliver(SampleAlert("Orélia " + std::string(1500, 'A')));
  ASSERT_EQ(d.status, Delivery::Status::kDelivered) << d.error;
  const auto records = sink.Records();
  ASSERT_EQ(records.size(), 1u);
  const std::string subject = records[0]["subject"];
  EXPECT_EQ(subject.rfind("[veille] marque: Orélia AAAA", 0), 0u) << subject;
  EXPECT_TRUE(subject.ends_with("A…")) << subject;
  EXPECT_EQ(records[0]["defects"], 0);
  EXPECT_LE(records[0]["max_line"].get<int>(), 78);
}

TEST(SmtpTransport, ATemporaryRefusalIsRetriedAndTheRetryIsAccepted) {
  SinkProcess sink("smtp_sink.py", {"--mode", "tempfail:1"}, RecordPath());
  auto t = Make(Options(sink.port()));
  const Delivery first = t->Deliver(SampleAlert("Un"));
  EXPECT_EQ(first.status, Delivery::Status::kRetry);
  EXPECT_NE(first.error.find("451"), std::string::npos) << first.error;
  EXPECT_FALSE(first.ambiguous);
  const Delivery second = t->Deliver(SampleAlert("Un"));
  EXPECT_EQ(second.status, Delivery::Status::kDelivered) << second.error;
  EXPECT_EQ(sink.Records().size(), 1u);
}

TEST(SmtpTransport, APermanentRefusalIsDeadWithTheServersReply) {
  SinkProcess sink("smtp_sink.py", {"--mode", "reject-data"}, RecordPath());
  auto t = Make(Options(sink.port()));
  const Delivery d = t->Deliver(SampleAlert("Un"));
  EXPECT_EQ(d.status, Delivery::Status::kDead);
  EXPECT_NE(d.error.find("554"), std::string::npos) << d.error;
}

TEST(SmtpTransport, EveryRecipientRefusedIsDead) {
  SinkProcess sink("smtp_sink.py", {"--mode", "reject"}, RecordPath());
  auto t = Make(Options(sink.port()));
  const Delivery d = t->Deliver(SampleAlert("Un"));
  EXPECT_EQ(d.status, Delivery::Status::kDead) << d.error;
  EXPECT_NE(d.error.find("550"), std::string::npos) << d.error;
  EXPECT_TRUE(sink.Records().empty());
}

TEST(SmtpTransport, RefusedCredentialsHoldTheChannelWithoutLeakingThePassword) {
  SinkProcess sink("smtp_sink.py", {"--auth", "veille:right"}, RecordPath());
  SmtpOptions o = Options(sink.port());
  o.username = "veille";
  o.password = "wrong-secret-value";
  auto t = Make(o);
  const Delivery d = t->Deliver(SampleAlert("Un"));
  EXPECT_EQ(d.status, Delivery::Status::kRetry);
  EXPECT_TRUE(d.channel_wide);
  EXPECT_NE(d.error.find("authentication"), std::string::npos) << d.error;
  EXPECT_EQ(d.error.find("wrong-secret-value"), std::string::npos);
  o.password = "right";
  EXPECT_EQ(Make(o)->Deliver(SampleAlert("Un")).status, Delivery::Status::kDelivered);
}

TEST(SmtpTransport, AServerThatIsDownIsAChannelWideRetry) {
  int port = 0;
  {
    SinkProcess gone("smtp_sink.py", {}, RecordPath());
    port = gone.port();
  }
  auto t = Make(Options(port));
  const Delivery d = t->Deliver(SampleAlert("Un"));
  EXPECT_EQ(d.status, Delivery::Status::kRetry);
  EXPECT_TRUE(d.channel_wide);
  EXPECT_FALSE(d.ambiguous);
}

TEST(SmtpTransport, AHangAfterDataIsAnAmbiguousRetryWithTheSameMessageId) {
  SinkProcess sink("smtp_sink.py", {"--mode", "hang-once:4"}, RecordPath());
  SmtpOptions o = Options(sink.port());
  o.timeout_ms = 1000;
  auto t = Make(o);
  const auto start = std::chrono::steady_clock::now();
  const Delivery first = t->Deliver(SampleAlert("Un"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  EXPECT_EQ(first.status, Delivery::Status::kRetry) << first.error;
  EXPECT_TRUE(first.ambiguous) << first.error;
  const Delivery second = t->Deliver(SampleAlert("Un"));
  EXPECT_EQ(second.status, Delivery::Status::kDelivered) << second.error;
  const auto records = sink.Records();
  ASSERT_EQ(records.size(), 2u) << "one copy per ambiguous event at most";
  EXPECT_EQ(records[0]["message_id"], records[1]["message_id"]);
}

TEST(SmtpTransport, StartTlsIsRequiredByDefault) {
  SinkProcess sink("smtp_sink.py", {}, RecordPath());
  SmtpOptions o = Options(sink.port());
  o.tls = SmtpTls::kStartTls;
  const Delivery d = Make(o)->Deliver(SampleAlert("Un"));
  EXPECT_EQ(d.status, Delivery::Status::kRetry);
  EXPECT_TRUE(d.channel_wide);
  EXPECT_TRUE(sink.Records().empty()) << "nothing is sent in clear text";
}

// A throwaway certificate for 127.0.0.1 and localhost, made with the openssl command.
std::string MakeCertificate(const std::string& dir) {
  const std::string cert = dir + "/cert.pem";
  const std::string command =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost "
      "-addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout " +
      dir + "/key.pem -out " + cert + " 2>/dev/null";
  EXPECT_EQ(std::system(command.c_str()), 0);
  return cert;
}

TEST(SmtpTransport, StartTlsUpgradesTheSessionAndVerifiesTheServerCertificate) {
  TempStore dir;
  const std::string cert = MakeCertificate(dir.dir().string());
  const std::string pair = cert + "," + dir.dir().string() + "/key.pem";
  SinkProcess sink("smtp_sink.py", {"--starttls", pair}, RecordPath());
  SmtpOptions o = Options(sink.port());
  o.tls = SmtpTls::kStartTls;
  o.ca_file = cert;
  const Delivery d = Make(o)->Deliver(SampleAlert("Un"));
  EXPECT_EQ(d.status, Delivery::Status::kDelivered) << d.error;
  EXPECT_EQ(sink.Records().size(), 1u);
  o.ca_file.clear();  // the system store does not know this certificate
  const Delivery untrusted = Make(o)->Deliver(SampleAlert("Un"));
  EXPECT_EQ(untrusted.status, Delivery::Status::kRetry);
  EXPECT_TRUE(untrusted.channel_wide);
  EXPECT_EQ(sink.Records().size(), 1u) << "nothing sent to an unverified server";
}

TEST(SmtpTransport, SmtpsSpeaksTlsFromTheFirstByte) {
  TempStore dir;
  const std::string cert = MakeCertificate(dir.dir().string());
  SinkProcess sink("smtp_sink.py", {"--smtps", cert + "," + dir.dir().string() + "/key.pem"},
                   RecordPath());
  SmtpOptions o = Options(sink.port());
  o.url = "smtps://127.0.0.1:" + std::to_string(sink.port());
  o.tls = SmtpTls::kSmtps;
  o.ca_file = cert;
  const Delivery d = Make(o)->Deliver(SampleAlert("Un"));
  EXPECT_EQ(d.status, Delivery::Status::kDelivered) << d.error;
  EXPECT_EQ(sink.Records().size(), 1u);
}

TEST(SmtpTransport, CreateRefusesPlainTextToARemoteServerAndMismatchedSchemes) {
  SmtpOptions o = Options(25);
  o.url = "smtp://mail.example.org:25";
  EXPECT_FALSE(SmtpTransport::Create(o));
  o.url = "smtps://mail.example.org";
  o.tls = SmtpTls::kStartTls;
  EXPECT_FALSE(SmtpTransport::Create(o));
  o.tls = SmtpTls::kSmtps;
  EXPECT_TRUE(SmtpTransport::Create(o));
  o.to = {"a@b.org\r\nRCPT TO:<x@evil.org>"};
  EXPECT_FALSE(SmtpTransport::Create(o));
}

TEST(SmtpTransport, ADailyDigestArrivesAsOneMessageGroupedByRule) {
  SinkProcess sink("smtp_sink.py", {}, RecordPath());
  TempStore db;
  constexpr UnixSeconds kMidnight = 1795564800;  // 2026-11-25 00:00 UTC
  ChannelPolicy policy;
  policy.digest = true;
  policy.digest_schedule = DigestSchedule{DigestSchedule::Every::kDaily, 8 * 60};
  auto paris = ZoneOffset("Europe/Paris");
  ASSERT_TRUE(paris);
  policy.offset = *paris;
  Dispatcher d(db.store(), 3);
  d.SetTransport("mail", std::shared_ptr<Transport>(Make(Options(sink.port()))), policy);
  ASSERT_TRUE(d.DeliverDue(kMidnight));
  db.AddMentions({"Orélia un", "Orélia deux", "Orélia trois"}, {"mail"}, kMidnight + 3600);
  ASSERT_TRUE(d.DeliverDue(kMidnight + 6 * 3600 + 59 * 60));
  EXPECT_TRUE(sink.Records().empty()) << "08:00 in Paris is 07:00 UTC";
  auto stats = d.DeliverDue(kMidnight + 7 * 3600);
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->delivered, 3);
  const auto records = sink.Records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0]["subject"], "[veille] digest: 3 articles");
  const std::string text = records[0]["text"];
  EXPECT_NE(text.find("== marque (3)"), std::string::npos) << text;
  for (const char* title : {"Orélia un", "Orélia deux", "Orélia trois"}) {
    EXPECT_NE(text.find(title), std::string::npos) << title;
  }
  EXPECT_EQ(db.Statuses(), (std::vector<std::string>{"delivered", "delivered", "delivered"}));
}

TEST(SmtpTransport, TheDispatcherDeliversEachMentionOnceWithTheKeyAsMessageId) {
  SinkProcess sink("smtp_sink.py", {"--mode", "tempfail:1"}, RecordPath());
  TempStore db;
  db.AddMentions({"Orélia un", "Orélia deux"}, {"mail"}, 2000);
  Dispatcher d(db.store(), 3);
  d.SetTransport("mail", std::shared_ptr<Transport>(Make(Options(sink.port()))));
  ASSERT_TRUE(d.DeliverDue(2000));
  const auto next = db.Scalar("SELECT MIN(next_attempt_at) FROM outbox WHERE status='pending'");
  ASSERT_TRUE(d.DeliverDue(next));
  ASSERT_TRUE(d.DeliverDue(next + 100));
  EXPECT_EQ(db.Statuses(), (std::vector<std::string>{"delivered", "delivered"}));
  auto rows = store::ListOutbox(db.store(), store::OutboxStatus::kDelivered, 0);
  ASSERT_TRUE(rows);
  std::set<std::string> ids;
  for (const auto& r : sink.Records()) ids.insert(r["message_id"].get<std::string>());
  ASSERT_EQ(ids.size(), 2u);
  for (const auto& r : *rows) {
    EXPECT_EQ(ids.count("<" + r.row.idempotency_key + "@example.org>"), 1u);
  }
  EXPECT_EQ(sink.Records().size(), 2u);
}

}  // namespace
}  // namespace veille::alert
