#!/usr/bin/env bash
# CI only (it changes the machine): build the Debian package from BUILD_DIR, install it with
# dpkg -i, check that the installed binaries, man pages, unit and user work, then purge it.
#   scripts/ci-install-deb.sh build/ci
set -euo pipefail
build=${1:?usage: $0 BUILD_DIR}
work=$(mktemp -d /tmp/veille-deb.XXXXXX)
trap 'rm -rf "$work"' EXIT
(cd "$build" && cpack -G DEB -B "$work" >/dev/null)
deb=$(ls "$work"/veille_*.deb)
passed=0
failed=0
check() {  # DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@" >/dev/null 2>&1; then
    echo "ok   deb: $what"
    passed=$((passed + 1))
  else
    echo "FAIL deb: $what"
    failed=$((failed + 1))
  fi
}
if dpkg-query -W -f='${Status}' veille 2>/dev/null | grep -q "install ok installed"; then
  echo "ci-install-deb: veille is already installed on this machine; refusing to touch it" >&2
  exit 1
fi
check "dpkg -i $(basename "$deb") installs" dpkg -i "$deb"
check "veilled --version runs" /usr/bin/veilled --version
check "veille --version runs" /usr/bin/veille --version
check "man veille finds the page" man -w veille
check "man veilled finds the page" man -w veilled
check "man 5 veille.toml finds the page" man -w 5 veille.toml
check "the veille user exists" id veille
check "the unit is installed" test -f /lib/systemd/system/veilled.service
check "the web inbox unit is installed" test -f /lib/systemd/system/veille-web.service
check "/etc/veille/veille.toml is a conffile" sh -c "dpkg-query -W -f='\${Conffiles}' veille | grep -q /etc/veille/veille.toml"
check "the shipped config is valid" /usr/bin/veille check-config /etc/veille/veille.toml
check "dpkg --purge removes it" dpkg --purge veille
echo "$passed passed, $failed failed"
((failed == 0))
