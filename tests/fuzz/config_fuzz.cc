// libFuzzer target: the configuration parser (lib/config ParseConfig) on arbitrary TOML text.
// Properties: no crash, no exception escapes (toml++ throws; ParseConfig must turn that into an
// error value), an error always names the file, and an accepted config respects the documented
// bounds that the daemon relies on.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string path = "/fuzz/veille.toml";
  const auto config = veille::config::ParseConfig(text, path);
  if (!config) {
    if (config.error().message.find(path) == std::string::npos) __builtin_trap();
    return 0;
  }
  const auto& p = config->polling;
  if (p.min_interval_s > p.max_interval_s) __builtin_trap();
  if (p.concurrency < 1 || p.per_host < 1) __builtin_trap();
  for (const auto& f : config->feeds) {
    if (f.url.empty()) __builtin_trap();
  }
  return 0;
}
