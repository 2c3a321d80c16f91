#include "web/sessions.h"

#include <algorithm>

#include "web/security.h"

namespace veille::web {

std::optional<Session> SessionStore::Find(const std::string& id, UnixSeconds now) {
  if (id.empty()) return std::nullopt;
  std::lock_guard lock(mutex_);
  const auto it = sessions_.find(id);
  if (it == sessions_.end()) return std::nullopt;
  if (it->second.expires <= now) {
    sessions_.erase(it);
    return std::nullopt;
  }
  return it->second;
}

Session SessionStore::Create(const std::string& user, UnixSeconds now) {
  Session s;
  s.id = RandomToken();
  s.user = user;
  s.csrf = RandomToken();
  s.expires = now + (user.empty() ? options_.anonymous_lifetime_s : options_.lifetime_s);
  std::lock_guard lock(mutex_);
  Evict(now);
  sessions_.emplace(s.id, s);
  return s;
}

void SessionStore::Remove(const std::string& id) {
  std::lock_guard lock(mutex_);
  sessions_.erase(id);
}

bool SessionStore::SetLanguage(const std::string& id, const std::string& language) {
  std::lock_guard lock(mutex_);
  const auto it = sessions_.find(id);
  if (it == sessions_.end()) return false;
  it->second.language = language;
  return true;
}

std::size_t SessionStore::size() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

void SessionStore::Evict(UnixSeconds now) {
  if (sessions_.size() < options_.max_sessions) return;
  std::erase_if(sessions_, [now](const auto& kv) { return kv.second.expires <= now; });
  while (sessions_.size() >= options_.max_sessions) {
    // Anonymous sessions go first (a flood of login-page loads cannot push out signed-in
    // users), then the one closest to expiry.
    auto victim =
        std::min_element(sessions_.begin(), sessions_.end(), [](const auto& a, const auto& b) {
          const bool a_anon = a.second.user.empty();
          const bool b_anon = b.second.user.empty();
          if (a_anon != b_anon) return a_anon;
          return a.second.expires < b.second.expires;
        });
    sessions_.erase(victim);
  }
}

}  // namespace veille::web
