// The throwaway PostgreSQL server of a test binary (issue 18): one per process, started before
// the first test and removed after the last, even when the process dies (tests/system/
// pg_server.py holds it and cleans up when our pipe closes). Register the binary with
// veille_test(... ONE_PROCESS) so that ctest runs it as one process, not one per test case.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>

#include "store/pg/connection.h"

namespace veille::store::pg::testing {

// Options with `conninfo` and every other field at its default.
inline ConnectOptions WithConninfo(std::string conninfo) {
  ConnectOptions options;
  options.conninfo = std::move(conninfo);
  return options;
}

class TestServer {
 public:
  // The server; it was started by the test environment (a test fails when it could not be).
  static TestServer& Get();

  // key=value and URL connection strings to `database` as `user` (the fixture's database
  // "veille" and superuser "veille" by default). Members of the role password_login log in
  // with their password; every other role is trusted.
  [[nodiscard]] std::string Conninfo(std::string_view database = "veille",
                                     std::string_view user = "veille") const;
  [[nodiscard]] std::string Url(std::string_view database = "veille") const;
  [[nodiscard]] const std::string& socket_dir() const { return socket_dir_; }

  // A new empty database with a unique name (for tests that need their own); its name.
  [[nodiscard]] std::string CreateDatabase(std::string_view extra = "");

  // pg_ctl restart -m fast (open connections are terminated), stop, start.
  ::testing::AssertionResult Restart() { return Command("restart"); }
  ::testing::AssertionResult Stop() { return Command("stop"); }
  ::testing::AssertionResult Start() { return Command("start"); }

  // Environment plumbing (pg_fixture.cc).
  ::testing::AssertionResult Launch();
  void Shutdown();
  double start_seconds() const { return start_seconds_; }

 private:
  ::testing::AssertionResult Command(std::string_view command);
  bool ReadLine(std::string* line, int timeout_ms);

  int pid_ = -1;
  int to_server_ = -1;    // the watchdog's stdin
  int from_server_ = -1;  // its stdout
  std::string buffer_;
  std::string socket_dir_;
  int databases_ = 0;
  double start_seconds_ = 0;
};

}  // namespace veille::store::pg::testing
