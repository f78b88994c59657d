"""Random sequences of changes, each followed by a rebuild that must equal a cold build of the same
files, byte for byte: the reuse layer (the cache, plan patches, spare trees, the story grouping
kept between builds) may save work, never change the result.

Every kind of change a curator makes: a body edited (the plan patched), a headline edited so that
stories join or split, or a word added to it, a summary, byline or source changed (patched too), an
entry moved to another day (edition) or topic, its tags changed, an entry added, deleted or renamed,
made a draft, dated in the future, or given a curator's story key. Two
builders: one-shot builds (the CLI) and one long-lived Builder told which files changed (the dev
server), which also idles (catch_up) between some builds. Pages hold two stories each, so that
additions and deletions move entries across archive pages. The seeds are fixed: the same sequences
every run.
"""

from __future__ import annotations

import contextlib
import marshal
import random
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from digest.build import Builder, BuildOptions, build
from digest.urls import edition_of_output, is_article_output

from .conftest import BASIC_CONFIG, NOW, entry_text

OPTIONS = BuildOptions(now=NOW, jobs=1)
CONFIG = BASIC_CONFIG.replace("[site]\n", "[site]\nitems_per_page = 2\n")
SUBJECTS = ["Harbour strike", "Grain prices", "Rail tunnel", "Drought warning", "Chip factory", "Ferry crash"]
DAYS = ["2022-08-13", "2022-08-14", "2022-08-15", "2022-08-16", "2022-08-17"]
TOPICS = ["world", "business", None]
TAGS = ['["Energy"]', '["Ports", "Energy"]', '["Trade"]', None]
STEPS = 14


def tree(root: Path) -> dict[str, bytes | None]:
    return {p.relative_to(root).as_posix(): p.read_bytes() if p.is_file() else None for p in sorted(root.rglob("*"))}


def cold(root: Path, elsewhere: Path) -> dict[str, bytes | None]:
    shutil.rmtree(elsewhere, ignore_errors=True)
    shutil.copytree(root, elsewhere, ignore=shutil.ignore_patterns("output", ".output*", ".digest"))
    build(elsewhere, OPTIONS)
    return tree(elsewhere / "output")


def stored_shows(root: Path) -> set[tuple[str, str]]:
    """The build cache's rows of which page or feed shows which entry: what a later body edit
    patches from, kept up to date by every build for the units it changed."""
    with contextlib.closing(sqlite3.connect(root / ".digest/cache/build.sqlite")) as db:
        by_entry = {(entry, unit) for entry, units in db.execute("SELECT entry, units FROM shows")
                    for unit in marshal.loads(units)}
        by_unit = {(entry, unit) for unit, entries in db.execute("SELECT name, shows FROM units")
                   for entry in marshal.loads(entries)}
    assert by_entry == by_unit  # the two sides of the record agree
    return by_entry


def rebuilt_as_cold(builder: Builder | None, root: Path, touched: list[Path], curator: Curator, tmp_path: Path,
                    label: str) -> None:
    """Build after a change (`builder`: a long-lived one told what changed, idling now and then;
    None: a one-shot build) and check the output and the record of which page shows which entry
    against a cold build's."""
    if builder is not None:
        builder.build(changed=touched)
        if curator.rng.random() < 0.4:
            builder.catch_up(lambda: False)  # the dev server's idle time between edits
    else:
        build(root, OPTIONS)
    assert tree(root / "output") == cold(root, tmp_path / "cold"), label
    assert stored_shows(root) == stored_shows(tmp_path / "cold"), label


