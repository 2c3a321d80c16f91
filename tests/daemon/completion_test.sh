#!/bin/bash
# Drives scripts/bash-completion/veille the way bash does (COMP_WORDS/COMP_CWORD), with minimal
# stand-ins for bash-completion's _init_completion and _filedir, against the veille binary given
# as $1 (and against a missing binary, to test the static fallback).
#   completion_test.sh VEILLE_BINARY COMPLETION_SCRIPT
set -u

veille_bin=$1
script=$2
failures=0

# shellcheck disable=SC2034,SC2317 # the variables bash-completion sets for the caller
_init_completion() {
  words=("${COMP_WORDS[@]}")
  cword=$COMP_CWORD
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=${COMP_WORDS[COMP_CWORD - 1]}
}
# shellcheck disable=SC2317 # called by the completion functions
_filedir() { COMPREPLY=("<files${1:+:$1}>"); }

# shellcheck source=/dev/null
source "$script"

# complete FUNCTION WORD... : completes the last word; prints the replies, one per line.
complete_words() {
  local fn=$1
  shift
  COMP_WORDS=("$@")
  COMP_CWORD=$(($# - 1))
  COMPREPLY=()
  "$fn"
  printf '%s\n' "${COMPREPLY[@]}" | sort
}

expect() {
  local name=$1 expected=$2
  shift 2
  local got
  got=$(complete_words "$@" | tr '\n' ' ' | sed 's/ $//')
  if [[ $got == "$expected" ]]; then
    echo "ok   $name"
  else
    echo "FAIL $name: completing '${*:2}' gave [$got], expected [$expected]"
    failures=$((failures + 1))
  fi
}

expect "subcommand prefix" "mentions" _veille "$veille_bin" me
expect "subcommand after --config FILE" "mentions" _veille "$veille_bin" --config x.toml me
expect "mentions options from --help" "--since" _veille "$veille_bin" mentions --si
expect "feeds options from --help" "--failing" _veille "$veille_bin" feeds --fa
expect "global options" "--config" _veille "$veille_bin" --con
expect "config file argument" "<files:toml>" _veille "$veille_bin" -c ""
expect "no completion for a --since value" "" _veille "$veille_bin" mentions --since ""
expect "parse takes a file" "<files>" _veille "$veille_bin" parse ""
expect "check-config takes a toml file" "<files:toml>" _veille "$veille_bin" check-config ""
expect "test-rule takes a query, not a file" "" _veille "$veille_bin" test-rule ""
expect "--format choices from --help" "json" _veille "$veille_bin" mentions --format j
expect "no completion for a free-text option" "" _veille "$veille_bin" test-rule x --text ""
expect "test-rule --rule from --help" "--rule" _veille "$veille_bin" test-rule --ru
rules_config=$(mktemp)
cat > "$rules_config" << 'TOML'
[[feed]]
name = "flux"
url = "https://x.example/feed"
[[rule]]
name = "marque"   # the brand
category = "brand"
[[ rule ]]
  name = 'Alpéa crise'
[[channel]]
name = "journal"
TOML
expect "--rule completes the config's rule names" "Alpéa crise marque" _veille "$veille_bin" --config "$rules_config" test-rule --rule ""
expect "--rule completes by prefix" "marque" _veille "$veille_bin" -c "$rules_config" mentions --rule m
VEILLE_CONFIG=$rules_config expect "--rule reads \$VEILLE_CONFIG" "marque" _veille "$veille_bin" stats --rule ma
rm -f "$rules_config"
expect "nested commands" "backup" _veille "$veille_bin" db ba
expect "options of a nested command" "--status" _veille "$veille_bin" outbox --st
expect "--status choices" "dead delivered disabled" _veille "$veille_bin" outbox --status d
expect "a value option is skipped when finding the command" "--failing" _veille "$veille_bin" --config x.toml feeds --fa
expect "--output takes a file" "<files>" _veille "$veille_bin" report -o ""
expect "opml import takes an OPML file" "<files:opml>" _veille "$veille_bin" opml import ""
expect "opml import --append takes a config" "<files:toml>" _veille "$veille_bin" opml import x.opml --append ""
expect "status --database takes a file" "<files>" _veille "$veille_bin" status --database ""
expect "mentions --lang from --help" "--lang" _veille "$veille_bin" mentions --la
expect "search --lang from --help" "--lang" _veille "$veille_bin" search --la
expect "stats --lang from --help" "--lang" _veille "$veille_bin" stats --la
expect "--lang completes language codes" "fr" _veille "$veille_bin" stats --lang f
expect "search --sort choices" "date detected relevance" _veille "$veille_bin" search --sort ""
expect "stats --by-date choices" "detected" _veille "$veille_bin" stats --by-date d
expect "export --excel from --help" "--excel" _veille "$veille_bin" export --ex
expect "outbox retry --all-pending" "--all-pending" _veille "$veille_bin" outbox retry --all-p
expect "fallback list without a binary" "check-config" _veille /nonexistent/veille che
expect "discover in the fallback list" "discover" _veille /nonexistent/veille disc
expect "fallback options without a binary" "--json" _veille /nonexistent/veille mentions --js
expect "veilled log levels" "warn" _veilled veilled --log-level w
expect "veilled options" "--once" _veilled veilled --o

# The subcommands the binary lists must all be offered (none lost by the help parsing).
listed=$("$veille_bin" --help | sed -n '/^Subcommands:/,/^$/{s/^  \([a-z][a-z0-9-]*\).*/\1/p}' | sort | tr '\n' ' ' | sed 's/ $//')
offered=$(complete_words _veille "$veille_bin" "" | tr '\n' ' ' | sed 's/ $//')
if [[ -n $listed && $listed == "$offered" ]]; then
  echo "ok   every listed subcommand is offered ($offered)"
else
  echo "FAIL subcommands: binary lists [$listed], completion offers [$offered]"
  failures=$((failures + 1))
fi

exit $((failures > 0))
