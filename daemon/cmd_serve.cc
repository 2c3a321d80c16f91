// veille serve: the web inbox (docs/web.md) on libmicrohttpd (lib/web), until SIGINT or SIGTERM;
// SIGHUP reads the password file again. `veille serve --hash-password` turns a password read
// from stdin into the argon2id line of a password file.
#include <signal.h>
#include <unistd.h>

#include <iostream>
#include <iterator>

#include "daemon/cli_filters.h"
#include "daemon/cli_support.h"
#include "daemon/commands.h"
#include "daemon/version.h"
#include "i18n/translator.h"
#include "store/store.h"
#include "web/app.h"
#include "web/http_server.h"
#include "web/password.h"
#include "web/store_pool.h"

namespace veille::cli {
namespace {

struct ServeArgs {
  std::string listen;  // "" = [web] listen
  bool hash_password = false;
};

int HashPasswordFromStdin() {
  if (isatty(STDIN_FILENO)) std::cerr << "Password (then Enter, or Ctrl-D): " << std::flush;
  std::string password;
  std::getline(std::cin, password);
  if (!password.empty() && password.back() == '\r') password.pop_back();
  if (password.empty()) {
    std::cerr << "veille: no password on stdin\n";
    return 2;
  }
  auto hash = web::HashPassword(password);
  if (!hash) {
    std::cerr << "veille: " << hash.error().message << "\n";
    return 1;
  }
  std::cout << *hash << "\n";
  return 0;
}

std::string Printable(const config::ListenAddress& a) {
  const std::string host = a.host.find(':') != std::string::npos ? "[" + a.host + "]" : a.host;
  return host + ":" + std::to_string(a.port);
}

int Run(const GlobalOptions& global, const ServeArgs& args) {
  if (args.hash_password) return HashPasswordFromStdin();
  auto config = LoadConfigOrReport(global.config_path);
  if (!config) return 2;
  const config::WebSection& w = config->web;
  const std::string listen_text = args.listen.empty() ? w.listen : args.listen;
  const auto listen = config::ParseListen(listen_text);
  if (!listen) {
    std::cerr << "veille: --listen must be \"host:port\" such as 127.0.0.1:8080 or [::1]:8080, "
                 "got \""
              << listen_text << "\"\n";
    return 2;
  }
  if (!listen->loopback && w.password_file.empty() && w.trust_proxy_user_header.empty()) {
    std::cerr << "veille: refusing to listen on " << Printable(*listen)
              << " without authentication: set [web] password_file (veille serve "
                 "--hash-password) or trust_proxy_user_header, or listen on 127.0.0.1\n";
    return 2;
  }

  web::AppOptions options;
  options.version = kVersion;
  options.language = w.language;
  options.session_lifetime_s = w.session_lifetime_s;
  options.trusted_proxies = w.trusted_proxies;
  options.hostnames = w.hostnames;
  options.log = [](const std::string& line) { std::cerr << "veille serve: " + line + "\n"; };
  if (!w.password_file.empty()) {
    auto passwords = web::PasswordFile::Load(w.password_file);
    if (!passwords) {
      std::cerr << "veille: " << passwords.error().message << "\n";
      return 2;
    }
    options.auth = web::AuthMode::kPassword;
    options.passwords = std::move(*passwords);
  } else if (!w.trust_proxy_user_header.empty()) {
    options.auth = web::AuthMode::kProxy;
    options.user_header = w.trust_proxy_user_header;
  }
  // Every page over the archive reads it through the store interface, on a read connection of
  // the pool (web/store_pool.h: one request at a time each, at most one idle per server
  // thread); triage, "poll now" and "retry" are short kWrite transactions (waiting up to 5 s
  // for the daemon's commit) on a connection of their own, as the CLI makes them.
  auto open = [database = config->daemon.database](store::Access access) {
    return store::Store::Open(database, access, 5000);
  };
  options.archive = web::ArchiveAccess{open, config->rules};
  options.archive->pool =
      std::make_shared<web::StorePool>([open] { return open(store::Access::kRead); }, w.threads);
  for (const auto& f : config->feeds) options.archive->feeds.push_back({f.name, f.url});
  std::map<std::string, i18n::Translator> translators;
  for (auto language : i18n::kLanguages) {
    auto tr = i18n::LoadTranslator(language);
    if (tr) {
      translators.emplace(std::string(language), std::move(*tr));
    } else {
      std::cerr << "veille: " << tr.error().message << "; pages in " << language
                << " fall back to English\n";
    }
  }

  // Signals are taken by sigwait() below; the server's threads, started after this, inherit
  // the mask and never see them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  web::App app(std::move(options), std::move(translators));
  web::ServerOptions server_options;
  server_options.host = listen->host;
  server_options.port = listen->port;
  server_options.threads = w.threads;
  server_options.max_connections = w.max_connections;
  // On loopback every client (a reverse proxy included) has the same address: only the
  // total counts. Elsewhere one address gets at most 16 connections.
  server_options.max_per_address =
      listen->loopback ? w.max_connections : std::max(1, std::min(16, w.max_connections));
  server_options.max_body = w.max_body;
  server_options.timeout_s = w.timeout_s;
  auto server = web::HttpServer::Start(
      server_options, [&app](const web::Request& request) { return app.Handle(request); });
  if (!server) {
    std::cerr << "veille: " << server.error().message << "\n";
    return 1;
  }
  config::ListenAddress bound = *listen;
  bound.port = (*server)->port();
  std::cout << "veille serve: listening on http://" << Printable(bound) << "/" << std::endl;

  for (;;) {
    int signal = 0;
    if (sigwait(&signals, &signal) != 0) continue;
    if (signal != SIGHUP) break;
    if (w.password_file.empty()) continue;
    auto passwords = web::PasswordFile::Load(w.password_file);
    if (!passwords) {
      std::cerr << "veille: SIGHUP: " << passwords.error().message
                << "; the previous password file stays in force\n";
      continue;
    }
    app.SetPasswords(std::move(*passwords));
    std::cerr << "veille serve: password file read again\n";
  }
  std::cout << "veille serve: stopping" << std::endl;
  return 0;
}

void AddServeCommand(CLI::App& app, GlobalOptions& global, int* exit_code) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* cmd =
      app.add_subcommand("serve", "Serve the web inbox: mentions, triage, stories (docs/web.md)");
  cmd->add_option("--listen", args->listen,
                  "Address and port, such as 127.0.0.1:8080 (default: [web] listen)");
  cmd->add_flag("--hash-password", args->hash_password,
                "Read a password from stdin and print its argon2id hash, for [web] "
                "password_file; serves nothing");
  cmd->callback([&global, args, exit_code] { *exit_code = Run(global, *args); });
}

}  // namespace

VEILLE_REGISTER_COMMAND("serve", AddServeCommand);

}  // namespace veille::cli
