// The in-process test server (tests/common/local_server.h) stops at once, even when the test
// using it ends before the server thread would have reached its accept loop: cpp-httplib 0.11's
// stop() ignored a server not yet running, and MonitorTest.ABrokenRuleIsReportedAtItsOwnLine,
// which never polls, once hung in TearDown's join().
#include "tests/common/local_server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <thread>

namespace veille::pipeline {
namespace {

TEST(LocalServerTest, StopsAtOnceRightAfterItStarted) {
  for (int i = 0; i < 200; ++i) {
    httplib::Server server;
    std::thread thread;
    const int port = test_support::StartLocalServer(server, thread);
    ASSERT_GT(port, 0);
    EXPECT_TRUE(server.is_running());
    server.stop();
    thread.join();  // hangs (ctest timeout) if stop() came too early
    EXPECT_FALSE(server.is_running());
  }
}

}  // namespace
}  // namespace veille::pipeline
