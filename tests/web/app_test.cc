// The request handler without a socket: sign-in, sessions, CSRF, the Host check, the proxy
// mode, languages, and the headers and escaping of every page.
#include "web/app.h"

#include <gtest/gtest.h>

#include <regex>

#include "tests/common/hostile_text.h"
#include "web/assets.h"

namespace veille::web {
namespace {

constexpr std::int64_t kT0 = 1'800'000'000'000;  // ms

const std::string& SharedHash() {
  static const std::string hash = HashPassword("correct horse").value();
  return hash;
}

std::map<std::string, i18n::Translator> Translators() {
  std::map<std::string, i18n::Translator> out;
  out.emplace("en", i18n::Translator());
  auto fr = i18n::LoadTranslator("fr", {VEILLE_BINARY_DIR "/locale"});
  EXPECT_TRUE(fr.has_value()) << fr.error().message;
  if (fr) out.emplace("fr", std::move(*fr));
  return out;
}

struct Fixture {
  std::int64_t now_ms = kT0;
  std::unique_ptr<App> app;

  explicit Fixture(AppOptions options) {
    options.version = "9.8.7";
    app = std::make_unique<App>(std::move(options), Translators(), [this] { return now_ms; });
  }
  static AppOptions Password() {
    AppOptions o;
    o.auth = AuthMode::kPassword;
    o.passwords = PasswordFile::Parse(SharedHash(), "web.users").value();
    return o;
  }
};

std::string HeaderOf(const Response& r, const std::string& name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return "";
}

// A browser: keeps the session cookie it is given, sends a loopback Host.
struct Browser {
  explicit Browser(App& a) : app(a) {}

  App& app;
  std::string peer = "127.0.0.1";
  std::string cookie;
  std::map<std::string, std::string> headers = {{"host", "127.0.0.1:8080"}};

  Response Send(const std::string& method, const std::string& path,
                std::map<std::string, std::string> form = {}) {
    Request request;
    request.method = method;
    request.path = path;
    request.peer = peer;
    request.headers = headers;
    if (!cookie.empty()) request.cookies["veille_session"] = cookie;
    request.form = std::move(form);
    Response r = app.Handle(request);
    const std::string set = HeaderOf(r, "Set-Cookie");
    if (set.starts_with("veille_session=")) {
      cookie = set.substr(15, set.find(';') - 15);
    }
    return r;
  }
  Response Get(const std::string& path) { return Send("GET", path); }
  Response Post(const std::string& path, std::map<std::string, std::string> form) {
    return Send("POST", path, std::move(form));
  }
};

std::string CsrfOf(const std::string& body) {
  const std::string marker = "name=\"csrf\" value=\"";
  const auto at = body.find(marker);
  if (at == std::string::npos) return "";
  const auto begin = at + marker.size();
  return body.substr(begin, body.find('"', begin) - begin);
}

TEST(WebAppTest, SigningInWithTheRightPasswordOpensTheHomePage) {
  Fixture f(Fixture::Password());
  Browser b{*f.app};
  Response r = b.Get("/");
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(HeaderOf(r, "Location"), "/login");
  r = b.Get("/login");
  ASSERT_EQ(r.status, 200);
  const std::string anonymous = b.cookie;
  ASSERT_FALSE(anonymous.empty());
  const std::string token = CsrfOf(r.body);
  ASSERT_EQ(token.size(), 64u);
  EXPECT_EQ(r.body.find("name=\"user\""), std::string::npos) << "one shared account";

  r = b.Post("/login", {{"csrf", token}, {"password", "wrong"}});
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.find("Wrong user name or password."), std::string::npos);
  EXPECT_EQ(b.cookie, anonymous);

  r = b.Post("/login", {{"csrf", token}, {"password", "correct horse"}});
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(HeaderOf(r, "Location"), "/");
  EXPECT_NE(b.cookie, anonymous) << "a new session id at sign-in";
  r = b.Get("/");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("<dd id=\"home-user\">veille</dd>"), std::string::npos);
  EXPECT_NE(r.body.find("<dd id=\"version\">9.8.7</dd>"), std::string::npos);
  EXPECT_NE(CsrfOf(r.body), token) << "the signed-in session has its own token";

  // The anonymous session died with the sign-in: its id is worth nothing now.
  Browser planted{*f.app};
  planted.cookie = anonymous;
  EXPECT_EQ(planted.Get("/").status, 303);
}

