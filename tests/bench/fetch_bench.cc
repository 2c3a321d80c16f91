// Fetcher throughput against a local nginx on 127.0.0.1 (started and stopped by this binary):
//
//   BM_KeepAliveHttp        small feed over HTTP/1.1 keep-alive, the warm-cycle shape
//   BM_KeepAliveHttp2       the same over HTTPS where nginx offers HTTP/2 (asserted per response)
//   BM_NewTlsConnections    HTTPS where every request needs a new connection and a full TLS
//                           handshake (nginx: keepalive_timeout 0, no session reuse), with the
//                           CA bundle loaded once (the fetcher's way)
//   BM_NewTlsBaselineEasy   the same with one fresh easy handle per request and libcurl's
//                           defaults (CA path + bundle re-read for each connection)
//
//   cmake --preset release -DVEILLE_BUILD_BENCH=ON && build/release/tests/bench/fetch_bench
//
// Needs /usr/sbin/nginx and /usr/bin/openssl. The CA bundle used is the system bundle with the
// test CA appended, so that loading it costs what loading the real store costs.
#include <arpa/inet.h>
#include <benchmark/benchmark.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "fetch/fetcher.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;

int FreePort() {
  // Bind port 0 on loopback to let the kernel pick, then release it for nginx.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

int Run(const std::string& command) { return std::system(command.c_str()); }

class Nginx {
 public:
  Nginx() {
    dir_ = fs::temp_directory_path() / ("veille-fetch-bench-" + std::to_string(::getpid()));
    fs::create_directories(dir_ / "www");
    http_port_ = FreePort();
    https_port_ = FreePort();
    h2_port_ = FreePort();
    std::ofstream(dir_ / "www" / "feed.xml")
        << "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>bench</title>"
           "<item><guid>1</guid><title>Hello</title></item></channel></rss>";
    const std::string d = dir_.string();
    const std::string quiet = " >/dev/null 2>&1";
    Run("cd " + d +
        " && /usr/bin/openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
        "-nodes -keyout ca.key -out ca.pem -days 2 -subj '/CN=veille bench CA'" +
        quiet);
    Run("cd " + d +
        " && /usr/bin/openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
        "-keyout server.key -out server.csr -subj /CN=localhost" +
        quiet);
    std::ofstream(dir_ / "san.ext") << "subjectAltName=DNS:localhost\n";
    Run("cd " + d +
        " && /usr/bin/openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key "
        "-CAcreateserial -out server.pem -days 2 -extfile san.ext" +
        quiet);
    Run("cat /etc/ssl/certs/ca-certificates.crt " + d + "/ca.pem > " + d + "/bundle.pem");
    std::ofstream(dir_ / "nginx.conf")
        << "worker_processes 1;\n"
           "pid "
        << d << "/nginx.pid;\nerror_log " << d
        << "/error.log;\n"
           "events { worker_connections 4096; }\n"
           "http {\n"
           "  access_log off;\n"
           "  client_body_temp_path "
        << d << "/tmp; proxy_temp_path " << d
        << "/tmp;\n"
           "  fastcgi_temp_path "
        << d << "/tmp; uwsgi_temp_path " << d
        << "/tmp;\n"
           "  scgi_temp_path "
        << d
        << "/tmp;\n"
           "  keepalive_requests 1000000;\n"
           "  server { listen 127.0.0.1:"
        << http_port_ << "; root " << d
        << "/www; }\n"
           "  server {\n"
           "    listen 127.0.0.1:"
        << h2_port_ << " ssl http2; root " << d << "/www;\n"
        << "    ssl_certificate " << d << "/server.pem; ssl_certificate_key " << d
        << "/server.key;\n"
           "  }\n"
           "  server {\n"
           "    listen 127.0.0.1:"
        << https_port_ << " ssl; root " << d
        << "/www;\n"
           "    ssl_certificate "
        << d << "/server.pem; ssl_certificate_key " << d
        << "/server.key;\n"
           "    ssl_session_cache off; ssl_session_tickets off; keepalive_timeout 0;\n"
           "  }\n"
           "}\n";
    fs::create_directories(dir_ / "tmp");
    std::string conf = d + "/nginx.conf";
    char nginx[] = "/usr/sbin/nginx";
    char c[] = "-c";
    char p[] = "-p";
    std::string prefix = d + "/";
    char g[] = "-g";
    char daemon_off[] = "daemon off; master_process off;";
    char* argv[] = {nginx, c, conf.data(), p, prefix.data(), g, daemon_off, nullptr};
    if (posix_spawn(&pid_, nginx, nullptr, nullptr, argv, environ) != 0) std::abort();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  ~Nginx() {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    fs::remove_all(dir_);
  }
  std::string HttpUrl() const {
    return "http://127.0.0.1:" + std::to_string(http_port_) + "/feed.xml";
  }
  std::string HttpsUrl() const {
    return "https://localhost:" + std::to_string(https_port_) + "/feed.xml";
  }
  std::string H2Url() const {
    return "https://localhost:" + std::to_string(h2_port_) + "/feed.xml";
  }
  std::string bundle() const { return (dir_ / "bundle.pem").string(); }
  std::vector<std::string> allow() const {
    return {"127.0.0.1:" + std::to_string(http_port_), "localhost:" + std::to_string(https_port_),
            "localhost:" + std::to_string(h2_port_)};
  }

 private:
  fs::path dir_;
  int http_port_ = 0;
  int https_port_ = 0;
  int h2_port_ = 0;
  pid_t pid_ = -1;
};

Nginx& Server() {
  static Nginx nginx;
  return nginx;
}

// Runs `n` requests through one fetcher; fails the benchmark on any non-ok result or on a
// response over another HTTP version than `version` (when given).
void RunFetcher(benchmark::State& state, const std::string& url, const std::string& ca, int n,
                const std::string& version = "") {
  veille::fetch::FetchOptions options;
  options.concurrency = static_cast<int>(state.range(0));
  options.per_host = options.concurrency;
  options.host_spacing_ms = 0;
  options.allow_private = Server().allow();
  options.ca_file = ca;
  auto fetcher = std::move(*veille::fetch::Fetcher::Create(options));
  for (auto _ : state) {
    for (int i = 0; i < n; ++i) {
      veille::fetch::FetchRequest request;
      request.url = url;
      fetcher->Submit(std::move(request));
    }
    int ok = 0;
    std::string problem;
    while (fetcher->pending() > 0) {
      for (const auto& r : fetcher->Poll(std::chrono::milliseconds(1000))) {
        if (r.outcome == veille::Outcome::kOk && (version.empty() || r.http_version == version)) {
          ++ok;
        } else if (problem.empty()) {
          problem = std::string(veille::OutcomeName(r.outcome)) + " HTTP/" + r.http_version + " " +
                    r.error;
        }
      }
    }
    if (ok != n) state.SkipWithError(problem.c_str());
  }
  state.SetItemsProcessed(state.iterations() * n);
}

void BM_KeepAliveHttp(benchmark::State& state) { RunFetcher(state, Server().HttpUrl(), "", 2000); }
BENCHMARK(BM_KeepAliveHttp)->Arg(1)->Arg(8)->Arg(32)->Unit(benchmark::kMillisecond)->UseRealTime();

// HTTPS keep-alive where nginx offers HTTP/2: every response must come over HTTP/2.
void BM_KeepAliveHttp2(benchmark::State& state) {
  RunFetcher(state, Server().H2Url(), Server().bundle(), 2000, "2");
}
BENCHMARK(BM_KeepAliveHttp2)->Arg(1)->Arg(8)->Arg(32)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_NewTlsConnections(benchmark::State& state) {
  RunFetcher(state, Server().HttpsUrl(), Server().bundle(), 200);
}
BENCHMARK(BM_NewTlsConnections)->Arg(1)->Arg(8)->Unit(benchmark::kMillisecond)->UseRealTime();

std::size_t Discard(char*, std::size_t size, std::size_t n, void*) { return size * n; }

void BM_NewTlsBaselineEasy(benchmark::State& state) {
  const int n = 100;
  const std::string url = Server().HttpsUrl();
  const std::string bundle = Server().bundle();
  for (auto _ : state) {
    for (int i = 0; i < n; ++i) {
      CURL* e = curl_easy_init();
      curl_easy_setopt(e, CURLOPT_URL, url.c_str());
      curl_easy_setopt(e, CURLOPT_CAINFO, bundle.c_str());  // CAPATH stays at its default
      curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &Discard);
      if (curl_easy_perform(e) != CURLE_OK) state.SkipWithError("a fetch failed");
      curl_easy_cleanup(e);
    }
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_NewTlsBaselineEasy)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
