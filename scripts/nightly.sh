#!/usr/bin/env bash
# The nightly run: what CI runs, with the long loops that do not fit its 45-minute budget
# (RELIABILITY.md 3.7): the nightly preset (the ci build with 500 kill -9 cycles, and
# VEILLE_NIGHTLY=1 for the tests that have a long form), the ASan + UBSan pass, then 30 minutes
# of fuzzing per libFuzzer target. About 4 to 5 hours on 2 cores; see docs/reliability.md.
#
#   scripts/nightly.sh                  # everything
#   FUZZ_SECONDS=600 scripts/nightly.sh # shorter fuzzing
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
jobs=$(nproc)
export VEILLE_NIGHTLY=1

cmake --preset nightly >/dev/null
cmake --build --preset nightly -j "$jobs"
ctest --preset nightly -j "$jobs"

cmake --preset asan >/dev/null
cmake --build --preset asan -j "$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --preset asan -j "$jobs" -LE "conformance|package|docs"

scripts/fuzz.sh "${FUZZ_SECONDS:-1800}"