TEST(WebAppTest, TheSessionCookieIsHttpOnlyStrictAndSecureOnlyBehindATlsProxy) {
  Fixture f(Fixture::Password());
  Browser b{*f.app};
  std::string cookie = HeaderOf(b.Get("/login"), "Set-Cookie");
  EXPECT_NE(cookie.find("; HttpOnly"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("; SameSite=Strict"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("; Path=/"), std::string::npos) << cookie;
  EXPECT_EQ(cookie.find("Secure"), std::string::npos) << cookie;

  Browser proxied{*f.app};
  proxied.headers["x-forwarded-proto"] = "https";
  cookie = HeaderOf(proxied.Get("/login"), "Set-Cookie");
  EXPECT_NE(cookie.find("; Secure"), std::string::npos) << "from a trusted proxy: " << cookie;

  Browser forged{*f.app};
  forged.peer = "192.0.2.7";  // not a trusted proxy: its X-Forwarded-Proto means nothing
  forged.headers["x-forwarded-proto"] = "https";
  cookie = HeaderOf(forged.Get("/login"), "Set-Cookie");
  EXPECT_EQ(cookie.find("Secure"), std::string::npos) << cookie;
}

TEST(WebAppTest, APostWithoutTheSessionsTokenIsForbidden) {
  Fixture f(Fixture::Password());
  Browser b{*f.app};
  const std::string login_token = CsrfOf(b.Get("/login").body);
  ASSERT_EQ(b.Post("/login", {{"csrf", login_token}, {"password", "correct horse"}}).status, 303);
  const std::string token = CsrfOf(b.Get("/").body);
  ASSERT_FALSE(token.empty());

  Browser other{*f.app};
  const std::string other_token = CsrfOf(other.Get("/login").body);
  for (const char* path : {"/logout", "/language", "/login"}) {
    EXPECT_EQ(b.Post(path, {}).status, 403) << path << ": no token";
    EXPECT_EQ(b.Post(path, {{"csrf", ""}}).status, 403) << path;
    EXPECT_EQ(b.Post(path, {{"csrf", token + "0"}}).status, 403) << path;
    EXPECT_EQ(b.Post(path, {{"csrf", other_token}}).status, 403) << path << ": another session's";
  }
  // None of it signed the user out or changed anything.
  EXPECT_EQ(b.Get("/").status, 200);
  // A body that is not a form does not count as carrying the token.
  Request raw;
  raw.method = "POST";
  raw.path = "/logout";
  raw.peer = "127.0.0.1";
  raw.headers = {{"host", "127.0.0.1:8080"}};
  raw.cookies["veille_session"] = b.cookie;
  raw.form = {{"csrf", token}};
  raw.form_ok = false;
  EXPECT_EQ(f.app->Handle(raw).status, 403);
  EXPECT_EQ(b.Get("/").status, 200);
}

TEST(WebAppTest, GetNeverChangesAnything) {
  Fixture f(Fixture::Password());
  Browser b{*f.app};
  const std::string login_token = CsrfOf(b.Get("/login").body);
  ASSERT_EQ(b.Post("/login", {{"csrf", login_token}, {"password", "correct horse"}}).status, 303);
  for (const char* path : {"/logout", "/language"}) {
    const Response r = b.Get(path);
    EXPECT_EQ(r.status, 405) << path;
    EXPECT_EQ(HeaderOf(r, "Allow"), "POST") << path;
  }
  EXPECT_EQ(b.Get("/").status, 200) << "still signed in";
}

TEST(WebAppTest, SigningOutEndsTheSession) {
  Fixture f(Fixture::Password());
  Browser b{*f.app};
  const std::string login_token = CsrfOf(b.Get("/login").body);
  ASSERT_EQ(b.Post("/login", {{"csrf", login_token}, {"password", "correct horse"}}).status, 303);
  const std::string session = b.cookie;
  const Response r = b.Post("/logout", {{"csrf", CsrfOf(b.Get("/").body)}});
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(HeaderOf(r, "Location"), "/login");
  EXPECT_NE(HeaderOf(r, "Set-Cookie").find("veille_session=; Path=/; Max-Age=0"),
            std::string::npos);
  Browser replay{*f.app};
  replay.cookie = session;
  EXPECT_EQ(replay.Get("/").status, 303) << "the old id is dead on the server too";
}

TEST(WebAppTest, TheLanguageChosenSurvivesSigningOut) {
  Fixture f(Fixture::Password());
  Browser b{*f.app};
  const std::string login_token = CsrfOf(b.Get("/login").body);
  ASSERT_EQ(b.Post("/login", {{"csrf", login_token}, {"password", "correct horse"}}).status, 303);
  ASSERT_EQ(b.Post("/language", {{"csrf", CsrfOf(b.Get("/").body)}, {"language", "fr"}}).status,
            303);
  const std::string session = b.cookie;
  const Response r = b.Post("/logout", {{"csrf", CsrfOf(b.Get("/").body)}});
  EXPECT_EQ(HeaderOf(r, "Location"), "/login");
  EXPECT_NE(b.cookie, session) << "a new, anonymous session keeps the language";
  EXPECT_NE(b.Get("/login").body.find("<html lang=\"fr\">"), std::string::npos);
  Browser replay{*f.app};
  replay.cookie = session;
  EXPECT_EQ(replay.Get("/").status, 303);
}

TEST(WebAppTest, SessionsExpire) {
  AppOptions options = Fixture::Password();
  options.session_lifetime_s = 3600;
  Fixture f(std::move(options));
  Browser b{*f.app};
  const std::string login_token = CsrfOf(b.Get("/login").body);
  ASSERT_EQ(b.Post("/login", {{"csrf", login_token}, {"password", "correct horse"}}).status, 303);
  const std::string cookie = HeaderOf(b.Get("/"), "Set-Cookie");
  f.now_ms += 3599 * 1000;
  EXPECT_EQ(b.Get("/").status, 200);
  f.now_ms += 2000;
  EXPECT_EQ(b.Get("/").status, 303);
}

TEST(WebAppTest, SignInAttemptsAreRateLimitedPerAddress) {
  Fixture f(Fixture::Password());
  Browser b{*f.app};
  const std::string token = CsrfOf(b.Get("/login").body);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(b.Post("/login", {{"csrf", token}, {"password", "guess"}}).status, 401) << i;
  }
  Response r = b.Post("/login", {{"csrf", token}, {"password", "correct horse"}});
  EXPECT_EQ(r.status, 429) << "even the right password waits";
  EXPECT_EQ(HeaderOf(r, "Retry-After"), "12");
  EXPECT_NE(r.body.find("Too many sign-in attempts. Try again in 12 seconds."), std::string::npos);
  // Behind a trusted proxy, the address is the one it forwarded.
  Browser proxied{*f.app};
  proxied.headers["x-forwarded-for"] = "198.51.100.9";
  const std::string other = CsrfOf(proxied.Get("/login").body);
  EXPECT_EQ(proxied.Post("/login", {{"csrf", other}, {"password", "correct horse"}}).status, 303);
  f.now_ms += 12'000;
  EXPECT_EQ(b.Post("/login", {{"csrf", token}, {"password", "correct horse"}}).status, 303);
}

TEST(WebAppTest, SignInsAreLoggedWithoutThePassword) {
  std::vector<std::string> lines;
  AppOptions options = Fixture::Password();
  options.log = [&lines](const std::string& line) { lines.push_back(line); };
  options.login_limits.per_address_burst = 2;
  Fixture f(std::move(options));
  Browser b{*f.app};
  const std::string token = CsrfOf(b.Get("/login").body);
  b.Post("/login", {{"csrf", token}, {"user", "al'ice\n<x>"}, {"password", "hunter2"}});
  b.Post("/login", {{"csrf", token}, {"password", "correct horse"}});
  Browser again{*f.app};  // the same address, a third attempt
  again.Post("/login", {{"csrf", CsrfOf(again.Get("/login").body)}, {"password", "correct horse"}});
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], "sign-in refused for 'veille' from 127.0.0.1: wrong user name or password")
      << "a shared account: the typed name does not matter";
  EXPECT_EQ(lines[1], "sign-in of 'veille' from 127.0.0.1");
  EXPECT_EQ(lines[2],
            "sign-in attempt for 'veille' from 127.0.0.1 refused: rate limit (12 s to wait)");
  for (const auto& line : lines) {
    EXPECT_EQ(line.find("hunter2"), std::string::npos);
    EXPECT_EQ(line.find("correct horse"), std::string::npos);
  }
  // With named accounts, the typed name is logged, made printable.
  AppOptions named;
  named.auth = AuthMode::kPassword;
  named.passwords = PasswordFile::Parse("alice:" + SharedHash(), "web.users").value();
  named.log = [&lines](const std::string& line) { lines.push_back(line); };
  Fixture g(std::move(named));
  Browser c{*g.app};
  c.Post(
      "/login",
      {{"csrf", CsrfOf(c.Get("/login").body)}, {"user", "al'ice\n<x>"}, {"password", "hunter2"}});
  EXPECT_EQ(lines.back(),
            "sign-in refused for 'al?ice?<x>' from 127.0.0.1: wrong user name or password");
}

