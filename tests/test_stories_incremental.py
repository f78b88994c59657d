"""StoryGrouper: after any sequence of edits, exactly what group_stories returns on the new entries."""

from __future__ import annotations

import csv
import dataclasses
import gc
import random
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import digest.stories.remembered
from digest.model import Entry
from digest.reuse.entry_rows import RowEntries
from digest.stories import DEFAULT_SETTINGS, StorySettings, entry_features, group_stories
from digest.stories.features import EntryFeatures
from digest.stories.incremental import StoryGrouper
from digest.stories.remembered import KeptGrouping, remembered_story
from digest.stories.vectors import Corpus, similar_pairs

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DAY = datetime(2014, 3, 10, 6, 0, tzinfo=UTC)
TOPICS = [None, "b", "t", "e", "m"]
FALLBACK_TITLES = [
    "Floods in Valencia kill dozens as rivers burst their banks",
    "Valencia floods: dozens dead after rivers burst banks",
    "Nvidia unveils new AI chip for data centres",
    "Nvidia's new AI chip targets data centres",
    "Local bakery wins national bread award",
    "Malaysia Airlines flight MH370 search widens to Indian Ocean",
    "Missing Malaysian jet: search moves to Indian Ocean",
    "Fed's Yellen signals rates may rise sooner than expected",
    "Yellen says Fed could raise rates six months after taper ends",
]


