#include "web/app.h"

#include <chrono>

#include "i18n/accept_language.h"
#include "web/assets.h"
#include "web/pages.h"
#include "web/security.h"

namespace veille::web {

struct App::Context {
  const i18n::Translator* tr = nullptr;
  std::optional<Session> session;  // the cookie's live session, if any
  bool secure = false;             // the request came over TLS (a trusted proxy says so)
  std::vector<std::string> cookies;
};

namespace {

using i18n::Format;

std::int64_t SystemClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return out;
}

// "example.org:8443" -> "example.org"; "[::1]:8080" -> "[::1]".
std::string HostWithoutPort(std::string_view host) {
  if (!host.empty() && host.front() == '[') return std::string(host.substr(0, host.find(']') + 1));
  return std::string(host.substr(0, host.find(':')));
}

// A user name from a proxy header: printable, not absurdly long.
bool PlausibleUser(std::string_view user) {
  if (user.empty() || user.size() > 256) return false;
  for (char c : user) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return false;
  }
  return true;
}

// A name typed into the sign-in form, fit for a log line.
std::string LogSafe(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 64)) out += c >= 0x20 && c < 0x7f && c != '\'' ? c : '?';
  return "'" + out + "'";
}

}  // namespace

App::App(AppOptions options, std::map<std::string, i18n::Translator> translators,
         std::function<std::int64_t()> clock_ms)
    : options_(std::move(options)),
      translators_(std::move(translators)),
      clock_ms_(clock_ms ? std::move(clock_ms) : SystemClockMs),
      sessions_(SessionOptions{options_.session_lifetime_s, 3600, 10000}),
      limiter_(options_.login_limits) {
  if (!translators_.contains("en")) translators_.emplace("en", i18n::Translator());
  if (options_.passwords) {
    passwords_ = std::make_shared<const PasswordFile>(std::move(*options_.passwords));
    options_.passwords.reset();
  }
}

void App::SetPasswords(PasswordFile passwords) {
  auto fresh = std::make_shared<const PasswordFile>(std::move(passwords));
  std::lock_guard lock(passwords_mutex_);
  passwords_ = std::move(fresh);
}

bool App::HostAllowed(const Request& request) const {
  const std::string host = Lower(request.Header("host"));
  const std::string name = HostWithoutPort(host);
  if (name == "127.0.0.1" || name == "localhost" || name == "[::1]") return true;
  for (const auto& allowed : options_.hostnames) {
    const std::string a = Lower(allowed);
    if (host == a || (a.find(':') == std::string::npos && name == a)) return true;
  }
  // Without authentication, only loopback names: a page of another site whose name resolves to
  // 127.0.0.1 (DNS rebinding) cannot read the inbox.
  return options_.hostnames.empty() && options_.auth != AuthMode::kNone && !host.empty();
}

bool App::FromTrustedProxy(const Request& request) const {
  for (const auto& proxy : options_.trusted_proxies) {
    if (request.peer == proxy) return true;
  }
  return false;
}

std::string App::ClientAddress(const Request& request) const {
  if (FromTrustedProxy(request)) {
    // The last X-Forwarded-For entry is the one the proxy added itself.
    std::string_view forwarded = request.Header("x-forwarded-for");
    forwarded = forwarded.substr(
        forwarded.rfind(',') == std::string_view::npos ? 0 : forwarded.rfind(',') + 1);
    while (!forwarded.empty() && forwarded.front() == ' ') forwarded.remove_prefix(1);
    while (!forwarded.empty() && forwarded.back() == ' ') forwarded.remove_suffix(1);
    if (!forwarded.empty() && forwarded.size() <= 64) return std::string(forwarded);
  }
  return request.peer;
}

bool App::OverTls(const Request& request) const {
  return FromTrustedProxy(request) && Lower(request.Header("x-forwarded-proto")) == "https";
}

const i18n::Translator& App::TranslatorFor(const Request& request,
                                           const std::optional<Session>& session) const {
  std::string language = session ? session->language : "";
  if (language.empty() && options_.language != "auto") language = options_.language;
  if (language.empty())
    language = i18n::LanguageFromAcceptLanguage(request.Header("accept-language"));
  const auto it = translators_.find(language);
  return it != translators_.end() ? it->second : translators_.at("en");
}