TEST(WebAppTest, SignInAttemptsAreRateLimitedForTheWholeServer) {
  AppOptions options = Fixture::Password();
  options.login_limits.global_burst = 3;
  Fixture f(std::move(options));
  for (int i = 0; i < 4; ++i) {
    Browser b{*f.app};
    b.peer = "192.0.2." + std::to_string(i);
    const std::string token = CsrfOf(b.Get("/login").body);
    EXPECT_EQ(b.Post("/login", {{"csrf", token}, {"password", "guess"}}).status, i < 3 ? 401 : 429)
        << i;
  }
}

TEST(WebAppTest, WithoutAuthenticationOnlyLoopbackHostNamesAreServed) {
  Fixture f(AppOptions{});
  Browser b{*f.app};
  for (const char* host : {"127.0.0.1:8080", "localhost:8080", "[::1]:8080", "LOCALHOST"}) {
    b.headers["host"] = host;
    EXPECT_EQ(b.Get("/").status, 200) << host;
  }
  for (const char* host : {"evil.example", "evil.example:8080", "127.0.0.1.evil.example", ""}) {
    b.headers["host"] = host;
    EXPECT_EQ(b.Get("/").status, 421) << "DNS rebinding: " << host;
  }
  b.headers["host"] = "127.0.0.1:8080";
  const Response r = b.Get("/");
  EXPECT_NE(r.body.find("<dd id=\"home-user\">local</dd>"), std::string::npos);
  EXPECT_EQ(r.body.find("id=\"logout\""), std::string::npos) << "nothing to sign out of";
  EXPECT_EQ(b.Get("/login").status, 303);
}

