// Reading a secret named in the config: a path, or "credential:NAME" for
// $CREDENTIALS_DIRECTORY/NAME (systemd LoadCredential=).
#pragma once

#include <string>

#include "common/result.h"

namespace veille {

// The file's content with trailing newlines dropped. The error never contains the secret.
[[nodiscard]] Result<std::string> ReadSecret(const std::string& location);

}  // namespace veille
