// The dispatcher's delivery thread against real servers on 127.0.0.1: a step (Pump) never waits
// on a peer (an SMTP server hung after DATA, a TCP listener that accepts and never answers), a
// row in flight is never started twice, and stop records what ends within its grace and leaves
// the rest pending, sent again under the same key by the next start.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "alert/dispatcher.h"
#include "alert/smtp_transport.h"
#include "alert/webhook_transport.h"
#include "sink_process.h"
#include "test_store.h"

namespace veille::alert {
namespace {

using testing::SinkProcess;
using testing::TempStore;

constexpr UnixSeconds kNow = 2000;

std::string TempPath(const std::string& suffix) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return (std::filesystem::temp_directory_path() /
          ("veille-delivery-" + std::to_string(::getpid()) + "-" + info->name() + suffix))
      .string();
}

std::shared_ptr<Transport> Smtp(int port) {
  SmtpOptions o;
  o.url = "smtp://127.0.0.1:" + std::to_string(port);
  o.tls = SmtpTls::kNone;
  o.from = "veille <veille@example.org>";
  o.to = {"com@example.org"};
  o.connect_timeout_ms = 2000;
  o.timeout_ms = 60'000;  // far longer than any wait below: only the test ends the hang
  auto t = SmtpTransport::Create(std::move(o));
  EXPECT_TRUE(t) << (t ? "" : t.error().message);
  return t ? std::shared_ptr<Transport>(std::move(*t)) : nullptr;
}

// The sink's records with `note` ("hang": a DATA arrived and waits; "answered": it was answered).
std::vector<nlohmann::json> Notes(const SinkProcess& sink, const std::string& note) {
  std::vector<nlohmann::json> out;
  for (auto& r : sink.Records()) {
    if (r["note"] == note) out.push_back(std::move(r));
  }
  return out;
}

// Calls Pump every 20 ms until `done` holds or 20 s pass; every Pump must succeed. Returns the
// sum of what the pumps recorded.
DispatchStats PumpUntil(Dispatcher& d, const std::function<bool()>& done) {
  DispatchStats total;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    auto s = d.Pump(kNow);
    EXPECT_TRUE(s) << s.error().message;
    if (s) {
      total.delivered += s->delivered;
      total.retried += s->retried;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return total;
}

void Touch(const std::string& path) { std::ofstream(path) << "go\n"; }

TEST(DeliveryThread, PumpReturnsWhileTheSmtpServerHangsAfterDataAndRecordsTheAnswerOnce) {
  const std::string release = TempPath(".release");
  std::filesystem::remove(release);
  SinkProcess sink("smtp_sink.py", {"--mode", "hang-until:" + release}, TempPath(".jsonl"));
  TempStore db;
  db.AddMentions({"Orélia un"}, {"mail"}, kNow);
  Dispatcher d(db.store(), 1);
  d.SetTransport("mail", Smtp(sink.port()));

  auto first = d.Pump(kNow);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->delivered + first->retried, 0) << "nothing is recorded before the answer";
  EXPECT_EQ(d.InFlight(), 1u);
  // The server has the whole message and sits on its reply until the test releases it: every
  // Pump meanwhile returns (a blocking step would never get here).
  PumpUntil(d, [&] { return !Notes(sink, "hang").empty(); });
  ASSERT_EQ(Notes(sink, "hang").size(), 1u) << "DATA reached the server";
  for (int i = 0; i < 25; ++i) ASSERT_TRUE(d.Pump(kNow));
  EXPECT_TRUE(Notes(sink, "answered").empty()) << "the server is still hanging";
  EXPECT_EQ(Notes(sink, "hang").size(), 1u) << "a row in flight is never started again";
  EXPECT_EQ(d.InFlight(), 1u);
  EXPECT_EQ(db.Statuses(), (std::vector<std::string>{"pending"}));
  EXPECT_EQ(db.Scalar("SELECT attempts FROM outbox"), 0);

  Touch(release);
  const DispatchStats later = PumpUntil(d, [&] { return d.InFlight() == 0; });
  EXPECT_EQ(later.delivered, 1) << "the late 250 is recorded by a later step";
  EXPECT_EQ(db.Statuses(), (std::vector<std::string>{"delivered"}));
  EXPECT_EQ(db.Scalar("SELECT attempts FROM outbox"), 1);
  ASSERT_TRUE(d.Pump(kNow + 600));
  EXPECT_EQ(Notes(sink, "hang").size(), 1u) << "one copy at the server";
  std::filesystem::remove(release);
}

TEST(DeliveryThread, AMailServerHungAfterDataDelaysNoOtherChannel) {
  // libcurl 7.88 waits for the reply to "." in a blocking loop inside curl_multi_perform: one
  // thread per channel keeps that wait from holding up the webhook.
  const std::string release = TempPath(".release");
  std::filesystem::remove(release);
  SinkProcess smtp("smtp_sink.py", {"--mode", "hang-until:" + release}, TempPath(".jsonl"));
  SinkProcess hook("webhook_sink.py", {"--mode", "ok"}, TempPath(".hook.jsonl"));
  WebhookOptions o;
  o.url = "http://127.0.0.1:" + std::to_string(hook.port()) + "/hook";
  o.allow_private = {"127.0.0.1:" + std::to_string(hook.port())};
  auto webhook = WebhookTransport::Create(std::move(o));
  ASSERT_TRUE(webhook);
  TempStore db;
  db.AddMentions({"Orélia un"}, {"mail"}, kNow);
  Dispatcher d(db.store(), 1);
  d.SetTransport("mail", Smtp(smtp.port()));
  d.SetTransport("hook", std::shared_ptr<Transport>(std::move(*webhook)));
  ASSERT_TRUE(d.Pump(kNow));
  PumpUntil(d, [&] { return !Notes(smtp, "hang").empty(); });
  ASSERT_EQ(Notes(smtp, "hang").size(), 1u);

  db.AddMentions({"Deux"}, {"hook"}, kNow);
  PumpUntil(d, [&] { return db.Statuses().back() == "delivered"; });
  EXPECT_EQ(db.Statuses(), (std::vector<std::string>{"pending", "delivered"}))
      << "the webhook went out while the mail server still sat on its reply";
  EXPECT_EQ(hook.Records().size(), 1u);
  EXPECT_TRUE(Notes(smtp, "answered").empty());
  EXPECT_EQ(d.InFlight(), 1u);
  const auto start = std::chrono::steady_clock::now();
  int abandoned = 0;
  ASSERT_TRUE(d.Stop(kNow, 0, &abandoned));
  EXPECT_EQ(abandoned, 1);
  // Not the 60 s of the SMTP timeout: the blocked reply wait is cut through libcurl's progress
  // callback (about a second).
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  Touch(release);
  std::filesystem::remove(release);
}

// A TCP listener that accepts connections (the kernel completes the handshake) and never reads
// or answers.
class SilentListener {
 public:
  SilentListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(::listen(fd_, 16), 0);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~SilentListener() {
    for (int c : accepted_) ::close(c);
    ::close(fd_);
  }
  SilentListener(const SilentListener&) = delete;
  SilentListener& operator=(const SilentListener&) = delete;

