"""The data model's helpers."""

from __future__ import annotations

import random
from pathlib import PurePosixPath

from digest.model import entry_path


def test_entry_path_is_the_path_purepath_makes_of_any_text() -> None:
    # A plan of the whole site makes every entry's path from its text without parsing it (3.11):
    # the result must be PurePosixPath's in every way a build reads it, whatever the text
    texts = ["content/2024/01/31/a.md", "content/x.y.md", "a", "/abs/x", "a//b", "a/./b", "a/", ".", "", "..",
             "a/../b", "content/über/straße.md", "content/a b/c.md"]
    rng = random.Random(18)
    texts += ["".join(rng.choice("ab./-_é ") for _ in range(rng.randint(0, 12))) for _ in range(5000)]
    for text in texts:
        made, parsed = entry_path(text), PurePosixPath(text)
        assert type(made) is PurePosixPath
        assert made == parsed and hash(made) == hash(parsed) and str(made) == str(parsed), text
        assert (made.parts, made.name, made.stem, made.suffix, made.parent) == \
            (parsed.parts, parsed.name, parsed.stem, parsed.suffix, parsed.parent), text
        assert sorted([made, PurePosixPath("content/m.md")]) == sorted([parsed, PurePosixPath("content/m.md")])
