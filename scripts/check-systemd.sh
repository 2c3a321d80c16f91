#!/bin/sh
# check-systemd.sh: offline checks of veille's systemd integration, for CI and ctest.
#
#   scripts/check-systemd.sh [--veilled PATH] [--veille PATH] [--threshold N] [--source DIR]
#
# 1. The unit keeps its life-cycle contract (Type=notify, watchdog, check-config before SIGHUP).
# 2. `systemd-analyze verify` reports nothing at all (warnings count as failures), with the
#    unit's man: links resolved against docs/man/ and ExecStart=/ExecReload= pointing at the
#    binaries given (a binary not given is replaced by a stub, and the script says so).
# 3. `systemd-analyze security --offline=true --threshold=N` passes. N is on systemd's internal
#    0-100 scale: the default 15 means "exposure 1.5 or better".
#    The same verify for veille-web.service, with exposure 2.0 or better (--threshold 20).
# 4. The sysusers.d file creates the veille user and group in a scratch root.
# Needs systemd-analyze and systemd-sysusers (Debian package systemd); no running systemd.
set -eu

source_dir=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
veilled=""
veille=""
threshold=15

while [ $# -gt 0 ]; do
  case "$1" in
    --veilled) veilled=$2; shift 2 ;;
    --veille) veille=$2; shift 2 ;;
    --threshold) threshold=$2; shift 2 ;;
    --source) source_dir=$2; shift 2 ;;
    -h | --help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "check-systemd: unknown argument: $1" >&2; exit 2 ;;
  esac
done

fail() {
  echo "check-systemd: FAIL: $*" >&2
  exit 1
}

for tool in systemd-analyze systemd-sysusers; do
  command -v "$tool" > /dev/null 2>&1 || fail "$tool not found (apt-get install systemd)"
done

unit="$source_dir/systemd/veilled.service"
sysusers="$source_dir/systemd/veille.sysusers"
[ -f "$unit" ] || fail "no unit at $unit"
[ -f "$sysusers" ] || fail "no sysusers file at $sysusers"

