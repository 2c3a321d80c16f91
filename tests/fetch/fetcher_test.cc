// The fetcher against a real misbehaving server on 127.0.0.1 (fault_server.py): every behaviour
// is asserted from the result and from the server's own request log. Here: bodies, validators,
// status classes, timeouts, size caps, limits and spacing, the engine's own calls. Redirects and
// the SSRF guard are in fetcher_redirect_test.cc, proxies and TLS in fetcher_proxy_tls_test.cc.
#include <algorithm>
#include <thread>

#include "fetcher_fixture.h"

namespace veille::fetch::fetcher_test {
namespace {

TEST_F(FetcherTest, ReturnsTheBodyWithValidatorsAndSendsADescriptiveUserAgent) {
  FetchRequest request;
  request.tag = 42;
  request.url = server_->Url("/feed");
  const FetchResult r = FetchOne(request);
  EXPECT_EQ(r.outcome, Outcome::kOk) << r.error;
  EXPECT_EQ(r.tag, 42u);
  EXPECT_EQ(r.http_status, 200);
  EXPECT_EQ(r.http_version, "1.1");
  EXPECT_NE(r.body.find("<rss"), std::string::npos);
  EXPECT_EQ(r.etag, "\"v1\"");
  EXPECT_EQ(r.last_modified, "Wed, 21 Oct 2026 07:28:00 GMT");
  EXPECT_EQ(r.content_type, "application/rss+xml");
  EXPECT_EQ(r.max_age_s, 7200);
  EXPECT_EQ(r.fingerprint.size(), 32u);
  EXPECT_EQ(r.decoded_bytes, r.body.size());
  EXPECT_TRUE(r.error.empty());
  const auto doc = server_->Log();
  const auto& log = doc["log"];
  ASSERT_EQ(log.size(), 2u);  // the fetch, then the /_log request itself
  EXPECT_EQ(log[0]["headers"]["user-agent"], kDefaultUserAgent);
  EXPECT_NE(log[0]["headers"]["accept"].get<std::string>().find("application/rss+xml"),
            std::string::npos);
  EXPECT_FALSE(log[0]["headers"]["accept-encoding"].get<std::string>().empty());
}

TEST_F(FetcherTest, SendsBothValidatorsAndReportsNotModifiedOn304) {
  FetchRequest request;
  request.url = server_->Url("/feed");
  request.etag = "\"v1\"";
  request.last_modified = "Wed, 21 Oct 2026 07:28:00 GMT";
  const FetchResult r = FetchOne(request);
  EXPECT_EQ(r.outcome, Outcome::kNotModified) << r.error;
  EXPECT_EQ(r.http_status, 304);
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(r.etag, "\"v1\"");
  EXPECT_EQ(r.last_modified, "Wed, 21 Oct 2026 07:28:00 GMT");  // kept from the request
  const auto log = server_->Log();
  const auto& entry = log["log"][0];
  EXPECT_EQ(entry["headers"]["if-none-match"], "\"v1\"");
  EXPECT_EQ(entry["headers"]["if-modified-since"], "Wed, 21 Oct 2026 07:28:00 GMT");
}

TEST_F(FetcherTest, AStaleEtagGetsTheFullBody) {
  FetchRequest request;
  request.url = server_->Url("/feed");
  request.etag = "\"v0\"";
  EXPECT_EQ(FetchOne(request).outcome, Outcome::kOk);
}

TEST_F(FetcherTest, TheSameBytesAsLastTimeAreNotModified) {
  const FetchResult first = FetchPath("/feed");
  ASSERT_EQ(first.outcome, Outcome::kOk);
  FetchRequest again;
  again.url = server_->Url("/feed");
  again.fingerprint = first.fingerprint;
  const FetchResult second = FetchOne(again);
  EXPECT_EQ(second.outcome, Outcome::kNotModified);
  EXPECT_EQ(second.http_status, 200);
  EXPECT_TRUE(second.body.empty());
  EXPECT_EQ(second.fingerprint, first.fingerprint);
}

TEST_F(FetcherTest, DecodesGzipBodies) {
  const FetchResult r = FetchPath("/gzip");
  EXPECT_EQ(r.outcome, Outcome::kOk) << r.error;
  EXPECT_EQ(r.body.rfind("<?xml", 0), 0u);
}

TEST_F(FetcherTest, ClassifiesEveryHttpStatus) {
  struct Case {
    std::string path;
    Outcome outcome;
    long status;
  };
  const std::vector<Case> cases = {
      {"/status/404", Outcome::kHttp4xx, 404},
      {"/status/401", Outcome::kHttp4xx, 401},
      {"/status/410", Outcome::kGone, 410},
      {"/status/429", Outcome::kRateLimited, 429},
      {"/status/500", Outcome::kHttp5xx, 500},
      {"/status/502", Outcome::kHttp5xx, 502},
      {"/status/503", Outcome::kHttp5xx, 503},
      {"/status/503?retry_after=120", Outcome::kRateLimited, 503},
  };
  for (const Case& c : cases) {
    const FetchResult r = FetchPath(c.path);
    EXPECT_EQ(r.outcome, c.outcome) << c.path << ": " << OutcomeName(r.outcome);
    EXPECT_EQ(r.http_status, c.status) << c.path;
    EXPECT_TRUE(r.body.empty()) << c.path;
    EXPECT_EQ(r.error.rfind("HTTP " + std::to_string(c.status), 0), 0u) << r.error;
  }
}

TEST_F(FetcherTest, ReadsRetryAfterInSecondsAndAsADateRelativeToTheServerClock) {
  EXPECT_EQ(FetchPath("/status/429?retry_after=120").retry_after_s, 120);
  EXPECT_EQ(FetchPath("/status/429?retry_after=5").retry_after_s, 60);  // clamped up
  // The server's clock is a year off; only the difference between Date and Retry-After counts.
  const FetchResult dated = FetchPath(
      "/status/429?date=Sun,%2006%20Nov%202033%2008:49:37%20GMT"
      "&retry_after=Sun,%2006%20Nov%202033%2008:54:37%20GMT");
  EXPECT_EQ(dated.outcome, Outcome::kRateLimited);
  EXPECT_EQ(dated.retry_after_s, 300);
}

TEST_F(FetcherTest, AServerThatNeverAnswersTimesOut) {
  FetchOptions options = Options();
  options.timeout_s = 1;
  const auto start = std::chrono::steady_clock::now();
  const FetchResult r = FetchPath("/stall?s=4", options);
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(r.outcome, Outcome::kTimeout) << r.error;
  EXPECT_LT(elapsed, 3.0);
}

TEST_F(FetcherTest, ASlowLorisBodyTimesOutOnLowSpeed) {
  FetchOptions options = Options();
  options.timeout_s = 10;
  options.low_speed_time_s = 1;
  options.low_speed_limit = 1000;
  const auto start = std::chrono::steady_clock::now();
  const FetchResult r = FetchPath("/slow", options);
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(r.outcome, Outcome::kTimeout) << r.error;
  EXPECT_TRUE(r.body.empty());
  EXPECT_LT(elapsed, 4.0);
}

TEST_F(FetcherTest, ABodyThatStopsHalfwayTimesOutWithNoBody) {
  FetchOptions options = Options();
  options.timeout_s = 1;
  const FetchResult r = FetchPath("/stall-body?s=3", options);
  EXPECT_EQ(r.outcome, Outcome::kTimeout) << r.error;
  EXPECT_TRUE(r.body.empty());
}

TEST_F(FetcherTest, ABodyWithoutLengthOnAConnectionLeftOpenTimesOut) {
  FetchOptions options = Options();
  options.timeout_s = 1;
  const FetchResult r = FetchPath("/noclose?s=3", options);
  EXPECT_EQ(r.outcome, Outcome::kTimeout) << r.error;
  EXPECT_TRUE(r.body.empty());
}

TEST_F(FetcherTest, ACloudflareChallengeIsA4xxWithAHint) {
  const FetchResult r = FetchPath("/challenge");
  EXPECT_EQ(r.outcome, Outcome::kHttp4xx);
  EXPECT_NE(r.error.find("challenge"), std::string::npos) << r.error;
}

TEST_F(FetcherTest, AResetMidBodyIsAConnectFailureWithNoBody) {
  const FetchResult r = FetchPath("/reset");
  EXPECT_EQ(r.outcome, Outcome::kConnect) << r.error;
  EXPECT_TRUE(r.body.empty());
}

TEST_F(FetcherTest, AShortBodyIsAConnectFailureWithNoBody) {
  const FetchResult r = FetchPath("/short");
  EXPECT_EQ(r.outcome, Outcome::kConnect) << r.error;
  EXPECT_TRUE(r.body.empty());
}

TEST_F(FetcherTest, AnEndlessBodyStopsAtTheCap) {
  FetchOptions options = Options();
  options.max_body = 1 << 20;
  const FetchResult r = FetchPath("/endless", options);
  EXPECT_EQ(r.outcome, Outcome::kTooLarge) << r.error;
  EXPECT_LE(r.decoded_bytes, options.max_body);
  EXPECT_GT(r.decoded_bytes, options.max_body / 2);
  EXPECT_TRUE(r.body.empty());
}

// RELIABILITY.md A8: the body buffer never grows past the cap. A small first chunk made the
// capacities 70 x 2^k, and reserve() rounded the last step up to twice the old capacity:
// 1,146,880 bytes for a 1 MiB cap (and 32 MiB of memory for a 16 MiB one).
TEST_F(FetcherTest, TheBodyBufferNeverGrowsPastTheCap) {
  FetchOptions options = Options();
  options.max_body = 1 << 20;
  const FetchResult r = FetchPath("/unsized?first=70&total=1000000", options);
  ASSERT_EQ(r.outcome, Outcome::kOk) << r.error;
  EXPECT_EQ(r.body.size(), 1000000u);
  EXPECT_LE(r.body.capacity(), options.max_body);
}

TEST_F(FetcherTest, GzipAndDeflateBombsStopAtTheDecodedCap) {
  FetchOptions options = Options();
  options.max_body = 1 << 20;  // the bomb is ~65 KB on the wire, 64 MiB decoded
  for (const std::string encoding : {"gzip", "deflate"}) {
    const FetchResult r = FetchPath("/bomb?enc=" + encoding, options);
    EXPECT_EQ(r.outcome, Outcome::kTooLarge) << encoding << ": " << r.error;
    EXPECT_LE(r.decoded_bytes, options.max_body) << encoding;
    EXPECT_GT(r.decoded_bytes, options.max_body / 2) << encoding;
    EXPECT_NE(r.error.find("decoded"), std::string::npos) << r.error;
  }
}

TEST_F(FetcherTest, ABodyOverTheCapWithContentLengthIsRefused) {
  FetchOptions options = Options();
  options.max_body = 100;
  const FetchResult r = FetchPath("/feed", options);
  EXPECT_EQ(r.outcome, Outcome::kTooLarge) << r.error;
  EXPECT_LE(r.decoded_bytes, 100u);
}

TEST_F(FetcherTest, HugeResponseHeadersAreTooLarge) {
  FetchOptions options = Options();
  options.max_headers = 64 * 1024;
  const FetchResult r = FetchPath("/hdrbomb", options);
  EXPECT_EQ(r.outcome, Outcome::kTooLarge) << r.error;
  EXPECT_NE(r.error.find("headers"), std::string::npos) << r.error;
}

TEST_F(FetcherTest, NeverRunsMoreThanTheGlobalLimitAtOnce) {
  FetchOptions options = Options();
  options.concurrency = 3;
  options.per_host = 10;
  auto fetcher = Make(options);
  std::vector<FetchRequest> requests(8);
  for (auto& r : requests) r.url = server_->Url("/sleep?ms=600");
  const auto results = FetchAll(*fetcher, std::move(requests));
  ASSERT_EQ(results.size(), 8u);
  for (const auto& r : results) EXPECT_EQ(r.outcome, Outcome::kOk) << r.error;
  const auto log = server_->Log();
  EXPECT_EQ(log["max_active_path"][std::to_string(server_->port()) + " /sleep"].get<int>(), 3);
}

TEST_F(FetcherTest, NeverRunsMoreThanThePerHostLimitOnOneHost) {
  FetchOptions options = Options();
  options.concurrency = 10;
  options.per_host = 2;
  const std::string canary =
      "http://127.0.0.1:" + std::to_string(server_->canary_port()) + "/sleep";
  options.allow_private.push_back("127.0.0.1:" + std::to_string(server_->canary_port()));
  auto fetcher = Make(options);
  std::vector<FetchRequest> requests(8);
  for (std::size_t i = 0; i < requests.size(); ++i) {
    requests[i].url = i % 2 == 0 ? server_->Url("/sleep?ms=600") : canary + "?ms=600";
  }
  const auto results = FetchAll(*fetcher, std::move(requests));
  ASSERT_EQ(results.size(), 8u);
  const auto log = server_->Log();
  const auto& peaks = log["max_active_path"];
  EXPECT_EQ(peaks[std::to_string(server_->port()) + " /sleep"].get<int>(), 2);
  EXPECT_EQ(peaks[std::to_string(server_->canary_port()) + " /sleep"].get<int>(), 2);
  EXPECT_EQ(log["max_active_sleep"].get<int>(), 4);  // the two hosts ran side by side
}

TEST_F(FetcherTest, SpacesOutRequestStartsToOneHost) {
  FetchOptions options = Options();
  options.per_host = 4;
  options.host_spacing_ms = 200;
  auto fetcher = Make(options);
  std::vector<FetchRequest> requests(3);
  for (auto& r : requests) r.url = server_->Url("/feed");
  ASSERT_EQ(FetchAll(*fetcher, std::move(requests)).size(), 3u);
  std::vector<double> starts;
  const auto log = server_->Log();
  for (const auto& e : log["log"]) {
    if (e["path"] == "/feed") starts.push_back(e["t"].get<double>());
  }
  ASSERT_EQ(starts.size(), 3u);
  EXPECT_GE(starts[1] - starts[0], 0.18);
  EXPECT_GE(starts[2] - starts[1], 0.18);
}

TEST_F(FetcherTest, CancelQueuedDropsTheRequestsToOneHostNotStartedYet) {
  FetchOptions options = Options();
  options.per_host = 1;
  const std::string canary = "http://127.0.0.1:" + std::to_string(server_->canary_port());
  options.allow_private.push_back("127.0.0.1:" + std::to_string(server_->canary_port()));
  auto fetcher = Make(options);
  for (std::uint64_t tag = 1; tag <= 4; ++tag) {
    FetchRequest r;
    r.tag = tag;
    r.url = server_->Url("/sleep?ms=300");
    fetcher->Submit(std::move(r));
  }
  FetchRequest other;
  other.tag = 9;
  other.url = canary + "/feed";
  fetcher->Submit(std::move(other));
  std::vector<std::uint64_t> done;
  for (auto& r : fetcher->Poll(milliseconds(50))) done.push_back(r.tag);  // the first ones start
  EXPECT_EQ(fetcher->CancelQueued(server_->HostPort()), (std::vector<std::uint64_t>{2, 3, 4}));
  EXPECT_TRUE(fetcher->CancelQueued("nowhere:80").empty());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (fetcher->pending() > 0 && std::chrono::steady_clock::now() < deadline) {
    for (auto& r : fetcher->Poll(milliseconds(200))) done.push_back(r.tag);
  }
  std::sort(done.begin(), done.end());
  EXPECT_EQ(done, (std::vector<std::uint64_t>{1, 9}));  // the running one ends as it does
  int sleeps = 0;
  const auto log = server_->Log();
  for (const auto& e : log["log"]) sleeps += e["path"] == "/sleep" ? 1 : 0;
  EXPECT_EQ(sleeps, 1);
}

TEST_F(FetcherTest, ReusesTheConnectionForTheNextRequestToTheSameHost) {
  auto fetcher = Make(Options());
  for (int i = 0; i < 3; ++i) {
    FetchRequest request;
    request.url = server_->Url("/feed");
    ASSERT_EQ(FetchAll(*fetcher, {request}).front().outcome, Outcome::kOk);
  }
  std::vector<int> ports;
  const auto log = server_->Log();
  for (const auto& e : log["log"]) {
    if (e["path"] == "/feed") ports.push_back(e["client_port"].get<int>());
  }
  ASSERT_EQ(ports.size(), 3u);
  EXPECT_EQ(ports[0], ports[1]);
  EXPECT_EQ(ports[1], ports[2]);
}

TEST_F(FetcherTest, AbortAllDropsQueuedAndRunningTransfers) {
  auto fetcher = Make(Options());
  for (int i = 0; i < 4; ++i) {
    FetchRequest request;
    request.url = server_->Url("/sleep?ms=1000");
    fetcher->Submit(request);
  }
  EXPECT_EQ(fetcher->pending(), 4u);
  EXPECT_TRUE(fetcher->Poll(milliseconds(100)).empty());
  fetcher->AbortAll();
  EXPECT_EQ(fetcher->pending(), 0u);
  EXPECT_TRUE(fetcher->Poll(milliseconds(50)).empty());
}

TEST_F(FetcherTest, WakeupFromAnotherThreadEndsAPollEarly) {
  auto fetcher = Make(Options());
  FetchRequest request;
  request.url = server_->Url("/stall?s=3");
  fetcher->Submit(request);
  std::thread waker([&] {
    std::this_thread::sleep_for(milliseconds(200));
    fetcher->Wakeup();
  });
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(fetcher->Poll(milliseconds(5000)).empty());
  const auto elapsed = std::chrono::steady_clock::now() - start;
  waker.join();
  EXPECT_LT(elapsed, milliseconds(2000));
  EXPECT_GE(elapsed, milliseconds(150));
  EXPECT_EQ(fetcher->pending(), 1u);
  fetcher->AbortAll();
}

TEST_F(FetcherTest, PollReturnsAtOnceWhenNothingIsPending) {
  auto fetcher = Make(Options());
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(fetcher->Poll(milliseconds(2000)).empty());
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(500));
}

TEST_F(FetcherTest, RejectsNonsenseLimits) {
  FetchOptions options;
  options.concurrency = 0;
  EXPECT_FALSE(Fetcher::Create(options).has_value());
}

}  // namespace
}  // namespace veille::fetch::fetcher_test