std::optional<Session> App::SessionOf(const Request& /*request*/, Context& context,
                                      const std::string& user) {
  if (context.session && context.session->user == user) return context.session;
  if (context.session) sessions_.Remove(context.session->id);  // someone else's: not reused
  Session fresh = sessions_.Create(user, clock_ms_() / 1000);
  context.cookies.push_back(
      SessionCookie(fresh.id, user.empty() ? 3600 : options_.session_lifetime_s, context.secure));
  context.session = fresh;
  return fresh;
}

bool App::CsrfValid(const Request& request, const std::optional<Session>& session) const {
  if (!session || !request.form_ok) return false;
  const std::string& token = request.Field("csrf");
  if (token.empty() || !ConstantTimeEqual(token, session->csrf)) return false;
  // Without a sign-in form, the session must still be the current user's.
  if (options_.auth == AuthMode::kNone) return session->user == kLocalUser;
  if (options_.auth == AuthMode::kProxy) {
    return session->user == request.Header(Lower(options_.user_header));
  }
  return true;
}

Response App::Handle(const Request& request) {
  Response response;
  Context context;
  context.secure = OverTls(request);
  const bool head = request.method == "HEAD";
  const bool get = request.method == "GET" || head;
  if (!get && request.method != "POST") {
    response = PlainResponse(405, "method not allowed\n");
    response.headers.emplace_back("Allow", "GET, HEAD, POST");
  } else if (!HostAllowed(request)) {
    // 421: this server does not answer for that name (DNS rebinding, a wrong proxy setup).
    response = PlainResponse(421, "unknown Host; add it to [web] hostnames\n");
  } else if (options_.auth == AuthMode::kProxy &&
             (!FromTrustedProxy(request) ||
              !PlausibleUser(request.Header(Lower(options_.user_header))))) {
    response = PlainResponse(403, "direct access refused: sign in through the reverse proxy\n");
  } else if (get && (request.path == Stylesheet().path || request.path == Script().path)) {
    const Asset& asset = request.path == Stylesheet().path ? Stylesheet() : Script();
    response.content_type = std::string(asset.content_type);
    response.body = std::string(asset.body);
    for (auto& h : SecurityHeaders(true)) response.headers.push_back(std::move(h));
    return response;
  } else {
    context.session =
        sessions_.Find(request.Cookie(std::string(kSessionCookie)), clock_ms_() / 1000);
    context.tr = &TranslatorFor(request, context.session);
    response = Route(request, context);
  }
  for (const auto& cookie : context.cookies) response.headers.emplace_back("Set-Cookie", cookie);
  for (auto& h : SecurityHeaders(false)) response.headers.push_back(std::move(h));
  return response;
}

