#!/usr/bin/python3
"""check-po.py TEMPLATE CATALOG: checks one translation catalog against the template.

Fails (exit 1, one line per problem) when a message of the template has no translation in the
catalog, when a translation is marked fuzzy, or when a translation's {placeholders} differ from
its msgid's (lib/i18n/translator.h fills them by name, so a dropped one loses a value and an
unknown one shows up as text)."""
import re
import sys


def parse(path):
    """Returns {(context, msgid): entry} with entry = {'plural', 'msgstr': [..], 'fuzzy'}."""
    entries = {}
    current = None
    field = None

    def finish():
        if current is not None and 'msgid' in current and not current.get('obsolete'):
            key = (current.get('msgctxt'), current['msgid'])
            entries[key] = current

    with open(path, encoding='utf-8') as f:
        for raw in f:
            line = raw.rstrip('\n')
            if not line.strip():
                finish()
                current, field = None, None
                continue
            if current is None:
                current = {'msgstr': {}, 'fuzzy': False}
            if line.startswith('#~'):
                current['obsolete'] = True
                continue
            if line.startswith('#,'):
                current['fuzzy'] = 'fuzzy' in line
                continue
            if line.startswith('#'):
                continue
            m = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+"(.*)"$', line)
            if m:
                name, index, text = m.group(1), m.group(2), m.group(3)
                if name.startswith('msgstr'):
                    field = ('msgstr', int(index or 0))
                    current['msgstr'][field[1]] = unescape(text)
                else:
                    field = (name, None)
                    current[name] = unescape(text)
                continue
            m = re.match(r'^"(.*)"$', line)
            if m and field:
                if field[0] == 'msgstr':
                    current['msgstr'][field[1]] += unescape(m.group(1))
                else:
                    current[field[0]] += unescape(m.group(1))
    finish()
    return entries


def unescape(text):
    return re.sub(r'\\(.)', lambda m: {'n': '\n', 't': '\t'}.get(m.group(1), m.group(1)), text)


def placeholders(text):
    return sorted(re.findall(r'\{[a-z_]+\}', text))


def main():
    template, catalog = parse(sys.argv[1]), parse(sys.argv[2])
    problems = []
    for key, entry in template.items():
        if key == (None, ''):
            continue
        name = (f'[{key[0]}] ' if key[0] else '') + repr(key[1])
        found = catalog.get(key)
        if found is None or not any(found['msgstr'].values()):
            problems.append(f'untranslated: {name}')
            continue
        if found['fuzzy']:
            problems.append(f'fuzzy: {name}')
        expected = placeholders(entry['msgid'])
        for index, text in found['msgstr'].items():
            if not text:
                problems.append(f'empty plural form {index}: {name}')
            elif placeholders(text) != expected and not (
                    'msgid_plural' in entry and placeholders(text) == placeholders(entry['msgid_plural'])):
                problems.append(f'placeholders {placeholders(text)} instead of {expected}: {name}')
    for line in problems:
        print(f'{sys.argv[2]}: {line}')
    print(f'{sys.argv[2]}: {len(template) - 1} messages, {len(problems)} problems',
          file=sys.stderr)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
