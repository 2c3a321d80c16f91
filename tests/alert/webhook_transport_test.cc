// The webhook transport against a real local receiver that verifies signatures.
#include "alert/webhook_transport.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <set>

#include "alert/dispatcher.h"
#include "alert/encoding.h"
#include "sink_process.h"
#include "test_store.h"

namespace veille::alert {
namespace {

using testing::SinkProcess;
using testing::TempStore;

const std::string kSecret = "whsec_" + Base64Encode("0123456789abcdef0123456789abcdef");

std::string RecordPath() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return (std::filesystem::temp_directory_path() /
          ("veille-hook-" + std::to_string(::getpid()) + "-" + info->name() + ".jsonl"))
      .string();
}

UnixSeconds Now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

WebhookOptions Options(int port) {
  WebhookOptions o;
  o.url = "http://127.0.0.1:" + std::to_string(port) + "/hook";
  o.key = "0123456789abcdef0123456789abcdef";
  o.hub_signature = true;
  o.allow_private = {"127.0.0.1:" + std::to_string(port)};
  o.connect_timeout_ms = 2000;
  o.timeout_ms = 3000;
  return o;
}

std::unique_ptr<WebhookTransport> Make(WebhookOptions o) {
  auto t = WebhookTransport::Create(std::move(o));
  EXPECT_TRUE(t) << (t ? "" : t.error().message);
  return t ? std::move(*t) : nullptr;
}

SinkProcess Sink(const std::string& mode) {
  return SinkProcess("webhook_sink.py", {"--mode", mode, "--secret", kSecret}, RecordPath());
}

Delivery PostOne(WebhookTransport& t, WebhookResponse* response = nullptr) {
  return t.Post("v1-id-1", Now(), R"({"version":1})", 0, response);
}

TEST(WebhookTransport, ASignedPostVerifiesAtTheReceiver) {
  auto sink = Sink("ok");
  auto t = Make(Options(sink.port()));
  Alert a;
  a.outbox.idempotency_key = "v1-abc";
  a.outbox.channel = "hook";
  a.mention.rule = "marque";
  a.mention.title = "Orélia";
  a.now = Now();
  const Delivery d = t->Deliver(a);
  ASSERT_EQ(d.status, Delivery::Status::kDelivered) << d.error;
  const auto records = sink.Records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0]["id"], "v1-abc");
  EXPECT_TRUE(records[0]["signature_valid"]);
  EXPECT_TRUE(records[0]["hub_valid"]);
  EXPECT_TRUE(records[0]["fresh"]);
  EXPECT_EQ(records[0]["content_type"], "application/json");
  const auto body = nlohmann::json::parse(records[0]["body"].get<std::string>());
  EXPECT_EQ(body["version"], 1);
  EXPECT_EQ(body["entry"]["title"], "Orélia");
}

TEST(WebhookTransport, ServerErrorsAreRetriedWithTheSameIdAndAFreshSignatureUntilAccepted) {
  auto sink = Sink("fail:3:500");
  TempStore db;
  db.AddMentions({"Un"}, {"hook"}, Now());
  Dispatcher d(db.store(), 5);
  d.SetTransport("hook", std::shared_ptr<Transport>(Make(Options(sink.port()))));
  for (int i = 0; i < 4; ++i) {
    const auto due = db.Scalar("SELECT next_attempt_at FROM outbox");
    ASSERT_TRUE(d.DeliverDue(std::max(due, Now())));
  }
  EXPECT_EQ(db.Statuses(), (std::vector<std::string>{"delivered"}));
  const auto records = sink.Records();
  ASSERT_EQ(records.size(), 4u);
  std::set<std::string> ids;
  for (const auto& r : records) {
    ids.insert(r["id"].get<std::string>());
    EXPECT_TRUE(r["signature_valid"]) << r.dump();
  }
  EXPECT_EQ(ids.size(), 1u) << "one webhook-id across every attempt";
}

TEST(WebhookTransport, TheDispatcherRunsAttemptsConcurrentlyAndDeliversEachIdOnce) {
  auto sink = Sink("hang:1");
  TempStore db;
  db.AddMentions({"1", "2", "3", "4", "5", "6", "7", "8", "9"}, {"hook"}, Now());
  Dispatcher d(db.store(), 5);
  d.SetTransport("hook", std::shared_ptr<Transport>(Make(Options(sink.port()))));
  const auto start = std::chrono::steady_clock::now();
  auto stats = d.DeliverDue(Now());
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ(stats->delivered, 9);
  // One probe, then four at a time: about 3 s where one at a time would take 9 s.
  EXPECT_LT(elapsed, std::chrono::seconds(6));
  std::set<std::string> ids;
  for (const auto& r : sink.Records()) ids.insert(r["id"].get<std::string>());
  EXPECT_EQ(ids.size(), 9u);
  EXPECT_EQ(sink.Records().size(), 9u);
}

TEST(WebhookTransport, AnEndpointThatIsDownGetsOneAttemptPerStepNotOnePerAlert) {
  int port = 0;
  {
    auto gone = Sink("ok");
    port = gone.port();
  }
  TempStore db;
  db.AddMentions({"1", "2", "3", "4", "5"}, {"hook"}, Now());
  Dispatcher d(db.store(), 5);
  d.SetTransport("hook", std::shared_ptr<Transport>(Make(Options(port))));
  auto stats = d.DeliverDue(Now());
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->retried, 1);
  EXPECT_EQ(db.Scalar("SELECT SUM(attempts) FROM outbox"), 1);
}

