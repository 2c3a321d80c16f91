// A cpp-httplib server on 127.0.0.1 for in-process tests, started so that it can be stopped at
// once: cpp-httplib 0.11's Server::stop() does nothing until listen_after_bind() has marked the
// server running, so a test that ended before the server thread got there hung in join().
#pragma once

#include <httplib.h>

#include <chrono>
#include <thread>

namespace veille::test_support {

// Binds `server` to a free loopback port, serves it on `thread`, and returns the port once the
// server runs (or 0 when it could not bind).
inline int StartLocalServer(httplib::Server& server, std::thread& thread) {
  const int port = server.bind_to_any_port("127.0.0.1");
  if (port <= 0) return 0;
  thread = std::thread([&server] { server.listen_after_bind(); });
  while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return port;
}

}  // namespace veille::test_support
