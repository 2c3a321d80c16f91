// The fetcher's redirects and what may be requested at all: every hop recorded, loops and
// chains bounded, other schemes and private addresses refused (at connect time, and through a
// proxy), headers and credentials kept to the configured origin (security review findings 1, 2,
// 4 and 6), against the real fault server on 127.0.0.1.
#include <unistd.h>

#include "fetcher_fixture.h"

namespace veille::fetch::fetcher_test {
namespace {

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

}  // namespace
}  // namespace veille::fetch::fetcher_test
