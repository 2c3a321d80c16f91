// Plays the sd_notify protocol against datagram sockets the test owns (a filesystem path and an
// abstract name), the way systemd's manager receives it: one datagram per message, with the
// sender's credentials attached by the kernel.
#include "daemon/sd_notify.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace veille::daemon {
namespace {

using std::chrono::microseconds;

// Saves an environment variable and restores it when the test ends.
class ScopedEnv {
 public:
  explicit ScopedEnv(const char* name) : name_(name) {
    if (const char* value = std::getenv(name)) saved_ = value;
  }
  ~ScopedEnv() {
    if (saved_) {
      setenv(name_, saved_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }
  void Set(const std::string& value) { setenv(name_, value.c_str(), 1); }
  void Unset() { unsetenv(name_); }

 private:
  const char* name_;
  std::optional<std::string> saved_;
};

struct Datagram {
  std::string payload;
  pid_t pid = 0;
  uid_t uid = 0;
};

// The manager's side: a bound SOCK_DGRAM socket with SO_PASSCRED and a receive timeout, so a
// missing message fails the test instead of hanging it.
class FakeManager {
 public:
  // `name` is a path, or an abstract name when `abstract` is true (without the leading NUL).
  FakeManager(const std::string& name, bool abstract) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    EXPECT_GE(fd_, 0) << std::strerror(errno);
    const int one = 1;
    EXPECT_EQ(setsockopt(fd_, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)), 0);
    timeval timeout{2, 0};
    EXPECT_EQ(setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout)), 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::size_t offset = abstract ? 1 : 0;
    std::memcpy(addr.sun_path + offset, name.data(), name.size());
    const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + offset +
                                               name.size() + (abstract ? 0 : 1));
    EXPECT_EQ(bind(fd_, reinterpret_cast<const sockaddr*>(&addr), length), 0)
        << name << ": " << std::strerror(errno);
  }
  FakeManager(const FakeManager&) = delete;
  FakeManager& operator=(const FakeManager&) = delete;
  ~FakeManager() {
    if (fd_ >= 0) close(fd_);
  }

  // The next datagram, or nullopt after the timeout.
  std::optional<Datagram> Receive() {
    char buffer[4096];
    iovec iov{buffer, sizeof(buffer)};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(ucred))];
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    const ssize_t n = recvmsg(fd_, &msg, 0);
    if (n < 0) return std::nullopt;
    Datagram datagram;
    datagram.payload.assign(buffer, static_cast<std::size_t>(n));
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
        ucred cred;
        std::memcpy(&cred, CMSG_DATA(c), sizeof(cred));
        datagram.pid = cred.pid;
        datagram.uid = cred.uid;
      }
    }
    return datagram;
  }

 private:
  int fd_ = -1;
};

std::vector<std::string> Lines(const std::string& payload) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start <= payload.size()) {
    const std::size_t end = payload.find('\n', start);
    if (end == std::string::npos) {
      lines.push_back(payload.substr(start));
      break;
    }
    lines.push_back(payload.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

class SdNotifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/veille-notify-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr) << std::strerror(errno);
    dir_ = pattern;
    socket_path_ = dir_ + "/notify";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  ScopedEnv notify_socket_{"NOTIFY_SOCKET"};
  std::string dir_;
  std::string socket_path_;
};

TEST_F(SdNotifyTest, NothingHappensWhenNotifySocketIsUnset) {
  notify_socket_.Unset();
  auto outcome = Ready("42 feeds");
  ASSERT_TRUE(outcome.has_value()) << outcome.error().message;
  EXPECT_EQ(*outcome, NotifyOutcome::kNoManager);
  EXPECT_EQ(*Watchdog(), NotifyOutcome::kNoManager);
}

TEST_F(SdNotifyTest, NothingHappensWhenNotifySocketIsEmpty) {
  notify_socket_.Set("");
  auto outcome = Stopping();
  ASSERT_TRUE(outcome.has_value()) << outcome.error().message;
  EXPECT_EQ(*outcome, NotifyOutcome::kNoManager);
}

TEST_F(SdNotifyTest, ReadyCarriesTheStatusLineInTheSameDatagram) {
  FakeManager manager(socket_path_, /*abstract=*/false);
  notify_socket_.Set(socket_path_);
  auto outcome = Ready("42 feeds, 2 failing, outbox 0");
  ASSERT_TRUE(outcome.has_value()) << outcome.error().message;
  EXPECT_EQ(*outcome, NotifyOutcome::kSent);
  auto datagram = manager.Receive();
  ASSERT_TRUE(datagram.has_value()) << "no datagram received";
  EXPECT_EQ(datagram->payload, "READY=1\nSTATUS=42 feeds, 2 failing, outbox 0");
}

