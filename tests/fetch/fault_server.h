// Starts tests/fetch/fault_server.py on 127.0.0.1 and reads its request log.
#pragma once

#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <string>

namespace veille::fetch::testing {

class FaultServer {
 public:
  FaultServer();  // blocks until the server listens; aborts the test binary if it cannot start
  ~FaultServer();
  FaultServer(const FaultServer&) = delete;
  FaultServer& operator=(const FaultServer&) = delete;

  int port() const { return port_; }
  int canary_port() const { return canary_port_; }
  // HTTPS on 127.0.0.1 with a certificate for DNS:localhost signed by the test CA at ca_file().
  int tls_port() const { return tls_port_; }
  const std::string& ca_file() const { return ca_file_; }
  std::string Url(const std::string& path) const;  // http://127.0.0.1:PORT/path
  std::string HostPort() const;                    // "127.0.0.1:PORT"

  // {"log": [{"port", "path", "client_port", "t", "headers": {...}}],
  //  "max_active_path": {"PORT /path": peak}, "max_active_sleep": peak of /sleep on both ports}
  nlohmann::json Log() const;
  void Reset() const;
  // Requests whose path is `path` (all when empty), on `port` (main when 0).
  int Count(const std::string& path, int port = 0) const;

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  int canary_port_ = 0;
  int tls_port_ = 0;
  std::string ca_file_;
};

}  // namespace veille::fetch::testing