@cache
def headlines() -> tuple[tuple[str, str, str], ...]:
    """(title, story, topic) of the devset's real headlines (a few made-up ones without it)."""
    path = SHARED / "story-devset" / "headlines.csv"
    if not path.exists():
        return tuple((t, str(k // 2), "b") for k, t in enumerate(FALLBACK_TITLES * 8))
    with open(path, newline="", encoding="utf-8") as f:
        return tuple((r["TITLE"], r["STORY"], r["CATEGORY"]) for r in csv.DictReader(f))


def body_of(rng: random.Random, story: str) -> str:
    """Some bodies with text made of other headlines of the story (so texts are compared),
    some a bare link (no text), some a few words (too short to count)."""
    kind = rng.random()
    if kind < 0.25:
        return "Read the full story at [Source](https://source.example/x).\n"
    if kind < 0.35:
        return "Short note only."
    same = [t for t, s, _ in headlines() if s == story]
    return "\n\n".join(rng.sample(same, min(len(same), rng.randint(2, 5)))) + "\n"


def make_entry(rng: random.Random, number: int, row: tuple[str, str, str], hours: float) -> Entry:
    title, story, topic = row
    return Entry(
        path=PurePosixPath(f"content/2014/03/10/e-{number}.md"),
        title=title,
        published=DAY + timedelta(hours=hours),
        slug=f"e-{number}",
        body=body_of(rng, story),
        topic=topic if rng.random() < 0.8 else None,
    )


def corpus(rng: random.Random, size: int, stories: int, days: float) -> list[Entry]:
    """Entries of a few stories, all published within `days` (so most are linked together)."""
    rows = headlines()
    chosen = set(rng.sample(sorted({s for _, s, _ in rows}), min(stories, len({s for _, s, _ in rows}))))
    pool = [r for r in rows if r[1] in chosen]
    return [make_entry(rng, k, rng.choice(pool), rng.uniform(0, 24 * days)) for k in range(size)]


def spread_corpus(rng: random.Random, size: int, stories: int) -> list[Entry]:
    """Each story on its own day, four days apart: stories never compared with each other."""
    rows = headlines()
    names = rng.sample(sorted({s for _, s, _ in rows}), min(stories, len({s for _, s, _ in rows})))
    entries = []
    for k in range(size):
        day = k % len(names)
        row = rng.choice([r for r in rows if r[1] == names[day]])
        entries.append(make_entry(rng, k, row, 96 * day + rng.uniform(0, 20)))
    return entries


def bursty_corpus(rng: random.Random, size: int, stories: int) -> list[Entry]:
    """Each story reported in two or three bursts of under an hour, hours apart (news covered again
    after it went quiet), the stories' bursts interleaved over two days: stories formed by linkage
    are split where their coverage pauses (linkage.split_at_pauses)."""
    rows = headlines()
    names = rng.sample(sorted({s for _, s, _ in rows}), min(stories, len({s for _, s, _ in rows})))
    bursts = {name: [rng.uniform(0, 48) for _ in range(rng.randint(2, 3))] for name in names}
    entries = []
    for k in range(size):
        name = rng.choice(names)
        row = rng.choice([r for r in rows if r[1] == name])
        entries.append(make_entry(rng, k, row, rng.choice(bursts[name]) + rng.uniform(0, 0.75)))
    return entries


class Site:
    """The entries and features as they are, edited at random, with a StoryGrouper beside them."""

    def __init__(self, rng: random.Random, entries: list[Entry], weights: StorySettings = DEFAULT_SETTINGS,
                 **options: float) -> None:
        self.rng = rng
        self.entries = {e.path: e for e in entries}
        self.features = {e.path: entry_features(e) for e in entries}
        self.next_number = 10_000
        self.weights = weights
        self.grouper = StoryGrouper(entries, self.features, settings=weights, **options)
        assert self.grouper.stories == group_stories(entries, self.features, settings=weights)

    def edited(self, entry: Entry, kind: str) -> Entry:
        rng = self.rng
        title, story, topic = rng.choice(headlines())
        if kind == "title":
            if rng.random() < 0.5:
                return dataclasses.replace(entry, title=title)
            words = entry.title.split()
            words.insert(rng.randint(0, len(words)), rng.choice(["Zanzibar", "quietly", "record", "Obama", "deal"]))
            return dataclasses.replace(entry, title=" ".join(words))
        if kind == "body":
            return dataclasses.replace(entry, body=body_of(rng, story))
        if kind == "summary":
            return dataclasses.replace(entry, summary=rng.choice([None, title]))
        if kind == "topic":
            return dataclasses.replace(entry, topic=rng.choice(TOPICS))
        if kind == "time":
            shift = rng.choice([rng.uniform(-30, 30), 0.001, 72.0, -72.0, 24 * 8.0])
            return dataclasses.replace(entry, published=entry.published + timedelta(hours=shift))
        if kind == "curate":
            return dataclasses.replace(entry, story=rng.choice([None, None, "curated-a", "curated-b"]))
        if kind == "lead":
            return dataclasses.replace(entry, lead=not entry.lead)
        if kind == "tail":  # a change grouping does not read
            return dataclasses.replace(entry, tags=(*entry.tags, "x"), source=rng.choice(["Reuters", "AP", None]))
        raise AssertionError(kind)

    def step(self, kinds: list[str]) -> None:
        """One update of several edits; a "swap" adds one entry and removes another."""
        rng = self.rng
        changed: dict[PurePosixPath, Entry] = {}
        removed: set[PurePosixPath] = set()
        for kind in kinds:
            paths = sorted(set(self.entries) - removed)
            if kind in ("add", "swap") or not paths:
                number = self.next_number
                self.next_number += 1
                new = make_entry(rng, number, rng.choice(headlines()), rng.uniform(0, 72))
                changed[new.path] = new
                self.entries[new.path] = new
                if kind == "swap" and paths:
                    kind = "remove"
                else:
                    continue
            path = rng.choice(paths)
            if kind == "remove":
                removed.add(path)
                changed.pop(path, None)
                del self.entries[path]
                continue
            new = self.edited(self.entries[path], kind)
            changed[path] = self.entries[path] = new
        features = {p: entry_features(e) for p, e in changed.items()}
        for path in removed:
            self.features.pop(path, None)
        self.features.update(features)
        stories = self.grouper.update(changed.values(), removed, features)
        assert stories == group_stories(list(self.entries.values()), self.features, settings=self.weights)
        assert_same_pairs(self.grouper, list(self.entries.values()), self.features)


def assert_same_pairs(grouper: StoryGrouper, entries: list[Entry],
                      features: dict[PurePosixPath, EntryFeatures]) -> None:
    """The grouper's similar pairs are similar_pairs' own, to the last bit."""
    ordered = sorted((e for e in entries if not e.story), key=lambda e: (e.published.timestamp(), str(e.path)))
    corpus = Corpus([features[e.path] for e in ordered], DEFAULT_SETTINGS)
    times = [e.published.timestamp() for e in ordered]
    expected = {(str(ordered[i].path), str(ordered[j].path)): s
                for i, j, s in similar_pairs(corpus, times, [e.topic for e in ordered], DEFAULT_SETTINGS)}
    path = {i: p for p, i in grouper._id.items()}
    found = {(path[i], path[j]): s for i, linked in grouper._edges.items() for j, s in linked.items()
             if (grouper._order[i], i) < (grouper._order[j], j)}
    assert found == expected


KINDS = ["title", "body", "summary", "topic", "time", "curate", "lead", "tail", "add", "remove", "swap"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32), size=st.integers(1, 40),
       steps=st.lists(st.lists(st.sampled_from(KINDS), min_size=1, max_size=3), min_size=1, max_size=12))
def test_small_corpora_after_random_edits(seed: int, size: int, steps: list[list[str]]) -> None:
    rng = random.Random(seed)
    site = Site(rng, corpus(rng, size, stories=3, days=2), max_affected=1.0)
    for kinds in steps:
        site.step(kinds)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32),
       steps=st.lists(st.lists(st.sampled_from(KINDS), min_size=1, max_size=2), min_size=1, max_size=8))
