// `veille fetch URL` end to end: the real binary against the fault server.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "fault_server.h"

namespace veille::fetch {
namespace {

struct CommandRun {
  int exit_code = -1;
  std::string out;
};

// Runs `veille ARGS` (from directory `cwd` when given) and collects its output and exit code.
CommandRun Veille(const std::string& args, const std::string& cwd = "") {
  const std::string command = (cwd.empty() ? "" : "cd " + cwd + " && ") +
                              std::string(VEILLE_BINARY_DIR) + "/daemon/veille " + args + " 2>&1";
  CommandRun run;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  std::array<char, 4096> buffer{};
  while (std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe)) {
    run.out.append(buffer.data(), n);
  }
  const int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

class FetchCommandTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new testing::FaultServer(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static std::string Allow() { return "--no-config --allow-private " + server_->HostPort() + " "; }
  static testing::FaultServer* server_;
};

testing::FaultServer* FetchCommandTest::server_ = nullptr;

TEST_F(FetchCommandTest, PrintsStatusRedirectsValidatorsAndTheParseSummaryAsJson) {
  const CommandRun run = Veille("fetch --json " + Allow() + server_->Url("/chain/301/1"));
  ASSERT_EQ(run.exit_code, 0) << run.out;
  const auto doc = nlohmann::json::parse(run.out);
  EXPECT_EQ(doc["outcome"], "ok");
  EXPECT_EQ(doc["status"], 200);
  ASSERT_EQ(doc["redirects"].size(), 2u);
  EXPECT_EQ(doc["redirects"][0]["status"], 301);
  EXPECT_EQ(doc["effective_url"], server_->Url("/feed"));
  EXPECT_EQ(doc["etag"], "\"v1\"");
  EXPECT_EQ(doc["max_age_s"], 7200);
  EXPECT_EQ(doc["parse"]["format"], "rss20");
  EXPECT_EQ(doc["parse"]["entries"], 1);
  EXPECT_GT(doc["timings"]["total_s"].get<double>(), 0.0);
}

TEST_F(FetchCommandTest, SendsTheGivenValidatorsAndReportsNotModified) {
  const CommandRun run = Veille("fetch --json --etag '\"v1\"' " + Allow() + server_->Url("/feed"));
  ASSERT_EQ(run.exit_code, 0) << run.out;
  EXPECT_EQ(nlohmann::json::parse(run.out)["outcome"], "not_modified");
}

TEST_F(FetchCommandTest, AFailureExitsOneWithTheOutcomeClassAndError) {
  const CommandRun run = Veille("fetch --no-config " + server_->Url("/feed"));  // not allowlisted
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.out.find("outcome         blocked"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("loopback"), std::string::npos) << run.out;
  const CommandRun gone = Veille("fetch " + Allow() + server_->Url("/status/410"));
  EXPECT_EQ(gone.exit_code, 1);
  EXPECT_NE(gone.out.find("outcome         gone"), std::string::npos) << gone.out;
}

TEST_F(FetchCommandTest, ABodyThatIsNotAFeedIsAParseFailure) {
  const CommandRun run = Veille("fetch " + Allow() + server_->Url("/status/200"));
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.out.find("outcome         parse"), std::string::npos) << run.out;
}

// Security review finding 9: invalid UTF-8 in a reason phrase made `veille fetch --json` abort
// (uncaught nlohmann type_error.316, exit 134).
TEST_F(FetchCommandTest, JsonOutputSurvivesInvalidUtf8AndControlsFromTheServer) {
  const CommandRun run = Veille("fetch --json " + Allow() + "'" +
                                server_->Url("/reason?code=503&text=Bad%FF%C2%9B2J") + "'");
  EXPECT_EQ(run.exit_code, 1) << run.out;
  const auto doc = nlohmann::json::parse(run.out);
  EXPECT_EQ(doc["outcome"], "http_5xx");
  EXPECT_EQ(doc["error"],
            "HTTP 503 Bad\xEF\xBF\xBD"
            "2J");
  const CommandRun text =
      Veille("fetch " + Allow() + "'" + server_->Url("/reason?code=503&text=%1B%5B2J") + "'");
  EXPECT_EQ(text.out.find('\x1b'), std::string::npos) << text.out;
}

TEST_F(FetchCommandTest, SendsTheUserAgentGivenOnTheCommandLine) {
  const CommandRun run = Veille("fetch --user-agent probe/1.0 " + Allow() + server_->Url("/feed"));
  ASSERT_EQ(run.exit_code, 0) << run.out;
  const auto log = server_->Log();
  bool seen = false;
  for (const auto& e : log["log"]) seen |= e["headers"].value("user-agent", "") == "probe/1.0";
  EXPECT_TRUE(seen);
}

TEST_F(FetchCommandTest, ReadsALocalFileGivenByARelativePath) {
  char dir[] = "/tmp/veille-fetch-cmd-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string path = std::string(dir) + "/local.xml";
  std::ofstream(path) << "<rss version=\"2.0\"><channel><title>Local</title>"
                         "<item><guid>a</guid><title>A</title></item></channel></rss>";
  const CommandRun run = Veille("fetch --json --no-config local.xml", dir);
  std::remove(path.c_str());
  rmdir(dir);
  ASSERT_EQ(run.exit_code, 0) << run.out;
  const auto doc = nlohmann::json::parse(run.out);
  EXPECT_EQ(doc["outcome"], "ok");
  EXPECT_EQ(doc["parse"]["title"], "Local");
  EXPECT_EQ(doc["parse"]["entries"], 1);
  EXPECT_NE(doc["last_modified"], nullptr);
}

}  // namespace
}  // namespace veille::fetch