class Curator:
    """Makes random changes to a site's entries and says which files it touched."""

    def __init__(self, root: Path, seed: int, subjects: list[str] = SUBJECTS, days: list[str] = DAYS,
                 tags: list[str | None] = TAGS) -> None:
        self.root = root
        self.rng = random.Random(seed)
        self.subjects = subjects
        self.days = days
        self.tags = tags
        self.count = 0
        self.entries: dict[str, dict[str, str | None]] = {}  # file -> its fields

    def write(self, rel: str, fields: dict[str, str | None]) -> Path:
        self.entries[rel] = fields
        extra = {key: value for key, value in fields.items()
                 if key not in ("title", "date", "body") and value is not None}
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        text = entry_text(str(fields["title"]), str(fields["date"]), str(fields["body"]), **extra)
        if path.exists() and path.read_text(encoding="utf-8") == text:
            text += "\n"  # a change is a change: the bytes differ
        path.write_text(text, encoding="utf-8")
        return path

    def new_fields(self) -> dict[str, str | None]:
        rng = self.rng
        subject = rng.choice(self.subjects)
        self.count += 1
        verb, place = rng.choice(["deepens", "eases", "spreads", "ends"]), rng.choice(["Oslo", "Lima", "Pune"])
        others = " ".join(rng.choice(self.subjects) for _ in range(3))
        return {"title": f"{subject} {verb} in {place}",
                "date": f"{rng.choice(self.days)}T{rng.randrange(6, 22):02d}:{rng.randrange(60):02d}:00+01:00",
                "body": f"{subject} report number {self.count}. {others}.",
                "topic": rng.choice(TOPICS), "tags": rng.choice(self.tags)}

    def add(self) -> list[Path]:
        fields = self.new_fields()
        return [self.write(f"content/{str(fields['date'])[:10].replace('-', '/')}/entry-{self.count}.md", fields)]

    def change(self) -> tuple[str, list[Path]]:
        rng = self.rng
        if len(self.entries) < 4:
            return "add", self.add()
        rel = rng.choice(sorted(self.entries))
        fields = dict(self.entries[rel])
        kind = rng.choice(["body", "body", "opening", "title-join", "title-split", "retitle", "shown", "day", "topic",
                           "tags", "add", "add", "delete", "rename", "draft", "future", "story-key"])
        if kind == "body":
            fields["body"] = f"{fields['body']}\n\nA later paragraph {rng.randrange(1000)}."
        elif kind == "opening":
            fields["body"] = f"{rng.choice(self.subjects)} now leads. {fields['body']}"
        elif kind == "title-join":  # the headline of another entry, nearly: the two may become one story
            other = self.entries[rng.choice(sorted(self.entries))]
            fields["title"] = f"{other['title']} again"
            fields["date"] = other["date"]
        elif kind == "title-split":
            fields["title"] = f"Unrelated council vote number {rng.randrange(1000)}"
        elif kind == "retitle":  # a word more: most often the same story (the plan patched), or not
            fields["title"] = f"{fields['title']} {rng.choice(['today', 'again', 'Oslo', 'Pune'])}"
        elif kind == "shown":  # what pages only show: the plan patched
            fields["summary"] = f"'Why it matters, take {rng.randrange(1000)}.'"
            fields["authors"] = rng.choice([None, '["A. Writer"]', '["B. Writer", "C. Writer"]'])
            fields["source"] = rng.choice([None, "Wire", "Daily"])
        elif kind == "day":
            fields["date"] = f"{rng.choice(self.days)}{str(fields['date'])[10:]}"
        elif kind == "topic":
            fields["topic"] = rng.choice([t for t in TOPICS if t != fields["topic"]])
        elif kind == "tags":
            fields["tags"] = rng.choice([t for t in self.tags if t != fields["tags"]])
        elif kind == "add":
            return kind, self.add()
        elif kind == "delete":
            del self.entries[rel]
            (self.root / rel).unlink()
            return kind, [self.root / rel]
        elif kind == "rename":
            new = rel.replace(".md", f"-moved{rng.randrange(1000)}.md")
            (self.root / rel).rename(self.root / new)
            self.entries[new] = self.entries.pop(rel)
            return kind, [self.root / rel, self.root / new]
        elif kind == "draft":
            fields["draft"] = None if fields.get("draft") else "true"
        elif kind == "future":
            fields["date"] = "2031-01-01T09:00:00+01:00" if not str(fields["date"]).startswith("2031") \
                else f"{rng.choice(DAYS)}T09:00:00+01:00"
        else:  # a curator's story key, shared with another entry, or taken away
            fields["story"] = None if fields.get("story") else rng.choice(["harbour", "grain"])
        return kind, [self.write(rel, fields)]