def test_medium_corpora_after_random_edits(seed: int, steps: list[list[str]]) -> None:
    rng = random.Random(seed)
    site = Site(rng, corpus(rng, 300, stories=8, days=4), max_affected=1.0)
    for kinds in steps:
        site.step(kinds)


def moved_reports(grouper: StoryGrouper) -> int:
    """How many entries linkage.moved put in another story than the story round's."""
    return sum(1 for i, dest in grouper._dest.items() if grouper._story.of[i] is not dest)


@pytest.mark.parametrize("seed", range(6))
def test_reports_moved_to_the_story_they_are_most_like_stay_exact_after_random_edits(seed: int) -> None:
    """linkage.moved kept up to date: where an entry goes depends on its partners' stories, so an edit
    moves reports in stories it did not relink. With a margin below 0 (a report moves to a story at
    least half as like it as its own) many move, and every update is still group_stories' result."""
    rng = random.Random(seed)
    weights = dataclasses.replace(DEFAULT_SETTINGS, move_margin=-0.5)
    site = Site(rng, corpus(rng, 200, stories=6, days=3), weights, max_affected=1.0)
    counts = [moved_reports(site.grouper)]
    for _ in range(12):
        site.step(rng.choices(KINDS, k=rng.randint(1, 3)))
        counts.append(moved_reports(site.grouper))
    assert min(counts) > 0 and len(set(counts)) > 1, counts
    assert not site.grouper.last.full


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32),
       steps=st.lists(st.lists(st.sampled_from(KINDS), min_size=1, max_size=2), min_size=1, max_size=8))
def test_stories_split_where_coverage_pauses_after_random_edits(seed: int, steps: list[list[str]]) -> None:
    rng = random.Random(seed)
    site = Site(rng, bursty_corpus(rng, 120, stories=5), max_affected=1.0)
    for kinds in steps:
        site.step(kinds)


def test_bursty_corpora_are_split_where_coverage_pauses() -> None:
    """The corpus above does exercise the split: without it, linkage alone forms fewer stories."""
    split = whole = 0
    for seed in range(5):
        entries = bursty_corpus(random.Random(seed), 120, stories=5)
        split += len(group_stories(entries))
        whole += len(group_stories(entries, settings=dataclasses.replace(DEFAULT_SETTINGS, quiet_hours=None)))
    assert split > whole + 5, (split, whole)


@pytest.mark.parametrize("seed", range(4))
def test_many_edits_that_keep_the_number_of_entries(seed: int) -> None:
    """Edits that keep n take the incremental path; the default share falls back when needed."""
    rng = random.Random(seed)
    site = Site(rng, corpus(rng, 400, stories=10, days=5))
    partial = 0
    for _ in range(40):
        site.step(rng.choices(["title", "body", "topic", "time", "lead", "tail", "swap"], k=rng.randint(1, 2)))
        partial += not site.grouper.last.full
    assert partial >= 20


def test_an_edit_with_rare_words_recomputes_little() -> None:
    rng = random.Random(7)
    site = Site(rng, spread_corpus(rng, 500, stories=12))
    entry = next(e for e in site.entries.values() if not e.story)
    edited = dataclasses.replace(entry, title=entry.title + " Quetzalcoatlus Wobblebury")
    site.entries[entry.path] = edited
    site.features[entry.path] = entry_features(edited)
    stories = site.grouper.update([edited], (), {entry.path: site.features[entry.path]})
    assert stories == group_stories(list(site.entries.values()), site.features)
    report = site.grouper.last
    assert not report.full
    assert report.revectored <= 3  # the entry, and holders of a rare word only it had before
    assert report.relinked <= 60  # its own story's entries, not 500
    assert report.compared <= 100


