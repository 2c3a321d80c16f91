#!/usr/bin/env bash
# Installs every build and test dependency of veille from Debian 12 packages.
# Idempotent and quiet when everything is already there. Needs root (or sudo).
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config ccache git
  # message catalogs (msgfmt, xgettext, msgmerge: po/, scripts/update-po.sh)
  gettext
  # libraries (ARCHITECTURE.md, "Dependencies")
  libcurl4-openssl-dev libpugixml-dev libsqlite3-dev libspdlog-dev libfmt-dev
  libtomlplusplus-dev libcli11-dev nlohmann-json3-dev libutf8proc-dev libvectorscan-dev libxxhash-dev
  libgumbo-dev libssl-dev libexpected-dev libcld2-dev libhowardhinnant-date-dev
  # PostgreSQL backend (issue 18): the client library, and the server the tests start in a
  # temporary directory (tests/system/pg_server.py). postgresql-15 ships the contrib modules,
  # unaccent included (postgresql-contrib-15 is a name it provides, not a package of its own).
  libpq-dev postgresql-15
  # the web inbox (veille serve): HTTP server, argon2id password hashes
  libmicrohttpd-dev libargon2-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev libcpp-httplib-dev
  python3 python3-feedparser python3-aiosmtpd sqlite3 openssl
  # fuzzing, sanitizers, fault injection, service checks
  clang libclang-rt-14-dev faketime strace systemd man-db
  # report screenshots and the web inbox's browser test (headless)
  chromium chromium-driver python3-selenium
  # end-to-end benchmark peers
  nginx sfeed
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
((${#missing[@]} == 0)) && exit 0

sudo=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: run as root or install sudo" >&2; exit 1; }
  sudo="sudo"
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
