"""Search in segments (digest/search.py): the policy that decides what to index again, the build
that keeps the segments, and a real browser that finds an edit and no longer finds a deletion,
after `digest build` and under `digest serve --watch`."""

from __future__ import annotations

import json
import marshal
import pickle
import queue
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import digest.build
import digest.reuse.manifest
import digest.reuse.trees
import digest.search
from digest.build import Builder, BuildOptions, build
from digest.search import Segment, hidden_copies, plan_changed, plan_segments, summary_of
from digest.serve import DevServer, Rebuild

from .conftest import BASIC_CONFIG, NOW, SiteMaker, entry_text, tree_bytes
from .theme_site import chromium, require, serve

# --- the policy (pure) ---------------------------------------------------------------------------


def pages_of(n: int, version: str = "v1") -> dict[str, str]:
    return {f"2022/08/{1 + i // 10:02d}/a{i:03d}/index.html": version for i in range(n)}


def built(plan: Any) -> list[Segment]:
    return [*plan.kept, *plan.new]


def test_a_first_build_cuts_large_segments_then_small_ones_and_leaves_the_rest_open() -> None:
    pages = pages_of(23)
    plan = plan_segments(pages, [], "salt", small=2, large=8)
    sizes = [(len(s.pages), s.sealed) for s in plan.new]
    assert sizes == [(8, True), (8, True), (6, True), (1, False)] or sizes[:2] == [(8, True), (8, True)]
    assert sorted(rel for s in plan.new for rel in s.pages) == sorted(pages)  # every page exactly once
    assert not plan.kept
    first = plan.new[0]
    assert list(first.pages) == sorted(pages)[:8]  # oldest first


def test_a_small_site_built_from_nothing_is_cut_in_two_halves_indexed_side_by_side() -> None:
    pages = pages_of(11)
    plan = plan_segments(pages, [], "salt", small=2, large=16)
    assert [(len(s.pages), s.sealed) for s in plan.new] == [(5, True), (6, True)]
    assert sorted(rel for s in plan.new for rel in s.pages) == sorted(pages)
    assert [(len(s.pages), s.sealed) for s in plan_segments(pages_of(3), [], "salt", small=2, large=16).new] == \
        [(3, True)]  # fewer than two small segments' worth: one
    # Built once, a small site's halves are kept like any segments: an edit indexes the open one only
    edited = dict(pages)
    edited[sorted(pages)[0]] = "v2"
    again = plan_segments(edited, built(plan), "salt", small=2, large=16)
    assert len(again.kept) == 2 and [len(s.pages) for s in again.new] == [1]


def test_an_edit_indexes_only_the_open_segment_and_a_deletion_nothing() -> None:
    pages = pages_of(16)
    first = built(plan_segments(pages, [], "s", small=4, large=8))
    assert all(s.sealed for s in first) and len(first) == 2

    edited = dict(pages)
    target = sorted(pages)[3]
    edited[target] = "v2"
    plan = plan_segments(edited, first, "s", small=4, large=8)
    assert [s.name for s in plan.kept] == [s.name for s in first]  # both kept: still more than half live
    assert [dict(s.pages) for s in plan.new] == [{target: "v2"}]
    assert not plan.new[0].sealed

    deleted = dict(pages)
    del deleted[sorted(pages)[12]]
    plan = plan_segments(deleted, first, "s", small=4, large=8)
    assert not plan.new and [s.name for s in plan.kept] == [s.name for s in first]


def test_the_open_segment_is_sealed_when_full_and_small_ones_merge() -> None:
    segments = built(plan_segments(pages_of(8), [], "s", small=2, large=8))  # one large
    pages = pages_of(8)
    for i in range(8):  # additions, one build each
        pages[f"2022/09/01/new{i}/index.html"] = "v1"
        plan = plan_segments(pages, segments, "s", small=2, large=8)
        assert sum(len(s.pages) for s in plan.new) <= 8
        segments = built(plan)
        covered = [rel for s in segments for rel in s.live(pages)]
        assert sorted(covered) == sorted(pages)  # every page live exactly once
    sizes = sorted(len(s.pages) for s in segments)
    assert sizes == [8, 8]  # four sealed pairs merged into one large segment


def test_a_mostly_stale_segment_is_dropped_and_its_live_pages_indexed_again() -> None:
    pages = pages_of(8)
    segments = built(plan_segments(pages, [], "s", small=2, large=8))
    for rel in sorted(pages)[:5]:
        pages[rel] = "v2"
    plan = plan_segments(pages, segments, "s", small=2, large=8)
    assert not plan.kept
    assert sorted(rel for s in plan.new for rel in s.pages) == sorted(pages)


def test_stale_copies_are_hidden_unless_the_same_fragment_is_live_elsewhere() -> None:
    old = Segment("a", {"x/index.html": "v1", "y/index.html": "v1"}, True,
                  {"x/index.html": "f1", "y/index.html": "f2"})
    new = Segment("b", {"y/index.html": "v2"}, False, {"y/index.html": "f2"})  # same text indexed again
    assert hidden_copies([old, new], {"x/index.html": "v2", "y/index.html": "v2"}) == {"f1": ["/x/"]}


def _hidden_by_definition(segments: list[Segment], pages: dict[str, str]) -> dict[str, list[str]]:
    """hidden_copies as its docstring defines it, every copy looked at (the reference)."""
    live: set[tuple[str, str]] = set()
    stale: set[tuple[str, str]] = set()
    for segment in segments:
        for rel, value in segment.pages.items():
            fragment = segment.fragments.get(rel)
            if fragment is not None:
                (live if pages.get(rel) == value else stale).add((fragment, "/" + rel.removesuffix("index.html")))
    hidden: dict[str, list[str]] = {}
    for fragment, url in sorted(stale - live):
        hidden.setdefault(fragment, []).append(url)
    return hidden


@settings(max_examples=300, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from([f"{c}/index.html" for c in "abcdef"]),
                                st.tuples(st.sampled_from(["v1", "v2", "v3"]),
                                          st.sampled_from(["f1", "f2", "f3", None])), max_size=6), max_size=4),
       st.dictionaries(st.sampled_from([f"{c}/index.html" for c in "abcdefg"]), st.sampled_from(["v1", "v2", "v3"])))
def test_hidden_copies_are_those_of_the_definition(held: list[dict[str, tuple[str, str | None]]],
                                                    pages: dict[str, str]) -> None:
    """Only the stale copies' pages are looked for again as live ones: the same answer as looking
    at every copy, whatever segments hold (a page in several, with or without a fragment)."""
    segments = [Segment(f"s{i}", {rel: value for rel, (value, _) in h.items()}, True,
                        {rel: fragment for rel, (_, fragment) in h.items() if fragment is not None})
                for i, h in enumerate(held)]
    assert hidden_copies(segments, pages) == _hidden_by_definition(segments, pages)


def _kept_by_definition(pages: dict[str, str], previous: list[Segment], large: int) -> tuple[list[str], list[str]]:
    """plan_segments' kept segments and loose pages, one page at a time (as it was written first)."""
    kept: list[Segment] = []
    covered: set[str] = set()
    for segment in previous:
        if not segment.sealed:
            continue
        live = [rel for rel, value in segment.pages.items() if pages.get(rel) == value and rel not in covered]
        if live and len(live) * 2 >= len(segment.pages):
            kept.append(segment)
            covered.update(live)
    smalls = [s for s in kept if len(s.pages) < large]
    waiting = sum(1 for rel in pages if rel not in covered)
    if len(smalls) > 1 and sum(len(s.live(pages)) for s in smalls) + waiting >= large:
        kept = [s for s in kept if len(s.pages) >= large]
        covered = {rel for s in kept for rel in s.live(pages)}
    return [s.name for s in kept], sorted(rel for rel in pages if rel not in covered)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.dictionaries(st.sampled_from([f"{c}/index.html" for c in "abcdefgh"]),
                                          st.sampled_from(["v1", "v2"]), min_size=1, max_size=6), st.booleans()),
                max_size=5),
       st.dictionaries(st.sampled_from([f"{c}/index.html" for c in "abcdefghij"]), st.sampled_from(["v1", "v2"])),
       st.integers(min_value=2, max_value=8))
def test_the_segments_kept_are_those_of_the_definition(held: list[tuple[dict[str, str], bool]],
                                                       pages: dict[str, str], large: int) -> None:
    """plan_segments compares pages by map and set operations, not one at a time: the same segments
    kept and the same pages left to index, whatever the segments hold (a page in several, stale,
    gone, sealed or open)."""
    previous = [Segment(f"s{i}", h, sealed) for i, (h, sealed) in enumerate(held)]
    plan = plan_segments(pages, previous, "salt", small=2, large=large)
    kept, loose = _kept_by_definition(pages, previous, large)
    assert [s.name for s in plan.kept if s.name in kept] == kept
    reused = {s.name for s in plan.kept} - set(kept)  # a new segment like one built before
    assert sorted(rel for s in [*plan.new, *(s for s in previous if s.name in reused)] for rel in s.pages) == loose


