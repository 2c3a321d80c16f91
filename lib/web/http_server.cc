#include "web/http_server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cctype>
#include <cerrno>
#include <cstring>

namespace veille::web {
namespace {

const std::string kEmpty;

const std::string& Lookup(const std::map<std::string, std::string>& map, const std::string& key) {
  const auto it = map.find(key);
  return it == map.end() ? kEmpty : it->second;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> FormDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int hi = HexValue(text[i + 1]);
      const int lo = HexValue(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// What one request accumulates between libmicrohttpd's calls (headers first, then the body in
// pieces, then an empty call).
struct Pending {
  std::string body;
  bool too_large = false;
};

MHD_Result CollectPair(void* cls, MHD_ValueKind /*kind*/, const char* key, const char* value) {
  auto* map = static_cast<std::map<std::string, std::string>*>(cls);
  if (key != nullptr) map->emplace(key, value ? value : "");
  return MHD_YES;
}

MHD_Result CollectHeader(void* cls, MHD_ValueKind /*kind*/, const char* key, const char* value) {
  auto* map = static_cast<std::map<std::string, std::string>*>(cls);
  if (key == nullptr) return MHD_YES;
  std::string name(key);
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  map->emplace(std::move(name), value ? value : "");
  return MHD_YES;
}

std::string PeerOf(MHD_Connection* connection) {
  const MHD_ConnectionInfo* info =
      MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  if (info == nullptr || info->client_addr == nullptr) return "";
  char text[INET6_ADDRSTRLEN] = {};
  const sockaddr* sa = info->client_addr;
  if (sa->sa_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, text, sizeof text);
  } else if (sa->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
    inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
    std::string peer(text);
    if (peer.rfind("::ffff:", 0) == 0 && peer.find('.') != std::string::npos) {
      return peer.substr(7);  // an IPv4 client of a dual-stack socket
    }
    return peer;
  }
  return text;
}

MHD_Result Send(MHD_Connection* connection, const Response& response) {
  MHD_Response* r = MHD_create_response_from_buffer(
      response.body.size(), const_cast<char*>(response.body.data()), MHD_RESPMEM_MUST_COPY);
  if (r == nullptr) return MHD_NO;
  MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, response.content_type.c_str());
  for (const auto& [name, value] : response.headers) {
    MHD_add_response_header(r, name.c_str(), value.c_str());
  }
  const MHD_Result result =
      MHD_queue_response(connection, static_cast<unsigned>(response.status), r);
  MHD_destroy_response(r);
  return result;
}

}  // namespace

const std::string& Request::Header(const std::string& lower_name) const {
  return Lookup(headers, lower_name);
}
const std::string& Request::Cookie(const std::string& name) const { return Lookup(cookies, name); }
const std::string& Request::Field(const std::string& name) const { return Lookup(form, name); }

std::optional<std::map<std::string, std::string>> ParseForm(std::string_view body) {
  std::map<std::string, std::string> out;
  while (!body.empty()) {
    const auto amp = body.find('&');
    const std::string_view pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view() : body.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    auto key = FormDecode(pair.substr(0, eq));
    auto value = FormDecode(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    if (!key || !value) return std::nullopt;
    out.emplace(std::move(*key), std::move(*value));
  }
  return out;
}

struct HttpServer::State {
  ServerOptions options;
  Handler handler;
  MHD_Daemon* daemon = nullptr;
};

namespace {

MHD_Result Access(void* cls, MHD_Connection* connection, const char* url, const char* method,
                  const char* /*version*/, const char* upload_data, std::size_t* upload_size,
                  void** context) {
  auto* state = static_cast<HttpServer::State*>(cls);
  if (*context == nullptr) {  // headers only, so far
    auto* pending = new Pending();
    *context = pending;
    const char* length =
        MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (length != nullptr) {
      char* end = nullptr;
      const unsigned long long n = std::strtoull(length, &end, 10);
      if (end == length || *end != '\0' || n > state->options.max_body) {
        // Refused before a byte of the body is read; libmicrohttpd closes the connection.
        return Send(connection, PlainResponse(413, "request body too large\n"));
      }
    }
    return MHD_YES;
  }
  auto* pending = static_cast<Pending*>(*context);
  if (*upload_size != 0) {  // a piece of the body (chunked bodies have no Content-Length)
    if (pending->body.size() + *upload_size > state->options.max_body) {
      pending->too_large = true;
    } else if (!pending->too_large) {
      pending->body.append(upload_data, *upload_size);
    }
    *upload_size = 0;
    return MHD_YES;
  }
  if (pending->too_large) return Send(connection, PlainResponse(413, "request body too large\n"));

  Request request;
  request.method = method;
  request.path = url;
  request.peer = PeerOf(connection);
  MHD_get_connection_values(connection, MHD_HEADER_KIND, CollectHeader, &request.headers);
  MHD_get_connection_values(connection, MHD_COOKIE_KIND, CollectPair, &request.cookies);
  MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND, CollectPair, &request.query);
  if (!pending->body.empty()) {
    const std::string& type = request.Header("content-type");
    auto form = type.rfind("application/x-www-form-urlencoded", 0) == 0 ? ParseForm(pending->body)
                                                                        : std::nullopt;
    if (form) {
      request.form = std::move(*form);
    } else {
      request.form_ok = false;
    }
  }
  Response response;
  try {
    response = state->handler(request);
  } catch (...) {
    response = PlainResponse(500, "internal error\n");
  }
  return Send(connection, response);
}

void Completed(void* /*cls*/, MHD_Connection* /*connection*/, void** context,
               MHD_RequestTerminationCode /*code*/) {
  delete static_cast<Pending*>(*context);
  *context = nullptr;
}

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::Start(const ServerOptions& options,
                                                      Handler handler) {
  std::unique_ptr<HttpServer> server(new HttpServer());
  server->state_ = std::make_unique<State>();
  State& state = *server->state_;
  state.options = options;
  state.handler = std::move(handler);

  sockaddr_storage address{};
  // No MHD_USE_ERROR_LOG: failures reach the caller as one error, and a refused request
  // (431, 413) is not worth a log line each.
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL;
  const std::string host = options.host == "localhost" ? "127.0.0.1" : options.host;
  if (host.find(':') != std::string::npos) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&address);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(static_cast<std::uint16_t>(options.port));
    if (inet_pton(AF_INET6, host.c_str(), &in6->sin6_addr) != 1) {
      return Fail(ErrorCode::kInvalidArgument, "not an IPv6 address: " + host);
    }
    flags |= MHD_USE_IPv6;
  } else {
    auto* in4 = reinterpret_cast<sockaddr_in*>(&address);
    in4->sin_family = AF_INET;
    in4->sin_port = htons(static_cast<std::uint16_t>(options.port));
    if (inet_pton(AF_INET, host.c_str(), &in4->sin_addr) != 1) {
      return Fail(ErrorCode::kInvalidArgument, "not an IPv4 address: " + host);
    }
  }
  state.daemon = MHD_start_daemon(
      flags, static_cast<std::uint16_t>(options.port), nullptr, nullptr, &Access, &state,
      MHD_OPTION_SOCK_ADDR, reinterpret_cast<sockaddr*>(&address), MHD_OPTION_THREAD_POOL_SIZE,
      static_cast<unsigned>(options.threads), MHD_OPTION_CONNECTION_LIMIT,
      static_cast<unsigned>(options.max_connections), MHD_OPTION_PER_IP_CONNECTION_LIMIT,
      static_cast<unsigned>(options.max_per_address), MHD_OPTION_CONNECTION_MEMORY_LIMIT,
      options.header_memory, MHD_OPTION_CONNECTION_TIMEOUT,
      static_cast<unsigned>(options.timeout_s), MHD_OPTION_NOTIFY_COMPLETED, &Completed, nullptr,
      MHD_OPTION_END);
  if (state.daemon == nullptr) {
    return Fail(ErrorCode::kNetwork,
                "cannot listen on " +
                    (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
                    std::to_string(options.port) + ": " + std::strerror(errno));
  }
  const MHD_DaemonInfo* info = MHD_get_daemon_info(state.daemon, MHD_DAEMON_INFO_BIND_PORT);
  server->port_ = info != nullptr ? info->port : options.port;
  return server;
}

HttpServer::~HttpServer() {
  if (state_ && state_->daemon != nullptr) MHD_stop_daemon(state_->daemon);
}

Response PlainResponse(int status, std::string text) {
  Response r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(text);
  return r;
}

Response SeeOther(std::string location) {
  Response r;
  r.status = 303;
  r.headers.emplace_back("Location", std::move(location));
  return r;
}

}  // namespace veille::web
