#!/usr/bin/env bash
# Quick start, part 1: install dependencies, build, poll the bundled sample feeds once and print
# the mentions found.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target veilled veille
build/release/daemon/veilled --config config/veille.toml --once
echo
build/release/daemon/veille --config config/veille.toml mentions