_PAGES = [f"2022/08/{1 + i // 4:02d}/a{i:02d}/index.html" for i in range(24)]


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(_PAGES), st.sampled_from(["v1", "v2"]), min_size=1),
       st.lists(st.dictionaries(st.sampled_from(_PAGES), st.sampled_from(["v1", "v2", "v3", None]), min_size=1,
                                max_size=8), min_size=1, max_size=12),
       st.sampled_from([3, 4, 6]))
def test_a_change_is_planned_from_the_ledger_as_from_every_page(first: dict[str, str],
                                                                steps: list[dict[str, str | None]],
                                                                large: int) -> None:
    """plan_changed, from the ledger of the last published segments and the pages changed since,
    plans what plan_segments plans from every page, and leaves the ledger summary_of makes of the
    segments it plans: over edits, additions, deletions and pages changed back, through sealed
    segments dropped and small ones merged."""
    pages = dict(first)
    previous = built(plan_segments(pages, [], "salt", small=2, large=large))
    ledger = summary_of(previous, pages)
    asked: list[int] = []

    for step in steps:
        changed = {rel: (pages.get(rel), value) for rel, value in step.items()}
        for rel, value in step.items():
            if value is None:
                pages.pop(rel, None)
            else:
                pages[rel] = value
        if not pages:
            return
        expected = plan_segments(pages, previous, "salt", small=2, large=large)
        assert ledger is not None  # no page is held as it is by two sealed segments

        def digests(paths: list[str]) -> dict[str, str]:
            asked.append(len(paths))
            return {rel: pages[rel] for rel in paths if rel in pages}

        planned = plan_changed(ledger, previous, changed, digests, "salt", small=2, large=large)
        assert planned is not None
        plan, after = planned
        assert plan == expected
        previous = built(plan)
        assert after == summary_of(previous, pages)
        ledger = after


def test_a_ledger_that_does_not_describe_the_segments_is_not_planned_from() -> None:
    """A ledger of other segments (one gone from the store, one more), or whose counts do not add up,
    gives no plan: the caller plans from every page."""
    pages = pages_of(10)
    previous = built(plan_segments(pages, [], "salt", small=2, large=4))
    ledger = summary_of(previous, pages)
    assert ledger is not None
    changed = {"2022/08/01/a000/index.html": ("v1", "v2")}
    assert plan_changed(ledger, previous, changed, dict, "salt", small=2, large=4) is not None
    assert plan_changed(ledger, previous[1:], changed, dict, "salt", small=2, large=4) is None
    assert plan_changed(replace(ledger, count=ledger.count + 1), previous, changed, dict, "salt", small=2,
                        large=4) is None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from([f"{c}/index.html" for c in "abcdef"]),
                                st.tuples(st.sampled_from(["v1", "v2", "v3"]),
                                          st.sampled_from(["f1", "f2", "f3", None])), max_size=6), max_size=4),
       st.dictionaries(st.sampled_from([f"{c}/index.html" for c in "abcdefg"]), st.sampled_from(["v1", "v2", "v3"])))
def test_hidden_copies_from_the_stale_copies_are_those_of_every_copy(held: list[dict[str, tuple[str, str | None]]],
                                                                    pages: dict[str, str]) -> None:
    """Told which copies are stale (a ledger's), hidden_copies needs only those pages' digests."""
    segments = [Segment(f"s{i}", {rel: value for rel, (value, _) in h.items()}, True,
                        {rel: fragment for rel, (_, fragment) in h.items() if fragment is not None})
                for i, h in enumerate(held)]
    stale = {(s.name, rel) for s in segments for rel, value in s.pages.items() if pages.get(rel) != value}
    only = {rel: pages[rel] for _, rel in stale if rel in pages}
    assert hidden_copies(segments, only, stale) == hidden_copies(segments, pages)


# --- the build ---------------------------------------------------------------------------------------

# Unrelated headlines: no two entries are one story, so an edit changes only its own article page.
TITLES = ("Harbour tolls rise", "Orchard frost damage", "Violin maker retires", "Glacier survey funded",
          "Tram line reopens", "Chess final drawn", "Bakery wins award", "Lighthouse restored", "Kite festival")

@pytest.fixture
def needs_pagefind() -> None:
    """Pagefind comes with the test extra: missing, the test skips locally and fails in CI."""
    require(digest.search.pagefind_executable() is not None, "Pagefind (the pagefind-bin package)")