Response App::Route(const Request& request, Context& context) {
  const bool get = request.method == "GET" || request.method == "HEAD";
  struct RouteEntry {
    const char* path;
    bool post;
  };
  static constexpr RouteEntry kRoutes[] = {
      {"/", false},        {"/login", false},      {"/login", true},   {"/logout", true},
      {"/language", true}, {"/inbox", false},      {"/story/", false}, {"/triage", true},
      {"/tester", false},  {"/dashboard", false},  {"/feeds", false},  {"/feeds/poll", true},
      {"/alerts", false},  {"/alerts/retry", true}};
  // "/story/ID" is routed as "/story/" (the page checks the number).
  const std::string path =
      request.path.starts_with("/story/") && request.path.size() > 7 ? "/story/" : request.path;
  const bool inbox_route =
      path == "/inbox" || path == "/story/" || path == "/triage" || path == "/tester";
  bool known = false;
  bool method_ok = false;
  for (const auto& r : kRoutes) {
    if (path != r.path || (inbox_route && !options_.archive)) continue;
    known = true;
    method_ok = method_ok || r.post != get;
  }
  const i18n::Translator& tr = *context.tr;
  if (!known) return Error(context, 404, tr.Tr("Not found"), tr.Tr("There is no page here."));
  if (!method_ok) {
    Response r = Error(context, 405, tr.Tr("Method not allowed"),
                       tr.Tr("This address does not take that kind of request."));
    r.headers.emplace_back("Allow", get ? "POST" : "GET, HEAD");
    return r;
  }
  using store::Access;
  if (get && (path == "/" || inbox_route)) {
    const std::optional<Session> session = SignedIn(request, context);
    if (!session) return SeeOther("/login");
    if (!options_.archive) return Home(request, context);
    if (path == "/tester") {
      return TesterResponse(request, FrameOf(context, *session), *options_.archive,
                            clock_ms_() / 1000);
    }
    if (path == "/story/")
      return StoryResponse(request, FrameOf(context, *session), *options_.archive);
    return InboxResponse(request, FrameOf(context, *session), *options_.archive);
  }
  if (get) {
    if (path == "/dashboard") return Archive(request, context, DashboardPage, Access::kRead);
    if (path == "/feeds") return Archive(request, context, FeedsPage, Access::kRead);
    if (path == "/alerts") return Archive(request, context, AlertsPage, Access::kRead);
    return LoginForm(request, context, 200, "");
  }
  // Every POST carries the session's CSRF token, before anything else is looked at.
  if (!CsrfValid(request, context.session)) {
    if (request.path == "/login" && options_.auth == AuthMode::kPassword) {
      return LoginForm(request, context, 403, tr.Tr("The form had expired. Please sign in again."));
    }
    return Error(context, 403, tr.Tr("Forbidden"),
                 tr.Tr("The form had expired or came from another site. Go back, reload the page "
                       "and try again."));
  }
  if (path == "/triage") {
    const std::optional<Session> session = SignedIn(request, context);
    if (!session) return SeeOther("/login");
    return TriageResponse(request, FrameOf(context, *session), *options_.archive,
                          clock_ms_() / 1000);
  }
  if (request.path == "/login") return Login(request, context);
  if (request.path == "/logout") return Logout(request, context);
  if (request.path == "/feeds/poll") return Archive(request, context, PollNow, Access::kWrite);
  if (request.path == "/alerts/retry") {
    return Archive(request, context, RetryAlerts, Access::kWrite);
  }
  return Language(request, context);
}

Response App::Archive(const Request& request, Context& context,
                      Response (*page)(const ArchiveRequest&), store::Access access) {
  const i18n::Translator& tr = *context.tr;
  const std::optional<Session> session = SignedIn(request, context);
  if (!session) {
    // A GET goes to the sign-in page; a POST of the sign-in page's session is refused.
    if (request.method != "POST") return SeeOther("/login");
    return Error(context, 403, tr.Tr("Forbidden"), tr.Tr("Sign in first."));
  }
  if (!options_.archive) {
    return Error(context, 503, tr.Tr("Archive unavailable"), tr.Tr("No archive is configured."));
  }
  auto store = options_.archive->Borrow(access);
  if (!store) {
    return Error(context, 503, tr.Tr("Archive unavailable"), store.error().message);
  }
  PageFrame frame = FrameOf(context, *session);
  frame.section = request.path;
  return page(ArchiveRequest{request, frame, **store, *options_.archive, clock_ms_() / 1000});
}

std::optional<Session> App::SignedIn(const Request& request, Context& context) {
  switch (options_.auth) {
    case AuthMode::kPassword:
      if (!context.session || context.session->user.empty()) return std::nullopt;
      return context.session;
    case AuthMode::kNone:
      return SessionOf(request, context, std::string(kLocalUser));
    case AuthMode::kProxy:
      return SessionOf(request, context, request.Header(Lower(options_.user_header)));
  }
  return std::nullopt;
}

PageFrame App::FrameOf(Context& context, const Session& session) const {
  return PageFrame{context.tr,
                   session.user,
                   session.csrf,
                   options_.version,
                   options_.auth == AuthMode::kPassword,
                   ""};
}

Response App::Home(const Request& request, Context& context) {
  const std::optional<Session> session = SignedIn(request, context);
  if (!session) return SeeOther("/login");
  Response r;
  r.body = HomePage(FrameOf(context, *session));
  return r;
}

