#include "web/password.h"

#include <argon2.h>

#include <condition_variable>
#include <mutex>

#include "common/secret.h"
#include "web/security.h"

namespace veille::web {
namespace {

constexpr std::uint32_t kTimeCost = 2;
constexpr std::uint32_t kMemoryKiB = 19456;
constexpr std::uint32_t kLanes = 1;
constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;
constexpr int kMaxConcurrentVerifications = 2;

// A fixed hash checked for unknown user names (its password is a random token nobody knows).
const std::string& DecoyHash() {
  static const std::string decoy = HashPassword(RandomToken(16)).value_or("");
  return decoy;
}

// At most kMaxConcurrentVerifications argon2 runs at once (19 MiB and ~50 ms each).
class Gate {
 public:
  void Enter() {
    std::unique_lock lock(mutex_);
    free_.wait(lock, [this] { return running_ < kMaxConcurrentVerifications; });
    ++running_;
  }
  void Leave() {
    {
      std::lock_guard lock(mutex_);
      --running_;
    }
    free_.notify_one();
  }

 private:
  std::mutex mutex_;
  std::condition_variable free_;
  int running_ = 0;
};

Gate& VerificationGate() {
  static Gate gate;
  return gate;
}

bool ValidUser(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '@' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

Result<std::string> HashPassword(std::string_view password) {
  std::string salt_hex = RandomToken(kSaltBytes);
  std::string salt(kSaltBytes, '\0');
  for (std::size_t i = 0; i < kSaltBytes; ++i) {
    salt[i] = static_cast<char>(std::stoi(salt_hex.substr(2 * i, 2), nullptr, 16));
  }
  std::string encoded(
      argon2_encodedlen(kTimeCost, kMemoryKiB, kLanes, kSaltBytes, kHashBytes, Argon2_id), '\0');
  const int rc =
      argon2id_hash_encoded(kTimeCost, kMemoryKiB, kLanes, password.data(), password.size(),
                            salt.data(), salt.size(), kHashBytes, encoded.data(), encoded.size());
  if (rc != ARGON2_OK) {
    return Fail(ErrorCode::kInternal, std::string("argon2: ") + argon2_error_message(rc));
  }
  encoded.resize(encoded.find('\0'));
  return encoded;
}

bool VerifyPassword(const std::string& encoded, std::string_view password) {
  Gate& gate = VerificationGate();
  gate.Enter();
  const int rc = argon2id_verify(encoded.c_str(), password.data(), password.size());
  gate.Leave();
  return rc == ARGON2_OK;
}

Result<PasswordFile> PasswordFile::Parse(std::string_view text, const std::string& name) {
  PasswordFile file;
  int line_number = 0;
  int bare = 0;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_number;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    if (line.empty() || line.front() == '#') continue;
    const std::string where = name + ":" + std::to_string(line_number) + ": ";
    std::string user(kSharedUser);
    std::string_view hash = line;
    if (line.front() != '$') {
      const auto colon = line.find(':');
      if (colon == std::string_view::npos) {
        return Fail(ErrorCode::kConfig,
                    where +
                        "expected an argon2id hash (veille serve --hash-password) or "
                        "name:hash");
      }
      user = std::string(line.substr(0, colon));
      hash = line.substr(colon + 1);
      if (!ValidUser(user)) {
        return Fail(ErrorCode::kConfig,
                    where + "a user name is 1 to 64 letters, digits or . _ @ -");
      }
    } else {
      ++bare;
    }
    if (hash.rfind("$argon2id$", 0) != 0) {
      return Fail(ErrorCode::kConfig,
                  where +
                      "not an argon2id hash (make one with veille serve --hash-password); a "
                      "password itself is never accepted");
    }
    if (!file.hashes_.emplace(user, std::string(hash)).second) {
      return Fail(ErrorCode::kConfig, where + "the user '" + user + "' is listed twice");
    }
  }
  if (file.hashes_.empty())
    return Fail(ErrorCode::kConfig, name + ": no password hash in the file");
  if (bare > 0 && file.hashes_.size() > 1) {
    return Fail(ErrorCode::kConfig,
                name + ": a bare hash (the shared account) cannot be mixed with name:hash lines");
  }
  file.shared_ = bare == 1;
  return file;
}

Result<PasswordFile> PasswordFile::Load(const std::string& location) {
  auto text = ReadSecret(location);
  if (!text) return tl::unexpected(text.error());
  return Parse(*text, location);
}

std::optional<std::string> PasswordFile::Check(std::string_view user,
                                               std::string_view password) const {
  const std::string name = shared_ || user.empty() ? std::string(kSharedUser) : std::string(user);
  const auto it = hashes_.find(name);
  if (it == hashes_.end()) {
    VerifyPassword(DecoyHash(), password);  // the same time as a wrong password
    return std::nullopt;
  }
  if (!VerifyPassword(it->second, password)) return std::nullopt;
  return it->first;
}

}  // namespace veille::web
