// The fetcher against a real misbehaving server on 127.0.0.1 (fault_server.py): every behaviour
// is asserted from the result and from the server's own request log.
#include "fetch/fetcher.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <thread>

#include "fault_server.h"

namespace veille::fetch {
namespace {

using std::chrono::milliseconds;
using testing::FaultServer;

class FetcherTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new FaultServer(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override { server_->Reset(); }

  // Short timeouts so that fault tests stay fast; the main port is allowlisted.
  static FetchOptions Options() {
    FetchOptions o;
    o.connect_timeout_s = 2;
    o.timeout_s = 3;
    o.low_speed_time_s = 2;
    o.host_spacing_ms = 0;
    o.allow_private = {server_->HostPort()};
    return o;
  }

  static std::unique_ptr<Fetcher> Make(const FetchOptions& options) {
    auto fetcher = Fetcher::Create(options);
    EXPECT_TRUE(fetcher.has_value());
    return std::move(*fetcher);
  }

  // Submits every request and polls until all results are back (or 20 s pass).
  static std::vector<FetchResult> FetchAll(Fetcher& fetcher, std::vector<FetchRequest> requests) {
    for (auto& r : requests) fetcher.Submit(std::move(r));
    std::vector<FetchResult> results;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (fetcher.pending() > 0 && std::chrono::steady_clock::now() < deadline) {
      for (auto& r : fetcher.Poll(milliseconds(200))) results.push_back(std::move(r));
    }
    return results;
  }

  static FetchResult FetchOne(FetchRequest request, const FetchOptions& options = Options()) {
    auto fetcher = Make(options);
    auto results = FetchAll(*fetcher, {std::move(request)});
    EXPECT_EQ(results.size(), 1u);
    return results.empty() ? FetchResult{} : std::move(results.front());
  }

  static FetchResult FetchPath(const std::string& path, const FetchOptions& options = Options()) {
    FetchRequest request;
    request.url = server_->Url(path);
    return FetchOne(std::move(request), options);
  }

  static FaultServer* server_;
};

FaultServer* FetcherTest::server_ = nullptr;

// `value` with its spaces as %20, for a query string the fault server decodes.
std::string QueryValue(const std::string& value) {
  std::string out;
  for (char c : value) out += c == ' ' ? std::string("%20") : std::string(1, c);
  return out;
}

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

TEST_F(FetcherTest, FollowsPermanentAndTemporaryRedirectsAndRecordsEveryHop) {
  for (int code : {301, 302, 307, 308}) {
    server_->Reset();
    const FetchResult r = FetchPath("/chain/" + std::to_string(code) + "/2");
    EXPECT_EQ(r.outcome, Outcome::kOk) << code << ": " << r.error;
    ASSERT_EQ(r.redirects.size(), 3u) << code;
    for (const Redirect& hop : r.redirects) EXPECT_EQ(hop.status, code);
    EXPECT_EQ(r.redirects[0].location, server_->Url("/chain/" + std::to_string(code) + "/1"));
    EXPECT_EQ(r.redirects[2].location, server_->Url("/feed"));
    EXPECT_EQ(r.effective_url, server_->Url("/feed"));
    EXPECT_EQ(server_->Count(""), 4) << code;
  }
}

TEST_F(FetcherTest, ARedirectLoopStopsAfterSixRequests) {
  const FetchResult r = FetchPath("/loop/a");
  EXPECT_EQ(r.outcome, Outcome::kHttp4xx);
  EXPECT_NE(r.error.find("redirects"), std::string::npos) << r.error;
  EXPECT_LE(server_->Count(""), 6);
  EXPECT_GE(server_->Count(""), 5);
}

TEST_F(FetcherTest, AChainLongerThanFiveRedirectsFails) {
  EXPECT_EQ(FetchPath("/chain/302/4").outcome, Outcome::kOk);  // 5 redirects: allowed
  server_->Reset();
  EXPECT_EQ(FetchPath("/chain/302/5").outcome, Outcome::kHttp4xx);  // 6: refused
  EXPECT_EQ(server_->Count(""), 6);
}

TEST_F(FetcherTest, RedirectsToOtherSchemesAreBlocked) {
  for (const std::string target : {"ftp://127.0.0.1/feed", "gopher://127.0.0.1:70/x",
                                   "dict://127.0.0.1:2628/d:x", "ldap://127.0.0.1/x"}) {
    const FetchResult r = FetchPath("/redirect?to=" + target);
    EXPECT_EQ(r.outcome, Outcome::kBlocked) << target << ": " << r.error;
  }
}

TEST_F(FetcherTest, ARedirectToAFileUrlIsBlockedAndTheFileIsNeverRead) {
  char canary[] = "/tmp/veille-canary-XXXXXX";
  const int fd = mkstemp(canary);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, "CANARY-FILE", 11), 11);
  close(fd);
  const FetchResult r = FetchPath(std::string("/redirect?to=file://") + canary);
  unlink(canary);
  EXPECT_EQ(r.outcome, Outcome::kBlocked) << r.error;
  EXPECT_EQ(r.body.find("CANARY"), std::string::npos);
  EXPECT_NE(r.error.find("file://"), std::string::npos) << r.error;
}

