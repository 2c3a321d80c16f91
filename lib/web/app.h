// The web inbox's request handler: routing, authentication (a password file, an authenticating
// reverse proxy, or nobody on a loopback address), sessions, CSRF, the Host check and the
// security headers (docs/web.md, "Security model"). No socket here: HttpServer calls Handle()
// from its threads, and tests call it directly.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "i18n/translator.h"
#include "web/archive_pages.h"
#include "web/http_server.h"
#include "web/inbox.h"
#include "web/password.h"
#include "web/rate_limit.h"
#include "web/sessions.h"

namespace veille::web {

enum class AuthMode {
  kNone,      // loopback only: every local client is the user "local"
  kPassword,  // the sign-in form against [web] password_file
  kProxy,     // the user named by a trusted reverse proxy's header; direct access refused
};

struct AppOptions {
  AuthMode auth = AuthMode::kNone;
  std::optional<PasswordFile> passwords;  // kPassword
  std::string user_header;                // kProxy: "X-Forwarded-User"
  // Peers whose X-Forwarded-Proto / X-Forwarded-For (and, in kProxy, user header) count.
  std::vector<std::string> trusted_proxies = {"127.0.0.1", "::1"};
  // Host names accepted besides 127.0.0.1, localhost and [::1] (any port). Empty with
  // authentication on: any Host.
  std::vector<std::string> hostnames;
  std::string language = "auto";  // auto | en | fr
  std::string version;
  std::int64_t session_lifetime_s = 12 * 3600;
  LoginLimits login_limits;
  // Told of every sign-in, refused sign-in and rate-limited attempt, as one line for the log
  // ("sign-in refused for 'alice' from 192.0.2.7: wrong user name or password"); user names are
  // cut to 64 printable ASCII characters. Called from the server's threads; may be empty.
  std::function<void(const std::string&)> log;
  // The archive of the inbox pages (web/inbox.h). Without it (the security model's tests), "/"
  // is a page naming the user and the version, and the inbox addresses are not found.
  std::optional<ArchiveAccess> archive;
};

// The user name of kNone.
inline constexpr std::string_view kLocalUser = "local";

class App {
 public:
  // `translators`: one per language of i18n::kLanguages ("en" at least). `clock_ms`: the
  // current time in milliseconds since the epoch (tests pass their own).
  App(AppOptions options, std::map<std::string, i18n::Translator> translators,
      std::function<std::int64_t()> clock_ms = {});

  Response Handle(const Request& request);

  // A new password file (SIGHUP); sessions stay.
  void SetPasswords(PasswordFile passwords);

 private:
  struct Context;  // one request's language, session and client
  Response Route(const Request& request, Context& context);
  Response Home(const Request& request, Context& context);
  // The session of a signed-in user, or nullopt (kPassword without one: sign in first).
  std::optional<Session> SignedIn(const Request& request, Context& context);
  PageFrame FrameOf(Context& context, const Session& session) const;
  Response LoginForm(const Request& request, Context& context, int status,
                     const std::string& error);
  Response Login(const Request& request, Context& context);
  Response Logout(const Request& request, Context& context);
  Response Language(const Request& request, Context& context);
  // A page of archive_pages.h for the signed-in user, over a store opened with `access` for
  // this request (the CSRF token of a POST is checked before).
  Response Archive(const Request& request, Context& context,
                   Response (*page)(const ArchiveRequest&), store::Access access);
  Response Error(Context& context, int status, const std::string& heading,
                 const std::string& message);

  bool HostAllowed(const Request& request) const;
  bool FromTrustedProxy(const Request& request) const;
  std::string ClientAddress(const Request& request) const;
  bool OverTls(const Request& request) const;
  const i18n::Translator& TranslatorFor(const Request& request,
                                        const std::optional<Session>& session) const;
  // The session of the request's cookie; with `user` set (kNone, kProxy), a session of that
  // user, created when missing or belonging to someone else.
  std::optional<Session> SessionOf(const Request& request, Context& context,
                                   const std::string& user);
  bool CsrfValid(const Request& request, const std::optional<Session>& session) const;

  AppOptions options_;
  std::map<std::string, i18n::Translator> translators_;
  std::function<std::int64_t()> clock_ms_;
  SessionStore sessions_;
  LoginLimiter limiter_;
  mutable std::mutex passwords_mutex_;
  std::shared_ptr<const PasswordFile> passwords_;
};

}  // namespace veille::web