TEST(WebhookTransport, TooManyRequestsHonoursRetryAfter) {
  auto sink = Sink("retry-after:7");
  auto t = Make(Options(sink.port()));
  const Delivery d = PostOne(*t);
  EXPECT_EQ(d.status, Delivery::Status::kRetry);
  EXPECT_TRUE(d.channel_wide);
  EXPECT_EQ(d.retry_after_s, 7);
}

TEST(WebhookTransport, GoneAsksToDisableTheEndpoint) {
  auto sink = Sink("gone");
  const Delivery d = PostOne(*Make(Options(sink.port())));
  EXPECT_EQ(d.status, Delivery::Status::kDisable);
  EXPECT_NE(d.error.find("410"), std::string::npos);
}

TEST(WebhookTransport, ARedirectIsAFailureAndIsNeverFollowed) {
  auto sink = Sink("redirect");
  const Delivery d = PostOne(*Make(Options(sink.port())));
  EXPECT_EQ(d.status, Delivery::Status::kRetry);
  EXPECT_NE(d.error.find("302"), std::string::npos) << d.error;
  for (const auto& r : sink.Records()) EXPECT_FALSE(r.contains("canary")) << "canary hit";
}

TEST(WebhookTransport, AClientErrorIsDeadButRequestTimeoutIsRetried) {
  auto bad = Sink("status:400");
  EXPECT_EQ(PostOne(*Make(Options(bad.port()))).status, Delivery::Status::kDead);
  auto timeout = Sink("status:408");
  EXPECT_EQ(PostOne(*Make(Options(timeout.port()))).status, Delivery::Status::kRetry);
}

TEST(WebhookTransport, AHangingReceiverTimesOutAsAnAmbiguousRetry) {
  auto sink = Sink("hang:5");
  WebhookOptions o = Options(sink.port());
  o.timeout_ms = 800;
  const auto start = std::chrono::steady_clock::now();
  const Delivery d = PostOne(*Make(o));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  EXPECT_EQ(d.status, Delivery::Status::kRetry);
  EXPECT_TRUE(d.ambiguous) << d.error;
}

TEST(WebhookTransport, AResetAfterTheBodyIsAnAmbiguousRetry) {
  auto sink = Sink("reset");
  const Delivery d = PostOne(*Make(Options(sink.port())));
  EXPECT_EQ(d.status, Delivery::Status::kRetry);
  EXPECT_TRUE(d.ambiguous) << d.error;
  EXPECT_EQ(sink.Records().size(), 1u);
}

TEST(WebhookTransport, AHugeResponseIsReadOnlyUpToTheCap) {
  auto sink = Sink("big");
  WebhookResponse response;
  const Delivery d = PostOne(*Make(Options(sink.port())), &response);
  EXPECT_EQ(d.status, Delivery::Status::kDelivered) << d.error;
  EXPECT_EQ(response.body.size(), 4096u);
}

TEST(WebhookTransport, LoopbackIsBlockedUnlessAllowed) {
  auto sink = Sink("ok");
  WebhookOptions o = Options(sink.port());
  o.allow_private.clear();
  const Delivery d = PostOne(*Make(o));
  EXPECT_EQ(d.status, Delivery::Status::kRetry);
  EXPECT_NE(d.error.find("blocked"), std::string::npos) << d.error;
  EXPECT_TRUE(sink.Records().empty());
}

// Security review finding 5: Slack, Discord and Teams put the webhook's secret in the URL path;
// it reached the log, outbox.last_error and `veille outbox --json` through the error line.
TEST(WebhookTransport, AnErrorNeverShowsMoreOfTheUrlThanSchemeAndHost) {
  for (const char* mode : {"status:500", "status:400", "redirect", "gone"}) {
    auto sink = Sink(mode);
    WebhookOptions o = Options(sink.port());
    o.url = "http://127.0.0.1:" + std::to_string(sink.port()) +
            "/api/webhooks/112233/TOKEN-9f8e7d?sig=abc";
    const Delivery d = PostOne(*Make(o));
    EXPECT_EQ(d.error.find("TOKEN-9f8e7d"), std::string::npos) << mode << ": " << d.error;
    EXPECT_EQ(d.error.find("112233"), std::string::npos) << mode << ": " << d.error;
    EXPECT_NE(d.error.find("http://127.0.0.1:" + std::to_string(sink.port()) + "/\xE2\x80\xA6"),
              std::string::npos)
        << mode << ": " << d.error;
  }
  WebhookOptions down = Options(1);  // nothing listens on port 1
  down.url = "http://127.0.0.1:1/api/webhooks/112233/TOKEN-9f8e7d";
  const Delivery d = PostOne(*Make(down));
  EXPECT_EQ(d.error.find("TOKEN-9f8e7d"), std::string::npos) << d.error;
}

TEST(WebhookTransport, CreateRefusesNonHttpUrls) {
  WebhookOptions o;
  o.url = "file:///etc/passwd";
  EXPECT_FALSE(WebhookTransport::Create(o));
  o.url = "gopher://x.example/";
  EXPECT_FALSE(WebhookTransport::Create(o));
}

}  // namespace
}  // namespace veille::alert