TEST_F(FetcherTest, ARedirectToAnUnlistedLoopbackPortIsBlockedAtConnectTime) {
  const std::string target = "http://127.0.0.1:" + std::to_string(server_->canary_port()) + "/";
  const FetchResult r = FetchPath("/redirect?to=" + target);
  EXPECT_EQ(r.outcome, Outcome::kBlocked) << r.error;
  EXPECT_NE(r.error.find("loopback"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find(std::to_string(server_->canary_port())), std::string::npos) << r.error;
  EXPECT_EQ(server_->Count("", server_->canary_port()), 0);
}

TEST_F(FetcherTest, OddSpellingsOfLoopbackInARedirectAreBlockedToo) {
  const std::string port = std::to_string(server_->canary_port());
  for (const std::string host : {"0x7f000001", "2130706433", "0177.0.0.1", "127.1",
                                 "[::ffff:127.0.0.1]", "[::1]", "localhost"}) {
    const FetchResult r = FetchPath("/redirect?to=http://" + host + ":" + port + "/");
    EXPECT_EQ(r.outcome, Outcome::kBlocked) << host << ": " << r.error;
  }
  EXPECT_EQ(server_->Count("", server_->canary_port()), 0);
}

// Security review finding 1: libcurl followed the first of two Location headers while the guard
// judged the last, so an allowlisted second Location let the first reach any port.
TEST_F(FetcherTest, TwoLocationHeadersAreAProtocolErrorAndNeitherIsFetched) {
  FetchOptions options = Options();
  const std::string allowed_other = "localhost:" + std::to_string(server_->port());
  options.allow_private.push_back(allowed_other);
  const std::string internal =
      "http://127.0.0.1:" + std::to_string(server_->canary_port()) + "/internal-secret";
  for (const char* code : {"302", "301"}) {
    server_->Reset();
    const FetchResult r = FetchPath(std::string("/dupe?code=") + code + "&a=" + internal +
                                        "&b=http://" + allowed_other + "/feed",
                                    options);
    EXPECT_EQ(r.outcome, Outcome::kBlocked) << code << ": " << r.error;
    EXPECT_NE(r.error.find("Location"), std::string::npos) << r.error;
    EXPECT_TRUE(r.redirects.empty()) << "a refused response is no hop";
    EXPECT_EQ(server_->Count("", server_->canary_port()), 0) << code;
    EXPECT_EQ(server_->Count("/feed"), 0) << code;
  }
}

TEST_F(FetcherTest, ThroughAProxyTwoLocationHeadersNeverReachTheProxy) {
  FetchOptions options = Options();
  options.allow_private = {};
  options.proxy = server_->Url("");
  FetchRequest request;
  request.url =
      "http://feed.veille-test.invalid/dupe?a=http://169.254.169.254/latest/meta-data/"
      "&b=http://feed.veille-test.invalid/feed";
  const FetchResult r = FetchOne(request, options);
  EXPECT_EQ(r.outcome, Outcome::kBlocked) << r.error;
  EXPECT_EQ(server_->Count(""), 1) << "the redirect itself, nothing after it";
}

// Security review finding 2: a Location the old parser could not read (a space, a trailing dot)
// skipped the private-address check in proxy mode, while libcurl sent it to the proxy.
TEST_F(FetcherTest, ThroughAProxyOddlyWrittenPrivateLocationsAreRefusedToo) {
  FetchOptions options = Options();
  options.allow_private = {};
  options.proxy = server_->Url("");
  for (const std::string target :
       {"http://169.254.169.254/latest meta-data/", "http://169.254.169.254./latest/",
        "http://169.254.169.254../latest/", "http://0xA9FEA9FE/latest/", "http://2852039166/",
        "http://[::ffff:169.254.169.254]/", "http://localhost/admin", "http://x.localhost/",
        "http://LOCALHOST./admin"}) {
    server_->Reset();
    FetchRequest request;
    request.url = "http://feed.veille-test.invalid/redirect?to=" + QueryValue(target);
    const FetchResult r = FetchOne(request, options);
    EXPECT_EQ(r.outcome, Outcome::kBlocked) << target << ": " << r.error;
    EXPECT_EQ(server_->Count(""), 1) << target << ": only the redirect reached the proxy";
  }
}

TEST_F(FetcherTest, ALocationWithASpaceIsFollowedEncodedAsLibcurlWould) {
  const FetchResult r = FetchPath("/redirect?to=/fe%20ed");  // the server sends "/fe ed"
  EXPECT_EQ(r.outcome, Outcome::kHttp4xx) << r.error;        // /fe%20ed is no route
  ASSERT_EQ(r.redirects.size(), 1u);
  EXPECT_EQ(r.redirects[0].location, server_->Url("/fe%20ed"));
  EXPECT_EQ(r.effective_url, server_->Url("/fe%20ed"));
}

TEST_F(FetcherTest, ALocationThatCannotBeParsedIsRefused) {
  for (const std::string target : {"http://exa mple.com/", "http://h:99999/", "http://.../"}) {
    server_->Reset();
    const FetchResult r = FetchPath("/redirect?to=" + QueryValue(target));
    EXPECT_EQ(r.outcome, Outcome::kBlocked) << target << ": " << r.error;
    EXPECT_EQ(server_->Count(""), 1) << target;
  }
}

TEST_F(FetcherTest, ALoopbackHostNameIsBlockedUnlessAllowlisted) {
  FetchRequest request;
  request.url = "http://localhost:" + std::to_string(server_->port()) + "/feed";
  FetchOptions options = Options();
  options.allow_private = {};
  EXPECT_EQ(FetchOne(request, options).outcome, Outcome::kBlocked);
  EXPECT_EQ(server_->Count("/feed"), 0);
}

TEST_F(FetcherTest, ALoopbackFeedIsBlockedUnlessAllowlisted) {
  FetchOptions options = Options();
  options.allow_private.clear();
  const FetchResult r = FetchPath("/feed", options);
  EXPECT_EQ(r.outcome, Outcome::kBlocked) << r.error;
  EXPECT_EQ(server_->Count("/feed"), 0);
}

TEST_F(FetcherTest, TheAllowlistAlsoMatchesAHostName) {
  FetchOptions options = Options();
  options.allow_private = {"localhost:" + std::to_string(server_->port())};
  FetchRequest request;
  request.url = "http://localhost:" + std::to_string(server_->port()) + "/feed";
  const FetchResult r = FetchOne(request, options);
  EXPECT_EQ(r.outcome, Outcome::kOk) << r.error;
  EXPECT_EQ(server_->Count("/feed"), 1);
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

TEST_F(FetcherTest, RefusesOtherSchemesAndHeadersWithLineBreaksWithoutSendingAnything) {
  FetchRequest ftp;
  ftp.url = "ftp://127.0.0.1:" + std::to_string(server_->port()) + "/feed";
  EXPECT_EQ(FetchOne(ftp).outcome, Outcome::kBlocked);
  FetchRequest injected;
  injected.url = server_->Url("/feed");
  injected.headers = {{"X-Test", "a\r\nBcc: victim@example.org"}};
  const FetchResult r = FetchOne(injected);
  EXPECT_EQ(r.outcome, Outcome::kBlocked);
  EXPECT_NE(r.error.find("CR"), std::string::npos) << r.error;
  EXPECT_EQ(server_->Count(""), 0);
}

TEST_F(FetcherTest, SendsExtraHeadersAndTheFeedsOwnUserAgent) {
  FetchRequest request;
  request.url = server_->Url("/feed");
  request.headers = {{"X-Api-Version", "2"}};
  request.user_agent = "custom-agent/1.0";
  ASSERT_EQ(FetchOne(request).outcome, Outcome::kOk);
  const auto log = server_->Log();
  const auto& entry = log["log"][0];
  EXPECT_EQ(entry["headers"]["x-api-version"], "2");
  EXPECT_EQ(entry["headers"]["user-agent"], "custom-agent/1.0");
}

TEST_F(FetcherTest, SendsBasicAuthToTheFeedsHostOnlyNotAfterARedirectElsewhere) {
  FetchOptions options = Options();
  const std::string other = "localhost:" + std::to_string(server_->port());
  options.allow_private.push_back(other);
  FetchRequest request;
  request.url = server_->Url("/redirect?to=http://" + other + "/feed");
  request.username = "user";
  request.password = "s3cret";
  ASSERT_EQ(FetchOne(request, options).outcome, Outcome::kOk);
  const auto log = server_->Log();
  ASSERT_GE(log["log"].size(), 2u);
  EXPECT_EQ(log["log"][0]["headers"]["authorization"], "Basic dXNlcjpzM2NyZXQ=");
  EXPECT_EQ(log["log"][1]["path"], "/feed");
  EXPECT_FALSE(log["log"][1]["headers"].contains("authorization"));
}

// Security review finding 4: libcurl strips only Authorization and Cookie on a host change, so
// X-Api-Key and PRIVATE-TOKEN reached the redirect target. Custom headers and credentials go to
// the configured origin (scheme, host, port) only, on every hop.
TEST_F(FetcherTest, CustomHeadersAndCredentialsGoToTheConfiguredOriginOnly) {
  FetchOptions options = Options();
  const std::string other_host = "localhost:" + std::to_string(server_->port());
  options.allow_private.push_back(other_host);
  FetchRequest request;
  // Same origin first (a relative Location), then another host on the same port.
  request.url = server_->Url("/redirect?to=/redirect%3Fto%3Dhttp://" + other_host + "/feed");
  request.headers = {{"X-Api-Key", "k-123"}, {"PRIVATE-TOKEN", "t-456"}, {"Cookie", "s=1"}};
  request.username = "user";
  request.password = "s3cret";
  const FetchResult r = FetchOne(request, options);
  ASSERT_EQ(r.outcome, Outcome::kOk) << r.error;
  ASSERT_EQ(r.redirects.size(), 2u);
  const auto log = server_->Log()["log"];
  ASSERT_GE(log.size(), 3u);
  for (int hop : {0, 1}) {  // the configured origin, twice
    EXPECT_EQ(log[hop]["headers"]["x-api-key"], "k-123") << hop;
    EXPECT_EQ(log[hop]["headers"]["private-token"], "t-456") << hop;
    EXPECT_EQ(log[hop]["headers"]["cookie"], "s=1") << hop;
    EXPECT_EQ(log[hop]["headers"]["authorization"], "Basic dXNlcjpzM2NyZXQ=") << hop;
  }
  EXPECT_EQ(log[2]["path"], "/feed");
  EXPECT_EQ(log[2]["headers"]["host"], other_host);
  for (const char* name : {"x-api-key", "private-token", "cookie", "authorization"}) {
    EXPECT_FALSE(log[2]["headers"].contains(name)) << name << " followed the redirect";
  }
  EXPECT_EQ(log[2]["headers"]["user-agent"], kDefaultUserAgent) << "the rest still goes";
}

TEST_F(FetcherTest, AnotherPortOfTheSameHostIsAnotherOrigin) {
  FetchOptions options = Options();
  options.allow_private.push_back("127.0.0.1:" + std::to_string(server_->canary_port()));
  FetchRequest request;
  request.url = server_->Url(
      "/redirect?to=http://127.0.0.1:" + std::to_string(server_->canary_port()) + "/x");
  request.headers = {{"X-Api-Key", "k-123"}};
  const FetchResult r = FetchOne(request, options);
  EXPECT_EQ(r.outcome, Outcome::kOk) << r.error;
  const auto log = server_->Log()["log"];
  bool saw_canary = false;
  for (const auto& e : log) {
    if (e["port"] != server_->canary_port()) continue;
    saw_canary = true;
    EXPECT_FALSE(e["headers"].contains("x-api-key"));
  }
  EXPECT_TRUE(saw_canary);
}

// Security review finding 6: a reason phrase with UTF-8 encoded C1 controls was logged raw.
TEST_F(FetcherTest, AReasonPhraseNeverCarriesControlsOrInvalidUtf8) {
  const FetchResult csi = FetchPath("/reason?code=500&text=Oops%C2%9B2J%1B%5B31m%C2%9D");
  EXPECT_EQ(csi.outcome, Outcome::kHttp5xx);
  EXPECT_EQ(csi.error, "HTTP 500 Oops2J[31m");
  const FetchResult bad = FetchPath("/reason?code=404&text=Not%FFFound%9B");
  EXPECT_EQ(bad.error,
            "HTTP 404 Not\xEF\xBF\xBD"
            "Found\xEF\xBF\xBD");
}

TEST_F(FetcherTest, GoesThroughAnExplicitProxy) {
  FetchOptions options = Options();
  options.allow_private = {};  // the proxy is trusted; the guard cannot see past it
  options.proxy = server_->Url("");
  FetchRequest request;
  request.url = "http://feed.veille-test.invalid/feed";
  const FetchResult r = FetchOne(request, options);
  EXPECT_EQ(r.outcome, Outcome::kOk) << r.error;
  const auto log = server_->Log();
  EXPECT_EQ(log["log"][0]["headers"]["host"], "feed.veille-test.invalid");
}

TEST_F(FetcherTest, ThroughAProxyPrivateAddressLiteralsAreStillRefused) {
  FetchOptions options = Options();
  options.allow_private = {};
  options.proxy = server_->Url("");
  FetchRequest direct;
  direct.url = "http://169.254.169.254/latest/meta-data/";
  EXPECT_EQ(FetchOne(direct, options).outcome, Outcome::kBlocked);
  FetchRequest redirected;
  redirected.url = "http://feed.veille-test.invalid/redirect?to=http://10.1.2.3/feed";
  const FetchResult r = FetchOne(redirected, options);
  EXPECT_EQ(r.outcome, Outcome::kBlocked) << r.error;
  EXPECT_NE(r.error.find("10.1.2.3"), std::string::npos) << r.error;
  EXPECT_EQ(server_->Count(""), 1);  // the redirect itself, nothing after it
}

TEST_F(FetcherTest, HonoursTheProxyEnvironmentAndNoProxy) {
  setenv("http_proxy", server_->Url("").c_str(), 1);
  FetchRequest request;
  request.url = "http://feed.veille-test.invalid/feed";
  const FetchResult proxied = FetchOne(request);
  setenv("no_proxy", "localhost,.veille-test.invalid", 1);
  const FetchResult direct = FetchOne(request);
  unsetenv("http_proxy");
  unsetenv("no_proxy");
  EXPECT_EQ(proxied.outcome, Outcome::kOk) << proxied.error;
  EXPECT_EQ(direct.outcome, Outcome::kDns) << direct.error;
  EXPECT_EQ(server_->Count("/feed"), 1);
}

TEST_F(FetcherTest, APerFeedTimeoutOverridesTheDefault) {
  FetchOptions options = Options();
  options.timeout_s = 10;
  FetchRequest request;
  request.url = server_->Url("/stall?s=3");
  request.timeout_s = 1;
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(FetchOne(request, options).outcome, Outcome::kTimeout);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(2500));
}

// Security review, finding 5's sibling: libcurl's error for an unusable proxy quotes the proxy
// URL, password included; the error line (logged, stored in feeds.last_error) must not.
TEST_F(FetcherTest, AProxyPasswordNeverReachesTheErrorLine) {
  for (const std::string proxy :
       {"bogus://user:s3cretpw@127.0.0.1:1", "http://user:s3cretpw@127.0.0.1:1 x"}) {
    FetchRequest request;
    request.url = server_->Url("/feed");
    request.proxy = proxy;
    const FetchResult r = FetchOne(request, Options());
    EXPECT_NE(r.outcome, Outcome::kOk);
    EXPECT_NE(r.error.find("proxy"), std::string::npos) << r.error;
    EXPECT_EQ(r.error.find("s3cretpw"), std::string::npos) << r.error;
  }
}

TEST_F(FetcherTest, FetchesOverHttpsWithTheFeedsOwnCaFile) {
  FetchOptions options = Options();
  const std::string host = "localhost:" + std::to_string(server_->tls_port());
  options.allow_private.push_back(host);
  FetchRequest request;
  request.url = "https://" + host + "/feed";
  request.ca_file = server_->ca_file();
  const FetchResult r = FetchOne(request, options);
  EXPECT_EQ(r.outcome, Outcome::kOk) << r.error;
  EXPECT_EQ(r.etag, "\"v1\"");
  EXPECT_GT(r.timings.tls_s, 0.0);
}

TEST_F(FetcherTest, AnUntrustedCertificateIsATlsFailure) {
  FetchOptions options = Options();
  const std::string host = "localhost:" + std::to_string(server_->tls_port());
  options.allow_private.push_back(host);
  FetchRequest request;
  request.url = "https://" + host + "/feed";  // the system bundle does not know the test CA
  const FetchResult r = FetchOne(request, options);
  EXPECT_EQ(r.outcome, Outcome::kTls) << r.error;
  EXPECT_EQ(r.error.rfind("tls: ", 0), 0u) << r.error;
}

TEST_F(FetcherTest, ACertificateForAnotherHostNameIsATlsFailure) {
  FetchOptions options = Options();
  const std::string host = "127.0.0.1:" + std::to_string(server_->tls_port());
  options.allow_private.push_back(host);
  FetchRequest request;
  request.url = "https://" + host + "/feed";  // the certificate names localhost only
  request.ca_file = server_->ca_file();
  EXPECT_EQ(FetchOne(request, options).outcome, Outcome::kTls);
}

TEST_F(FetcherTest, AnUnresolvableHostIsADnsFailure) {
  FetchRequest request;
  request.url = "http://feed.veille-test.invalid/rss";
  const FetchResult r = FetchOne(request);
  EXPECT_EQ(r.outcome, Outcome::kDns) << r.error;
  EXPECT_FALSE(r.error.empty());
}

TEST_F(FetcherTest, AClosedPortIsAConnectFailure) {
  FetchOptions options = Options();
  options.allow_private.push_back("127.0.0.1:1");  // nothing listens on port 1
  FetchRequest request;
  request.url = "http://127.0.0.1:1/feed";
  const FetchResult r = FetchOne(request, options);
  EXPECT_EQ(r.outcome, Outcome::kConnect) << r.error;
  EXPECT_EQ(r.error.rfind("connect: ", 0), 0u) << r.error;
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

// --- local files ----------------------------------------------------------------------------

class LocalFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/veille-fetch-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    path_ = dir_ + "/feed.xml";
    std::ofstream(path_) << "<rss version=\"2.0\"><channel><title>local</title></channel></rss>";
  }
  void TearDown() override {
    std::remove(path_.c_str());
    rmdir(dir_.c_str());
  }
  static FetchResult Run(FetchRequest request, std::size_t max_body = 1 << 20) {
    FetchOptions options;
    options.max_body = max_body;
    auto fetcher = std::move(*Fetcher::Create(options));
    fetcher->Submit(std::move(request));
    EXPECT_EQ(fetcher->pending(), 1u);
    auto results = fetcher->Poll(milliseconds(1000));
    EXPECT_EQ(results.size(), 1u);
    return results.empty() ? FetchResult{} : results.front();
  }
  std::string dir_;
  std::string path_;
};

