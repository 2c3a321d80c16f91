#include "daemon/cli_fetch.h"

#include <sys/stat.h>

#include <iostream>

#include "config/config.h"

namespace veille::cli {

std::optional<fetch::FetchOptions> DaemonFetchOptions(const std::string& config_path,
                                                      bool use_config) {
  fetch::FetchOptions options;
  struct stat st {};
  if (!use_config || ::stat(config_path.c_str(), &st) != 0) return options;
  auto config = config::LoadConfig(config_path);
  if (!config) {
    std::cerr << "veille: " << config.error().message << "\n";
    return std::nullopt;
  }
  options.user_agent = config->daemon.user_agent;
  options.concurrency = config->polling.concurrency;
  options.per_host = config->polling.per_host;
  options.timeout_s = config->polling.timeout_s;
  options.connect_timeout_s = config->polling.connect_timeout_s;
  options.max_body = config->polling.max_body;
  options.allow_private = config->polling.allow_private;
  return options;
}

}  // namespace veille::cli