TEST_F(SdNotifyTest, ReadyWithoutStatusSendsOnlyReady) {
  FakeManager manager(socket_path_, false);
  notify_socket_.Set(socket_path_);
  ASSERT_TRUE(Ready().has_value());
  auto datagram = manager.Receive();
  ASSERT_TRUE(datagram.has_value());
  EXPECT_EQ(datagram->payload, "READY=1");
}

TEST_F(SdNotifyTest, TheKernelAttachesOurCredentialsSoTheManagerCanAuthenticateUs) {
  FakeManager manager(socket_path_, false);
  notify_socket_.Set(socket_path_);
  ASSERT_TRUE(Watchdog().has_value());
  auto datagram = manager.Receive();
  ASSERT_TRUE(datagram.has_value());
  EXPECT_EQ(datagram->payload, "WATCHDOG=1");
  EXPECT_EQ(datagram->pid, getpid());
  EXPECT_EQ(datagram->uid, getuid());
}

TEST_F(SdNotifyTest, ReloadingCarriesTheMonotonicClockOfTheMoment) {
  FakeManager manager(socket_path_, false);
  notify_socket_.Set(socket_path_);
  const std::uint64_t before = MonotonicMicros();
  ASSERT_TRUE(Reloading("reloading /etc/veille/veille.toml").has_value());
  const std::uint64_t after = MonotonicMicros();
  auto datagram = manager.Receive();
  ASSERT_TRUE(datagram.has_value());
  const auto lines = Lines(datagram->payload);
  ASSERT_EQ(lines.size(), 3u) << datagram->payload;
  EXPECT_EQ(lines[0], "RELOADING=1");
  ASSERT_EQ(lines[1].rfind("MONOTONIC_USEC=", 0), 0u) << lines[1];
  const std::uint64_t stamp = std::stoull(lines[1].substr(std::strlen("MONOTONIC_USEC=")));
  EXPECT_GE(stamp, before);
  EXPECT_LE(stamp, after);
  EXPECT_EQ(lines[2], "STATUS=reloading /etc/veille/veille.toml");
}

TEST_F(SdNotifyTest, AStatusCannotInjectAnotherAssignment) {
  FakeManager manager(socket_path_, false);
  notify_socket_.Set(socket_path_);
  ASSERT_TRUE(Status("veille.toml:3: unknown key\nREADY=1\r\tx").has_value());
  auto datagram = manager.Receive();
  ASSERT_TRUE(datagram.has_value());
  EXPECT_EQ(datagram->payload, "STATUS=veille.toml:3: unknown key READY=1  x");
  EXPECT_EQ(Lines(datagram->payload).size(), 1u);
}

TEST_F(SdNotifyTest, StatusKeepsUtf8AsItIs) {
  EXPECT_EQ(StatusLine("Google News — L'Oréal en échec"), "STATUS=Google News — L'Oréal en échec");
}

TEST_F(SdNotifyTest, ALifeCycleArrivesAsSeparateDatagramsInOrder) {
  FakeManager manager(socket_path_, false);
  notify_socket_.Set(socket_path_);
  ASSERT_TRUE(Ready("3 feeds, 0 failing, outbox 0").has_value());
  ASSERT_TRUE(Watchdog().has_value());
  ASSERT_TRUE(Reloading().has_value());
  ASSERT_TRUE(Ready("4 feeds, 0 failing, outbox 0").has_value());
  ASSERT_TRUE(Stopping("stopping").has_value());
  std::vector<std::string> first_lines;
  for (int i = 0; i < 5; ++i) {
    auto datagram = manager.Receive();
    ASSERT_TRUE(datagram.has_value()) << "datagram " << i << " missing";
    first_lines.push_back(Lines(datagram->payload).front());
  }
  EXPECT_EQ(first_lines, (std::vector<std::string>{"READY=1", "WATCHDOG=1", "RELOADING=1",
                                                   "READY=1", "STOPPING=1"}));
}

TEST_F(SdNotifyTest, AnAbstractNamespaceSocketIsReachedThroughTheAtSign) {
  const std::string name = "veille-notify-test-" + std::to_string(getpid());
  FakeManager manager(name, /*abstract=*/true);
  notify_socket_.Set("@" + name);
  auto outcome = Ready("abstract");
  ASSERT_TRUE(outcome.has_value()) << outcome.error().message;
  EXPECT_EQ(*outcome, NotifyOutcome::kSent);
  auto datagram = manager.Receive();
  ASSERT_TRUE(datagram.has_value());
  EXPECT_EQ(datagram->payload, "READY=1\nSTATUS=abstract");
}

