// veilled: the monitoring daemon. Life cycle in a fixed order (config, logging, lock, monitor,
// signals, ready), torn down in reverse; signal handlers only set flags.
#include <malloc.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <thread>

#include "common/file_mode.h"
#include "common/sanitize.h"
#include "common/time.h"
#include "config/config.h"
#include "daemon/lock_file.h"
#include "daemon/sd_notify.h"
#include "daemon/version.h"
#include "pipeline/monitor.h"
#include "store/info.h"

namespace {

// Exit codes (docs/operations.md).
constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;  // nothing could be done (every feed failed, storage error)
constexpr int kExitConfig = 2;   // bad command line or configuration
constexpr int kExitLocked = 3;   // another veilled holds the database

std::atomic<bool> g_stop{false};
std::atomic<bool> g_reload{false};
std::atomic<int> g_stop_signal{0};

// How often the loop checks that the database file is still the one it opened (E6).
constexpr auto kDatabaseCheckPeriod = std::chrono::seconds(2);

extern "C" void OnStopSignal(int signo) {
  g_stop_signal.store(signo);
  g_stop.store(true);
}
extern "C" void OnReloadSignal(int) { g_reload.store(true); }

void InstallSignals() {
  struct sigaction sa = {};
  sigemptyset(&sa.sa_mask);
  sa.sa_handler = OnStopSignal;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  sa.sa_handler = OnReloadSignal;
  sigaction(SIGHUP, &sa, nullptr);
  sa.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &sa, nullptr);
}

// "<N>" syslog priority prefixes, which journald reads from a service's stderr (sd-daemon(3)).
class SyslogPriority : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    static constexpr const char* kPrefix[] = {"<7>", "<7>", "<6>", "<4>", "<3>", "<2>", "<6>"};
    const auto level = static_cast<std::size_t>(msg.level);
    const std::string_view prefix = kPrefix[level < 7 ? level : 2];
    dest.append(prefix.data(), prefix.data() + prefix.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return spdlog::details::make_unique<SyslogPriority>();
  }
};

// The message through the one sanitiser (common/sanitize.h): one line of valid UTF-8 with no
// control character, whatever a feed or a server put in it (security review, finding 6).
class SanitizedMessage : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    const std::string line =
        veille::SanitizeLine(std::string_view(msg.payload.data(), msg.payload.size()));
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return spdlog::details::make_unique<SanitizedMessage>();
  }
};

// Under systemd (JOURNAL_STREAM set) journald adds timestamps and the identifier.
void SetUpLogging(const std::string& level) {
  auto logger = spdlog::stderr_color_mt("veilled");
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<SanitizedMessage>('~');
  if (std::getenv("JOURNAL_STREAM") != nullptr) {
    formatter->add_flag<SyslogPriority>('*').set_pattern("%*%~");
  } else {
    formatter->set_pattern("%Y-%m-%dT%H:%M:%S%z %l %~");
  }
  logger->set_formatter(std::move(formatter));
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(level));
  spdlog::flush_on(spdlog::level::info);
}

std::string StatusLine(const veille::pipeline::Monitor& monitor) {
  const auto [feeds, failing] = monitor.FeedHealth();
  return std::to_string(feeds) + " feeds, " + std::to_string(failing) + " failing";
}

void Notify(const veille::Result<veille::daemon::NotifyOutcome>& r) {
  if (!r) spdlog::warn("sd_notify: {}", r.error().message);
}

// Test-only (docs/reliability.md, watchdog scenario): while the file named by
// VEILLE_TEST_FREEZE_FILE exists, the loop hangs for good, as a deadlock would, so that the
// watchdog pings stop. Signals do not end the hang; the service manager's watchdog does.
void FreezeIfAsked(const char* freeze_file) {
  if (freeze_file == nullptr || *freeze_file == '\0' || ::access(freeze_file, F_OK) != 0) return;
  spdlog::warn("test hook: {} exists, the loop hangs from now on", freeze_file);
  for (;;) ::pause();
}

// A database created before veilled set its own modes (or chmod'ed since) may be readable by
// every local user: say so once, without changing a mode the operator may have chosen.
void WarnIfReadableByOthers(const std::string& database) {
  struct stat st = {};
  if (::stat(database.c_str(), &st) != 0 || (st.st_mode & S_IRWXO) == 0) return;
  spdlog::warn(
      "database {} is readable by other local users (mode {:04o}); chmod 600 it, or 640 "
      "to let the veille group read it",
      database, st.st_mode & 07777);
}

}  // namespace

