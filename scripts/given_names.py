"""Write digest/ingest/given_names.txt: the given names Faker knows in all its locales, taken once, so
ingest does not load Faker (its person providers are 86 modules).

    python scripts/given_names.py

One name a line, case-folded and sorted, names written without a capital letter (scripts with no case:
a byline is found by its capitals, digest/ingest/text.py) left out. The text-dump reader asserts a bare
name as the author only when it opens with one of them, or its line goes on as a byline does
(byline.looks_signed): a menu's or a box's label ("Download PDF", "Zur Playlist Anhören") has a name's
shape but seldom opens with a person's given name.
tests/test_ingest_models.py checks that the file is what the installed Faker gives.
"""

from __future__ import annotations

import importlib
import pkgutil
from importlib.metadata import version
from pathlib import Path

TARGET = Path(__file__).resolve().parents[1] / "digest" / "ingest" / "given_names.txt"
_LISTS = ("first_names", "first_names_male", "first_names_female", "first_names_nonbinary")


def given_names() -> list[str]:
    import faker.providers.person as person

    names: set[str] = set()
    for module in pkgutil.iter_modules(person.__path__):
        provider = importlib.import_module(f"{person.__name__}.{module.name}").Provider
        for attr in _LISTS:
            found = next((c.__dict__[attr] for c in provider.__mro__ if attr in c.__dict__), None)
            if isinstance(found, (dict, list, tuple, set, frozenset)):
                names.update(n for n in found if isinstance(n, str))
    return sorted({n.strip().casefold() for n in names if n.strip() and n.strip()[0].isupper()})


def text() -> str:
    return f"# made by scripts/given_names.py from faker {version('faker')}\n" + "\n".join(given_names()) + "\n"


if __name__ == "__main__":
    TARGET.write_text(text(), encoding="utf-8")
    print(TARGET)
