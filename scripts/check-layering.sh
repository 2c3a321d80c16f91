#!/usr/bin/env bash
# The pure core (config, feed, text, match, schedule) never includes curl, SQLite, spdlog,
# threads or the clock (ARCHITECTURE.md). lib/feed may use libcurl's URL API (curl_url) only.
# SQLite stays inside lib/store.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
for dir in config feed text match schedule; do
  pattern='#include *[<"](sqlite3\.h|spdlog/|thread>|mutex>|future>|condition_variable>|ctime>|time\.h>|sys/time\.h>)'
  [[ $dir != feed ]] && pattern='#include *[<"](curl/|sqlite3\.h|spdlog/|thread>|mutex>|future>|condition_variable>|ctime>|time\.h>|sys/time\.h>)'
  if hits=$(grep -rnE "$pattern" "lib/$dir" 2>/dev/null); then
    echo "lib/$dir must stay pure, but includes:"; echo "$hits"; status=1
  fi
  if hits=$(grep -rnE '(system_clock|steady_clock|high_resolution_clock)::now|[^_a-z]time\(nullptr\)|gettimeofday|clock_gettime' "lib/$dir" 2>/dev/null); then
    echo "lib/$dir must not read the clock (time is an argument):"; echo "$hits"; status=1
  fi
done
if hits=$(grep -rnE 'curl_(easy|multi|share)_' lib/feed 2>/dev/null); then
  echo "lib/feed may use libcurl's URL API only:"; echo "$hits"; status=1
fi
# Nothing above lib/store sees SQLite: the store's private headers stay inside it (and its
# white-box tests). docs/storage.md, "The store's interface".
if hits=$(grep -rnE '#include *[<"](sqlite3\.h|store/(sqlite|internal|schema|fts_query|stories)\.h)' \
    lib daemon --include='*.cc' --include='*.h' 2>/dev/null | grep -v '^lib/store/'); then
  echo "only lib/store may include SQLite and the store's private headers:"; echo "$hits"; status=1
fi
# The report's charts are shared by the CLI and the web inbox (lib/report): no HTTP, nothing of
# daemon/.
if hits=$(grep -rnE '#include *[<"](microhttpd\.h|daemon/|web/)' lib/report lib/archive 2>/dev/null); then
  echo "lib/report is shared by veille report and veille serve: no HTTP, no daemon/:"; echo "$hits"
  status=1
fi
# The libraries never reach into the binaries: what the CLI and the web inbox share lives in
# lib/archive (docs/architecture.md), not in daemon/.
if hits=$(grep -rnE '#include *"daemon/' lib --include='*.cc' --include='*.h' 2>/dev/null); then
  echo "lib/ must not include daemon/ (share through lib/archive):"; echo "$hits"; status=1
fi
[[ $status == 0 ]] && echo "layering ok: config, feed, text, match, schedule are pure; SQLite stays in lib/store; lib/ does not include daemon/; lib/report has no HTTP"
exit $status