  int port() const { return port_; }
  // Connections accepted so far (kept open, never answered).
  int Accepted() {
    for (int c; (c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC)) >= 0;) accepted_.push_back(c);
    return static_cast<int>(accepted_.size());
  }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::vector<int> accepted_;
};

TEST(DeliveryThread, AWebhookThatNeverAnswersTimesOutOnTheThreadWithOneConnection) {
  SilentListener listener;
  WebhookOptions o;
  o.url = "http://127.0.0.1:" + std::to_string(listener.port()) + "/hook";
  o.allow_private = {"127.0.0.1:" + std::to_string(listener.port())};
  o.connect_timeout_ms = 1000;
  o.timeout_ms = 1500;
  auto t = WebhookTransport::Create(std::move(o));
  ASSERT_TRUE(t);
  TempStore db;
  db.AddMentions({"Un"}, {"hook"}, kNow);
  Dispatcher d(db.store(), 1);
  d.SetTransport("hook", std::shared_ptr<Transport>(std::move(*t)));

  ASSERT_TRUE(d.Pump(kNow));
  EXPECT_EQ(d.InFlight(), 1u);
  PumpUntil(d, [&] { return listener.Accepted() > 0; });
  EXPECT_EQ(db.Scalar("SELECT attempts FROM outbox"), 0) << "connected, no answer yet";
  const DispatchStats later = PumpUntil(d, [&] { return d.InFlight() == 0; });
  EXPECT_EQ(later.retried, 1) << "the timeout is recorded by a later step";
  EXPECT_EQ(db.Statuses(), (std::vector<std::string>{"pending"}));
  EXPECT_EQ(db.Scalar("SELECT attempts FROM outbox"), 1);
  EXPECT_GE(db.Scalar("SELECT next_attempt_at FROM outbox"), kNow + 4) << "on the backoff";
  EXPECT_EQ(listener.Accepted(), 1) << "one connection: the row was not started twice";
}

