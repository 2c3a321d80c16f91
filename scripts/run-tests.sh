#!/usr/bin/env bash
# Quick start, part 2: install dependencies, build with -Werror, run the whole test suite; then
# the same suite again under AddressSanitizer + UndefinedBehaviorSanitizer, then 30 s of fuzzing
# per libFuzzer target.
# VEILLE_SKIP_ASAN=1 skips the sanitizer pass and VEILLE_SKIP_FUZZ=1 the fuzzing (quick local run).
# The long loops (500 kill cycles, 30 min of fuzzing per target) are scripts/nightly.sh.
#
# The next pass's build runs in the background at the lowest priority while the tests of a pass
# run: most tests wait on servers and timers, and the build takes the cores they leave idle
# (docs/reliability.md, "What runs where"). Its output is build/<name>-build.log, printed when
# it fails.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
jobs=$(nproc)
asan=$((${VEILLE_SKIP_ASAN:-0} != 1))
fuzz=$((${VEILLE_SKIP_FUZZ:-0} != 1))
mkdir -p build

background=""  # the process group of the build running in the background
trap '[[ -z $background ]] || kill -- "-$background" 2>/dev/null || true' EXIT
build_in_background() {  # NAME COMMAND...
  local name=$1
  shift
  setsid nice -n 19 "$@" >"build/$name-build.log" 2>&1 &
  background=$!
}
wait_for_background() {  # NAME
  local name=$1 rc=0
  wait "$background" || rc=$?
  background=""
  if ((rc != 0)); then
    echo "run-tests: the $name build failed (exit $rc); build/$name-build.log says:" >&2
    if grep -q '^FAILED:' "build/$name-build.log"; then
      sed -n '/^FAILED:/,$p' "build/$name-build.log" | head -n 150 >&2
    else
      tail -n 60 "build/$name-build.log" >&2
    fi
    exit 1
  fi
}

cmake --preset ci >/dev/null
cmake --build --preset ci -j "$jobs"
if ((asan)); then
  cmake --preset asan >/dev/null
  build_in_background asan cmake --build --preset asan -j "$jobs"
elif ((fuzz)); then
  build_in_background fuzz scripts/fuzz.sh --build-only
fi
ctest --preset ci -j "$jobs"

if ((asan)); then
  wait_for_background asan
  if ((fuzz)); then
    build_in_background fuzz scripts/fuzz.sh --build-only
  fi
  # Left to the ci pass: the conformance test compares parsers, the package test packs the
  # build tree, and the docs tests compare --help with the man pages and the completion script;
  # none exercises code the ci pass does not.
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --preset asan -j "$jobs" -LE "conformance|package|docs"
fi

# libFuzzer: every tests/fuzz target for 30 s (clang, ASan+UBSan; RELIABILITY.md 3.7's CI budget).
if ((fuzz)); then
  wait_for_background fuzz
  scripts/fuzz.sh 30
fi