int main(int argc, char** argv) {
  const auto process_start = std::chrono::steady_clock::now();
  // Everything veilled creates (database, -wal/-shm, lock file) is 0600, or 0640 under the
  // unit's UMask=0027, whatever the caller's umask (docs/reliability.md, file modes).
  veille::RestrictFileModes();
  // Bodies and parsed documents of up to max_body bytes are allocated on the loop thread and
  // freed on a parse worker. With glibc's sliding mmap threshold, those blocks would end up in
  // the arenas and stay resident after use; a fixed 1 MiB threshold sends them to mmap and back
  // to the kernel when freed (faults scorecard, memory check: 74 -> 45 MiB peak growth).
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
  CLI::App app{"veilled: the veille brand-mention monitoring daemon", "veilled"};
  std::string config_path = "/etc/veille/veille.toml";
  bool once = false;
  std::string log_level;
  std::string deliver_deadline = "60s";
  app.set_version_flag("--version", std::string("veilled ") + veille::kVersion);
  app.add_option("-c,--config", config_path,
                 "Configuration file (default /etc/veille/veille.toml)");
  app.add_flag("--once", once, "Poll every feed once, deliver due alerts, then exit");
  app.add_option("--log-level", log_level,
                 "Override [daemon] log_level: trace, debug, info, warn, error, critical, off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  app.add_option("--deliver-deadline", deliver_deadline,
                 "With --once: how long to keep delivering due alerts after polling (default 60s)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitConfig;
  }

  auto config = veille::config::LoadConfig(config_path);
  if (!config) {
    std::cerr << "veilled: " << config.error().message << "\n";
    return kExitConfig;
  }
  SetUpLogging(log_level.empty() ? config->daemon.log_level : log_level);

  // One daemon per lock file. SQLite always has one (beside the database); on PostgreSQL,
  // several daemons may share the database and there is none unless configured: then it keeps
  // one daemon per lock file on this machine (docs/scaling.md).
  std::optional<veille::daemon::LockFile> lock;
  if (!config->daemon.lock_file.empty()) {
    auto acquired = veille::daemon::LockFile::Acquire(config->daemon.lock_file);
    if (!acquired) {
      spdlog::critical("{}", acquired.error().message);
      return kExitLocked;
    }
    lock.emplace(std::move(*acquired));
  }

  InstallSignals();
  auto monitor = veille::pipeline::Monitor::Create(*config);
  if (!once) {
    // A database server that cannot be reached yet (a reboot that starts both, a failover) is
    // waited for: tried again after 1 s, then twice as long each time up to 30 s, one log line
    // per attempt, until it answers or a stop signal comes; systemd's start timeout is extended
    // meanwhile. --once fails at once.
    std::chrono::seconds wait(1);
    while (!monitor && monitor.error().code == veille::ErrorCode::kStorageUnavailable &&
           !g_stop.load()) {
      spdlog::error("{}; trying again in {} s", monitor.error().message, wait.count());
      Notify(veille::daemon::Notify(
          "EXTEND_TIMEOUT_USEC=" +
          std::to_string(std::chrono::microseconds(wait + std::chrono::seconds(60)).count()) +
          "\n" + veille::daemon::StatusLine("waiting for the database server")));
      for (auto until = std::chrono::steady_clock::now() + wait;
           !g_stop.load() && std::chrono::steady_clock::now() < until;) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      if (g_stop.load()) return kExitOk;
      wait = std::min(wait * 2, std::chrono::seconds(30));
      monitor = veille::pipeline::Monitor::Create(*config);
    }
  }
  if (!monitor) {
    spdlog::critical("{}", monitor.error().message);
    return monitor.error().code == veille::ErrorCode::kConfig ? kExitConfig : kExitFailure;
  }
  const bool database_is_file = !veille::config::IsDatabaseUrl(config->daemon.database);
  if (database_is_file) WarnIfReadableByOthers(config->daemon.database);
  const auto deadline_s = veille::ParseDurationSeconds(deliver_deadline);
  if (!deadline_s) {
    std::cerr << "veilled: --deliver-deadline: expected a duration such as 60s or 5m\n";
    return kExitConfig;
  }
  (*monitor)->SetOnceDeliveryDeadline(*deadline_s);
  spdlog::info("veilled {} started: {} feeds, {} rules, database {}", veille::kVersion,
               config->feeds.size(), config->rules.size(),
               veille::store::ShownLocation(config->daemon.database));

  veille::store::DaemonStatus heartbeat;
  heartbeat.pid = ::getpid();
  heartbeat.version = veille::kVersion;
  heartbeat.started_at = veille::pipeline::SystemNow();
  heartbeat.heartbeat_at = heartbeat.started_at;
  (*monitor)->Heartbeat(heartbeat);
  // A --once run is recorded like a daemon's life (start, then a clean stop), so that `veille
  // status` and `veille poll` say when veilled last ran instead of "never started".
  if (once) {
    const auto startup_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::steady_clock::now() - process_start)
                                .count();
    auto summary = (*monitor)->RunOnce(g_stop);
    heartbeat.heartbeat_at = veille::pipeline::SystemNow();
    heartbeat.stopped_at = heartbeat.heartbeat_at;
    if (!summary) heartbeat.last_error = summary.error().message;
    (*monitor)->Heartbeat(heartbeat);
    if (!summary) {
      spdlog::error("{}", summary.error().message);
      return kExitFailure;
    }
    spdlog::info("{}", veille::pipeline::CycleLine(*summary));
    // Where the run's time went (docs/performance.md reads it: the cycle without the start-up).
    spdlog::info(
        "once timing: start-up {} ms, polling {} ms (first request to last commit), full-text "
        "index upkeep {} ms, alert delivery {} ms",
        startup_ms, summary->polling_ms, summary->index_ms, summary->delivery_ms);
    if (const std::string line = veille::pipeline::NotSentLine(*summary); !line.empty()) {
      spdlog::info("{}", line);
    }
    if (summary->feeds_polled > 0 && summary->feeds_ok == 0) {
      spdlog::error("no feed could be polled: all {} failed", summary->feeds_failed);
      return kExitFailure;
    }
    return kExitOk;
  }
  Notify(veille::daemon::Ready(StatusLine(**monitor)));
  const auto watchdog = veille::daemon::WatchdogEnabled();
  const char* freeze_file = std::getenv("VEILLE_TEST_FREEZE_FILE");
  auto last_ping = std::chrono::steady_clock::now();
  auto last_heartbeat = last_ping;
  auto last_db_check = last_ping;
  bool database_moved = false;
  auto on_tick = [&] {
    FreezeIfAsked(freeze_file);
    if (g_reload.exchange(false)) {
      Notify(veille::daemon::Reloading("reloading " + config_path));
      auto fresh = veille::config::LoadConfig(config_path);
      auto applied =
          fresh ? (*monitor)->Reload(*fresh)
                : veille::Result<veille::pipeline::ReloadPlan>(tl::unexpected(fresh.error()));
      if (applied) {
        if (applied->log_level_changed && log_level.empty()) {
          spdlog::set_level(spdlog::level::from_str(fresh->daemon.log_level));
        }
        // One line: what was applied, and any key that was not (and why).
        std::string notes;
        for (const auto& key : applied->needs_restart) {
          notes += (notes.empty() ? "" : ", ") + key;
        }
        if (!notes.empty()) notes = "; needs a restart to take effect: " + notes;
        if (applied->log_level_changed && !log_level.empty()) {
          notes += "; [daemon] log_level not applied: --log-level overrides it";
        }
        spdlog::info("reload: configuration applied ({} feeds, {} rules){}", fresh->feeds.size(),
                     fresh->rules.size(), notes);
        Notify(veille::daemon::Ready(StatusLine(**monitor)));
      } else {
        spdlog::error("reload rejected, keeping the running configuration: {}",
                      applied.error().message);
        Notify(veille::daemon::Ready("reload rejected: " + applied.error().message));
      }
    }
    const auto now = std::chrono::steady_clock::now();
    if (now - last_db_check >= kDatabaseCheckPeriod) {
      last_db_check = now;
      // Deleted or replaced under us: every later write would go to a file nobody reads.
      // Exit non-zero so that systemd (Restart=on-failure) starts over on the file now there.
      auto moved = (*monitor)->DatabaseFileMoved();
      if (!moved) spdlog::warn("database check: {}", moved.error().message);
      if (moved && *moved) {
        // Only a file can be deleted or replaced under the daemon (a URL never reports it).
        std::error_code ec;  // a stat(), never an open() (RELIABILITY.md 1.1, howtocorrupt 2.2)
        const bool replaced =
            database_is_file && std::filesystem::exists(config->daemon.database, ec);
        spdlog::critical(
            "database {} was {} while veilled was running; exiting so that the service manager "
            "restarts it on the file now at that path",
            config->daemon.database, replaced ? "replaced by another file" : "deleted");
        database_moved = true;
        g_stop.store(true);
        return;
      }
    }
    if (now - last_heartbeat >= std::chrono::seconds(30)) {
      heartbeat.heartbeat_at = veille::pipeline::SystemNow();
      (*monitor)->Heartbeat(heartbeat);
      last_heartbeat = now;
    }
    if (watchdog && now - last_ping >= *watchdog / 2) {
      Notify(veille::daemon::Watchdog());
      Notify(veille::daemon::Status(StatusLine(**monitor)));
      last_ping = now;
    }
  };
  auto run = (*monitor)->Run(g_stop, on_tick);
  if (database_moved) {
    Notify(veille::daemon::Stopping("database file deleted or replaced"));
    return kExitFailure;
  }
  spdlog::info("stopping on {}", g_stop_signal.load() == SIGINT ? "SIGINT" : "SIGTERM");
  heartbeat.heartbeat_at = veille::pipeline::SystemNow();
  heartbeat.stopped_at = heartbeat.heartbeat_at;
  if (!run) heartbeat.last_error = run.error().message;
  (*monitor)->Heartbeat(heartbeat);
  Notify(veille::daemon::Stopping("stopping"));
  if (!run) {
    spdlog::error("{}", run.error().message);
    return kExitFailure;
  }
  spdlog::info("veilled stopped");
  return kExitOk;
}
