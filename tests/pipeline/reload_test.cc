// SIGHUP reloads every key (issue 15): each [daemon] and [polling] key, changed alone, either
// takes effect (the fetcher rebuilt with it, the running config holding it) or is reported as
// needing a restart. A key added to the config without an entry here fails the coverage test.
#include "pipeline/reload.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <map>
#include <set>

#include "pipeline/monitor.h"

namespace veille::pipeline {
namespace {

// A fetcher that fetches nothing: these tests look at which settings it was built with.
class IdleFetcher : public fetch::Fetcher {
 public:
  void Submit(fetch::FetchRequest) override {}
  std::vector<fetch::FetchResult> Poll(std::chrono::milliseconds) override { return {}; }
  std::size_t pending() const override { return 0; }
  void AbortAll() override {}
};

enum class Effect { kFetcher, kApplied, kRestart, kLogging };

struct KeyCase {
  std::string section;  // "daemon" | "polling"
  std::string key;
  std::string before;  // TOML values
  std::string after;
  Effect effect;
  // The key's value in a loaded config, as text, to see which value is in force.
  std::function<std::string(const config::Config&)> value;
};

std::string S(std::int64_t v) { return std::to_string(v); }

std::vector<KeyCase> Cases() {
  using C = config::Config;
  return {
      {"daemon", "database", "\"a.db\"", "\"b.db\"", Effect::kRestart,
       [](const C& c) { return c.daemon.database; }},
      {"daemon", "lock_file", "\"a.lock\"", "\"b.lock\"", Effect::kRestart,
       [](const C& c) { return c.daemon.lock_file; }},
      {"daemon", "log_level", "\"info\"", "\"debug\"", Effect::kLogging,
       [](const C& c) { return c.daemon.log_level; }},
      {"daemon", "user_agent", "\"ua-one\"", "\"ua-two\"", Effect::kFetcher,
       [](const C& c) { return c.daemon.user_agent; }},
      {"daemon", "retention", "\"30d\"", "\"60d\"", Effect::kApplied,
       [](const C& c) { return S(c.daemon.retention_s); }},
      {"daemon", "language", "\"en\"", "\"fr\"", Effect::kApplied,
       [](const C& c) { return c.daemon.language; }},
      {"daemon", "commit_interval", "\"1s\"", "\"250ms\"", Effect::kApplied,
       [](const C& c) { return S(c.daemon.commit_interval_ms); }},
      {"daemon", "commit_batch", "64", "8", Effect::kApplied,
       [](const C& c) { return S(c.daemon.commit_batch); }},
      {"daemon", "lease_time", "\"2m\"", "\"30s\"", Effect::kApplied,
       [](const C& c) { return S(c.daemon.lease_time_ms); }},
      {"polling", "interval", "\"30m\"", "\"10m\"", Effect::kApplied,
       [](const C& c) { return S(c.polling.interval_s); }},
      {"polling", "min_interval", "\"5m\"", "\"2m\"", Effect::kApplied,
       [](const C& c) { return S(c.polling.min_interval_s); }},
      {"polling", "max_interval", "\"24h\"", "\"12h\"", Effect::kApplied,
       [](const C& c) { return S(c.polling.max_interval_s); }},
      {"polling", "honor_publisher_interval", "false", "true", Effect::kApplied,
       [](const C& c) { return S(c.polling.honor_publisher_interval); }},
      {"polling", "concurrency", "32", "8", Effect::kFetcher,
       [](const C& c) { return S(c.polling.concurrency); }},
      {"polling", "per_host", "2", "4", Effect::kFetcher,
       [](const C& c) { return S(c.polling.per_host); }},
      {"polling", "timeout", "\"30s\"", "\"5s\"", Effect::kFetcher,
       [](const C& c) { return S(c.polling.timeout_s); }},
      {"polling", "connect_timeout", "\"10s\"", "\"3s\"", Effect::kFetcher,
       [](const C& c) { return S(c.polling.connect_timeout_s); }},
      {"polling", "max_body", "\"16MiB\"", "\"1MiB\"", Effect::kFetcher,
       [](const C& c) { return S(static_cast<std::int64_t>(c.polling.max_body)); }},
      {"polling", "max_entries", "10000", "50", Effect::kApplied,
       [](const C& c) { return S(static_cast<std::int64_t>(c.polling.max_entries)); }},
      {"polling", "allow_private", "[]", "[\"127.0.0.1:8080\"]", Effect::kFetcher,
       [](const C& c) {
         return c.polling.allow_private.empty() ? "" : c.polling.allow_private[0];
       }},
      {"polling", "host_spacing", "\"250ms\"", "\"1s\"", Effect::kFetcher,
       [](const C& c) { return S(c.polling.host_spacing_ms); }},
      {"polling", "max_redirects", "5", "2", Effect::kFetcher,
       [](const C& c) { return S(c.polling.max_redirects); }},
      {"polling", "ca_file", "\"a.pem\"", "\"b.pem\"", Effect::kFetcher,
       [](const C& c) { return c.polling.ca_file; }},
      {"polling", "proxy", "\"\"", "\"http://127.0.0.1:3128\"", Effect::kFetcher,
       [](const C& c) { return c.polling.proxy; }},
      {"polling", "broken_after", "\"14d\"", "\"3d\"", Effect::kApplied,
       [](const C& c) { return S(c.polling.broken_after_s); }},
  };
}

class ReloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("veille-reload-" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // A config with `section`.`key` = `value` (the database stays "v.db" unless that is the key).
  config::Config Make(const std::string& section, const std::string& key,
                      const std::string& value) {
    std::string daemon = "[daemon]\n";
    if (!(section == "daemon" && key == "database")) daemon += "database = \"v.db\"\n";
    std::string polling = "[polling]\n";
    (section == "daemon" ? daemon : polling) += key + " = " + value + "\n";
    const std::string text = daemon + polling +
                             "[[feed]]\nurl = \"http://127.0.0.1:9/feed.xml\"\nname = \"F\"\n"
                             "[[rule]]\nname = \"marque\"\nquery = 'Orélia'\n";
    auto c = config::ParseConfig(text, (dir_ / "veille.toml").string());
    EXPECT_TRUE(c) << key << ": " << c.error().message;
    return *c;
  }

  FetcherFactory Recording() {
    return [this](const fetch::FetchOptions& o) -> Result<std::unique_ptr<fetch::Fetcher>> {
      built_.push_back(o);
      return std::make_unique<IdleFetcher>();
    };
  }

  std::filesystem::path dir_;
  std::vector<fetch::FetchOptions> built_;
};

TEST_F(ReloadTest, EveryDaemonAndPollingKeyHasAKnownReloadEffect) {
  std::set<std::string> covered;
  for (const KeyCase& k : Cases()) covered.insert(k.section + "." + k.key);
  for (std::string_view key : config::DaemonKeys()) {
    EXPECT_TRUE(covered.count("daemon." + std::string(key)))
        << "[daemon] " << key << " has no reload case: say how it applies on SIGHUP";
  }
  for (std::string_view key : config::PollingKeys()) {
    EXPECT_TRUE(covered.count("polling." + std::string(key)))
        << "[polling] " << key << " has no reload case: say how it applies on SIGHUP";
  }
}

TEST_F(ReloadTest, EachKeyChangedAloneTakesEffectOrIsReportedAsNeedingARestart) {
  for (const KeyCase& k : Cases()) {
    SCOPED_TRACE("[" + k.section + "] " + k.key + " = " + k.before + " -> " + k.after);
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    built_.clear();
    const config::Config before = Make(k.section, k.key, k.before);
    const config::Config after = Make(k.section, k.key, k.after);
    ASSERT_NE(k.value(before), k.value(after)) << "the case must change the value";
    auto monitor = Monitor::Create(before, SystemNow, Recording());
    ASSERT_TRUE(monitor) << monitor.error().message;
    auto plan = (*monitor)->Reload(after);
    ASSERT_TRUE(plan) << plan.error().message;
    const std::string in_force = k.value((*monitor)->config());
    const std::string restart_name = "[" + k.section + "] " + k.key;
    const bool listed = std::find(plan->needs_restart.begin(), plan->needs_restart.end(),
                                  restart_name) != plan->needs_restart.end();
    switch (k.effect) {
      case Effect::kRestart:
        EXPECT_TRUE(listed) << "the reload must say that this key needs a restart";
        EXPECT_EQ(in_force, k.value(before)) << "the old value stays in force until then";
        EXPECT_EQ(built_.size(), 1u);
        break;
      case Effect::kFetcher:
        EXPECT_FALSE(listed);
        EXPECT_EQ(in_force, k.value(after));
        ASSERT_EQ(built_.size(), 2u) << "the fetcher must be rebuilt";
        EXPECT_TRUE(built_[1] == FetchOptionsFrom(after)) << "with the new settings";
        EXPECT_FALSE(built_[1] == built_[0]);
        break;
      case Effect::kApplied:
        EXPECT_FALSE(listed);
        EXPECT_EQ(in_force, k.value(after));
        EXPECT_EQ(built_.size(), 1u) << "nothing of the fetcher changed";
        break;
      case Effect::kLogging:
        EXPECT_FALSE(listed);
        EXPECT_TRUE(plan->log_level_changed) << "veilled sets the new level";
        EXPECT_EQ(in_force, k.value(after));
        break;
    }
  }
}

TEST_F(ReloadTest, AFetcherThatCannotBeBuiltRejectsTheReloadAndKeepsTheOldOne) {
  const config::Config before = Make("polling", "timeout", "\"30s\"");
  const config::Config after = Make("polling", "timeout", "\"5s\"");
  bool fail = false;
  FetcherFactory factory =
      [&](const fetch::FetchOptions& o) -> Result<std::unique_ptr<fetch::Fetcher>> {
    if (fail) return Fail(ErrorCode::kConfig, "cannot load the CA bundle");
    built_.push_back(o);
    return std::make_unique<IdleFetcher>();
  };
  auto monitor = Monitor::Create(before, SystemNow, factory);
  ASSERT_TRUE(monitor) << monitor.error().message;
  fail = true;
  auto plan = (*monitor)->Reload(after);
  ASSERT_FALSE(plan);
  EXPECT_NE(plan.error().message.find("CA bundle"), std::string::npos);
  EXPECT_EQ((*monitor)->config().polling.timeout_s, 30) << "the running config stays";
}

}  // namespace
}  // namespace veille::pipeline
