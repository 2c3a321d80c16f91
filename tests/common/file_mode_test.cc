#include "common/file_mode.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace veille {
namespace {

TEST(PrivateUmask, OrdinaryUmasksGiveOwnerOnlyFiles) {
  for (mode_t caller : {0000, 0002, 0020, 0022, 0077}) {
    EXPECT_EQ(PrivateUmask(caller), 0077u) << std::oct << caller;
  }
}

TEST(PrivateUmask, AUmaskThatShutsOthersOutKeepsGroupRead) {
  EXPECT_EQ(PrivateUmask(0027), 0027u);  // the unit's UMask=
  EXPECT_EQ(PrivateUmask(0007), 0027u);  // group write is never granted
  EXPECT_EQ(PrivateUmask(0037), 0037u);
}

TEST(RestrictFileModes, FilesCreatedAfterwardAreOwnerOnly) {
  const mode_t before = ::umask(0022);
  EXPECT_EQ(RestrictFileModes(), 0077u);
  char path[] = "/tmp/veille_file_mode_XXXXXX";
  ASSERT_TRUE(::mkdtemp(path) != nullptr);
  const std::string file = std::string(path) + "/f";
  const int fd = ::open(file.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0666);
  ASSERT_GE(fd, 0);
  ::close(fd);
  struct stat st = {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ::unlink(file.c_str());
  ::rmdir(path);
  ::umask(before);
}

}  // namespace
}  // namespace veille
