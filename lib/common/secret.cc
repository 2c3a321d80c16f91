#include "common/secret.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace veille {

Result<std::string> ReadSecret(const std::string& location) {
  std::string path = location;
  if (location.rfind("credential:", 0) == 0) {
    const char* dir = std::getenv("CREDENTIALS_DIRECTORY");
    if (dir == nullptr || *dir == '\0') {
      return Fail(ErrorCode::kConfig, location +
                                          ": $CREDENTIALS_DIRECTORY is not set (use "
                                          "LoadCredential= in the unit, or a file path)");
    }
    path = std::string(dir) + "/" + location.substr(11);
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(ErrorCode::kIo, "cannot read the secret file " + path);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  std::string secret = buffer.str();
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  if (secret.empty()) return Fail(ErrorCode::kConfig, "the secret file " + path + " is empty");
  return secret;
}

}  // namespace veille
