// The configuration the Debian package installs as /etc/veille/veille.toml (systemd/veille.toml)
// must be valid as shipped, must keep its database inside the unit's StateDirectory, and its
// commented examples must stay valid when an operator uncomments them.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "config/config.h"

namespace veille::config {
namespace {

constexpr const char* kPackagedConfig = VEILLE_SOURCE_DIR "/systemd/veille.toml";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Uncomments the example tables: every "# " line from the first "# [[feed]]" on.
std::string UncommentExamples(const std::string& text) {
  std::istringstream in(text);
  std::string out;
  std::string line;
  bool examples = false;
  while (std::getline(in, line)) {
    if (line == "# [[feed]]") examples = true;
    if (examples && line.rfind("# ", 0) == 0) line = line.substr(2);
    out += line + "\n";
  }
  return out;
}

TEST(PackagedConfigTest, IsValidAsShipped) {
  auto config = LoadConfig(kPackagedConfig);
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_TRUE(config->feeds.empty());
  EXPECT_TRUE(config->rules.empty());
  EXPECT_TRUE(config->channels.empty());
}

TEST(PackagedConfigTest, KeepsTheDatabaseAndLockInTheStateDirectory) {
  auto config = LoadConfig(kPackagedConfig);
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->daemon.database, "/var/lib/veille/veille.db");
  EXPECT_EQ(config->daemon.lock_file.rfind("/var/lib/veille/", 0), 0u) << config->daemon.lock_file;
}

TEST(PackagedConfigTest, KeepsTransfersUnderHalfTheWatchdogPeriod) {
  // veilled.service has WatchdogSec=60s and pings every 30 s.
  auto config = LoadConfig(kPackagedConfig);
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_LT(config->polling.timeout_s, 30);
}

TEST(PackagedConfigTest, ItsCommentedExamplesAreValidOnceUncommented) {
  const std::string text = UncommentExamples(ReadFile(kPackagedConfig));
  auto config = ParseConfig(text, "/etc/veille/veille.toml");
  ASSERT_TRUE(config.has_value()) << config.error().message << "\n" << text;
  ASSERT_EQ(config->feeds.size(), 1u);
  ASSERT_EQ(config->rules.size(), 1u);
  ASSERT_EQ(config->channels.size(), 2u);
  EXPECT_EQ(config->channels[1].password_file, "/run/credentials/veilled.service/smtp_password");
  EXPECT_EQ(config->web.password_file, "/etc/veille/web.users");
}

}  // namespace
}  // namespace veille::config
