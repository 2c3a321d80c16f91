#!/bin/bash
# The man pages follow the binaries: every command and nested command that `veille --help` lists
# has an entry in veille(1) and every option of each is named in it, every option of
# `veilled --help` is in veilled(8), and groff finds
# nothing to warn about in any page.
# With CONFIG_SOURCE (lib/config/config.cc), every key the loader accepts (its CheckKeys lists) must
# be in veille.toml(5).
#   man_pages_test.sh VEILLE VEILLED MAN_DIR [CONFIG_SOURCE]
set -u

veille=$1
veilled=$2
man_dir=$3
config_source=${4:-}
failures=0

fail() {
  echo "FAIL $*"
  failures=$((failures + 1))
}

commands() { "$@" --help 2> /dev/null | sed -n '/^Subcommands:/,/^$/{s/^  \([a-z][a-z0-9-]*\).*/\1/p}'; }

# The page text with roff's \- turned into -, so names can be searched as typed.
page() { sed 's/\\-/-/g' "$man_dir/$1"; }

for p in veille.1 veille.toml.5 veilled.8; do
  if command -v groff > /dev/null 2>&1; then
    warnings=$(groff -man -ww -z "$man_dir/$p" 2>&1)
    if [[ -n $warnings ]]; then fail "$p: groff warnings: $warnings"; else echo "ok   $p: no groff warning"; fi
  fi
done

# A command entry is a .B/.BI/.BR line that starts with the command path.
has_entry() {
  page veille.1 | grep -qE "^\.(B|BI|BR) \"?$1( |\"|$)"
}

# The long options a --help lists (-h,--help aside).
long_options() { "$@" --help 2> /dev/null | sed -n 's/^  \(-[a-zA-Z],\)\{0,1\}\(--[a-z][a-z0-9-]*\).*/\2/p' | grep -v '^--help$'; }

# Every option of a command is named somewhere in veille(1) (options shared by several commands
# are described once, "as mentions does").
check_options() {
  for o in $(long_options "$veille" "$@"); do
    if page veille.1 | grep -qE -- "$o([^a-z0-9-]|$)"; then echo "ok   veille(1) documents $* $o"; else fail "veille(1) does not document '$* $o'"; fi
  done
}

top=$(commands "$veille")
[[ -n $top ]] || fail "veille --help lists no commands"
for c in $top; do
  if has_entry "$c"; then echo "ok   veille(1) documents '$c'"; else fail "veille(1) has no entry for '$c'"; fi
  check_options "$c"
  for s in $(commands "$veille" "$c"); do
    if has_entry "$c $s"; then echo "ok   veille(1) documents '$c $s'"; else fail "veille(1) has no entry for '$c $s'"; fi
    check_options "$c" "$s"
  done
done

options=$("$veilled" --help | sed -n 's/^  \(-[a-zA-Z],\)\{0,1\}\(--[a-z][a-z0-9-]*\).*/\2/p')
[[ -n $options ]] || fail "veilled --help lists no options"
for o in $options; do
  if page veilled.8 | grep -q -- "$o"; then echo "ok   veilled(8) documents $o"; else fail "veilled(8) does not document $o"; fi
done

if [[ -n $config_source ]]; then
  keys=$(grep -A3 'CheckKeys(' "$config_source" | grep -o '"[a-z_]*"' | tr -d '"' | sort -u)
  [[ -n $keys ]] || fail "no CheckKeys lists found in $config_source"
  for k in $keys; do
    if page veille.toml.5 | grep -qw -- "$k"; then echo "ok   veille.toml(5) documents $k"; else fail "veille.toml(5) does not document the key '$k'"; fi
  done
fi

exit $((failures > 0))