TEST_F(SdNotifyTest, NotifyToSendsToAnExplicitAddress) {
  FakeManager manager(socket_path_, false);
  notify_socket_.Unset();
  auto outcome = NotifyTo(socket_path_, "EXTEND_TIMEOUT_USEC=5000000");
  ASSERT_TRUE(outcome.has_value()) << outcome.error().message;
  EXPECT_EQ(*outcome, NotifyOutcome::kSent);
  auto datagram = manager.Receive();
  ASSERT_TRUE(datagram.has_value());
  EXPECT_EQ(datagram->payload, "EXTEND_TIMEOUT_USEC=5000000");
}

TEST_F(SdNotifyTest, ARelativeAddressIsRejected) {
  notify_socket_.Set("run/notify");
  auto outcome = Ready();
  ASSERT_FALSE(outcome.has_value());
  EXPECT_EQ(outcome.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(outcome.error().message.find("run/notify"), std::string::npos);
}

TEST_F(SdNotifyTest, AnAddressLongerThanSunPathIsRejected) {
  notify_socket_.Set("/" + std::string(sizeof(sockaddr_un::sun_path), 'x'));
  auto outcome = Ready();
  ASSERT_FALSE(outcome.has_value());
  EXPECT_EQ(outcome.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(SdNotifyTest, AMissingSocketIsAnIoError) {
  notify_socket_.Set(dir_ + "/absent");
  auto outcome = Ready();
  ASSERT_FALSE(outcome.has_value());
  EXPECT_EQ(outcome.error().code, ErrorCode::kIo);
  EXPECT_NE(outcome.error().message.find("absent"), std::string::npos);
}

TEST_F(SdNotifyTest, AnAbstractNameNobodyListensOnIsAnIoError) {
  notify_socket_.Set("@veille-notify-nobody-" + std::to_string(getpid()));
  auto outcome = Watchdog();
  ASSERT_FALSE(outcome.has_value());
  EXPECT_EQ(outcome.error().code, ErrorCode::kIo);
}

struct WatchdogCase {
  const char* usec;
  const char* pid;
  std::optional<microseconds> expected;
};

TEST(ParseWatchdogTest, JudgesTheEnvironmentLikeSdWatchdogEnabled) {
  constexpr pid_t kSelf = 4242;
  const WatchdogCase cases[] = {
      {"60000000", nullptr, microseconds(60000000)},
      {"60000000", "4242", microseconds(60000000)},
      {"1", nullptr, microseconds(1)},
      {"60000000", "4243", std::nullopt},  // meant for another process
      {"60000000", "", std::nullopt},
      {"60000000", "42x", std::nullopt},
      {"0", nullptr, std::nullopt},  // WatchdogSec=0: disabled
      {nullptr, nullptr, std::nullopt},
      {nullptr, "4242", std::nullopt},
      {"", nullptr, std::nullopt},
      {"abc", nullptr, std::nullopt},
      {"60s", nullptr, std::nullopt},
      {"-5", nullptr, std::nullopt},
      {" 5", nullptr, std::nullopt},
      {"99999999999999999999999", nullptr, std::nullopt},  // overflows uint64
  };
  for (const auto& c : cases) {
    const auto got = ParseWatchdog(c.usec, c.pid, kSelf);
    EXPECT_EQ(got, c.expected) << "WATCHDOG_USEC=" << (c.usec ? c.usec : "(unset)")
                               << " WATCHDOG_PID=" << (c.pid ? c.pid : "(unset)");
  }
}

TEST(WatchdogEnabledTest, ReadsTheIntervalForThisProcessFromTheEnvironment) {
  ScopedEnv usec("WATCHDOG_USEC");
  ScopedEnv pid("WATCHDOG_PID");
  usec.Set("60000000");
  pid.Set(std::to_string(getpid()));
  EXPECT_EQ(WatchdogEnabled(), std::optional<microseconds>(microseconds(60000000)));
  pid.Set(std::to_string(getpid() + 1));
  EXPECT_EQ(WatchdogEnabled(), std::nullopt);
  pid.Unset();
  EXPECT_EQ(WatchdogEnabled(), std::optional<microseconds>(microseconds(60000000)));
  usec.Unset();
  EXPECT_EQ(WatchdogEnabled(), std::nullopt);
}

}  // namespace
}  // namespace veille::daemon