work=$(mktemp -d "${TMPDIR:-/tmp}/veille-check-systemd.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

# --- 1. the life-cycle contract ---------------------------------------------------------------
require_line() {
  grep -qx -- "$1" "$unit" || fail "veilled.service lost the line: $1"
}
require_line 'Type=notify'
require_line 'ExecStart=/usr/bin/veilled --config /etc/veille/veille.toml'
require_line 'ExecReload=/usr/bin/veille --config /etc/veille/veille.toml check-config'
# shellcheck disable=SC2016 # a literal $MAINPID, expanded by systemd
require_line 'ExecReload=/bin/kill -HUP $MAINPID'
require_line 'Restart=on-failure'
require_line 'User=veille'
require_line 'StateDirectory=veille'
grep -q '^WatchdogSec=' "$unit" || fail "veilled.service has no WatchdogSec="
grep -q '^TimeoutStopSec=' "$unit" || fail "veilled.service has no TimeoutStopSec="
check_line=$(grep -n '^ExecReload=.*check-config' "$unit" | cut -d: -f1)
hup_line=$(grep -n '^ExecReload=.*-HUP' "$unit" | cut -d: -f1)
[ "$check_line" -lt "$hup_line" ] || fail "ExecReload= must run check-config before the SIGHUP"
echo "check-systemd: life-cycle contract ok"

# --- 2. systemd-analyze verify ----------------------------------------------------------------
stub() {
  printf '#!/bin/sh\nexit 0\n' > "$work/bin/$1"
  chmod 755 "$work/bin/$1"
  echo "check-systemd: note: $1 not given, verifying ExecStart/ExecReload against a stub" >&2
  echo "$work/bin/$1"
}
mkdir -p "$work/bin" "$work/unit" "$work/man/man1" "$work/man/man5" "$work/man/man8"
absolute() { case "$1" in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
if [ -n "$veilled" ]; then veilled=$(absolute "$veilled"); fi
if [ -n "$veille" ]; then veille=$(absolute "$veille"); fi
if [ -n "$veilled" ]; then [ -x "$veilled" ] || fail "--veilled $veilled is not executable"; else veilled=$(stub veilled); fi
if [ -n "$veille" ]; then [ -x "$veille" ] || fail "--veille $veille is not executable"; else veille=$(stub veille); fi
sed -e "s#/usr/bin/veilled #$veilled #" -e "s#/usr/bin/veille #$veille #" \
  "$unit" > "$work/unit/veilled.service"

# Documentation=man:... must resolve: point man(1) at the pages in docs/man.
man_check=no
if command -v man > /dev/null 2>&1; then
  man_check=yes
  cp "$source_dir"/docs/man/*.1 "$work/man/man1/"
  cp "$source_dir"/docs/man/*.5 "$work/man/man5/"
  cp "$source_dir"/docs/man/*.8 "$work/man/man8/"
else
  echo "check-systemd: note: man(1) not installed, Documentation= links not checked" >&2
fi

if ! MANPATH="$work/man" SYSTEMD_LOG_COLOR=0 systemd-analyze verify --man="$man_check" \
  "$work/unit/veilled.service" > "$work/verify.out" 2>&1; then
  cat "$work/verify.out" >&2
  fail "systemd-analyze verify failed"
fi
if [ -s "$work/verify.out" ]; then
  cat "$work/verify.out" >&2
  fail "systemd-analyze verify printed warnings"
fi
echo "check-systemd: systemd-analyze verify clean (man pages checked: $man_check)"

# --- 3. systemd-analyze security --------------------------------------------------------------
status=0
SYSTEMD_LOG_COLOR=0 systemd-analyze security --offline=true --threshold="$threshold" --no-pager \
  "$work/unit/veilled.service" > "$work/security.out" 2>&1 || status=$?
exposure=$(sed -n 's/.*Overall exposure level for veilled.service: \([0-9.]*\).*/\1/p' \
  "$work/security.out")
if [ "$status" -ne 0 ] || [ -z "$exposure" ]; then
  grep -v '^✓' "$work/security.out" >&2 || true
  fail "systemd-analyze security: exposure ${exposure:-unknown} above threshold $threshold/100"
fi
echo "check-systemd: systemd-analyze security exposure $exposure (threshold $threshold/100)"

# --- 3b. veille-web.service: verify, and exposure <= 2.0 (it serves the network) ---------------
web_unit="$source_dir/systemd/veille-web.service"
[ -f "$web_unit" ] || fail "no unit at $web_unit"
grep -qx 'ExecStart=/usr/bin/veille --config /etc/veille/veille.toml serve' "$web_unit" ||
  fail "veille-web.service lost its ExecStart= line"
grep -qx 'User=veille' "$web_unit" || fail "veille-web.service does not run as veille"
sed -e "s#/usr/bin/veille #$veille #" "$web_unit" > "$work/unit/veille-web.service"
if ! MANPATH="$work/man" SYSTEMD_LOG_COLOR=0 systemd-analyze verify --man="$man_check" \
  "$work/unit/veille-web.service" > "$work/verify-web.out" 2>&1 || [ -s "$work/verify-web.out" ]; then
  cat "$work/verify-web.out" >&2
  fail "systemd-analyze verify failed or warned on veille-web.service"
fi
status=0
SYSTEMD_LOG_COLOR=0 systemd-analyze security --offline=true --threshold=20 --no-pager \
  "$work/unit/veille-web.service" > "$work/security-web.out" 2>&1 || status=$?
exposure=$(sed -n 's/.*Overall exposure level for veille-web.service: \([0-9.]*\).*/\1/p' \
  "$work/security-web.out")
if [ "$status" -ne 0 ] || [ -z "$exposure" ]; then
  grep -v '^✓' "$work/security-web.out" >&2 || true
  fail "veille-web.service: exposure ${exposure:-unknown} above 2.0"
fi
echo "check-systemd: veille-web.service verify clean, exposure $exposure (threshold 20/100)"

# --- 4. sysusers.d ----------------------------------------------------------------------------
mkdir -p "$work/root/etc"
systemd-sysusers --root="$work/root" "$sysusers" > "$work/sysusers.out" 2>&1 ||
  { cat "$work/sysusers.out" >&2; fail "systemd-sysusers rejected $sysusers"; }
grep -q '^veille:x:[0-9]*:[0-9]*:.*:/var/lib/veille:/usr/sbin/nologin$' "$work/root/etc/passwd" ||
  fail "sysusers did not create the veille user with a nologin shell"
grep -q '^veille:x:[0-9]*:' "$work/root/etc/group" || fail "sysusers did not create the veille group"
echo "check-systemd: sysusers creates user and group veille"

echo "check-systemd: ok"
