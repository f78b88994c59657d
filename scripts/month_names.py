"""Write digest/ingest/month_names.json: the Gregorian months' names in the scripts other than Latin, as
Babel's copy of the Unicode CLDR gives them for all its locales, taken once, so ingest does not load Babel (its
locale data is over a thousand files).

    python scripts/month_names.py

{name: month}, names lower-cased and sorted: the wide and abbreviated names, in the format and the stand-alone
forms, of every locale, in each of the ways Unicode lets a text write them (composed, decomposed, and with the
letters Unicode never composes, as Bengali's "য়", written as one character, as web pages often do), and with a
letter a locale's date patterns glue to the month (Hebrew's "ב" in "d בMMMM y": "30 במאי 2024"). Left out: names
with a Latin letter (the Latin-script names are digest/ingest/dates.py's own list), names with a digit (Chinese's
"1月": dates.py reads those as numbers), names of one character (Burmese's "ဧ"), and any name that one locale gives
to one month and another locale to another (none at Babel 2.19.0; Croatian's "listopad", October, against Czech's
and Polish's November shows how Latin ones can be). digest/ingest/dates.py reads a date written with them
("٣٠ مايو ٢٠٢٤", "৩০ মে, ২০২৪"). tests/test_ingest_models.py checks that the file is what the installed Babel gives.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from importlib.metadata import version
from pathlib import Path

TARGET = Path(__file__).resolve().parents[1] / "digest" / "ingest" / "month_names.json"

# Letters Unicode decomposes and never composes again (its composition exclusions: Devanagari's "क़", Bengali's
# "য়", Hebrew's presentation forms): a text may hold them either way.
_EXCLUDED = {unicodedata.normalize("NFD", c): c for c in map(chr, range(0x10000))
             if len(unicodedata.normalize("NFD", c)) > 1 and unicodedata.normalize("NFC", c) != c}
# A run of letters a date pattern glues to the month's field (CLDR's pattern letters are ASCII ones).
_GLUED = re.compile(r"(?P<before>[^\W\d_A-Za-z']*)(?:M{3,4}|L{3,4})(?P<after>[^\W\d_A-Za-z']*)")


def _ways(name: str) -> set[str]:
    composed = unicodedata.normalize("NFC", name)
    precomposed = composed
    for decomposed, letter in _EXCLUDED.items():
        precomposed = precomposed.replace(decomposed, letter)
    return {name, composed, unicodedata.normalize("NFD", name), precomposed}


def _latin_or_digit(name: str) -> bool:
    return any(c.isdigit() or "LATIN" in unicodedata.name(c, "") for c in name)


def month_names() -> dict[str, int]:
    from babel import Locale, localedata

    months: dict[str, set[int]] = {}
    for identifier in localedata.locale_identifiers():
        locale = Locale.parse(identifier)
        affixes = {("", "")}
        for width in ("full", "long", "medium"):
            for m in _GLUED.finditer(locale.date_formats[width].pattern):
                affixes.add((m.group("before"), m.group("after")))
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for month, name in locale.months[context][width].items():
                    name = name.strip().lower()
                    if len(name.rstrip(".")) < 2 or _latin_or_digit(name):
                        continue
                    glued = affixes if context == "format" else {("", "")}
                    for before, after in glued:
                        for way in _ways(before + name + after):
                            months.setdefault(way, set()).add(month)
    return {name: next(iter(found)) for name, found in sorted(months.items()) if len(found) == 1}


def text() -> str:
    made = {"made_by": f"scripts/month_names.py from babel {version('babel')}", "months": month_names()}
    return json.dumps(made, ensure_ascii=False, indent=0) + "\n"


if __name__ == "__main__":
    TARGET.write_text(text(), encoding="utf-8")
    print(TARGET, file=sys.stderr)
