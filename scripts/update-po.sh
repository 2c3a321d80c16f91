#!/usr/bin/env bash
# update-po.sh: extracts the translatable strings of veille into po/veille.pot (xgettext) and
# merges them into every catalog listed in po/LINGUAS (msgmerge), keeping what is translated.
# New and changed strings come out untranslated or fuzzy: translate them in po/<lang>.po, then
# run `scripts/update-po.sh --check` (the i18n.catalogs test runs it too).
#
#   scripts/update-po.sh          # rewrite po/veille.pot and po/*.po
#   scripts/update-po.sh --check  # nothing written; exit 1 when po/veille.pot is out of date, or
#                                 # a catalog misses a string, has a fuzzy one, or a translation
#                                 # drops or adds a {placeholder}
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d "${TMPDIR:-/tmp}/veille-po.XXXXXX")
trap 'rm -rf "$work"' EXIT
pot="$work/veille.pot"
# The keywords are the functions of lib/i18n/translator.h.
find lib daemon -name '*.cc' -o -name '*.h' | LC_ALL=C sort |
  xgettext --files-from=- --language=C++ --from-code=UTF-8 --output="$pot" \
    --keyword=Tr --keyword=TrP:1c,2 --keyword=TrN:1,2 --keyword=TrNP:1c,2,3 \
    --keyword=N_ --keyword=NC_:1c,2 --add-comments=TRANSLATORS: --add-location=file \
    --package-name=veille --msgid-bugs-address=https://github.com/veille/veille/issues \
    --copyright-holder="the veille authors" --no-wrap
# The POT-Creation-Date changes on every run; the template changes only when a string does.
sed -i -e '/^"POT-Creation-Date:/d' -e 's/charset=CHARSET/charset=UTF-8/' \
  -e 's/^# SOME DESCRIPTIVE TITLE\./# Translatable messages of veille./' "$pot"

if [[ ${1:-} == --check ]]; then
  status=0
  if ! diff -q "$pot" po/veille.pot > /dev/null 2>&1; then
    echo "update-po: po/veille.pot is out of date; run scripts/update-po.sh" >&2
    diff -u po/veille.pot "$pot" | head -40 >&2 || true
    status=1
  fi
  while read -r lang; do
    [[ -z $lang || $lang == \#* ]] && continue
    /usr/bin/python3 scripts/check-po.py "$pot" "po/$lang.po" || status=1
  done < po/LINGUAS
  exit $status
fi

cp "$pot" po/veille.pot
while read -r lang; do
  [[ -z $lang || $lang == \#* ]] && continue
  msgmerge --quiet --update --backup=none --no-wrap --add-location=file "po/$lang.po" po/veille.pot
  /usr/bin/python3 scripts/check-po.py po/veille.pot "po/$lang.po" || true
done < po/LINGUAS
