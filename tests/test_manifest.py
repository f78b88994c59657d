"""The output trees' manifests kept in chunks (reuse/manifest.py): what they hold, what two of them
share, and what the cache reads of them."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from digest.reuse.cache import BuildCache, TreeState
from digest.reuse.manifest import (
    EMPTY,
    PAGE_CHUNKS,
    SEARCH_PREFIX,
    SEARCH_SEGMENT_FOLDER,
    Manifest,
    MissingChunk,
    chunk_of,
)
from digest.search import BUNDLE, SEGMENT_FOLDER


def files(count: int, seed: int = 0) -> dict[str, str]:
    rng = random.Random(seed)
    found = {f"2024/{n % 12:02d}/{n}/index.html": f"print {rng.random()}" for n in range(count)}
    found.update({f"pagefind/fragment/{n}.pf_fragment": f"search {n}" for n in range(count // 3)})
    return found


def test_the_search_prefix_is_the_search_bundles_folder() -> None:
    assert SEARCH_PREFIX == BUNDLE + "/"


def test_the_search_segment_folder_is_the_search_modules() -> None:
    assert SEARCH_SEGMENT_FOLDER == SEGMENT_FOLDER


def test_a_segments_files_are_in_one_chunk_and_adding_or_dropping_it_changes_that_chunk_only() -> None:
    """A build adds and drops the search's files a segment at a time (trees.search_from_live)."""
    segment = [f"{SEGMENT_FOLDER}sabc/fragment/f{i}.pf_fragment" for i in range(300)]
    assert len({chunk_of(rel) for rel in segment}) == 1 and chunk_of(segment[0]) >= PAGE_CHUNKS
    others = {f"{SEGMENT_FOLDER}s{i}/index/x.pf_index": f"search s{i}" for i in range(40)}
    base = Manifest.of({"a/index.html": "1", f"{BUNDLE}/pagefind.js": "search r", **others})
    grown = base.updated({rel: "search sabc" for rel in segment})
    assert sum(a != b for a, b in zip(base.names, grown.names, strict=True)) == 1
    assert grown.updated({}, segment).names == base.names
    both = Manifest.of({"b/index.html": "2"}).with_search_of(grown)
    assert dict(both.items()) == {"b/index.html": "2", **{r: v for r, v in grown.items() if r.startswith(BUNDLE)}}
    assert {rel for rel, _ in both.search_items_unlike(base)} == set(segment)
    assert set(base.search_keys_unlike(both)) <= set(others) | {f"{BUNDLE}/pagefind.js"}


def test_a_manifest_holds_what_it_was_made_of() -> None:
    made = files(3000)
    manifest = Manifest.of(made)
    assert dict(manifest.items()) == made
    assert manifest == made and len(manifest) == len(made)
    assert manifest.get("2024/01/1/index.html") == made["2024/01/1/index.html"]
    assert manifest.get("nowhere.html") is None and "nowhere.html" not in manifest
    assert manifest.search_files() == {rel: v for rel, v in made.items() if rel.startswith(SEARCH_PREFIX)}
    assert all(chunk_of(rel) >= PAGE_CHUNKS for rel in manifest.search_files())


def test_chunk_names_follow_content_not_history() -> None:
    made = files(500)
    edited = Manifest.of(made).updated({"2024/01/1/index.html": "new"}, removed=["2024/02/2/index.html"])
    expected = dict(made, **{"2024/01/1/index.html": "new"})
    del expected["2024/02/2/index.html"]
    assert edited.names == Manifest.of(expected).names  # made by edits or at once: the same chunks
    assert edited == expected
    back = edited.updated({"2024/01/1/index.html": made["2024/01/1/index.html"],
                           "2024/02/2/index.html": made["2024/02/2/index.html"]})
    assert back.names == Manifest.of(made).names


def test_what_differs_is_found_among_the_chunks_that_differ() -> None:
    rng = random.Random(3)
    for _ in range(20):
        old = files(rng.randrange(0, 400), seed=rng.randrange(100))
        new = dict(old)
        for rel in rng.sample(sorted(old), min(len(old), rng.randrange(0, 6))):
            if rng.random() < 0.5:
                del new[rel]
            else:
                new[rel] = "changed"
        new.update({f"extra/{n}.html": "x" for n in range(rng.randrange(0, 4))})
        a, b = Manifest.of(old), Manifest.of(new)
        unlike = dict(b.items_unlike(a))
        assert {rel for rel, v in new.items() if old.get(rel) != v} <= unlike.keys()
        assert all(new[rel] == v for rel, v in unlike.items())
        assert set(old) - set(new) <= set(a.keys_unlike(b))
        changed = {rel for rel in old.keys() | new.keys() if old.get(rel) != new.get(rel)}
        assert {chunk_of(rel) for rel in unlike} <= {chunk_of(rel) for rel in changed}  # local: their chunks only
        assert a.same_pages(b) == ({r: v for r, v in old.items() if not r.startswith(SEARCH_PREFIX)}
                                   == {r: v for r, v in new.items() if not r.startswith(SEARCH_PREFIX)})


