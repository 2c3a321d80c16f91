// The modes of what veilled and veille create (security review, finding 10): the database, its
// -wal/-shm, the lock file, backups, exports and reports. Mentions can be confidential and feed
// URLs can hold tokens, so nothing is created readable by other local users.
#pragma once

#include <sys/types.h>

namespace veille {

// The umask to run with, given the caller's. A caller that already shuts other users out and
// lets the group read (the unit's UMask=0027: the `veille` group reads the database with the
// CLI) keeps group read: files 0640, directories 0750. Any other umask (022, 002, 000...) gives
// files 0600 and directories 0700. Group and others never get write access.
mode_t PrivateUmask(mode_t caller);

// Applies PrivateUmask to the process; returns the umask now in force. Call first in main(),
// before any thread or file exists.
mode_t RestrictFileModes();

}  // namespace veille