def indexed_counts(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many articles each indexing of segments (SearchStore.build) takes, from here on."""
    calls: list[int] = []
    real = digest.search.SearchStore.build

    def counting(self: Any, segments: Any, source: Path, jobs: int, progress: Any = None) -> Any:
        calls.append(sum(len(s.pages) for s in segments))
        return real(self, segments, source, jobs, progress)

    monkeypatch.setattr(digest.search.SearchStore, "build", counting)
    return calls


def listing(root: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((root / "output" / "pagefind" / "segments.json").read_text())
    return data


def _built_in_three_segments(make_site: SiteMaker, monkeypatch: pytest.MonkeyPatch,
                             ) -> tuple[Path, BuildOptions, list[str]]:
    """A site of nine articles built with segments of 2 to 4 pages: (its folder, the options it was
    built with, its segments as listed)."""
    monkeypatch.setattr(digest.search, "SMALL", 2)
    monkeypatch.setattr(digest.search, "LARGE", 4)
    files = {f"content/e{i}.md": entry_text(TITLES[i], date=f"2022-08-{10 + i:02d}T09:00:00Z",
                                            body=f"Body {i}.") for i in range(9)}
    root = make_site(files)
    options = BuildOptions(now=NOW, jobs=1, search=True)
    build(root, options)
    return root, options, listing(root)["segments"]


@pytest.mark.usefixtures("needs_pagefind")
def test_build_keeps_segments_and_indexes_only_what_changed(make_site: SiteMaker,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    root, options, first = _built_in_three_segments(make_site, monkeypatch)
    assert len(first) == 3  # 4 + 4 sealed, 1 open

    calls = indexed_counts(monkeypatch)
    (root / "content/e1.md").write_text(entry_text(TITLES[1], date="2022-08-11T09:00:00Z",
                                                   body="Body 1, now with zanzibarite."))
    build(root, options)
    assert calls and calls[-1] <= 2  # the open segment: the edited page (and the one already open)
    after = listing(root)
    assert len(set(first) & set(after["segments"])) == 2  # the two sealed segments kept
    assert any("/2022/08/11/e1/" in urls for urls in after["hidden"].values())  # its stale copy hidden

    (root / "content/e7.md").unlink()
    calls.clear()
    build(root, options)
    assert not calls or calls[-1] <= 2
    assert any("/2022/08/17/e7/" in urls for urls in listing(root)["hidden"].values())

    # The published files are exactly those of the store, and nothing the store no longer uses stays.
    output = root / "output" / "pagefind" / "segments"
    assert sorted(p.name for p in output.iterdir()) == sorted(s.split("/")[1] for s in listing(root)["segments"])
    store = root / ".digest" / "search"
    kept = {p.name for p in store.iterdir() if p.is_dir() and p.name.startswith("s")}
    assert kept == {p.name for p in output.iterdir()}


@pytest.mark.usefixtures("needs_pagefind")
def test_a_one_shot_build_lets_the_searchs_state_go_once_recorded(make_site: SiteMaker,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """What the store read of its state and segments is only a saving for a long-lived builder's next
    build: a one-shot build lets it go before it records the folders it wrote (at 100,000 entries it
    held 70 MB through that step: the peak of an edit). The next build reads it again and keeps the
    segments as before."""
    root, options, first = _built_in_three_segments(make_site, monkeypatch)
    held: list[tuple[int, bool]] = []  # (segments in memory, state in memory) as the folders are recorded
    real = digest.build.record_written_folders

    def record(*args: Any, **kwargs: Any) -> None:
        for store in (b._store for b in builders if b._store is not None):
            held.append((len(store._segments), store._state is not None))
        real(*args, **kwargs)

    builders: list[Builder] = []
    monkeypatch.setattr(digest.build, "record_written_folders", record)
    for once in (True, False):
        (root / "content/e1.md").write_text(entry_text(TITLES[1], date="2022-08-11T09:00:00Z",
                                                       body=f"Body 1, once={once}."))
        builder = Builder(root, options, once=once)
        builders[:] = [builder]
        try:
            builder.build()
            assert builder._store is not None
            if once:
                assert builder._store._segments == {} and builder._store._state is None
            else:
                assert builder._store._segments and builder._store._state is not None
        finally:
            builder.close()
        assert len(set(first) & set(listing(root)["segments"])) == 2  # the sealed segments kept
    assert held == [(0, False)], held  # the one-shot build's, let go; the dev server's builder records none


def _recorded_search(root: Path, folder: str) -> dict[str, str]:
    """The search's files of the tree in `folder` as the build cache records them."""
    from digest.config import load_config
    from digest.reuse.cache import BuildCache
    from digest.tree_identity import tree_id

    cache = BuildCache(root, digest.build.cache_salt(load_config(root)))
    try:
        state = cache.tree(tree_id(root / folder))
        assert state is not None
        return state.manifest.search_files()
    finally:
        cache.close()


@pytest.mark.usefixtures("needs_pagefind")
def test_a_change_makes_the_search_files_from_the_live_trees_and_records_them_as_they_are(
        make_site: SiteMaker, monkeypatch: pytest.MonkeyPatch) -> None:
    """Edits, an addition and a deletion: each build takes the live tree's search files and changes
    those of the segments gone and come (not every file made anew: a third of an edit at 100,000
    entries), and both trees hold exactly the search files the cache says, each the store's."""
    monkeypatch.setattr(digest.search, "SMALL", 2)
    monkeypatch.setattr(digest.search, "LARGE", 4)
    made_whole: list[int] = []
    real = digest.reuse.trees.search_files
    monkeypatch.setattr(digest.reuse.trees, "search_files", lambda *a: made_whole.append(1) or real(*a))
    root, _, options = _searchable(make_site, 9)
    assert made_whole  # the first build: nothing to start from
    steps = [lambda: (root / "content/e1.md").write_text(entry_text(TITLES[1], date="2022-08-11T09:00:00Z",
                                                                    body="Body 1, zanzibarite.")),
             lambda: (root / "content/e9.md").write_text(entry_text("Ferry timetable", date="2022-08-19T09:00:00Z",
                                                                    body="Body 9.")),
             lambda: (root / "content/e3.md").unlink(),
             lambda: (root / "content/e5.md").write_text(entry_text(TITLES[5], date="2022-08-15T09:00:00Z",
                                                                    body="Body 5, quillwort."))]
    for step in steps:
        step()
        made_whole.clear()
        build(root, options)
        assert not made_whole
        for folder in ("output", ".output.spare"):
            recorded = _recorded_search(root, folder)
            on_disk = {p.relative_to(root / folder).as_posix() for p in (root / folder / "pagefind").rglob("*")
                       if p.is_file()}
            assert set(recorded) == on_disk, folder
        for rel, value in _recorded_search(root, "output").items():
            name = value.removeprefix("search ")
            if rel.startswith("pagefind/segments/"):
                assert rel.split("/")[2] == name
                assert (root / "output" / rel).samefile(root / ".digest/search" / name / rel.split("/", 3)[3])


@pytest.mark.usefixtures("needs_pagefind")
def test_a_change_looks_only_at_the_pages_it_changed_and_plans_the_same(make_site: SiteMaker,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """With the store's prints of the live site's pages (their keys agree), plan_search looks only at
    the pages the build's manifest may have changed, not at every file of it, and plans what a look
    at every file plans: edits, an addition, a deletion, a build without search in between (whose
    pages the prints are not of: every file is looked at again), a new template."""
    monkeypatch.setattr(digest.search, "SMALL", 2)
    monkeypatch.setattr(digest.search, "LARGE", 4)
    root, _, options = _searchable(make_site, 9)
    real = digest.search.plan_search
    looked: list[tuple[bool, int, int]] = []  # per build: (the changes were used, files looked at, by the whole)

    def both(store: Any, manifest: Any, language: str, is_article: Any, tree: Path, changes: Any = None) -> Any:
        items, gone = list(changes.items), list(changes.gone)
        seen = [0]

        def counting(rel: str) -> bool:
            seen[0] += 1
            return bool(is_article(rel))

        work = real(store, manifest, language, counting, tree, replace(changes, items=items, gone=gone))
        fast = changes.before == store.pages_key()
        seen_fast = seen[0]
        seen[0] = 0
        whole = real(store, manifest, language, counting, tree, None)
        looked.append((fast, seen_fast, seen[0]))
        assert (work.plan, work.ledger) == (whole.plan, whole.ledger)
        if work.whole:
            assert (work.pages, work.prints) == (whole.pages, whole.prints)
        else:  # planned from the ledger: the prints of the pages changed, the digests of the stale copies' pages
            before = store.prints()
            assert all(before.get(rel) != print_ for rel, print_ in work.prints.items())  # only those changed
            prints = dict(before)
            for rel, print_ in work.prints.items():
                prints.pop(rel) if print_ is None else prints.__setitem__(rel, print_)
            assert prints == whole.prints
            assert work.pages == {rel: whole.pages[rel] for rel in work.pages}
            assert set(work.pages) == {rel for _, rel in work.ledger.stale if rel in whole.pages}
        return work

    monkeypatch.setattr(digest.build, "plan_search", both)
    steps = [(True, lambda: (root / "content/e1.md").write_text(
                 entry_text(TITLES[1], date="2022-08-11T09:00:00Z", body="Body 1, zanzibarite."))),
             (True, lambda: (root / "content/e9.md").write_text(
                 entry_text("Ferry timetable", date="2022-08-19T09:00:00Z", body="Body 9."))),
             (True, lambda: (root / "content/e3.md").unlink()),
             (False, lambda: (root / "content/e2.md").write_text(entry_text(
                 TITLES[2], date="2022-08-12T09:00:00Z", body="Body 2, cobalt.")) and build(
                 root, replace(options, search=False))),  # the live pages are not those of the prints
             (True, lambda: None),
             (True, lambda: (root / "content/e5.md").write_text(
                 entry_text(TITLES[5], date="2022-08-15T09:00:00Z", body="Body 5, quillwort."))),
             (True, lambda: (root / "digest.toml").write_text(  # every page's fingerprint changes
                 (root / "digest.toml").read_text().replace('title = "Test Digest"', 'title = "Quillwort Digest"')))]
    for fast, step in steps:
        step()
        looked.clear()
        (root / "content/e0.md").write_text(entry_text(TITLES[0], date="2022-08-10T09:00:00Z",
                                                       body=f"Body 0, step {len(looked)} {fast}."))
        build(root, options)
        assert [used for used, _, _ in looked] == [fast]
        if fast and step is not steps[-1][1]:
            assert looked[0][1] < looked[0][2] / 2  # a few chunks' files, not every file


@pytest.mark.usefixtures("needs_pagefind")
def test_an_edit_does_not_look_up_every_search_file_of_the_spare(make_site: SiteMaker,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Bringing the spare tree to the plan, the pages it no longer has are removed: the search's files
    are brought along later, so they are not looked up one by one in the plan's manifest (which has
    none yet: every search chunk of the spare differs from it; at 100,000 entries 106,000 files, a
    twelfth of an edit)."""
    monkeypatch.setattr(digest.search, "SMALL", 2)
    monkeypatch.setattr(digest.search, "LARGE", 4)
    root, _, options = _searchable(make_site, 9)
    real = digest.reuse.manifest.Manifest.__contains__
    looked: list[str] = []

    def counting(self: Any, rel: object) -> bool:
        if isinstance(rel, str) and rel.startswith("pagefind/"):
            looked.append(rel)
        return bool(real(self, rel))

    for k in range(3):
        (root / "content/e1.md").write_text(entry_text(TITLES[1], date="2022-08-11T09:00:00Z", body=f"Body 1, {k}."))
        looked.clear()
        monkeypatch.setattr(digest.reuse.manifest.Manifest, "__contains__", counting)
        build(root, options)
        monkeypatch.setattr(digest.reuse.manifest.Manifest, "__contains__", real)
        search_files = [p for p in (root / "output" / "pagefind").rglob("*") if p.is_file()]
        assert len(looked) < len(search_files) / 2, k


def _tree(root: Path) -> dict[str, bytes]:
    return tree_bytes(root / "output")


def _searchable(make_site: SiteMaker, entries: int) -> tuple[Path, dict[str, str], BuildOptions]:
    """A small site built once with search: (its folder, its files, the options it was built with)."""
    files = {f"content/e{i}.md": entry_text(TITLES[i], date=f"2022-08-{10 + i:02d}T09:00:00Z", body=f"Body {i}.")
             for i in range(entries)}
    root = make_site(files)
    options = BuildOptions(now=NOW, jobs=1, search=True)
    build(root, options)
    return root, files, options


@pytest.mark.usefixtures("needs_pagefind")
def test_the_index_is_built_beside_the_render_of_the_other_pages(make_site: SiteMaker,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # An edit renders its article first, then Pagefind indexes the open segment while the edition, listings and
    # feeds are rendered: the render of those waits (up to 10 s) for the indexing to have started
    import digest.render_files

    root, files, options = _searchable(make_site, 4)
    started = threading.Event()
    events: list[str] = []
    real_build, real_render = digest.search.SearchStore.build, digest.render_files.render_files

    def indexing(self: Any, segments: Any, source: Path, jobs: int, progress: Any = None) -> Any:
        events.append("index")
        started.set()
        return real_build(self, segments, source, jobs, progress)

    def rendering(config: Any, env: Any, pages: Any, feeds: Any, *rest: Any) -> None:
        kinds = {"article" if digest.build.is_article_output(p.output_path) else "other" for p in pages}
        if feeds:
            kinds.add("feed")
        if kinds - {"article"}:
            started.wait(10)
        events.append("+".join(sorted(kinds)))
        real_render(config, env, pages, feeds, *rest)

    monkeypatch.setattr(digest.search.SearchStore, "build", indexing)
    monkeypatch.setattr(digest.render_files, "render_files", rendering)
    # (its summary too: an edit of the body alone renders only the pages that show bodies, the article and feeds)
    (root / "content/e1.md").write_text(entry_text(TITLES[1], date="2022-08-11T09:00:00Z", body="Body 1, zanzibarite.",
                                                   summary='"Frost again."'))
    build(root, options)
    assert events[:3] == ["article", "index", "feed+other"]
    edited = _tree(root)
    cold = make_site({**files, "content/e1.md": (root / "content/e1.md").read_text()}, name="cold")
    monkeypatch.setattr(digest.render_files, "render_files", real_render)
    build(cold, options)
    assert {rel: data for rel, data in edited.items() if not rel.startswith("pagefind/")} == \
        {rel: data for rel, data in _tree(cold).items() if not rel.startswith("pagefind/")}


@pytest.mark.usefixtures("needs_pagefind")
def test_a_failure_beside_the_indexing_leaves_the_site_as_it_was(make_site: SiteMaker,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import digest.render_files
    from digest.errors import DigestError

    root, _, options = _searchable(make_site, 3)
    before = _tree(root)

    _pagefind_fails(monkeypatch, root)
    (root / "content/e1.md").write_text(entry_text(TITLES[1], date="2022-08-11T09:00:00Z", body="Body 1, edited."))
    with pytest.raises(DigestError, match="could not be built"):
        build(root, options)
    assert _tree(root) == before
    monkeypatch.undo()

    # The other pages fail to render while Pagefind runs: the build waits for it, then fails, output untouched
    real_render = digest.render_files.render_files
    finished = threading.Event()
    real_build = digest.search.SearchStore.build

    def slow_build(self: Any, *args: Any, **kwargs: Any) -> Any:
        time.sleep(0.3)
        try:
            return real_build(self, *args, **kwargs)
        finally:
            finished.set()

    def failing_render(config: Any, env: Any, pages: Any, feeds: Any, *rest: Any) -> None:
        if feeds:
            raise DigestError("a template failed", root)
        real_render(config, env, pages, feeds, *rest)

    monkeypatch.setattr(digest.search.SearchStore, "build", slow_build)
    monkeypatch.setattr(digest.render_files, "render_files", failing_render)
    with pytest.raises(DigestError, match="a template failed"):
        build(root, options)
    assert finished.is_set()  # the indexing was waited for before the staging tree was discarded
    assert _tree(root) == before
    monkeypatch.undo()
    build(root, options)  # and the next build goes through
    assert "Body 1, edited." in (root / "output/2022/08/11/e1/index.html").read_text()


@pytest.mark.usefixtures("needs_pagefind")
def test_the_store_reads_what_another_process_wrote_and_the_earlier_format(make_site: SiteMaker) -> None:
    files = {f"content/e{i}.md": entry_text(TITLES[i], date=f"2022-08-{10 + i:02d}T09:00:00Z", body=f"Body {i}.")
             for i in range(3)}
    root = make_site(files)
    options = BuildOptions(now=NOW, jobs=1, search=True)
    build(root, options)
    executable = digest.search.pagefind_executable()
    assert executable is not None
    kept = digest.search.SearchStore(root, executable)  # as a long-lived builder keeps it
    segments, prints = kept.previous(), kept.prints()
    assert segments and sorted(prints) == sorted(rel for s in segments for rel in s.pages)
    assert all((kept.folder / f"{s.name}.marshal").is_file() for s in segments)
    assert kept.ledger() == digest.search.summary_of(segments, {rel: print_[1] for rel, print_ in prints.items()})

    # Another process (a CLI build beside the dev server) changes the state: the kept store reads it again.
    (root / "content/e1.md").write_text(entry_text(TITLES[1], date="2022-08-11T09:00:00Z", body="Body 1, edited."))
    build(root, options)
    fresh = digest.search.SearchStore(root, executable)
    again = kept.previous()
    prints_again = kept.prints()
    assert [s.name for s in again] == [s.name for s in fresh.previous()] != [s.name for s in segments]
    assert prints_again == fresh.prints() != prints
    assert kept.ledger() == fresh.ledger() is not None

    def records(segments: list[Segment]) -> list[tuple[Any, ...]]:
        return [(s.name, dict(s.pages), dict(s.fragments), s.files) for s in segments]

    # A store written by earlier versions is read, then replaced by the database: the state by marshal
    # (until session 45), pickled with each segment's record in JSON (until session 30), or in JSON
    # with each segment inline (before that).
    database = kept.folder / digest.search.DATABASE
    data = {"segments": [{"name": s.name, "sealed": s.sealed} for s in again], "prints": prints_again,
            "pages key": fresh.pages_key()}
    for earlier in ("marshal", "pickle", "json"):
        if earlier == "marshal":
            (kept.folder / "state.marshal").write_bytes(marshal.dumps(data))
        elif earlier == "pickle":
            (kept.folder / "state.pickle").write_bytes(pickle.dumps(data))
            for s in again:
                (kept.folder / f"{s.name}.json").write_text(json.dumps(
                    {"pages": dict(s.pages), "fragments": dict(s.fragments), "files": list(s.files)}))
        else:
            inline = [{"name": s.name, "sealed": s.sealed, "pages": dict(s.pages), "fragments": dict(s.fragments),
                       "files": list(s.files)} for s in again]
            (kept.folder / "state.json").write_text(json.dumps({"segments": inline, "prints": data["prints"]}))
        for name in ("", "-wal", "-shm"):
            (kept.folder / f"{digest.search.DATABASE}{name}").unlink(missing_ok=True)
        if earlier != "marshal":
            for s in again:
                (kept.folder / f"{s.name}.marshal").unlink()
        old = digest.search.SearchStore(root, executable)
        assert records(old.previous()) == records(again) and old.prints() == prints_again, earlier
        assert old.ledger() is None  # planned from every page, once
        (root / "content/e2.md").write_text(entry_text(TITLES[2], date="2022-08-12T09:00:00Z",
                                                       body=f"Body 2, edited after the {earlier} store."))
        build(root, options)
        assert database.is_file() and not (kept.folder / f"state.{earlier}").exists()
        store = digest.search.SearchStore(root, executable)
        again, prints_again = store.previous(), store.prints()
        assert again and all((kept.folder / f"{s.name}.marshal").is_file() for s in again)
        assert store.ledger() is not None
        assert not list(kept.folder.glob("*.json"))
        data = {"segments": [{"name": s.name, "sealed": s.sealed} for s in again], "prints": prints_again,
                "pages key": store.pages_key()}


@pytest.mark.usefixtures("needs_pagefind")
def test_no_search_removes_the_index_and_search_brings_it_back(make_site: SiteMaker) -> None:
    root = make_site({"content/a.md": entry_text("Alpha")})
    build(root, BuildOptions(now=NOW, jobs=1, search=True))
    assert (root / "output/pagefind/segments.json").is_file()
    build(root, BuildOptions(now=NOW, jobs=1, search=False))
    assert not (root / "output/pagefind").exists()
    build(root, BuildOptions(now=NOW, jobs=1, search=True))
    assert (root / "output/pagefind/segments.json").is_file()


# --- a real browser ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as browser:
        yield browser


def found(browser: Any, base: str, query: str) -> list[str]:
    """The result links the search page shows for `query` (paths below the site's root)."""
    page = browser.new_page()
    try:
        page.goto(f"{base}search/?q={query}")
        page.wait_for_function("!/Searching|JavaScript/.test(document.getElementById('search-status').textContent)",
                               timeout=20_000)
        status = page.text_content("#search-status") or ""
        assert "not available" not in status, status
        links: list[str] = page.eval_on_selector_all("#search-results a", "links => links.map(a => a.href)")
    finally:
        page.close()
    return sorted(link.removeprefix(base) for link in links)


QUERIES = ("tram", "zanzibarite", "quorrel", "body", "chess final", "alpha", "series")


def searchable_site(root: Path) -> None:
    root.mkdir(parents=True)
    (root / "digest.toml").write_text(BASIC_CONFIG, encoding="utf-8")
    for i in range(6):
        path = root / "content" / f"e{i}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(entry_text(TITLES[i], date=f"2022-08-{10 + i:02d}T09:00:00Z",
                                   body=f"Body {i} of the alpha series." + (" quorrel" if i == 2 else "")))


@pytest.mark.usefixtures("needs_pagefind")
def test_browser_finds_an_edit_and_not_a_deletion_and_matches_a_cold_build(
        tmp_path: Path, browser: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(digest.search, "SMALL", 2)
    monkeypatch.setattr(digest.search, "LARGE", 2)
    root = tmp_path / "site"
    searchable_site(root)
    options = BuildOptions(now=NOW, jobs=1, search=True)
    build(root, options)
    with serve(root / "output") as base:
        assert found(browser, base, "quorrel") == ["2022/08/12/e2/"]
        assert found(browser, base, "zanzibarite") == []
    # Edit: e2 loses "quorrel" and e1 gains "zanzibarite"; delete e4.
    (root / "content/e2.md").write_text(entry_text(TITLES[2], date="2022-08-12T09:00:00Z",
                                                   body="Body 2 of the alpha series."))
    (root / "content/e1.md").write_text(entry_text(TITLES[1], date="2022-08-11T09:00:00Z",
                                                   body="Body 1 of the alpha series, zanzibarite."))
    (root / "content/e4.md").unlink()
    build(root, options)
    assert listing(root)["hidden"]  # stale copies in sealed segments, hidden at query time
    cold = tmp_path / "cold"
    shutil.copytree(root, cold, ignore=shutil.ignore_patterns("output", ".output*", ".digest"))
    build(cold, options)
    with serve(root / "output") as base, serve(cold / "output") as cold_base:
        assert found(browser, base, "zanzibarite") == ["2022/08/11/e1/"]
        assert found(browser, base, "quorrel") == []
        assert found(browser, base, "tram") == []  # e4 (Tram line reopens), deleted
        for query in QUERIES:
            assert found(browser, base, query) == found(browser, cold_base, query), query


@pytest.mark.usefixtures("needs_pagefind")
def test_serve_watch_keeps_search_current(make_site: SiteMaker, browser: Any) -> None:
    root = make_site({"content/a.md": entry_text("Alpha rises", body="The first version."),
                      "content/b.md": entry_text("Beta falls", date="2022-08-16T10:00:00Z", body="Plain.")})
    server = DevServer(root, BuildOptions(now=NOW, jobs=1, search=True), port=0, watch=True)
    server.start()
    rebuilds: queue.Queue[Rebuild] = queue.Queue()
    thread = threading.Thread(target=server.run, args=(rebuilds.put,), daemon=True)
    thread.start()
    try:
        assert rebuilds.get(timeout=60).error is None
        base = server.url
        assert found(browser, base, "version") == ["2022/08/15/a/"]
        (root / "content/b.md").write_text(entry_text("Beta falls", date="2022-08-16T10:00:00Z",
                                                      body="Plain, with a glimmerwort."))
        assert rebuilds.get(timeout=60).error is None
        assert found(browser, base, "glimmerwort") == ["2022/08/16/b/"]
        (root / "content/a.md").unlink()
        assert rebuilds.get(timeout=60).error is None
        assert found(browser, base, "version") == []
    finally:
        server.close()
        thread.join(5)
    assert (root / "output/pagefind/segments.json").is_file()  # the output it leaves is complete


@pytest.mark.usefixtures("needs_pagefind")
def test_search_as_one_types_shows_date_publisher_and_other_sources(make_site: SiteMaker, browser: Any) -> None:
    story = ("Putin and Kim Jong Un pledge closer relations", "Shunned by the West, Putin turns to Kim Jong Un")
    root = make_site({
        "content/a.md": entry_text(story[0], date="2022-08-15T09:00:00Z", body="Letters exchanged on liberation day.",
                                   source="Business Insider", story="letters"),
        "content/b.md": entry_text(story[1], date="2022-08-15T11:00:00Z", body="Letters, and an ally in Pyongyang.",
                                   source="Fortune", story="letters"),
    })
    build(root, BuildOptions(now=NOW, jobs=1, search=True))
    with serve(root / "output") as base:
        page = browser.new_page()
        try:
            page.goto(base + "search/")
            page.wait_for_function("document.getElementById('search-status').textContent.startsWith('Type')")
            page.type("#search-q", "liberation", delay=30)  # no Enter: the search runs when typing pauses
            # A slow machine may pause long enough mid-word to search a prefix first ("li" finds it
            # too); what counts is the search for the whole word, once typing stops.
            page.wait_for_function("document.getElementById('search-status').textContent.includes('\u201cliberation\u201d')",
                                   timeout=20_000)
            result = page.inner_text("#search-results li")
            assert story[0] in result
            assert "15 Aug 2022" in result and "Business Insider" in result
            assert "Also covered by Fortune" in result
            assert "q=liberation" in page.url  # the address keeps the query (back button, sharing)
        finally:
            page.close()


@pytest.mark.usefixtures("needs_pagefind")
def test_the_page_warms_every_segment_up_with_a_search_it_does_not_show(
        tmp_path: Path, browser: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Opened without a query, the search page searches once for a word no article holds before it
    says it is ready (Pagefind's first search is slow): an index chunk of every segment is read, and
    the one result, the runtime's hidden page, is read too (so is reading a result's first time), and
    nothing is shown. Opened with a query, it shows that query's results."""
    monkeypatch.setattr(digest.search, "SMALL", 2)
    monkeypatch.setattr(digest.search, "LARGE", 2)
    root = tmp_path / "site"
    searchable_site(root)
    build(root, BuildOptions(now=NOW, jobs=1, search=True))
    segments = listing(root)["segments"]
    assert len(segments) >= 3
    with serve(root / "output") as base:
        for address, warmed in (("search/", True), ("search/?q=quorrel", False)):
            page = browser.new_page()
            chunks: list[str] = []
            page.on("request", lambda request, chunks=chunks: ".pf_index" in request.url and chunks.append(request.url))
            fragments: list[str] = []
            page.on("request", lambda request, fragments=fragments: ".pf_fragment" in request.url
                    and fragments.append(request.url.rsplit("/", 1)[-1].removesuffix(".pf_fragment")))
            try:
                page.goto(base + address)
                page.wait_for_selector("#search-form[data-ready]", state="attached", timeout=20_000)
                if warmed:
                    assert {segment for segment in segments if any(f"/{segment}index/" in url for url in chunks)} \
                        == set(segments), chunks
                    hidden_page = [key for key, urls in listing(root)["hidden"].items()
                                   if urls == [digest.search.page_url(digest.search.PLACEHOLDER)]]
                    assert fragments == hidden_page and len(hidden_page) == 1, (fragments, hidden_page)
                    assert page.text_content("#search-status") == "Type a word or two to search every article."
                    assert page.eval_on_selector_all("#search-results li", "items => items.length") == 0
                else:
                    page.wait_for_function("/match/.test(document.getElementById('search-status').textContent)")
                    assert page.eval_on_selector_all("#search-results a", "links => links.map(a => a.href)") == \
                        [base + "2022/08/12/e2/"]
            finally:
                page.close()


@pytest.mark.usefixtures("needs_pagefind")
def test_typing_fetches_the_index_chunks_before_the_search_runs(make_site: SiteMaker, browser: Any) -> None:
    root = make_site({"content/a.md": entry_text("Alpha rises", body="Letters exchanged on liberation day.")})
    build(root, BuildOptions(now=NOW, jobs=1, search=True))
    with serve(root / "output") as base:
        page = browser.new_page()
        events: list[tuple[str, float]] = []  # in the order they happen (Pagefind fetches from a worker)
        page.on("request", lambda request: ".pf_index" in request.url and events.append(("chunk", time.monotonic())))
        page.expose_function("searching", lambda: events.append(("search", time.monotonic())))
        try:
            page.goto(base + "search/")
            page.wait_for_selector("#search-form[data-ready]", state="attached", timeout=20_000)
            page.evaluate("""() => {
                const status = document.getElementById('search-status');
                let told = false;
                new MutationObserver(() => {
                    if (!told && status.textContent.startsWith('Searching')) { told = true; window.searching(); }
                }).observe(status, {childList: true, characterData: true, subtree: true});
            }""")
            page.type("#search-q", "liberation", delay=40)  # no pause of 200 ms: the search waits
            page.wait_for_selector("#search-results li", timeout=20_000)
            kinds = [kind for kind, _ in sorted(events, key=lambda event: event[1])]
            assert "search" in kinds and "chunk" in kinds, kinds
            # Fetched while typing (or, on a site this small, with the page's warm-up search: its one
            # chunk holds every word); none is left for the search to fetch
            assert "chunk" not in kinds[kinds.index("search"):], kinds
        finally:
            page.close()


@pytest.mark.usefixtures("needs_pagefind")
def test_the_page_asks_for_pagefinds_script_without_waiting_for_the_segments_listing(make_site: SiteMaker,
                                                                                   browser: Any) -> None:
    """search.js asks for Pagefind's script beside the segments' listing, not once the listing came
    back (one round trip less before the index loads): with the listing held back a second, the script
    is asked for meanwhile. (No preload from the page's head: a site built without search has no such
    file, and `digest check` names the link broken.)"""
    root = make_site({"content/a.md": entry_text("Alpha rises", body="Letters exchanged on liberation day.")})
    build(root, BuildOptions(now=NOW, jobs=1, search=True))
    with serve(root / "output") as base:
        page = browser.new_page()
        seen: list[str] = []
        page.on("request", lambda request: seen.append("asked " + request.url.removeprefix(base)))
        page.on("response", lambda response: seen.append("came " + response.url.removeprefix(base)))

        def held_back(route: Any) -> None:
            time.sleep(1)
            route.continue_()

        page.route("**/pagefind/segments.json", held_back)
        try:
            page.goto(base + "search/")
            page.wait_for_selector("#search-form[data-ready]", state="attached", timeout=20_000)
            assert seen.count("asked pagefind/pagefind.js") == 1, seen
            assert seen.index("asked pagefind/pagefind.js") < seen.index("came pagefind/segments.json"), seen
        finally:
            page.close()


@pytest.mark.usefixtures("needs_pagefind")
def test_a_pasted_query_is_searched_at_once_and_enter_does_not_search_it_again(
        make_site: SiteMaker, browser: Any) -> None:
    """A paste is a whole query: it is searched as it lands, without the pause typing waits for, and
    Enter on that query (here after that pause has passed) shows the search under way instead of
    starting it over."""
    root = make_site({"content/a.md": entry_text("Alpha rises", body="Letters exchanged on liberation day."),
                      "content/b.md": entry_text("Beta falls", date="2022-08-16T10:00:00Z", body="Plain.")})
    build(root, BuildOptions(now=NOW, jobs=1, search=True))
    with serve(root / "output") as base:
        page = browser.new_page()
        try:
            page.goto(base + "search/")
            page.wait_for_selector("#search-form[data-ready]", state="attached", timeout=20_000)
            page.evaluate("""() => {
                const status = document.getElementById('search-status');
                window.searches = 0;
                new MutationObserver(() => {
                    if (status.textContent.startsWith('Searching')) { window.searches++; }
                }).observe(status, {childList: true, characterData: true, subtree: true});
                const copied = document.createElement('textarea');
                copied.id = 'copied';
                copied.value = 'liberation';
                document.body.append(copied);
                copied.select();
            }""")
            page.keyboard.press("ControlOrMeta+C")
            page.focus("#search-q")
            page.keyboard.press("ControlOrMeta+V")
            status = page.text_content("#search-status") or ""
            assert status.startswith("Searching") or "match" in status, status  # not 200 ms later
            page.wait_for_timeout(400)  # past the pause after which a typed query is searched
            page.press("#search-q", "Enter")
            page.wait_for_function("/match/.test(document.getElementById('search-status').textContent)",
                                   timeout=20_000)
            page.wait_for_timeout(300)
            assert page.evaluate("window.searches") == 1
            assert page.eval_on_selector_all("#search-results a", "links => links.map(a => a.href)") == \
                [base + "2022/08/15/a/"]
            assert "q=liberation" in page.url
        finally:
            page.close()


def test_a_fragments_url_is_read_from_its_start_or_else_whole() -> None:
    import gzip
    import json as json_module

    from digest.search import _fragment_url

    def fragment(record: dict[str, object]) -> bytes:
        return gzip.compress(b"pagefind_dcd" + json_module.dumps(record, ensure_ascii=False).encode())

    text = "Words of the article. " * 2000  # longer than the start that is inflated
    for url in ("/2023/01/19/plain/", "/2023/01/19/caf\u00e9-\"quoted\"-\\/", "/" + "long-" * 1500 + "/"):
        assert _fragment_url(fragment({"url": url, "content": text})) == url
        assert _fragment_url(fragment({"content": text, "url": url})) == url  # laid out otherwise: read whole


@pytest.mark.usefixtures("needs_pagefind")
def test_pagefind_builds_the_same_index_from_the_pages_cut_to_their_search_body(make_site: SiteMaker,
                                                                                tmp_path: Path) -> None:
    """search_page keeps what Pagefind reads: the index of the default theme's article pages (with
    a hostile title and body, a heading, a list, a quote, tags) is the same, byte for byte, from the
    cut pages as from the whole ones."""
    from digest.search import search_page

    files = {f"content/e{i}.md": entry_text(f"{TITLES[i]} <script>x</script> & more", date=f"2022-08-1{i}T09:00:00Z",
                                            body=f"Body {i}.\n\n## A part\n\n- one\n- two\n\n> A quote, {i}.\n",
                                            topic="world", tags='["Ports", "Energy"]')
             for i in range(6)}
    root = make_site(files)
    build(root, BuildOptions(now=NOW, jobs=1, search=False))
    pages = sorted((root / "output").glob("2022/08/*/*/index.html"))
    assert len(pages) == 6
    trees = {}
    for kind in ("whole", "cut"):
        site = tmp_path / kind / "site"
        for page in pages:
            target = site / page.relative_to(root / "output")
            target.parent.mkdir(parents=True, exist_ok=True)
            data = page.read_bytes()
            cut = search_page(data)
            assert cut is not None and len(cut) < len(data) / 2
            target.write_bytes(cut if kind == "cut" else data)
        executable = digest.search.pagefind_executable()
        assert executable is not None
        subprocess.run([str(executable), "--site", str(site), "--output-path", str(tmp_path / kind / "out"),
                        "--silent"], check=True)
        trees[kind] = {p.relative_to(tmp_path / kind / "out").as_posix(): p.read_bytes()
                       for p in sorted((tmp_path / kind / "out").rglob("*")) if p.is_file()}
    assert any(name.startswith("fragment/") for name in trees["whole"])
    assert trees["cut"] == trees["whole"]


def test_a_page_is_indexed_whole_unless_its_search_body_can_be_told_from_its_text() -> None:
    from digest.search import search_page

    page = (b'<!DOCTYPE html>\n<html lang="fr">\n<head><title>T</title><link rel="stylesheet" href="s.css"></head>\n'
            b'<body><nav>Menu</nav><main><div class="a" data-pagefind-body><div><p>Inner</p></div>'
            b'<p data-pagefind-meta="source">S</p></div><div>After</div></main></body></html>\n')
    cut = search_page(page)
    assert cut is not None
    assert b'<html lang="fr">' in cut and b"<title>T</title>" in cut
    assert b'<div class="a" data-pagefind-body><div><p>Inner</p></div><p data-pagefind-meta="source">S</p></div>' in cut
    assert b"Menu" not in cut and b"After" not in cut and b"s.css" not in cut
    declined = {
        "no search body": page.replace(b" data-pagefind-body", b""),
        "two search bodies": page.replace(b"<div>After</div>", b"<div data-pagefind-body>After</div>"),
        "metadata outside it": page.replace(b"<nav>", b'<nav data-pagefind-filter="x">'),
        "metadata in the head": page.replace(b"<title>T</title>", b'<meta data-pagefind-meta="image[content]">'),
        "a script inside": page.replace(b"<p>Inner</p>", b"<script>var s = '</div>';</script>"),
        "a comment inside": page.replace(b"<p>Inner</p>", b"<!-- </div> -->"),
        "never closed": page.replace(b"</div><div>After</div>", b""),
        "no html tag": page.replace(b'<html lang="fr">', b""),
    }
    for why, other in declined.items():
        assert search_page(other) is None, why
    upper = page.replace(b"<div", b"<DIV").replace(b"</div>", b"</DIV>")
    assert search_page(upper) is not None and b"After" not in search_page(upper)  # type: ignore[operator]


@pytest.mark.usefixtures("needs_pagefind")
def test_a_template_edit_outside_the_search_body_indexes_nothing_again(make_site: SiteMaker,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Every article page is rendered again after an edit to base.html, but what Pagefind reads of
    each (the page cut to its search body) is the same: no segment is indexed again, and an edit to
    an article's text still is."""
    root, _, options = _searchable(make_site, 4)
    first = listing(root)["segments"]
    calls = indexed_counts(monkeypatch)
    theme = root / "themes/default/templates"
    theme.mkdir(parents=True)
    (theme / "base.html").write_text('{% extends "default:base.html" %}'
                                     '{% block meta %}<meta name="x-note" content="a masthead change">{% endblock %}')
    report = build(root, options)
    assert report.rendered >= 4 and b"a masthead change" in (root / "output/2022/08/10/e0/index.html").read_bytes()
    assert sum(calls) == 0 and listing(root)["segments"] == first  # nothing indexed again
    (root / "content/e2.md").write_text(entry_text(TITLES[2], date="2022-08-12T09:00:00Z", body="Now zanzibarite."))
    build(root, options)
    assert sum(calls) >= 1  # the text of an article did change: indexed again


def test_pagefinds_extended_build_is_preferred_when_installed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The extended build (pagefind-bin-extended) splits Chinese and Japanese text into words, which the
    standard one does not: a Chinese site's search found only the first characters of a sentence."""
    import sys
    import types
    binary = tmp_path / "pagefind_extended"
    binary.write_bytes(b"")
    extended = types.ModuleType("pagefind_bin_extended")
    extended.get_executable = lambda: binary  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "pagefind_bin_extended", extended)
    assert digest.search.pagefind_executable() == binary
    assert digest.search.misses_words("zh-CN", binary) is False
    assert digest.search.misses_words("ja", Path("/usr/bin/pagefind")) is True
    assert digest.search.misses_words("de", Path("/usr/bin/pagefind")) is False


@pytest.mark.usefixtures("needs_pagefind")
def test_a_site_indexed_again_when_pagefinds_extended_build_comes_or_goes(make_site: SiteMaker, tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Both builds of Pagefind call themselves "pagefind 1.5.2": installing the extended one kept the index
    the standard one had made (a Chinese word inside a sentence still not found) until every article changed."""
    standard = digest.search.pagefind_executable()
    assert standard is not None and "extended" not in standard.name
    extended = tmp_path / "bin" / "pagefind_extended"  # the same program under the extended build's name
    extended.parent.mkdir()
    extended.symlink_to(standard)
    root = make_site({"content/a.md": entry_text("北京宣布新的经济刺激计划"),
                      "content/b.md": entry_text("上海新开一家大型博物馆")},
                     config=BASIC_CONFIG.replace("[site]\n", '[site]\nlanguage = "zh"\n'))
    build(root, BuildOptions(now=NOW, jobs=1, search=True))
    first = listing(root)
    monkeypatch.setattr(digest.search, "pagefind_executable", lambda: extended)
    monkeypatch.setattr(digest.build, "pagefind_executable", lambda: extended)
    pages = {path: path.read_bytes() for path in (root / "output").rglob("*")
             if path.is_file() and "pagefind" not in path.relative_to(root / "output").parts}
    assert any(path.name == "index.html" for path in pages)
    # no page shows which build indexed it: none is rendered again, only the index is made again
    assert build(root, BuildOptions(now=NOW, jobs=1, search=True)).rendered == 0
    assert listing(root) != first  # the extended build's runtime and segments
    assert {path: path.read_bytes() for path in pages} == pages
    monkeypatch.setattr(digest.build, "pagefind_executable", lambda: standard)
    assert build(root, BuildOptions(now=NOW, jobs=1, search=True)).rendered == 0
    assert listing(root) == first


@pytest.mark.usefixtures("needs_pagefind")
def test_a_chinese_site_indexed_by_the_standard_build_is_warned_of(make_site: SiteMaker,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    from digest.cli import main
    for language, warned in (("zh-CN", True), ("ja", True), ("de", False)):
        root = make_site({"content/a.md": entry_text("北京宣布新的经济刺激计划")}, name=language,
                         config=BASIC_CONFIG.replace("[site]\n", f'[site]\nlanguage = "{language}"\n'))
        assert main(["-C", str(root), "build", "-q", "--jobs", "1"]) == 0
        err = capsys.readouterr().err
        assert ("cannot find words inside a sentence" in err) is warned, (language, err)
        assert ("pagefind-bin-extended" in err) is warned


@pytest.mark.usefixtures("needs_pagefind")
def test_a_dev_servers_idle_time_reads_the_search_state_before_the_first_edit(make_site: SiteMaker,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The search's record of its segments and pages (at 100,000 entries 0.08 s to read) is read in
    the dev server's idle time, not by its first edit."""
    from digest.build import Builder

    root, _, options = _searchable(make_site, 3)
    builder = Builder(root, options)
    try:
        assert builder.build().rendered == 0
        assert builder.catch_up(lambda: False) is True
        reads: list[int] = []
        monkeypatch.setattr(digest.search, "marshal", SimpleNamespace(
            loads=lambda data: reads.append(1) or marshal.loads(data), dumps=marshal.dumps))
        (root / "content/e1.md").write_text(entry_text(TITLES[1], date="2022-08-11T09:00:00Z",
                                                       body="Body 1, quartzite."))
        assert builder.build([root / "content/e1.md"]).rendered > 0
        assert reads == []  # neither the state nor a segment's record read again
    finally:
        builder.close()



def _article_pages(make_site: SiteMaker, files: dict[str, str]) -> tuple[Path, list[Path]]:
    """A site of these files built without search: its output folder and its article pages, in order."""
    root = make_site(files)
    build(root, BuildOptions(now=NOW, jobs=1, search=False))
    output = root / "output"
    return output, sorted(output.glob("2022/08/*/*/index.html"))


@pytest.mark.usefixtures("needs_pagefind")
def test_pagefinds_service_indexes_the_pages_as_pagefind_indexes_a_site_of_them(make_site: SiteMaker,
                                                                               tmp_path: Path) -> None:
    """The pages handed to Pagefind's service in memory make the fragments `pagefind --site` makes of
    the same files, byte for byte, and an index of the same languages; handed again in the same order,
    the same bytes (the service indexes pages sent together side by side and numbers them as they
    finish: they are sent one at a time)."""
    files = {f"content/e{i}.md": entry_text(f"{TITLES[i]} <b>&amp;</b>", date=f"2022-08-1{i}T09:00:00Z",
                                            body=f"Body {i}, ünïcode and quorrel.\n\n## A part\n\n- one\n- two\n")
             for i in range(6)}
    output, found = _article_pages(make_site, files)
    pages = [(p.relative_to(output).as_posix(), p.read_bytes()) for p in found]
    assert len(pages) == 6
    executable = digest.search.pagefind_executable()
    assert executable is not None
    with open(tmp_path / "stderr", "w+b") as errors:
        served = digest.search.index_pages(executable, pages, errors)
        again = digest.search.index_pages(executable, pages, errors)
    assert isinstance(served, dict) and served == again
    subprocess.run([str(executable), "--site", str(output), "--glob", "2022/**/*.html", "--output-path",
                    str(tmp_path / "cli"), "--silent"], check=True)
    cli = {p.relative_to(tmp_path / "cli").as_posix(): p.read_bytes() for p in (tmp_path / "cli").rglob("*")
           if p.is_file()}
    fragments = {name: data for name, data in served.items() if name.startswith("fragment/")}
    assert len(fragments) == 6
    assert fragments == {name: data for name, data in cli.items() if name.startswith("fragment/")}
    assert any(name.startswith("index/") for name in served)
    assert json.loads(served["pagefind-entry.json"])["languages"].keys() == \
        json.loads(cli["pagefind-entry.json"])["languages"].keys()


def test_the_next_segments_pages_are_read_while_as_many_pagefinds_run_as_jobs(make_site: SiteMaker,
                                                                            tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """SearchStore.build runs `jobs` Pagefind processes at once, never more, and a thread more reads
    the next segment's pages meanwhile (after the last one's files are written, Pagefind waited on
    that). The segments, their records and files are those built one at a time."""
    files = {f"content/e{i}.md": entry_text(f"{TITLES[i]} report", date=f"2022-08-1{i}T09:00:00Z",
                                            body=f"Body {i}, quorrel and harbour.\n")
             for i in range(6)}
    output, found = _article_pages(make_site, files)
    pages = [p.relative_to(output).as_posix() for p in found]
    assert len(pages) == 6
    segments = [Segment(f"s{i}", {rel: "v1" for rel in pages[2 * i:2 * i + 2]}) for i in range(3)]
    executable = digest.search.pagefind_executable()
    assert executable is not None

    one_by_one = digest.search.SearchStore(tmp_path / "one", executable).build(segments, output, 1)

    index_pages, indexed_html = digest.search.index_pages, digest.search._indexed_html
    lock = threading.Lock()
    running, finished = [0], [0]
    most: list[int] = []
    read_after: list[int] = []  # Pagefinds finished as the last segment's pages were read
    last_read = threading.Event()

    def counted(*args: Any) -> Any:
        with lock:
            running[0] += 1
            most.append(running[0])
        try:
            last_read.wait(10)  # each holds its Pagefind until the last segment's pages were read
            return index_pages(*args)
        finally:
            with lock:
                running[0] -= 1
                finished[0] += 1

    def reading(page: Any) -> bytes:
        if isinstance(page, Path) and page.relative_to(output).as_posix() in segments[2].pages:
            with lock:
                read_after.append(finished[0])
            last_read.set()
        return indexed_html(page)

    monkeypatch.setattr(digest.search, "index_pages", counted)
    monkeypatch.setattr(digest.search, "_indexed_html", reading)
    side_by_side = digest.search.SearchStore(tmp_path / "two", executable).build(segments, output, 2)

    assert max(most) == 2
    assert read_after == [0, 0]  # before any Pagefind was done
    assert side_by_side == one_by_one
    stores = [tree_bytes(tmp_path / name / ".digest") for name in ("one", "two")]
    assert stores[1].keys() == stores[0].keys()
    for name, data in stores[1].items():  # a record by its values (marshal marks objects held twice)
        assert (marshal.loads(data) == marshal.loads(stores[0][name])) if name.endswith(".marshal") \
            else data == stores[0][name]
    for segment in side_by_side:  # the files and fragments it names are those written
        folder = tmp_path / "two" / ".digest" / "search" / segment.name
        assert segment.files == digest.search._files_in(folder)
        assert dict(segment.fragments) == {rel: fragment for rel, fragment in (
            (rel, digest.search._fragment_ids(folder).get(digest.search.page_url(rel))) for rel in segment.pages)
            if fragment is not None}
        assert len(segment.fragments) == 2


def test_a_pagefind_that_has_no_service_is_reported_with_what_it_said(tmp_path: Path) -> None:
    """A program that is not Pagefind's service (an old Pagefind, another program) fails the index with
    its own last words, naming the segment, and leaves no half-made segment behind."""
    from digest.errors import DigestError

    fake = tmp_path / "pagefind"
    fake.write_text("#!/bin/sh\necho 'error: unexpected argument --service' >&2\nexit 2\n")
    fake.chmod(0o755)
    store = digest.search.SearchStore(tmp_path / "site", fake)
    page = b'<html lang="en"><body><main data-pagefind-body><p>Words.</p></main></body></html>'
    with pytest.raises(DigestError, match="could not be built: error: unexpected argument --service") as raised:
        store._index([("2022/08/10/a/index.html", page)], tmp_path / "segment", keep_runtime=False)
    assert "segment" in str(raised.value)
    assert not (tmp_path / "segment").exists()
    assert [p.name for p in (tmp_path / "site" / ".digest" / "search").iterdir()] == []  # no scratch left


def test_a_page_pagefinds_service_refuses_fails_the_index_without_waiting_on_the_pages_still_sent(
        tmp_path: Path) -> None:
    """A service that refuses the first page and goes on answering (its answers unread, the pipes full)
    is stopped: the index fails with its words, naming the page, and the pages still being sent do not
    keep the build waiting."""
    from digest.errors import DigestError

    fake = tmp_path / "pagefind"
    fake.write_text(f"""#!{sys.executable}
import base64, json, sys
def answer(number, payload):
    sys.stdout.buffer.write(base64.b64encode(json.dumps({{"message_id": number, "payload": payload}}).encode()) + b",")
    sys.stdout.buffer.flush()
buffer = b""
while True:
    chunk = sys.stdin.buffer.read1(65536)
    if not chunk:
        break
    buffer += chunk
    *messages, buffer = buffer.split(b",")
    for message in messages:
        request = json.loads(base64.b64decode(message))
        kind, number = request["payload"]["type"], request["message_id"]
        if kind == "NewIndex":
            answer(number, {{"type": "NewIndex", "index_id": 0}})
        elif number == 2:
            answer(number, {{"type": "Error", "message": "this page is not HTML"}})
        else:
            answer(number, {{"type": "IndexedFile", "page_meta": {{"title": "x" * 50000}}}})
""")
    fake.chmod(0o755)
    store = digest.search.SearchStore(tmp_path / "site", fake)
    pages = [(f"2022/08/10/a{i}/index.html", b"<html><body><p>" + b"words " * 2000 + b"</p></body></html>")
             for i in range(400)]  # 4.8 MB to send, 27 MB of answers: both pipes fill
    started = time.monotonic()
    with pytest.raises(DigestError, match="could not be built: 2022/08/10/a0/index.html: this page is not HTML"):
        store._index(pages, tmp_path / "segment", keep_runtime=False)
    assert time.monotonic() - started < 30
    assert not (tmp_path / "segment").exists()


def _pagefind_fails(monkeypatch: pytest.MonkeyPatch, root: Path) -> None:
    """Every Pagefind run fails, as Pagefind's own error is reported."""
    from digest.errors import DigestError

    def failing_index(self: Any, *args: Any, **kwargs: Any) -> None:
        raise DigestError("the search index could not be built: boom", root)

    monkeypatch.setattr(digest.search.SearchStore, "_index", failing_index)


def _many_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every render counts as one of many pages (forked workers; in a one-shot build with search, the
    articles indexed in a process of their own while the other pages render)."""
    import digest.render_files

    monkeypatch.setattr(digest.render_files, "PARALLEL_THRESHOLD", 1)


@pytest.mark.usefixtures("needs_pagefind")
def test_a_build_of_many_pages_indexes_the_articles_apart_while_the_others_render(
        make_site: SiteMaker, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import os

    import digest.render_files

    files = {f"content/e{i}.md": entry_text(TITLES[i], date=f"2022-08-{10 + i:02d}T09:00:00Z", body=f"Body {i}.")
             for i in range(4)}
    root = make_site(files)
    marker = tmp_path / "indexing"
    events: list[str] = []
    real_build, real_render = digest.search.SearchStore.build, digest.render_files.render_files

    def indexing(self: Any, segments: Any, source: Path, jobs: int, progress: Any = None) -> Any:
        marker.write_text(str(os.getpid()))
        return real_build(self, segments, source, jobs, progress)

    def rendering(config: Any, env: Any, pages: Any, feeds: Any, *rest: Any) -> None:
        kinds = {"article" if digest.build.is_article_output(p.output_path) else "other" for p in pages}
        if feeds:
            kinds.add("feed")
        if kinds - {"article"}:  # the others wait (up to 10 s) for the indexing to have begun
            deadline = time.monotonic() + 10
            while not marker.exists() and time.monotonic() < deadline:
                time.sleep(0.01)
        events.append("+".join(sorted(kinds)) + (" while indexing" if marker.exists() else ""))
        real_render(config, env, pages, feeds, *rest)

    _many_pages(monkeypatch)
    monkeypatch.setattr(digest.search.SearchStore, "build", indexing)
    monkeypatch.setattr(digest.render_files, "render_files", rendering)
    build(root, BuildOptions(now=NOW, jobs=2, search=True))
    assert events == ["article", "feed+other while indexing"]
    assert int(marker.read_text()) != os.getpid()  # in a process of its own
    monkeypatch.undo()
    # The same site as the build that indexes after the render, in this process, makes it: every file the same
    cold = make_site(files, name="cold")
    build(cold, BuildOptions(now=NOW, jobs=1, search=True))
    assert _tree(root) == _tree(cold)
    assert (root / ".digest/search/state.sqlite").is_file()
    # and the next build, an edit, goes on from the segments it recorded
    (root / "content/e1.md").write_text(entry_text(TITLES[1], date="2022-08-11T09:00:00Z", body="Body 1, kyanite."))
    build(root, BuildOptions(now=NOW, jobs=1, search=True))
    assert "kyanite" in (root / "output/2022/08/11/e1/index.html").read_text()


@pytest.mark.usefixtures("needs_pagefind")
def test_a_failure_while_the_articles_are_indexed_apart_stops_the_indexing_and_keeps_the_site(
        make_site: SiteMaker, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import os

    import digest.render_files
    from digest.errors import DigestError

    root, _, _ = _searchable(make_site, 3)
    before = _tree(root)
    options = BuildOptions(now=NOW, jobs=2, search=True)
    (root / "digest.toml").write_text((root / "digest.toml").read_text() + "\n")  # every page again
    marker = tmp_path / "indexing"
    real_render = digest.render_files.render_files

    def stuck_build(self: Any, *args: Any, **kwargs: Any) -> Any:
        written = marker.with_suffix(".tmp")
        written.write_text(str(os.getpid()))
        written.replace(marker)  # whole when the render sees it
        time.sleep(60)

    def failing_render(config: Any, env: Any, pages: Any, feeds: Any, *rest: Any) -> None:
        if feeds:
            deadline = time.monotonic() + 10
            while not marker.exists() and time.monotonic() < deadline:
                time.sleep(0.01)
            raise DigestError("a template failed", root)
        real_render(config, env, pages, feeds, *rest)

    _many_pages(monkeypatch)
    monkeypatch.setattr(digest.search.SearchStore, "build", stuck_build)
    monkeypatch.setattr(digest.render_files, "render_files", failing_render)
    started = time.monotonic()
    with pytest.raises(DigestError, match="a template failed"):
        build(root, options)
    assert time.monotonic() - started < 30  # the indexing stopped, not waited for
    with pytest.raises(ProcessLookupError):
        os.kill(int(marker.read_text()), 0)  # its process is gone
    assert _tree(root) == before
    monkeypatch.undo()

    # Pagefind fails in that process: the build indexes here instead, and reports Pagefind's error
    _many_pages(monkeypatch)
    _pagefind_fails(monkeypatch, root)
    (root / "content/e1.md").write_text(entry_text(TITLES[1], date="2022-08-11T09:00:00Z", body="Body 1, kyanite."))
    with pytest.raises(DigestError, match="could not be built: boom"):
        build(root, options)
    assert _tree(root) == before
    monkeypatch.undo()
    build(root, options)  # and the next build goes through
    assert _tree(root) != before


@pytest.mark.usefixtures("needs_pagefind")
@pytest.mark.parametrize("seed", [20, 21])
def test_one_shot_builds_indexing_apart_after_each_change_equal_a_cold_build(
        make_site: SiteMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    """Random changes (tests/test_rebuild_sequences.py's curator), each followed by a one-shot build
    with search whose every render counts as many pages: each build indexes apart, and each equals a
    cold build (search index aside: its segments follow the site's history), lists only segments it
    has, and keeps the same record of which page shows which entry."""
    from .test_rebuild_sequences import STEPS, six_entries, stored_shows

    _many_pages(monkeypatch)
    apart: list[int] = []
    real = digest.build.work_from_record
    monkeypatch.setattr(digest.build, "work_from_record", lambda *args: apart.append(1) or real(*args))
    options = BuildOptions(now=NOW, jobs=2, search=True)
    root, curator = six_entries(make_site, seed)
    build(root, options)
    for step in range(STEPS):
        kind, _ = curator.change()
        build(root, options)
        elsewhere = tmp_path / "cold"
        shutil.rmtree(elsewhere, ignore_errors=True)
        shutil.copytree(root, elsewhere, ignore=shutil.ignore_patterns("output", ".output*", ".digest"))
        build(elsewhere, options)
        assert {rel: data for rel, data in _tree(root).items() if not rel.startswith("pagefind/")} == \
            {rel: data for rel, data in _tree(elsewhere).items() if not rel.startswith("pagefind/")}, \
            f"step {step}: {kind}"
        for folder in json.loads((root / "output/pagefind/segments.json").read_text())["segments"]:
            assert (root / "output/pagefind" / folder / "pagefind-entry.json").is_file(), f"step {step}: {kind}"
        assert stored_shows(root) == stored_shows(elsewhere), f"step {step}: {kind}"
    assert len(apart) >= 2 * STEPS  # (a build with no article to render indexes here, not apart)