def test_pages_and_search_files_are_swapped_apart() -> None:
    made = files(300)
    pages_only = Manifest.of(made).updated({}, search=False)
    assert pages_only == {rel: v for rel, v in made.items() if not rel.startswith(SEARCH_PREFIX)}
    assert not pages_only.has_search() and Manifest.of(made).has_search()
    searched = pages_only.with_search({"pagefind/a.js": "1"})
    assert searched.search_files() == {"pagefind/a.js": "1"} and searched.same_pages(pages_only)
    with pytest.raises(ValueError, match="not a search file"):
        pages_only.with_search({"index.html": "1"})


def test_the_cache_stores_each_chunk_once_and_reads_only_those_asked_for(tmp_path: Path) -> None:
    cache = BuildCache(tmp_path, "salt")
    made = files(2000)
    cache.record_tree("a", TreeState("in", 1, 2, Manifest.of(made)))
    stored = cache.tree("a")
    assert stored is not None and stored.inputs == "in" and (stored.pages, stored.feeds) == (1, 2)
    asked: list[int] = []
    source = stored.manifest._source
    assert source is not None
    stored.manifest._source = lambda names: asked.append(len(names)) or source(names)  # type: ignore[assignment]
    assert stored.manifest.get("2024/01/1/index.html") == made["2024/01/1/index.html"]
    assert asked == [1]  # one chunk read, not the manifest
    chunks = cache._db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
    # A second tree that differs by one page adds one chunk; the first tree's are shared
    edited = cache.tree("a")
    assert edited is not None
    cache.record_tree("b", TreeState("in2", 1, 2, edited.manifest.updated({"2024/01/1/index.html": "new"})),
                      keep=["a"])
    assert cache._db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0] == chunks + 1
    again = cache.tree("b")
    assert again is not None and again.manifest == dict(made, **{"2024/01/1/index.html": "new"})
    # A tree dropped takes the chunks no other tree names with it
    cache.record_tree("b", TreeState("in2", 1, 2, again.manifest), keep=[])
    assert cache._db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0] == chunks
    assert cache.tree("a") is None
    cache.close()


def test_a_chunk_gone_from_the_cache_is_said_so(tmp_path: Path) -> None:
    cache = BuildCache(tmp_path, "salt")
    cache.record_tree("a", TreeState("in", 1, 2, Manifest.of(files(50))))
    stale = cache.tree("a")
    assert stale is not None
    cache.record_tree("b", TreeState("in", 1, 2, EMPTY), keep=[])
    with pytest.raises(MissingChunk):
        dict(stale.manifest.items())
    cache.close()


def test_a_manifest_recorded_in_another_form_is_not_trusted(tmp_path: Path) -> None:
    import marshal

    cache = BuildCache(tmp_path, "salt")
    cache._db.execute("INSERT INTO trees VALUES ('old', 'in', 1, 2, ?)", (marshal.dumps({"index.html": "x"}),))
    assert cache.tree("old") is None
    cache.close()


def test_a_tree_whose_chunk_is_missing_is_not_trusted(tmp_path: Path) -> None:
    cache = BuildCache(tmp_path, "salt")
    cache.record_tree("a", TreeState("in", 1, 2, Manifest.of(files(50))))
    assert cache.tree("a") is not None
    cache._db.execute("DELETE FROM chunks WHERE rowid = (SELECT MIN(rowid) FROM chunks)")
    assert cache.tree("a") is None  # the next build makes its trees afresh rather than trust a part
    cache.close()


def test_the_whole_manifest_as_one_dict_is_what_it_holds() -> None:
    made = files(700)
    manifest = Manifest.of(made).updated({"index.html": "1"})
    whole = manifest.as_dict()
    assert whole == dict(made, **{"index.html": "1"}) and manifest.as_dict() is whole  # made once
