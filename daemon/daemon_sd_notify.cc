// The notify protocol is one AF_UNIX datagram per message: no handshake, no reply. The manager
// identifies the sender from the kernel-attached credentials (SO_PASSCRED on its side), so a plain
// sendto() is enough; libsystemd only adds explicit SCM_CREDENTIALS when speaking for another pid.
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstddef>
#include <cstdlib>
#include <cstring>

#include "daemon/sd_notify.h"

namespace veille::daemon {
namespace {

// Closes the socket on every path out of NotifyTo.
class ScopedFd {
 public:
  explicit ScopedFd(int fd) : fd_(fd) {}
  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;
  ~ScopedFd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

std::string ErrnoText(int err) { return std::strerror(err); }

// Fills `addr` from "/path" or "@abstract"; returns the address length for sendto().
Result<socklen_t> MakeAddress(std::string_view address, sockaddr_un* addr) {
  std::memset(addr, 0, sizeof(*addr));
  addr->sun_family = AF_UNIX;
  const bool abstract = address.front() == '@';
  if (!abstract && address.front() != '/') {
    return Fail(
        ErrorCode::kInvalidArgument,
        "NOTIFY_SOCKET must be an absolute path or start with '@': " + std::string(address));
  }
  // A path needs room for its terminating NUL; an abstract name replaces '@' with a leading NUL
  // and is not terminated (its length is part of the address).
  const std::size_t limit = abstract ? sizeof(addr->sun_path) : sizeof(addr->sun_path) - 1;
  if (address.size() > limit) {
    return Fail(ErrorCode::kInvalidArgument,
                "NOTIFY_SOCKET address too long (" + std::to_string(address.size()) + " bytes)");
  }
  std::memcpy(addr->sun_path, address.data(), address.size());
  if (abstract) addr->sun_path[0] = '\0';
  const std::size_t length = offsetof(sockaddr_un, sun_path) + address.size() + (abstract ? 0 : 1);
  return static_cast<socklen_t>(length);
}

template <typename T>
std::optional<T> ParseDecimal(const char* text) {
  if (text == nullptr || *text == '\0') return std::nullopt;
  const char* end = text + std::strlen(text);
  T value{};
  const auto [ptr, ec] = std::from_chars(text, end, value);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

std::string WithStatus(std::string message, std::string_view status) {
  if (!status.empty()) {
    message += '\n';
    message += StatusLine(status);
  }
  return message;
}

}  // namespace

Result<NotifyOutcome> NotifyTo(std::string_view address, std::string_view state) {
  if (address.empty()) return NotifyOutcome::kNoManager;
  sockaddr_un addr;
  auto length = MakeAddress(address, &addr);
  if (!length) return tl::unexpected(length.error());

  ScopedFd fd(socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return Fail(ErrorCode::kIo, "notify socket: " + ErrnoText(errno));
  ssize_t sent;
  do {
    sent = sendto(fd.get(), state.data(), state.size(), MSG_NOSIGNAL,
                  reinterpret_cast<const sockaddr*>(&addr), *length);
  } while (sent < 0 && errno == EINTR);
  if (sent < 0) {
    return Fail(ErrorCode::kIo, "notify " + std::string(address) + ": " + ErrnoText(errno));
  }
  if (static_cast<std::size_t>(sent) != state.size()) {
    return Fail(ErrorCode::kIo, "notify " + std::string(address) + ": short datagram");
  }
  return NotifyOutcome::kSent;
}

Result<NotifyOutcome> Notify(std::string_view state) {
  const char* address = std::getenv("NOTIFY_SOCKET");
  return NotifyTo(address == nullptr ? std::string_view() : std::string_view(address), state);
}

Result<NotifyOutcome> Ready(std::string_view status) {
  return Notify(WithStatus("READY=1", status));
}

Result<NotifyOutcome> Reloading(std::string_view status) {
  return Notify(
      WithStatus("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(MonotonicMicros()), status));
}

Result<NotifyOutcome> Stopping(std::string_view status) {
  return Notify(WithStatus("STOPPING=1", status));
}

Result<NotifyOutcome> Status(std::string_view text) { return Notify(StatusLine(text)); }

Result<NotifyOutcome> Watchdog() { return Notify("WATCHDOG=1"); }

std::optional<std::chrono::microseconds> ParseWatchdog(const char* watchdog_usec,
                                                       const char* watchdog_pid, pid_t self) {
  const auto usec = ParseDecimal<std::uint64_t>(watchdog_usec);
  if (!usec || *usec == 0) return std::nullopt;
  if (*usec > static_cast<std::uint64_t>(std::chrono::microseconds::max().count())) {
    return std::nullopt;
  }
  // Unset WATCHDOG_PID means "whoever reads this"; a set one must name us (a child that
  // inherited the environment must not ping on its parent's behalf).
  if (watchdog_pid != nullptr) {
    const auto pid = ParseDecimal<pid_t>(watchdog_pid);
    if (!pid || *pid != self) return std::nullopt;
  }
  return std::chrono::microseconds(static_cast<std::chrono::microseconds::rep>(*usec));
}

std::optional<std::chrono::microseconds> WatchdogEnabled() {
  return ParseWatchdog(std::getenv("WATCHDOG_USEC"), std::getenv("WATCHDOG_PID"), getpid());
}

std::string StatusLine(std::string_view text) {
  std::string line = "STATUS=";
  line.reserve(line.size() + text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    line += (byte < 0x20 || byte == 0x7f) ? ' ' : c;
  }
  return line;
}

std::uint64_t MonotonicMicros() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::uint64_t>(now.tv_sec) * 1000000u +
         static_cast<std::uint64_t>(now.tv_nsec) / 1000u;
}

}  // namespace veille::daemon
