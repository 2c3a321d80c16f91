// The daemon's fetch settings for the CLI commands that fetch (fetch, discover): the config's
// polling section when the file exists, so that a command sees what veilled would see.
#pragma once

#include <optional>
#include <string>

#include "fetch/fetcher.h"

namespace veille::cli {

// FetchOptions from the config at `config_path` (user agent, limits, timeouts, max body,
// allow_private); the built-in defaults when `use_config` is false or the file does not exist.
// nullopt, after printing "veille: <message>", when the file exists and is broken.
std::optional<fetch::FetchOptions> DaemonFetchOptions(const std::string& config_path,
                                                      bool use_config);

}  // namespace veille::cli
