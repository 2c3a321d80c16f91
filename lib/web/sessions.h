// Sessions of the web inbox, in memory (a restart logs everyone out): a random id in an
// HttpOnly cookie, the user it belongs to ("" for the anonymous session that carries the login
// form's CSRF token), a CSRF token per session, an absolute expiry. Thread-safe; time is an
// argument, so tests need no clock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "common/time.h"

namespace veille::web {

struct Session {
  std::string id;
  std::string user;      // "" = not signed in (the login form's session)
  std::string csrf;      // compared in constant time with the form's token
  std::string language;  // "" = the [web] setting / Accept-Language; else "en" or "fr"
  UnixSeconds expires = 0;
};

struct SessionOptions {
  std::int64_t lifetime_s = 12 * 3600;       // a signed-in session
  std::int64_t anonymous_lifetime_s = 3600;  // the login form's session
  std::size_t max_sessions = 10000;          // beyond: the session closest to expiry goes
};

class SessionStore {
 public:
  explicit SessionStore(SessionOptions options = {}) : options_(options) {}

  // The live session of cookie value `id` at `now`, or nullopt (unknown or expired).
  std::optional<Session> Find(const std::string& id, UnixSeconds now);
  // A new session with fresh random id and CSRF token. A signed-in session is always a new id
  // (never the anonymous one upgraded), so an id planted before login is worth nothing.
  Session Create(const std::string& user, UnixSeconds now);
  // Ends a session (logout); unknown ids are ignored.
  void Remove(const std::string& id);
  // Sets the language of a live session; false when it is gone.
  bool SetLanguage(const std::string& id, const std::string& language);
  std::size_t size() const;

 private:
  void Evict(UnixSeconds now);  // expired ones, then the oldest while full

  SessionOptions options_;
  mutable std::mutex mutex_;
  std::map<std::string, Session> sessions_;
};

}  // namespace veille::web