def test_changes_grouping_does_not_read_relink_nothing() -> None:
    rng = random.Random(3)
    site = Site(rng, corpus(rng, 200, stories=6, days=3))
    entry = next(e for e in site.entries.values() if not e.story)
    for kind in ["lead", "tail"]:
        edited = site.edited(site.entries[entry.path], kind)
        site.entries[entry.path] = edited
        site.features[entry.path] = entry_features(edited)
        stories = site.grouper.update([edited])
        assert stories == group_stories(list(site.entries.values()), site.features)
        assert (site.grouper.last.full, site.grouper.last.relinked, site.grouper.last.compared) == (False, 0, 0)


def test_adding_or_removing_an_entry_recomputes_only_what_it_reaches() -> None:
    """One entry more or fewer moves every word's rarity a little; rounded, most stay, so only
    the entries holding the few words whose rarity moved get new vectors, and only the stories
    those reach are linked again, not all ten."""
    rng = random.Random(5)
    site = Site(rng, spread_corpus(rng, 300, stories=10))
    for kind in ("add", "remove"):
        site.step([kind])  # checks the stories and every pair against group_stories
        report = site.grouper.last
        assert not report.full, (kind, report.reason)
        assert report.revectored <= 60 and report.relinked <= 200, (kind, report)  # of 300


