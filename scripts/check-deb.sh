#!/bin/sh
# check-deb.sh: build the Debian package of a configured, built tree and check it without
# installing it on this machine.
#
#   scripts/check-deb.sh BUILD_DIR
#
# 1. `cpack -G DEB` in BUILD_DIR (output in a scratch directory).
# 2. Control data: name, version, shlibdeps-generated Depends, the conffile, maintainer scripts.
# 3. Contents: binaries, unit, sysusers file, man pages, completion, examples, conffile.
# 4. `dpkg -x` into a scratch root, then: the unpacked binaries run, the man pages render, the
#    unit passes `systemd-analyze verify`, and postinst (run with DPKG_ROOT=that root) creates the
#    veille user and enables veilled.service without starting it.
# Needs cpack, dpkg-deb, dpkg-shlibdeps (dpkg-dev), systemd-analyze, systemd-sysusers and
# deb-systemd-helper (init-system-helpers).
set -eu

[ $# -eq 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
build_dir=$(CDPATH='' cd -- "$1" && pwd)

fail() {
  echo "check-deb: FAIL: $*" >&2
  exit 1
}
for tool in cpack dpkg-deb dpkg-shlibdeps systemd-analyze systemd-sysusers deb-systemd-helper; do
  command -v "$tool" > /dev/null 2>&1 || fail "$tool not found"
done
[ -f "$build_dir/CPackConfig.cmake" ] ||
  fail "$build_dir has no CPackConfig.cmake: add include(Packaging) to the top-level CMakeLists.txt"

work=$(mktemp -d "${TMPDIR:-/tmp}/veille-check-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

# --- 1. build ---------------------------------------------------------------------------------
(cd "$build_dir" && cpack -G DEB -B "$work/out") > "$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log" >&2; fail "cpack -G DEB failed"; }
deb=$(find "$work/out" -maxdepth 1 -name 'veille_*.deb' | head -n 1)
[ -n "$deb" ] || { cat "$work/cpack.log" >&2; fail "cpack produced no veille_*.deb"; }
echo "check-deb: built $(basename "$deb") ($(wc -c < "$deb") bytes)"

# --- 2. control data --------------------------------------------------------------------------
field() { dpkg-deb --field "$deb" "$1"; }
[ "$(field Package)" = veille ] || fail "Package is '$(field Package)', not veille"
depends=$(field Depends)
for dep in libc6 libstdc++6 libcurl4 libsqlite3-0 systemd-sysusers; do
  printf '%s\n' "$depends" | grep -q "$dep" || fail "Depends lacks $dep (shlibdeps?): $depends"
done
echo "check-deb: Depends: $depends"
mkdir -p "$work/control"
dpkg-deb --control "$deb" "$work/control"
grep -qx /etc/veille/veille.toml "$work/control/conffiles" || fail "/etc/veille/veille.toml is not a conffile"
for script in postinst prerm postrm; do
  [ -x "$work/control/$script" ] || fail "no executable $script"
  sh -n "$work/control/$script" || fail "$script has a syntax error"
done

# --- 3. contents ------------------------------------------------------------------------------
dpkg-deb --contents "$deb" | awk '{print $NF}' > "$work/contents"
expect_path() {
  grep -qx "\./$1" "$work/contents" || fail "the package lacks /$1"
}
expect_path usr/bin/veille
expect_path usr/lib/systemd/system/veilled.service
expect_path usr/lib/systemd/system/veille-web.service
expect_path usr/lib/sysusers.d/veille.conf
expect_path usr/share/man/man1/veille.1.gz
expect_path usr/share/man/man5/veille.toml.5.gz
expect_path usr/share/man/man8/veilled.8.gz
expect_path usr/share/bash-completion/completions/veille
expect_path usr/share/bash-completion/completions/veilled
expect_path usr/share/doc/veille/operations.md
expect_path usr/share/locale/fr/LC_MESSAGES/veille.mo
expect_path usr/share/doc/veille/examples/veille.etc.toml
expect_path etc/veille/veille.toml
has_veilled=no
if grep -qx './usr/bin/veilled' "$work/contents"; then has_veilled=yes; fi
echo "check-deb: contents ok ($(wc -l < "$work/contents") entries, veilled included: $has_veilled)"

# --- 4. unpack and use ------------------------------------------------------------------------
root="$work/root"
dpkg -x "$deb" "$root"
"$root/usr/bin/veille" --version > "$work/version" 2>&1 || fail "unpacked veille --version failed"
echo "check-deb: $(cat "$work/version")"
if [ "$has_veilled" = yes ]; then
  "$root/usr/bin/veilled" --version > "$work/version" 2>&1 || fail "unpacked veilled --version failed"
  echo "check-deb: $(cat "$work/version")"
fi
if command -v man > /dev/null 2>&1; then
  for page in man1/veille.1.gz man5/veille.toml.5.gz man8/veilled.8.gz; do
    MANWIDTH=80 man -l "$root/usr/share/man/$page" 2> "$work/man.err" | grep -q '^NAME' ||
      { cat "$work/man.err" >&2; fail "$page does not render"; }
  done
  echo "check-deb: man pages render"
fi
grep -qx 'ExecStart=/usr/bin/veilled --config /etc/veille/veille.toml' \
  "$root/usr/lib/systemd/system/veilled.service" || fail "the packaged unit's ExecStart changed"
sed -e "s#/usr/bin/#$root/usr/bin/#g" "$root/usr/lib/systemd/system/veilled.service" \
  > "$work/veilled.service"
if [ "$has_veilled" = no ]; then
  printf '#!/bin/sh\nexit 0\n' > "$root/usr/bin/veilled" && chmod 755 "$root/usr/bin/veilled"
fi
if ! systemd-analyze verify --man=no "$work/veilled.service" > "$work/verify.out" 2>&1 ||
  [ -s "$work/verify.out" ]; then
  cat "$work/verify.out" >&2
  fail "the packaged unit does not verify"
fi
echo "check-deb: packaged unit verifies"

# The maintainer scripts against the unpacked root, as dpkg runs them (DPKG_ROOT tells
# systemd-sysusers and deb-systemd-helper where the root is; nothing touches this machine, and
# nothing is started: there is no /run/systemd/system in a DPKG_ROOT install).
mkdir -p "$root/etc/systemd/system" "$root/var/lib/systemd"
: > "$root/etc/passwd"
: > "$root/etc/group"
maintscript() {
  DPKG_ROOT="$root" DPKG_MAINTSCRIPT_PACKAGE=veille DPKG_MAINTSCRIPT_NAME="$1" \
    sh "$work/control/$1" "$2" ${3:+"$3"} > "$work/$1.log" 2>&1 ||
    { cat "$work/$1.log" >&2; fail "$1 $2 failed"; }
}
wants="$root/etc/systemd/system/multi-user.target.wants/veilled.service"
mask="$root/etc/systemd/system/veilled.service"

maintscript postinst configure
grep -q '^veille:x:' "$root/etc/passwd" || fail "postinst did not create the veille user"
grep -q '^veille:x:' "$root/etc/group" || fail "postinst did not create the veille group"
[ -L "$wants" ] || fail "postinst did not enable veilled.service"
echo "check-deb: install: user and group veille created, veilled.service enabled"

maintscript postinst configure 0.1.0
[ -L "$wants" ] || fail "an upgrade disabled veilled.service"
rm "$wants"  # what `systemctl disable veilled` does
maintscript postinst configure 0.1.0
[ ! -e "$wants" ] || fail "an upgrade re-enabled a unit the operator had disabled"
echo "check-deb: upgrade: keeps the unit enabled, and keeps an operator's disable"

maintscript prerm remove
maintscript postrm remove
[ "$(readlink "$mask")" = /dev/null ] || fail "postrm remove did not mask veilled.service"
maintscript postrm purge
if [ -e "$mask" ] || [ -L "$mask" ]; then fail "postrm purge left the mask"; fi
[ ! -e "$wants" ] || fail "postrm purge left the unit enabled"
echo "check-deb: remove masks the unit, purge forgets it"

echo "check-deb: ok"
