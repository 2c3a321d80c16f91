#include "pipeline/channels.h"

#include <spdlog/spdlog.h>

#include "alert/log_transport.h"

namespace veille::pipeline {

void RegisterTransports(const config::Config& config, alert::Dispatcher& dispatcher) {
  dispatcher.ClearTransports();
  auto log_sink = [](const std::string& line) { spdlog::info("{}", line); };
  for (const auto& channel : config.channels) {
    if (channel.type == "log") {
      dispatcher.SetTransport(channel.name, std::make_shared<alert::LogTransport>(log_sink));
    } else {
      spdlog::warn("channel {}: {} delivery is not available in this build; its alerts stay pending",
                   channel.name, channel.type);
    }
  }
}

}  // namespace veille::pipeline