TEST(WebAppTest, ConfiguredHostNamesAreTheOnlyOthersServed) {
  AppOptions options = Fixture::Password();
  options.hostnames = {"veille.example.org"};
  Fixture f(std::move(options));
  Browser b{*f.app};
  b.headers["host"] = "veille.example.org";
  EXPECT_EQ(b.Get("/login").status, 200);
  b.headers["host"] = "other.example.org";
  EXPECT_EQ(b.Get("/login").status, 421);
}

TEST(WebAppTest, BehindAnAuthenticatingProxyTheHeaderNamesTheUser) {
  AppOptions options;
  options.auth = AuthMode::kProxy;
  options.user_header = "X-Forwarded-User";
  Fixture f(std::move(options));
  Browser direct{*f.app};
  direct.peer = "192.0.2.10";
  direct.headers["x-forwarded-user"] = "mallory";
  EXPECT_EQ(direct.Get("/").status, 403) << "not from a trusted proxy";
  Browser anonymous{*f.app};
  EXPECT_EQ(anonymous.Get("/").status, 403) << "from the proxy but without the header";

  Browser alice{*f.app};
  alice.headers["x-forwarded-user"] = "alice";
  Response r = alice.Get("/");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("<dd id=\"home-user\">alice</dd>"), std::string::npos);
  const std::string token = CsrfOf(r.body);
  // The same cookie under another user's name: a new session, and the old token is refused.
  alice.headers["x-forwarded-user"] = "bob";
  EXPECT_EQ(alice.Post("/language", {{"csrf", token}, {"language", "fr"}}).status, 403);
  r = alice.Get("/");
  EXPECT_NE(r.body.find("<dd id=\"home-user\">bob</dd>"), std::string::npos);
  EXPECT_NE(CsrfOf(r.body), token);
}

TEST(WebAppTest, HostileUserNamesAreRenderedAsText) {
  AppOptions options;
  options.auth = AuthMode::kProxy;
  options.user_header = "X-Forwarded-User";
  Fixture f(std::move(options));
  for (std::string_view name : testing::kHostileTitles) {
    Browser b{*f.app};
    b.headers["x-forwarded-user"] = std::string(name);
    const Response r = b.Get("/");
    if (name.find('\x01') != std::string_view::npos) {
      EXPECT_EQ(r.status, 403) << "control bytes are not a user name";
      continue;
    }
    ASSERT_EQ(r.status, 200) << name;
    for (const char* bad : {"<script>", "<img", "<svg/", "' onmouseover", "<style", "<!--"}) {
      EXPECT_EQ(r.body.find(bad), std::string::npos) << name << " gave " << bad;
    }
  }
}

