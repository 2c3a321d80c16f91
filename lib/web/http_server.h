// The HTTP server of `veille serve`: libmicrohttpd (docs/decisions.md) behind a plain Request /
// Response pair and one handler function, with the limits that keep a slow or hostile client
// from holding the process: a bounded thread pool, connection limits (total and per address), a
// per-connection memory pool for the request line and headers, a body cap, an idle timeout.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"

namespace veille::web {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string path;    // "/login", percent-decoded by libmicrohttpd, without the query
  std::string peer;    // the client's address as text ("127.0.0.1", "::1")
  std::map<std::string, std::string> headers;  // names in lower case
  std::map<std::string, std::string> cookies;
  std::map<std::string, std::string> query;
  std::map<std::string, std::string> form;  // an application/x-www-form-urlencoded body
  bool form_ok = true;  // false: a POST body that is not a form (wrong Content-Type)

  // The header's value, or "" when absent.
  const std::string& Header(const std::string& lower_name) const;
  const std::string& Cookie(const std::string& name) const;
  const std::string& Field(const std::string& name) const;  // a form field
};

struct Response {
  int status = 200;
  std::string content_type = "text/html; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;  // Set-Cookie may repeat
  std::string body;
};

// A plain-text response (errors the server or the app answer without a page).
Response PlainResponse(int status, std::string text);

// 303 See Other to `location`: the answer to a POST (reloading the next page repeats no write),
// and the way to the sign-in page.
Response SeeOther(std::string location);

using Handler = std::function<Response(const Request&)>;

struct ServerOptions {
  std::string host = "127.0.0.1";     // an IPv4 or IPv6 address, or "localhost" (127.0.0.1)
  int port = 8080;                    // 0: any free port (see HttpServer::port)
  int threads = 4;                    // the pool; each thread polls many connections (epoll)
  int max_connections = 64;           // open connections at once
  int max_per_address = 16;           // open connections from one client address
  std::size_t max_body = 256 * 1024;  // 413 beyond this (on Content-Length, before reading)
  // The request line and headers of one connection live in a pool of this size; a request that
  // does not fit is answered 431/414 by libmicrohttpd.
  std::size_t header_memory = 32 * 1024;
  std::int64_t timeout_s = 30;  // idle or trickling connections are closed after this
};

// The application/x-www-form-urlencoded pairs of `body` ("a=1&b=x+y%21"); nullopt when an escape
// is malformed. Later duplicates are ignored.
std::optional<std::map<std::string, std::string>> ParseForm(std::string_view body);

class HttpServer {
 public:
  // Binds and starts serving on the pool's threads; `handler` is called from several threads
  // at once. Fails (kNetwork) when the address cannot be bound.
  [[nodiscard]] static Result<std::unique_ptr<HttpServer>> Start(const ServerOptions& options,
                                                                 Handler handler);
  ~HttpServer();  // stops accepting, closes connections, joins the threads
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  int port() const { return port_; }  // the bound port (useful with port 0)

  struct State;  // per-daemon state seen by libmicrohttpd's callbacks

 private:
  HttpServer() = default;
  std::unique_ptr<State> state_;
  int port_ = 0;
};

}  // namespace veille::web
