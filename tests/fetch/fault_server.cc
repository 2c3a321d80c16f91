#include "fault_server.h"

#include <httplib.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

extern char** environ;

namespace veille::fetch::testing {

FaultServer::FaultServer() {
  int fds[2];
  if (pipe(fds) != 0) std::abort();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  const std::string script = std::string(VEILLE_SOURCE_DIR) + "/tests/fetch/fault_server.py";
  char python[] = "/usr/bin/python3";
  std::string script_arg = script;
  char* argv[] = {python, script_arg.data(), nullptr};
  if (posix_spawn(&pid_, python, &actions, nullptr, argv, environ) != 0) std::abort();
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  FILE* out = fdopen(fds[0], "r");
  char ca[4096] = {};
  if (out == nullptr ||
      std::fscanf(out, "PORTS %d %d %d %4095s", &port_, &canary_port_, &tls_port_, ca) != 4) {
    std::fprintf(stderr, "fault_server.py did not start\n");
    std::abort();
  }
  std::fclose(out);
  ca_file_ = ca;
}

FaultServer::~FaultServer() {
  if (pid_ <= 0) return;
  // SIGTERM lets the script remove its certificates; SIGKILL after 5 s, so that a server that
  // does not exit never holds the test binary (a fetcher_test under ASan once waited here until
  // the ctest timeout, the script still serving after SIGTERM).
  kill(pid_, SIGTERM);
  int status = 0;
  for (int i = 0; i < 100; ++i) {
    if (waitpid(pid_, &status, WNOHANG) == pid_) return;
    usleep(50'000);
  }
  std::fprintf(stderr, "fault_server.py still running 5 s after SIGTERM: killed\n");
  kill(pid_, SIGKILL);
  waitpid(pid_, &status, 0);
}

std::string FaultServer::Url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

std::string FaultServer::HostPort() const { return "127.0.0.1:" + std::to_string(port_); }

nlohmann::json FaultServer::Log() const {
  httplib::Client client("127.0.0.1", port_);
  auto res = client.Get("/_log");
  if (!res || res->status != 200) throw std::runtime_error("fault server log unavailable");
  return nlohmann::json::parse(res->body);
}

void FaultServer::Reset() const {
  httplib::Client client("127.0.0.1", port_);
  auto res = client.Get("/_reset");
  if (!res || res->status != 200) throw std::runtime_error("fault server reset failed");
}

int FaultServer::Count(const std::string& path, int port) const {
  const int want_port = port == 0 ? port_ : port;
  int n = 0;
  const nlohmann::json log = Log();
  for (const auto& entry : log["log"]) {
    if (entry["port"].get<int>() != want_port) continue;
    const std::string p = entry["path"].get<std::string>();
    if (path.empty() ? !p.starts_with("/_") : p == path) ++n;
  }
  return n;
}

}  // namespace veille::fetch::testing