TEST(WebAppTest, PagesFollowTheBrowsersLanguageTheSettingAndTheSwitch) {
  Fixture f(Fixture::Password());
  Browser b{*f.app};
  b.headers["accept-language"] = "fr-FR,fr;q=0.9,en;q=0.5";
  Response r = b.Get("/login");
  EXPECT_NE(r.body.find("<html lang=\"fr\">"), std::string::npos);
  EXPECT_NE(r.body.find("Mot de passe"), std::string::npos);
  b.headers["accept-language"] = "en-GB";
  r = b.Get("/login");
  EXPECT_NE(r.body.find("<html lang=\"en\">"), std::string::npos);
  EXPECT_NE(r.body.find(">Password<"), std::string::npos);
  // The footer's switch (a POST with the token) wins over the browser for this session.
  EXPECT_EQ(b.Post("/language", {{"csrf", CsrfOf(r.body)}, {"language", "fr"}}).status, 303);
  r = b.Get("/login");
  EXPECT_NE(r.body.find("<html lang=\"fr\">"), std::string::npos);
  EXPECT_EQ(b.Post("/language", {{"csrf", CsrfOf(r.body)}, {"language", "de"}}).status, 400);

  AppOptions french = Fixture::Password();
  french.language = "fr";
  Fixture g(std::move(french));
  Browser c{*g.app};
  c.headers["accept-language"] = "en";
  EXPECT_NE(c.Get("/login").body.find("<html lang=\"fr\">"), std::string::npos)
      << "[web] language = \"fr\" wins over the browser";
}

TEST(WebAppTest, EveryResponseCarriesTheSecurityHeaders) {
  Fixture f(Fixture::Password());
  Browser b{*f.app};
  std::vector<Response> responses = {b.Get("/"),
                                     b.Get("/login"),
                                     b.Get("/nowhere"),
                                     b.Send("DELETE", "/"),
                                     b.Post("/logout", {}),
                                     b.Get(std::string(Stylesheet().path))};
  b.headers["host"] = "evil.example";
  responses.push_back(b.Get("/"));
  for (const Response& r : responses) {
    SCOPED_TRACE(r.status);
    EXPECT_NE(HeaderOf(r, "Content-Security-Policy").find("default-src 'self'"), std::string::npos);
    EXPECT_EQ(HeaderOf(r, "X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(HeaderOf(r, "Referrer-Policy"), "no-referrer");
    EXPECT_FALSE(HeaderOf(r, "Cache-Control").empty());
  }
  EXPECT_EQ(responses[2].status, 404);
  EXPECT_EQ(responses[3].status, 405);
  EXPECT_EQ(responses[4].status, 403);
  EXPECT_EQ(responses[5].status, 200);
  EXPECT_EQ(responses[5].content_type, "text/css; charset=utf-8");
  EXPECT_EQ(HeaderOf(responses[5], "Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(HeaderOf(responses[1], "Cache-Control"), "no-store");
}

TEST(WebAppTest, PagesHaveNoInlineScriptOrStyle) {
  Fixture f(AppOptions{});
  Browser b{*f.app};
  const std::string body = b.Get("/").body;
  EXPECT_NE(body.find("<script src=\"" + std::string(Script().path) + "\" defer></script>"),
            std::string::npos);
  EXPECT_NE(body.find("<link rel=\"stylesheet\" href=\"" + std::string(Stylesheet().path) + "\">"),
            std::string::npos);
  EXPECT_EQ(body.find("<style"), std::string::npos);
  EXPECT_EQ(body.find("style=\""), std::string::npos);
  EXPECT_FALSE(std::regex_search(body, std::regex(" on[a-z]+=")));  // no event attributes
  std::size_t scripts = 0;
  for (auto at = body.find("<script"); at != std::string::npos; at = body.find("<script", at + 1)) {
    ++scripts;
  }
  EXPECT_EQ(scripts, 1u);
  EXPECT_EQ(b.Get(std::string(Script().path)).content_type, "text/javascript; charset=utf-8");
}

}  // namespace
}  // namespace veille::web
