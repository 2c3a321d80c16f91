#include "common/file_mode.h"

#include <sys/stat.h>

namespace veille {

mode_t PrivateUmask(mode_t caller) {
  const mode_t others = S_IRWXO;
  if ((caller & others) == others) return (caller | S_IWGRP | others) & 0777;
  return S_IRWXG | S_IRWXO;
}

mode_t RestrictFileModes() {
  const mode_t caller = ::umask(0077);
  const mode_t wanted = PrivateUmask(caller);
  ::umask(wanted);
  return wanted;
}

}  // namespace veille
