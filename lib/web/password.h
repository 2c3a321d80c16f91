// Who may sign in to the web inbox: the `[web] password_file` (argon2id hashes in the PHC string
// format, `$argon2id$v=19$m=19456,t=2,p=1$salt$hash`, one per line: `HASH` alone for one shared
// account named "veille", or `name:HASH` per person), and the libargon2 calls that make and check
// the hashes. Verifications run at most two at a time, whatever the number of server threads.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace veille::web {

// The account name of a password file whose line is a bare hash.
inline constexpr std::string_view kSharedUser = "veille";

// argon2id with OWASP's minimum (19 MiB of memory, 2 passes, 1 lane) and a random 16-byte salt:
// the encoded string for a password file line.
[[nodiscard]] Result<std::string> HashPassword(std::string_view password);

// True when `password` matches `encoded` (an argon2id string). Blocks while two other
// verifications are running.
bool VerifyPassword(const std::string& encoded, std::string_view password);

class PasswordFile {
 public:
  // Parses the file's text; `name` (the path or credential) prefixes errors as "NAME:LINE: ...".
  // Blank lines and lines starting with '#' are skipped. A line that is not an argon2id hash, a
  // user name with characters other than letters, digits, ".", "_", "@" and "-", or a name
  // given twice is an error (kConfig). An empty file is an error.
  [[nodiscard]] static Result<PasswordFile> Parse(std::string_view text, const std::string& name);
  // Reads `location` (a path or "credential:NAME", common/secret.h) and parses it.
  [[nodiscard]] static Result<PasswordFile> Load(const std::string& location);

  // The account `user` signs in as when `password` is right, else nullopt. `user` may be empty
  // when the file holds one shared account. An unknown user costs one verification too, so the
  // time taken does not tell which names exist.
  std::optional<std::string> Check(std::string_view user, std::string_view password) const;

  // True when the login form needs no user name (one bare hash).
  bool shared() const { return shared_; }

 private:
  std::map<std::string, std::string, std::less<>> hashes_;  // user -> encoded hash
  bool shared_ = false;
};

}  // namespace veille::web
