// Starts one of the Python sinks (smtp_sink.py, webhook_sink.py) as a child process on
// 127.0.0.1 and reads back what it recorded. The child exits when its stdin closes.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

extern char** environ;

namespace veille::alert::testing {

class SinkProcess {
 public:
  // `script` is a file in tests/alert; `record` the JSON-lines file it appends to.
  SinkProcess(const std::string& script, std::vector<std::string> args, std::string record)
      : record_(std::move(record)) {
    std::remove(record_.c_str());
    int in[2];
    int out[2];
    EXPECT_EQ(::pipe(in), 0);
    EXPECT_EQ(::pipe(out), 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_addclose(&actions, in[1]);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    std::vector<std::string> argv_s = {"/usr/bin/python3",
                                       std::string(VEILLE_SOURCE_DIR) + "/tests/alert/" + script,
                                       "--record", record_};
    for (auto& a : args) argv_s.push_back(std::move(a));
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    EXPECT_EQ(posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    ::close(in[0]);
    ::close(out[1]);
    stdin_ = in[1];
    FILE* from = ::fdopen(out[0], "r");
    char line[128] = {0};
    if (std::fgets(line, sizeof line, from) != nullptr) std::sscanf(line, "PORT %d", &port_);
    std::fclose(from);
    EXPECT_GT(port_, 0) << script << " did not start";
  }
  // Stops the child; its record is removed unless the test failed (then it is kept to read).
  ~SinkProcess() {
    ::close(stdin_);
    int status = 0;
    bool exited = false;
    for (int i = 0; i < 50 && !exited; ++i) {
      exited = ::waitpid(pid_, &status, WNOHANG) == pid_;
      if (!exited) ::usleep(20'000);
    }
    if (!exited) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
    }
    if (!::testing::Test::HasFailure()) std::remove(record_.c_str());
  }
  SinkProcess(const SinkProcess&) = delete;
  SinkProcess& operator=(const SinkProcess&) = delete;

  int port() const { return port_; }

  std::vector<nlohmann::json> Records() const {
    std::vector<nlohmann::json> out;
    std::ifstream in(record_);
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty()) out.push_back(nlohmann::json::parse(line));
    }
    return out;
  }

 private:
  std::string record_;
  pid_t pid_ = 0;
  int stdin_ = -1;
  int port_ = 0;
};

}  // namespace veille::alert::testing
