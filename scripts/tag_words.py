"""Write digest/tag_words.json: what tag hygiene (digest/tags.py) knows of words and countries,
taken from two libraries once, so a build does not load them (lemminflect's tables took
0.3-0.8 s of every parsing process's first entry; countryinfo reads 256 files).

    python scripts/tag_words.py

- `not_subject`: the lowercase words lemminflect knows only as adjectives, adverbs or auxiliaries
  (never a noun, proper noun or verb): "supreme", "electric", "global".
- `demonyms`: countryinfo's demonym -> country ("Russian" -> "Russia"); a demonym several
  countries share means the most populous ("American" -> "United States").
- `country_names`: countryinfo's other long names of a country -> its usual name
  ("Russian Federation" -> "Russia"); codes and names in other scripts left out.

tests/test_tags.py checks that the file is what the installed libraries give.
"""

from __future__ import annotations

import json
from importlib.metadata import version
from pathlib import Path
from typing import Any

TARGET = Path(__file__).resolve().parents[1] / "digest" / "tag_words.json"
SUBJECT_PARTS = {"NOUN", "PROPN", "VERB"}


def not_subject_words() -> list[str]:
    from lemminflect.core.Lemmatizer import Lemmatizer

    lemmatizer = Lemmatizer()
    table, overrides = lemmatizer._getLemmaDict(), lemmatizer._getOverridesDict()
    words = []
    # getAllLemmas looks a word up in lowercase: only the lowercase keys can ever answer.
    for word in sorted(set(table) | set(overrides)):
        parts = set(table.get(word, {})) | set(overrides.get(word, {}))
        if word == word.lower() and word.isalpha() and parts and not parts & SUBJECT_PARTS:
            words.append(word)
    return words


def countries() -> tuple[dict[str, str], dict[str, str]]:
    from countryinfo import all_countries

    infos = [c.info() for c in all_countries()]
    population = {info.get("name"): info.get("population") or 0 for info in infos}
    demonyms: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    for info in sorted(infos, key=lambda i: str(i.get("name"))):
        name = info.get("name")
        if not isinstance(name, str):
            continue
        demonym = info.get("demonym")
        if isinstance(demonym, str) and demonym.strip():
            demonyms.setdefault(demonym.strip(), []).append(name)
        for other in info.get("altSpellings") or ():
            # Long forms only: two-letter codes ("IN", "US") are words or other things as tags.
            if isinstance(other, str) and other.isascii() and " " in other and other != name:
                names.setdefault(other, name)
    chosen = {d: max(sorted(cs), key=lambda c: population.get(c, 0)) for d, cs in sorted(demonyms.items())}
    return chosen, dict(sorted(names.items()))


def tag_words() -> dict[str, Any]:
    demonyms, names = countries()
    return {
        "made_by": "scripts/tag_words.py from lemminflect " + version("lemminflect") + " and countryinfo "
                   + version("countryinfo"),
        "not_subject": not_subject_words(),
        "demonyms": demonyms,
        "country_names": names,
    }


def text() -> str:
    return json.dumps(tag_words(), ensure_ascii=False, indent=0, sort_keys=False) + "\n"


if __name__ == "__main__":
    TARGET.write_text(text(), encoding="utf-8")
    print(TARGET)