def test_updates_pause_the_garbage_collector_and_restore_it(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(4)
    site = Site(rng, corpus(rng, 60, stories=3, days=2))
    seen: list[bool] = []
    original = StoryGrouper._update

    def watched(self: StoryGrouper, *args: Any) -> bool:
        seen.append(gc.isenabled())
        return original(self, *args)

    monkeypatch.setattr(StoryGrouper, "_update", watched)
    was = gc.isenabled()
    try:
        for collecting in (True, False):
            (gc.enable if collecting else gc.disable)()
            site.step(["title"])  # checks the stories against group_stories
            assert gc.isenabled() == collecting
    finally:
        (gc.enable if was else gc.disable)()
    assert seen == [False, False]


def test_no_change_and_unknown_removals_change_nothing() -> None:
    rng = random.Random(9)
    entries = corpus(rng, 30, stories=3, days=2)
    grouper = StoryGrouper(entries)
    before = grouper.stories
    assert grouper.update(entries[:5], [PurePosixPath("content/none.md")]) == before
    assert not grouper.last.full and grouper.last.relinked == 0


def test_two_entries_with_one_path_are_refused() -> None:
    rng = random.Random(1)
    entries = corpus(rng, 2, stories=1, days=1)
    with pytest.raises(ValueError, match="two entries"):
        StoryGrouper([entries[0], dataclasses.replace(entries[1], path=entries[0].path)])


def test_an_edit_on_dense_news_relinks_its_stories_not_the_connected_part() -> None:
    """Twenty stories within a day share words enough to be one connected part of the similarity
    graph; a title edit links again only the stories it reaches (see stories.locality)."""
    rng = random.Random(11)
    site = Site(rng, corpus(rng, 600, stories=20, days=1))
    relinked = []
    for _ in range(8):
        site.step(["title"])  # checks the stories and every pair against group_stories
        relinked.append(site.grouper.last.relinked)
    automatic = {i for path, i in site.grouper._id.items() if not site.entries[PurePosixPath(path)].story}
    assert site.grouper._component(automatic, 0.0) == automatic  # one connected part
    assert not site.grouper.last.full
    assert sorted(relinked)[len(relinked) // 2] < len(automatic) / 2, relinked  # the part: all of them


def test_additions_and_removals_on_dense_news_reach_few_vectors_and_stories() -> None:
    """On dense news (twenty stories within a day) one entry more or fewer moves the rounded
    rarity of few words (vectors.RARITY_STEPS), so a few dozen entries get new vectors and the
    stories linked again are a few of the twenty; none of these edits regroups everything."""
    for kind in ("add", "remove"):
        rng = random.Random(11)
        site = Site(rng, corpus(rng, 600, stories=20, days=1))
        reports = []
        for _ in range(8):
            site.step([kind])  # checks the stories and every pair against group_stories
            reports.append(site.grouper.last)
        assert not any(r.full for r in reports), (kind, reports)
        revectored = sorted(r.revectored for r in reports)
        relinked = sorted(r.relinked for r in reports)
        assert revectored[4] <= 40 and relinked[4] < 600 / 3, (kind, revectored, relinked)


@pytest.mark.parametrize("seed", range(3))
def test_a_kept_grouping_makes_again_only_the_forms_of_stories_an_edit_reached(
        seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """KeptGrouping (a dev server's grouping) gives its stories' cache forms (remembered_stories)
    from those of the stories it gave last: after random edits they are remembered_stories of
    group_stories' result, and only the stories an edit reached are made again."""
    rng = random.Random(seed)
    site = Site(rng, spread_corpus(rng, 240, 12))
    kept = KeptGrouping()
    made: list[str] = []
    real_form = digest.stories.remembered.remembered_story
    monkeypatch.setattr(digest.stories.remembered, "remembered_story",
                        lambda story: made.append(story.key) or real_form(story))
    stories = kept(hashed(site.entries.values()), site.features)
    kept.remember(stories)
    assert len(made) == len(stories)
    again = 0
    for _ in range(20):
        site.step(rng.choices(["title", "body", "time", "add", "remove", "swap", "tail"], k=1))
        entries = hashed(site.entries.values())
        made.clear()
        stories = kept(entries, site.features)
        forms = stories.remembered
        again += len(made)
        assert forms == [real_form(story) for story in group_stories(entries, site.features)]
        assert stories.remembered is forms  # made once
    assert 0 < again < 20 * len(stories) / 4


def hashed(entries: Iterable[Entry]) -> list[Entry]:
    """The entries with a content hash of what they hold (KeptGrouping finds the changed ones by it)."""
    return [dataclasses.replace(e, content_hash=repr(dataclasses.replace(e, content_hash=""))) for e in entries]


class _Row:
    """A cache row's stand-in (CachedEntry): one parse, read through `entry`, each read counted."""

    reads = 0

    def __init__(self, entry: Entry) -> None:
        self._entry = entry

    @property
    def entry(self) -> Entry:
        _Row.reads += 1
        return self._entry


@pytest.mark.parametrize("seed", range(3))
def test_a_kept_grouping_given_rows_reads_only_the_entries_of_rows_changed(seed: int) -> None:
    """Given its entries with their rows (a dev server's build: RowEntries), KeptGrouping finds the
    changed entries by the rows that are not those it last grouped: it reads the entries of those
    rows only, never the list of every entry, and gives group_stories' result and its forms after
    every random edit, addition and removal."""
    rng = random.Random(seed)
    site = Site(rng, spread_corpus(rng, 240, 12))
    kept = KeptGrouping()
    rows: dict[str, _Row] = {}

    def given() -> RowEntries:
        for path, entry in list(site.entries.items()):
            entry = hashed([entry])[0]
            row = rows.get(str(path))
            if row is None or row._entry != entry:
                rows[str(path)] = _Row(entry)  # a file changed: a new row
        for gone in rows.keys() - {str(p) for p in site.entries}:
            del rows[gone]
        ordered = sorted(rows.items())
        return RowEntries(ordered, lambda: [row._entry for _, row in ordered])  # type: ignore[misc]

    first = given()
    kept(first, site.features)
    for _ in range(25):
        site.step(rng.choices(["title", "body", "time", "add", "remove", "swap", "tail"], k=1))
        before = dict(rows)
        entries = given()
        changed = sum(before.get(rel) is not row for rel, row in entries.rows)
        read_all: list[bool] = []

        def read_every(e: RowEntries = entries, seen: list[bool] = read_all) -> list[Entry]:
            seen.append(True)
            return [row._entry for _, row in e.rows]  # type: ignore[attr-defined]

        entries._read = read_every  # type: ignore[method-assign]
        _Row.reads = 0
        stories = kept(entries, site.features)
        assert not read_all, "the list of every entry was read"
        assert _Row.reads == changed
        everything = [row._entry for _, row in entries.rows]
        assert [(s.key, [m.path for m in s.members], s.score, s.reason) for s in stories] == \
            [(s.key, [m.path for m in s.members], s.score, s.reason) for s in group_stories(everything, site.features)]
        assert stories.remembered == [remembered_story(s) for s in group_stories(everything, site.features)]