TEST(DeliveryThread, StopLeavesASendInFlightPendingAndTheNextStartSendsItWithTheSameId) {
  const std::string release = TempPath(".release");
  std::filesystem::remove(release);
  SinkProcess sink("smtp_sink.py", {"--mode", "hang-until:" + release}, TempPath(".jsonl"));
  TempStore db;
  db.AddMentions({"Orélia un"}, {"mail"}, kNow);
  {
    Dispatcher d(db.store(), 1);
    d.SetTransport("mail", Smtp(sink.port()));
    ASSERT_TRUE(d.Pump(kNow));
    PumpUntil(d, [&] { return !Notes(sink, "hang").empty(); });
    ASSERT_EQ(Notes(sink, "hang").size(), 1u);
    int abandoned = 0;
    auto stopped = d.Stop(kNow, 200, &abandoned);
    ASSERT_TRUE(stopped) << stopped.error().message;
    EXPECT_EQ(abandoned, 1);
    EXPECT_EQ(d.InFlight(), 0u);
  }
  EXPECT_EQ(db.Statuses(), (std::vector<std::string>{"pending"}));
  EXPECT_EQ(db.Scalar("SELECT attempts FROM outbox"), 0) << "an abandoned send is no attempt";

  Touch(release);
  Dispatcher restarted(db.store(), 2);
  restarted.SetTransport("mail", Smtp(sink.port()));
  auto s = restarted.DeliverDue(kNow);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->delivered, 1);
  EXPECT_EQ(db.Statuses(), (std::vector<std::string>{"delivered"}));
  const auto copies = Notes(sink, "hang");
  ASSERT_EQ(copies.size(), 2u) << "at most one extra copy for the send cut at stop";
  EXPECT_EQ(copies[0]["message_id"], copies[1]["message_id"]);
  std::filesystem::remove(release);
}

TEST(DeliveryThread, StopRecordsASendThatEndsWithinTheGrace) {
  SinkProcess sink("smtp_sink.py", {}, TempPath(".jsonl"));
  TempStore db;
  db.AddMentions({"Orélia un"}, {"mail"}, kNow);
  Dispatcher d(db.store(), 1);
  d.SetTransport("mail", Smtp(sink.port()));
  ASSERT_TRUE(d.Pump(kNow));
  ASSERT_EQ(d.InFlight(), 1u);
  int abandoned = -1;
  auto stopped = d.Stop(kNow, 20'000, &abandoned);
  ASSERT_TRUE(stopped) << stopped.error().message;
  EXPECT_EQ(stopped->delivered, 1);
  EXPECT_EQ(abandoned, 0);
  EXPECT_EQ(db.Statuses(), (std::vector<std::string>{"delivered"}));
  EXPECT_EQ(sink.Records().size(), 1u);
}

}  // namespace
}  // namespace veille::alert