Response App::LoginForm(const Request& request, Context& context, int status,
                        const std::string& error) {
  if (options_.auth != AuthMode::kPassword) return SeeOther("/");
  if (status == 200 && context.session && !context.session->user.empty()) return SeeOther("/");
  // A signed-in session is never replaced here (a forged POST must not sign anyone out).
  const std::optional<Session> session = context.session && !context.session->user.empty()
                                             ? context.session
                                             : SessionOf(request, context, "");
  std::shared_ptr<const PasswordFile> passwords;
  {
    std::lock_guard lock(passwords_mutex_);
    passwords = passwords_;
  }
  PageFrame frame{context.tr, "", session->csrf, options_.version, false, ""};
  Response r;
  r.status = status;
  r.body = LoginPage(frame, passwords && !passwords->shared(), error);
  return r;
}

Response App::Login(const Request& request, Context& context) {
  if (options_.auth != AuthMode::kPassword) return SeeOther("/");
  const i18n::Translator& tr = *context.tr;
  std::shared_ptr<const PasswordFile> passwords;
  {
    std::lock_guard lock(passwords_mutex_);
    passwords = passwords_;
  }
  const std::string client = ClientAddress(request);
  const std::string who =
      LogSafe((passwords && passwords->shared()) || request.Field("user").empty()
                  ? std::string_view(kSharedUser)
                  : request.Field("user"));
  if (const std::int64_t wait = limiter_.Take(client, clock_ms_()); wait > 0) {
    if (options_.log) {
      options_.log("sign-in attempt for " + who + " from " + client + " refused: rate limit (" +
                   std::to_string(wait) + " s to wait)");
    }
    Response r = LoginForm(request, context, 429,
                           Format(tr.TrN("Too many sign-in attempts. Try again in {n} second.",
                                         "Too many sign-in attempts. Try again in {n} seconds.",
                                         static_cast<std::uint64_t>(wait)),
                                  {{"n", tr.Integer(wait)}}));
    r.headers.emplace_back("Retry-After", std::to_string(wait));
    return r;
  }
  const std::optional<std::string> user =
      passwords ? passwords->Check(request.Field("user"), request.Field("password")) : std::nullopt;
  if (!user) {
    if (options_.log) {
      options_.log("sign-in refused for " + who + " from " + client +
                   ": wrong user name or password");
    }
    return LoginForm(request, context, 401, tr.Tr("Wrong user name or password."));
  }
  if (options_.log) options_.log("sign-in of " + LogSafe(*user) + " from " + client);
  // A new session id on sign-in: the anonymous one (and anything planted in it) is dropped.
  const std::string language = context.session->language;
  sessions_.Remove(context.session->id);
  context.session.reset();
  const std::optional<Session> session = SessionOf(request, context, *user);
  if (!language.empty()) sessions_.SetLanguage(session->id, language);
  return SeeOther("/");
}

Response App::Logout(const Request& request, Context& context) {
  const std::string language = context.session->language;
  sessions_.Remove(context.session->id);
  context.session.reset();
  if (options_.auth == AuthMode::kPassword && !language.empty()) {
    // The sign-in page that follows stays in the language the user chose.
    const std::optional<Session> anonymous = SessionOf(request, context, "");
    sessions_.SetLanguage(anonymous->id, language);
  } else {
    context.cookies.push_back(SessionCookie("", 0, context.secure));
  }
  return SeeOther(options_.auth == AuthMode::kPassword ? "/login" : "/");
}

Response App::Language(const Request& request, Context& context) {
  const std::string& language = request.Field("language");
  if (!translators_.contains(language)) {
    const i18n::Translator& tr = *context.tr;
    return Error(context, 400, tr.Tr("Bad request"), tr.Tr("Unknown language."));
  }
  sessions_.SetLanguage(context.session->id, language);
  return SeeOther(context.session->user.empty() ? "/login" : "/");
}

Response App::Error(Context& context, int status, const std::string& heading,
                    const std::string& message) {
  PageFrame frame{context.tr, "", "", options_.version, false, ""};
  Response r;
  r.status = status;
  r.body = ErrorPage(frame, heading, message);
  return r;
}

}  // namespace veille::web
