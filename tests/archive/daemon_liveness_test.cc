// One reading of the heartbeat row for veille status, veille poll and the web's feeds page.
#include "archive/daemon_liveness.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

namespace veille::archive {
namespace {

constexpr UnixSeconds kNow = 1'800'000'000;

store::DaemonStatus Alive() {
  store::DaemonStatus s;
  s.pid = ::getpid();  // this test: a live process of this machine
  s.started_at = kNow - 3600;
  s.heartbeat_at = kNow - 10;
  return s;
}

// A pid that named a process of this machine and no longer does.
std::int64_t EndedPid() {
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  int status = 0;
  ::waitpid(child, &status, 0);
  return child;
}

TEST(LivenessTest, ReadsTheHeartbeatRowInOrder) {
  EXPECT_EQ(LivenessOf(std::nullopt, kNow, true), Liveness::kNeverStarted);
  EXPECT_EQ(LivenessOf(Alive(), kNow, true), Liveness::kRunning);
  auto stopped = Alive();
  stopped.stopped_at = kNow - 5;
  EXPECT_EQ(LivenessOf(stopped, kNow, true), Liveness::kStopped);
  auto stale = Alive();
  stale.heartbeat_at = kNow - kHeartbeatStaleAfterS - 1;
  EXPECT_EQ(LivenessOf(stale, kNow, true), Liveness::kStale);
  stale.heartbeat_at = kNow - kHeartbeatStaleAfterS;
  EXPECT_EQ(LivenessOf(stale, kNow, true), Liveness::kRunning) << "the bound itself is fresh";
}

TEST(LivenessTest, AGonePidIsAnEndedDaemonOnlyWhenThePidIsLocal) {
  auto ended = Alive();
  ended.pid = EndedPid();
  EXPECT_EQ(LivenessOf(ended, kNow, true), Liveness::kEnded);
  // On a shared database the row may come from a daemon of another machine: its heartbeat
  // tells, not this machine's processes.
  EXPECT_EQ(LivenessOf(ended, kNow, false), Liveness::kRunning);
  ended.pid = 0;
  EXPECT_EQ(LivenessOf(ended, kNow, true), Liveness::kEnded);
}

TEST(LivenessTest, AProcessOfAnotherUserIsAlive) {
  // `veille status` run by an administrator about the service's own user: kill(pid, 0) answers
  // EPERM, and the daemon runs. Checked from a child that is not root (pid 1 is root's), so that
  // the answer is EPERM whoever runs the test.
  const pid_t child = ::fork();
  if (child == 0) {
    if (::getuid() == 0 && ::setuid(65534) != 0) ::_exit(2);  // nobody
    auto init = Alive();
    init.pid = 1;
    ::_exit(LivenessOf(init, kNow, true) == Liveness::kRunning ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "2: could not drop root; 1: a live process of another "
                                       "user was read as ended";
}

}  // namespace
}  // namespace veille::archive
