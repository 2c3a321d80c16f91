#!/usr/bin/env bash
# Builds every libFuzzer target (tests/fuzz/*.cmake) with clang, ASan and UBSan, then runs each
# for SECONDS (default 60) from seeds taken from the test fixtures. Prints one line per target
# (executions, corpus size, crashes) and exits non-zero when any target finds a crash, a leak,
# a timeout or a sanitizer report. The reproducer is left in build/fuzz/artifacts/.
#
#   scripts/fuzz.sh            # 60 s per target (CI runs 30 s: scripts/run-tests.sh)
#   scripts/fuzz.sh 1800       # the nightly run: 30 min per target (scripts/nightly.sh)
#   FUZZ_TARGETS="date_fuzz address_fuzz" scripts/fuzz.sh 30
#   scripts/fuzz.sh --build-only  # configure and build the targets, run nothing (run-tests.sh)
#
# The corpora grow in build/fuzz/corpus/<target> (never committed); a crash becomes a regression
# test in the module's own unit tests and a committed seed in tests/fuzz/<name>_seeds/ (raw bytes:
# string literals of the tests cannot hold a NUL for strings_to_seeds). See docs/reliability.md.
set -euo pipefail
cd "$(dirname "$0")/.."
build_only=0
if [[ ${1:-} == --build-only ]]; then
  build_only=1
  shift
fi
secs=${1:-60}
build=build/fuzz
jobs=${FUZZ_JOBS:-2}

# Line tables only (-g1): the reports keep their file:line frames at a third less compile time.
CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" \
  -DVEILLE_BUILD_FUZZ=ON -DVEILLE_WERROR=OFF >/dev/null
targets=${FUZZ_TARGETS:-$(ninja -C "$build" -t targets all | sed -n 's/^\([a-z0-9_]*_fuzz\): phony$/\1/p' | grep -v '^cmake_' | sort -u)}
if [[ -z $targets ]]; then
  echo "fuzz: no *_fuzz target configured (is clang installed?)" >&2
  exit 1
fi
# shellcheck disable=SC2086
ninja -C "$build" -j "$jobs" $targets
if ((build_only)); then exit 0; fi

seeds="$build/seeds"
rm -rf "$seeds"
mkdir -p "$seeds" "$build/artifacts"
# One seed file per double-quoted string literal of a test file.
strings_to_seeds() {  # DIR FILE...
  local dir=$1 n=0
  shift
  mkdir -p "$dir"
  for f in "$@"; do
    [[ -f $f ]] || continue
    grep -o '"[^"\\]*\(\\.[^"\\]*\)*"' "$f" | sed 's/^"//; s/"$//' | while IFS= read -r s; do
      n=$((n + 1))
      printf '%b' "$s" >"$dir/$(basename "$f").$n" 2>/dev/null || true
    done
  done
}
seed_dir() {  # TARGET -> directory of seeds from the fixtures
  local t=$1 dir="$seeds/$1"
  mkdir -p "$dir"
  case $t in
    date_fuzz)
      strings_to_seeds "$dir" tests/feed/dates_test.cc tests/fetch/http_date_test.cc
      cp -r tests/fuzz/date_seeds/. "$dir/" ;;
    config_fuzz)
      cp config/veille.toml "$dir/" 2>/dev/null || true
      find tests -name '*.toml' -exec cp {} "$dir/" \; 2>/dev/null || true ;;
    address_fuzz)
      strings_to_seeds "$dir" tests/fetch/address_test.cc tests/fetch/url_check_test.cc
      cp -r tests/fuzz/address_seeds/. "$dir/" ;;
    query_fuzz)
      [[ -d tests/fuzz/query_seeds ]] && cp -r tests/fuzz/query_seeds/. "$dir/" ;;
    html_page_fuzz)
      [[ -d tests/fuzz/html_seeds ]] && cp -r tests/fuzz/html_seeds/. "$dir/" ;;
    *)
      # Feed-shaped targets: the sample and golden feeds (RSS, Atom, JSON Feed), each behind the
      # option byte the target reads first (0x00: XML Content-Type, 0x10: JSON Content-Type).
      find config/sample-feeds tests/feed/golden -maxdepth 2 \
        \( -name '*.xml' -o -name '*.rss' -o -name '*.atom' -o -name '*.rdf' -o -name '*.jsonfeed' \) |
        while IFS= read -r f; do
          { printf '\x00'; cat "$f"; } >"$dir/$(basename "$f")"
          if [[ $f == *.jsonfeed ]]; then
            { printf '\x18'; cat "$f"; } >"$dir/$(basename "$f").json-type"
          fi
        done
      # The pathological shapes of the parse-time bound (security review, finding 3), 4 KiB
      # each (libFuzzer's default -max_len), behind the XML option byte.
      local shapes="$build/pathological"
      /usr/bin/python3 tests/feed/pathological.py "$shapes" 4000 >/dev/null
      for f in "$shapes"/*.xml; do
        { printf '\x00'; cat "$f"; } >"$dir/pathological-$(basename "$f")"
      done ;;
  esac
  echo "$dir"
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# One target: its run, then its one-line verdict in $build/$t.verdict (0 or 1 on the first line).
fuzz_one() {  # TARGET
  local t=$1 bin corpus dir log rc=0 execs
  bin=$(find "$build" -type f -name "$t" -perm -u+x | head -1)
  corpus="$build/corpus/$t"
  mkdir -p "$corpus"
  dir=$(seed_dir "$t")
  log="$build/$t.log"
  "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$build/artifacts/$t-" "$corpus" "$dir" >"$log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  if [[ $rc -ne 0 ]]; then
    {
      echo 1
      echo "fuzz $t: FAILED (exit $rc) after ${execs:-?} executions; see $log and $build/artifacts/"
      grep -m5 -E 'ERROR|SUMMARY|runtime error|Test unit written' "$log" || true
    } >"$build/$t.verdict"
  else
    printf '0\nfuzz %s: %ss, %s executions, corpus %s files, crashes 0\n' "$t" "$secs" \
      "${execs:-?}" "$(find "$corpus" -type f | wc -l)" >"$build/$t.verdict"
  fi
}
# FUZZ_JOBS targets at a time (default 2, one per core): each still fuzzes for SECONDS on a core
# of its own, and CI's fuzzing takes half the wall time.
running=0
for t in $targets; do
  fuzz_one "$t" &
  running=$((running + 1))
  if ((running >= jobs)); then
    wait -n || true
    running=$((running - 1))
  fi
done
wait
failed=0
for t in $targets; do
  tail -n +2 "$build/$t.verdict"
  if [[ $(head -1 "$build/$t.verdict") != 0 ]]; then failed=$((failed + 1)); fi
done
echo "fuzz: $(wc -w <<<"$targets") targets, $failed failed"
exit $((failed > 0))