TEST_F(LocalFileTest, ReadsAFileUrlAndReturnsItsValidators) {
  FetchRequest request;
  request.url = "file://" + path_;
  const FetchResult r = Run(request);
  EXPECT_EQ(r.outcome, Outcome::kOk) << r.error;
  EXPECT_NE(r.body.find("local"), std::string::npos);
  EXPECT_EQ(r.http_status, 0);
  EXPECT_FALSE(r.last_modified.empty());
  EXPECT_FALSE(r.etag.empty());
}

TEST_F(LocalFileTest, AnUnchangedFileIsNotModified) {
  FetchRequest request;
  request.url = "file://" + path_;
  const FetchResult first = Run(request);
  ASSERT_EQ(first.outcome, Outcome::kOk);
  FetchRequest by_date;
  by_date.url = request.url;
  by_date.last_modified = first.last_modified;
  EXPECT_EQ(Run(by_date).outcome, Outcome::kNotModified);
  FetchRequest by_etag;
  by_etag.url = request.url;
  by_etag.etag = first.etag;
  EXPECT_EQ(Run(by_etag).outcome, Outcome::kNotModified);
}

TEST_F(LocalFileTest, AChangedFileIsReadAgain) {
  FetchRequest request;
  request.url = path_;  // a plain absolute path works too
  const FetchResult first = Run(request);
  ASSERT_EQ(first.outcome, Outcome::kOk);
  // Move the mtime one minute forward: If-Modified-Since with the old date no longer matches.
  struct timespec times[2] = {{0, UTIME_OMIT}, {time(nullptr) + 60, 0}};
  ASSERT_EQ(utimensat(AT_FDCWD, path_.c_str(), times, 0), 0);
  FetchRequest again;
  again.url = request.url;
  again.last_modified = first.last_modified;
  EXPECT_EQ(Run(again).outcome, Outcome::kOk);
}

TEST_F(LocalFileTest, AFileOverTheCapIsTooLarge) {
  FetchRequest request;
  request.url = "file://" + path_;
  const FetchResult r = Run(request, 10);
  EXPECT_EQ(r.outcome, Outcome::kTooLarge);
  EXPECT_TRUE(r.body.empty());
}

TEST_F(LocalFileTest, AMissingFileIsAnIoError) {
  FetchRequest request;
  request.url = "file://" + dir_ + "/missing.xml";
  const FetchResult r = Run(request);
  EXPECT_EQ(r.outcome, Outcome::kIo);
  EXPECT_NE(r.error.find("missing.xml"), std::string::npos) << r.error;
}

}  // namespace
}  // namespace veille::fetch
