// file:// feeds, read by the fetcher when allow_files is on: the body, its cap, and the refusals.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>

#include "fetch/fetcher.h"

namespace veille::fetch {
namespace {

using std::chrono::milliseconds;

class LocalFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/veille-fetch-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    path_ = dir_ + "/feed.xml";
    std::ofstream(path_) << "<rss version=\"2.0\"><channel><title>local</title></channel></rss>";
  }
  void TearDown() override {
    std::remove(path_.c_str());
    rmdir(dir_.c_str());
  }
  static FetchResult Run(FetchRequest request, std::size_t max_body = 1 << 20) {
    FetchOptions options;
    options.max_body = max_body;
    auto fetcher = std::move(*Fetcher::Create(options));
    fetcher->Submit(std::move(request));
    EXPECT_EQ(fetcher->pending(), 1u);
    auto results = fetcher->Poll(milliseconds(1000));
    EXPECT_EQ(results.size(), 1u);
    return results.empty() ? FetchResult{} : results.front();
  }
  std::string dir_;
  std::string path_;
};

TEST_F(LocalFileTest, ReadsAFileUrlAndReturnsItsValidators) {
  FetchRequest request;
  request.url = "file://" + path_;
  const FetchResult r = Run(request);
  EXPECT_EQ(r.outcome, Outcome::kOk) << r.error;
  EXPECT_NE(r.body.find("local"), std::string::npos);
  EXPECT_EQ(r.http_status, 0);
  EXPECT_FALSE(r.last_modified.empty());
  EXPECT_FALSE(r.etag.empty());
}

TEST_F(LocalFileTest, AnUnchangedFileIsNotModified) {
  FetchRequest request;
  request.url = "file://" + path_;
  const FetchResult first = Run(request);
  ASSERT_EQ(first.outcome, Outcome::kOk);
  FetchRequest by_date;
  by_date.url = request.url;
  by_date.last_modified = first.last_modified;
  EXPECT_EQ(Run(by_date).outcome, Outcome::kNotModified);
  FetchRequest by_etag;
  by_etag.url = request.url;
  by_etag.etag = first.etag;
  EXPECT_EQ(Run(by_etag).outcome, Outcome::kNotModified);
}

TEST_F(LocalFileTest, AChangedFileIsReadAgain) {
  FetchRequest request;
  request.url = path_;  // a plain absolute path works too
  const FetchResult first = Run(request);
  ASSERT_EQ(first.outcome, Outcome::kOk);
  // Move the mtime one minute forward: If-Modified-Since with the old date no longer matches.
  struct timespec times[2] = {{0, UTIME_OMIT}, {time(nullptr) + 60, 0}};
  ASSERT_EQ(utimensat(AT_FDCWD, path_.c_str(), times, 0), 0);
  FetchRequest again;
  again.url = request.url;
  again.last_modified = first.last_modified;
  EXPECT_EQ(Run(again).outcome, Outcome::kOk);
}

TEST_F(LocalFileTest, AFileOverTheCapIsTooLarge) {
  FetchRequest request;
  request.url = "file://" + path_;
  const FetchResult r = Run(request, 10);
  EXPECT_EQ(r.outcome, Outcome::kTooLarge);
  EXPECT_TRUE(r.body.empty());
}

TEST_F(LocalFileTest, AMissingFileIsAnIoError) {
  FetchRequest request;
  request.url = "file://" + dir_ + "/missing.xml";
  const FetchResult r = Run(request);
  EXPECT_EQ(r.outcome, Outcome::kIo);
  EXPECT_NE(r.error.find("missing.xml"), std::string::npos) << r.error;
}

}  // namespace
}  // namespace veille::fetch
