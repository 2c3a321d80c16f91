#include "archive/daemon_liveness.h"

#include <signal.h>

#include <cerrno>

namespace veille::archive {

Liveness LivenessOf(const std::optional<store::DaemonStatus>& status, UnixSeconds now,
                    bool local_pid) {
  if (!status) return Liveness::kNeverStarted;
  if (status->stopped_at) return Liveness::kStopped;
  if (local_pid) {
    const bool exists =
        status->pid > 0 && (::kill(static_cast<pid_t>(status->pid), 0) == 0 || errno == EPERM);
    if (!exists) return Liveness::kEnded;
  }
  if (now - status->heartbeat_at > kHeartbeatStaleAfterS) return Liveness::kStale;
  return Liveness::kRunning;
}

}  // namespace veille::archive
