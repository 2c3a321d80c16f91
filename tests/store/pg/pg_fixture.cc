#include "pg_fixture.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <sstream>

#include "store/pg/connection.h"

extern char** environ;

namespace veille::store::pg::testing {
namespace {

class Environment : public ::testing::Environment {
 public:
  void SetUp() override {
    const auto began = std::chrono::steady_clock::now();
    ASSERT_TRUE(TestServer::Get().Launch());
    std::printf("[ pg ] throwaway server ready in %.2f s (%s)\n",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count(),
                TestServer::Get().socket_dir().c_str());
  }
  void TearDown() override {
    const auto began = std::chrono::steady_clock::now();
    TestServer::Get().Shutdown();
    std::printf("[ pg ] throwaway server stopped and removed in %.2f s\n",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count());
  }
};

const ::testing::Environment* const kEnvironment =
    ::testing::AddGlobalTestEnvironment(new Environment);

}  // namespace

TestServer& TestServer::Get() {
  static TestServer server;
  return server;
}

bool TestServer::ReadLine(std::string* line, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    if (const auto nl = buffer_.find('\n'); nl != std::string::npos) {
      *line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return true;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd pfd{from_server_, POLLIN, 0};
    if (poll(&pfd, 1, static_cast<int>(left.count())) <= 0) continue;
    char chunk[512];
    const ssize_t n = read(from_server_, chunk, sizeof(chunk));
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
}

::testing::AssertionResult TestServer::Launch() {
  int in[2];
  int out[2];
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) {
    return ::testing::AssertionFailure() << "pipe2 failed";
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);  // dup2 clears O_CLOEXEC
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  std::string script = VEILLE_SOURCE_DIR "/tests/system/pg_server.py";
  std::string python = "/usr/bin/python3";
  std::string serve = "serve";
  std::string database = "veille";
  char* argv[] = {python.data(), script.data(), serve.data(), database.data(), nullptr};
  const auto began = std::chrono::steady_clock::now();
  const int rc = posix_spawn(&pid_, python.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  close(in[0]);
  close(out[1]);
  to_server_ = in[1];
  from_server_ = out[0];
  if (rc != 0) {
    pid_ = -1;
    return ::testing::AssertionFailure() << "cannot start " << python << " " << script;
  }
  std::string line;
  if (!ReadLine(&line, 120000) || line.rfind("ready ", 0) != 0) {
    return ::testing::AssertionFailure()
           << "the throwaway PostgreSQL server did not start: " << line;
  }
  std::istringstream fields(line.substr(6));
  fields >> socket_dir_;
  start_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  return ::testing::AssertionSuccess();
}

void TestServer::Shutdown() {
  if (to_server_ >= 0) close(to_server_);  // EOF: the watchdog stops and removes the server
  to_server_ = -1;
  if (pid_ > 0) {
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  if (from_server_ >= 0) close(from_server_);
  from_server_ = -1;
}

::testing::AssertionResult TestServer::Command(std::string_view command) {
  const std::string line = std::string(command) + "\n";
  if (to_server_ < 0 ||
      write(to_server_, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
    return ::testing::AssertionFailure() << command << ": the server's watchdog is gone";
  }
  std::string answer;
  if (!ReadLine(&answer, 120000)) return ::testing::AssertionFailure() << command << ": no answer";
  if (answer != "ok") return ::testing::AssertionFailure() << command << ": " << answer;
  return ::testing::AssertionSuccess();
}

std::string TestServer::Conninfo(std::string_view database, std::string_view user) const {
  return "host=" + socket_dir_ + " port=5432 user=" + std::string(user) +
         " dbname=" + std::string(database);
}

std::string TestServer::Url(std::string_view database) const {
  std::string host;
  for (char c : socket_dir_) {
    if (c == '/') {
      host += "%2F";
    } else {
      host += c;
    }
  }
  return "postgresql://veille@" + host + ":5432/" + std::string(database);
}

std::string TestServer::CreateDatabase(std::string_view extra) {
  const std::string name = "test_" + std::to_string(++databases_);
  auto conn = Connection::Open(WithConninfo(Conninfo()));
  EXPECT_TRUE(conn) << conn.error().message;
  if (!conn) return name;
  auto r = (*conn)->ExecScript("CREATE DATABASE " + name + " " + std::string(extra));
  EXPECT_TRUE(r) << r.error().message;
  return name;
}

}  // namespace veille::store::pg::testing