def six_entries(make_site, seed: int) -> tuple[Path, Curator]:  # type: ignore[no-untyped-def]
    """A site of six random entries, and the curator who wrote them."""
    root = make_site({}, config=CONFIG)
    curator = Curator(root, seed)
    for _ in range(6):
        curator.add()
    return root, curator


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_one_shot_builds_after_each_change_equal_a_cold_build(make_site, tmp_path: Path, seed: int) -> None:
    root, curator = six_entries(make_site, seed)
    build(root, OPTIONS)
    for step in range(STEPS):
        kind, _ = curator.change()
        build(root, OPTIONS)
        assert tree(root / "output") == cold(root, tmp_path / "cold"), f"step {step}: {kind}"
        assert stored_shows(root) == stored_shows(tmp_path / "cold"), f"step {step}: {kind}"


@pytest.mark.parametrize("seed", [4, 5, 6])
def test_a_long_lived_builder_told_what_changed_equals_a_cold_build(make_site, tmp_path: Path, seed: int) -> None:
    root, curator = six_entries(make_site, seed)
    builder = Builder(root, OPTIONS)
    try:
        builder.build()
        for step in range(STEPS):
            kind, touched = curator.change()
            builder.build(changed=touched)
            assert tree(root / "output") == cold(root, tmp_path / "cold"), f"step {step}: {kind}"
            assert stored_shows(root) == stored_shows(tmp_path / "cold"), f"step {step}: {kind}"
            if curator.rng.random() < 0.4:
                builder.catch_up(lambda: False)  # the dev server's idle time between edits
    finally:
        builder.close()


@pytest.mark.parametrize(("seed", "long_lived"), [(7, False), (8, False), (9, True)])
def test_builds_that_keep_untouched_articles_equal_a_cold_build(
        make_site, tmp_path: Path, seed: int, long_lived: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a site large enough that a change touches few of its pages, a build plans only the pages
    the change can have touched (reuse/touched.py: articles, editions and their e-mails, weekly
    e-mails, tag and topic listings) and keeps the others as the live site has them: every step
    still equals a cold build, and some steps (two or more) did keep article, edition and tag pages.
    One-shot builds (the CLI), and a long-lived Builder told what changed (the dev server), idling
    now and then."""
    import digest.build

    root = make_site({}, config=CONFIG)
    # Many subjects, so that stories stay small as on a real site
    subjects = [f"{first} {second}" for first in ("Harbour", "Grain", "Rail", "Drought", "Chip", "Ferry", "Budget",
                                                  "Flood") for second in ("strike", "prices", "tunnel", "warning")]
    # ... over three weeks, with a dozen tags, so that a change touches few editions and listings
    days = [f"2022-08-{day:02d}" for day in range(1, 22)]
    tags: list[str | None] = [f'["Tag {n}"]' for n in range(10)] + ['["Tag 1", "Tag 2"]', None]
    curator = Curator(root, seed, subjects, days, tags)
    for _ in range(60):
        curator.add()
    builder = Builder(root, OPTIONS, once=not long_lived)
    # (article pages planned, kept; edition pages kept, tag pages kept) of each step that could choose
    choices: list[tuple[int, int, int, int] | None] = []
    real = digest.build.touched_pages

    def recording(*args: Any) -> Any:
        chosen = real(*args)
        if chosen is None:
            choices.append(None)
        else:
            kept = list(chosen[1])
            choices.append((len(chosen[0].articles), sum(map(is_article_output, kept)),
                            sum(rel.endswith("/index.html") and edition_of_output(rel) is not None for rel in kept),
                            sum(rel.startswith("tags/") for rel in kept)))
        return chosen

    try:
        builder.build()
        monkeypatch.setattr(digest.build, "touched_pages", recording)
        for step in range(STEPS):
            kind, touched = curator.change()
            rebuilt_as_cold(builder if long_lived else None, root, touched, curator, tmp_path, f"step {step}: {kind}")
    finally:
        builder.close()
    kept = [choice for choice in choices if choice is not None]
    assert sum(planned < kept_pages for planned, kept_pages, _, _ in kept) >= 2, choices
    assert sum(editions > 0 and tag_pages > 0 for _, _, editions, tag_pages in kept) >= 2, choices
