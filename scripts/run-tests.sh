#!/usr/bin/env bash
# Quick start, part 2: install dependencies, build with -Werror, run the whole test suite; then
# the same suite again under AddressSanitizer + UndefinedBehaviorSanitizer.
# VEILLE_SKIP_ASAN=1 skips the sanitizer pass and VEILLE_SKIP_FUZZ=1 the fuzzing (quick local run).
# The long loops (500 kill cycles, 30 min of fuzzing per target) are scripts/nightly.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
jobs=$(nproc)

cmake --preset ci >/dev/null
cmake --build --preset ci -j "$jobs"
ctest --preset ci -j "$jobs"

if [[ ${VEILLE_SKIP_ASAN:-0} != 1 ]]; then
  cmake --preset asan >/dev/null
  cmake --build --preset asan -j "$jobs"
  # The conformance test compares parsers, not memory safety; it runs in the ci pass.
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --preset asan -j "$jobs" -LE conformance
fi

# libFuzzer: every tests/fuzz target for 30 s (clang, ASan+UBSan; RELIABILITY.md 3.7's CI budget).
if [[ ${VEILLE_SKIP_FUZZ:-0} != 1 ]]; then
  scripts/fuzz.sh 30
fi
