"""regroup_near: after any sequence of edits, either exactly what group_stories returns or None;
same_grouping_near: whether group_stories groups as before, or None."""

from __future__ import annotations

import dataclasses
import math
import pickle
import random
from collections import Counter
from collections.abc import Iterator, Mapping
from datetime import timedelta
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import digest.stories.nearby
from digest.model import Entry, Story
from digest.reuse.cache import BuildCache
from digest.stories import DEFAULT_SETTINGS, StorySettings, entry_features, group_stories, grouping_token
from digest.stories.features import EntryFeatures
from digest.stories.nearby import (
    MAX_FRESH,
    PICKLE_HEADS,
    Columns,
    Ledger,
    ReadWhenAsked,
    Regrouped,
    ledger_line,
    ledger_of,
    moved_words,
    pickled_str,
    regroup_near,
    same_grouping_near,
    title_of_line,
)
from digest.stories.remembered import Grouped, StoredLines, remembered_stories
from digest.stories.weights import rarity, size_log, title_vector
from tests.test_stories_incremental import KINDS, Site, bursty_corpus, corpus, headlines, make_entry, spread_corpus


def remembered(stories: list[Story]) -> list[tuple[str, list[str], float, str]]:
    return [(s.key, [str(m.path) for m in s.members], s.score, s.reason) for s in stories]


def automatic(stories: list[Story]) -> set[tuple[str, tuple[str, ...], float, str]]:
    """The automatically grouped stories (the curator's aside), comparable as a set."""
    return {(s.key, tuple(str(m.path) for m in s.members), s.score, s.reason) for s in stories
            if s.reason != "curator"}


class ReadEntries(ReadWhenAsked):
    """Entries read when asked for, as a build's rows are read from the cache: which were read."""

    def __init__(self, entries: list[Entry]) -> None:
        self.read: set[int] = set()
        super().__init__(lambda k: self.read.add(k) or entries[k], len(entries))


def recorded_regroupings(monkeypatch: pytest.MonkeyPatch) -> list[set[str]]:
    """The paths of the entries each regrouping near a change grouped again, as they happen."""
    redone: list[set[str]] = []
    regroup = digest.stories.nearby._regroup_reached

    def recorded(*args: object) -> object:
        found = regroup(*args)  # type: ignore[arg-type]
        if found is not None:
            redone.append(found[1])
        return found

    monkeypatch.setattr(digest.stories.nearby, "_regroup_reached", recorded)
    return redone


def columns_of(entries: list[Entry]) -> Columns:
    return Columns([e.published.timestamp() for e in entries], [str(e.path) for e in entries],
                   [e.story for e in entries])


class PickledFeatures(Mapping[PurePosixPath, EntryFeatures]):
    """Features as entry_rows.LazyFeatures hands them: each also as its pickle (`pickled`)."""

    def __init__(self, features: Mapping[PurePosixPath, EntryFeatures]) -> None:
        self.features = features

    def __getitem__(self, path: PurePosixPath) -> EntryFeatures:
        return self.features[path]

    def __iter__(self) -> Iterator[PurePosixPath]:
        return iter(self.features)

    def __len__(self) -> int:
        return len(self.features)

    def pickled(self, path: PurePosixPath) -> bytes | None:
        return pickle.dumps(self.features[path], pickle.HIGHEST_PROTOCOL)


class HeldFeatures(PickledFeatures):
    """Features as LazyFeatures with a cache hands them: which entries' pickles hold a word is told
    (`holding`, as the cache's search of the pickles answers), the pickles themselves are not."""

    def holding(self, written: list[bytes]) -> set[str]:
        return {str(path) for path, features in self.features.items()
                if any(part in pickle.dumps(features, pickle.HIGHEST_PROTOCOL) for part in written)}

    pickled = None  # type: ignore[assignment]  # never asked for: holding answers first


class FetchedFeatures(HeldFeatures):
    """As HeldFeatures, and fetched from the cache a batch at a time (`fetch`, as LazyFeatures.fetch
    does in one query): which entries' features were read without being fetched first."""

    def __init__(self, features: Mapping[PurePosixPath, EntryFeatures]) -> None:
        super().__init__(features)
        self.batches: list[list[PurePosixPath]] = []
        self.read_alone: set[PurePosixPath] = set()

    def fetch(self, paths: list[PurePosixPath]) -> None:
        self.batches.append(list(paths))

    def __getitem__(self, path: PurePosixPath) -> EntryFeatures:
        if not any(path in batch for batch in self.batches):
            self.read_alone.add(path)
        return self.features[path]


@given(st.lists(st.text(min_size=1, max_size=300), min_size=1, max_size=12), st.integers(4, 5))
def test_a_word_of_the_features_is_in_their_pickle_as_pickled_str_says(words: list[str], protocol: int) -> None:
    """What nearby looks for in a pickle before unpickling it is there for every word it holds
    (any text: non-ASCII, words of 256 bytes and more, a word held twice)."""
    terms = tuple(dict.fromkeys(words))
    features = EntryFeatures(terms[:2], terms[:1], tuple((w, 1) for w in terms), len(terms), terms)
    data = pickle.dumps(features, protocol)
    assert data.startswith(PICKLE_HEADS)
    for word in terms:
        assert pickled_str(word) in data
    assert pickled_str("a word it does not hold\x00") not in data


class Ledgered(Site):
    """The test site of test_stories_incremental, its grouping kept as a ledger and stories."""

    def __init__(self, rng: random.Random, entries: list[Entry], weights: StorySettings = DEFAULT_SETTINGS) -> None:
        super().__init__(rng, entries, weights, max_affected=1.0)
        self.seen: dict[str, EntryFeatures] = {}
        self.regrouped = self.fallbacks = 0
        self.stories = group_stories(entries, self.features, settings=weights)
        self.ledger = ledger_of(entries, self.features, self.tokens())

    def tokens(self) -> list[str]:
        tokens = [grouping_token(e, self.features[e.path]) for e in self.entries.values()]
        self.seen.update(zip(tokens, (self.features[e.path] for e in self.entries.values()), strict=True))
        return tokens

    def departed(self, wanted: list[tuple[str, str]]) -> dict[str, EntryFeatures]:
        """As the build cache keeps them: the features of every version grouped, by token."""
        return {token: self.seen[token] for token, _ in wanted if token in self.seen}

    def check(self) -> None:
        entries = list(self.entries.values())
        expected = group_stories(entries, self.features, settings=self.weights)
        # Every share allowed: the exact path is taken whenever it can be (the defaults give up sooner).
        # Half the time without the features of what went: every entry's words are counted again.
        departed = self.departed if self.rng.random() < 0.5 else None
        # Two times in three the features come as the build cache hands them: pickled until
        # unpickled, or searched in the cache without being fetched.
        features = self.rng.choice([PickledFeatures, HeldFeatures, FetchedFeatures, dict])(self.features)
        # The last stories as tuples, or as the cache keeps them (an entry alone as its path)
        previous = self.rng.choice([remembered, remembered_stories])(self.stories)
        checked = same_grouping_near(ReadEntries(entries), columns_of(entries), features, self.tokens(), previous,
                                     self.ledger, self.weights, departed=departed, max_fresh=1.0,
                                     max_reached=1.0)
        found = regroup_near(entries, features, self.tokens(), previous, self.ledger,
                             self.weights, departed=departed, max_fresh=1.0, max_reached=1.0)
        # Told by the same search: either both can tell, and agree, or neither
        assert (checked is None) == (found is None)
        if checked is not None and found is not None:
            assert checked.same == (automatic(expected) == automatic(self.stories))
            assert checked.ledger == found.ledger
        if found is None:
            self.fallbacks += 1
            self.ledger = ledger_of(entries, self.features, self.tokens())
        else:
            self.regrouped += 1
            assert found.stories == expected
            # The cache's form of the stories, told by `alone` where a story was kept alone
            assert Grouped(found.stories, found.alone).remembered == remembered_stories(expected)
            ledger = found.ledger.applied(self.ledger)
            assert ledger == ledger_of(entries, self.features, self.tokens())
            self.ledger = ledger
        self.stories = expected


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32), size=st.integers(1, 40),
       steps=st.lists(st.lists(st.sampled_from(KINDS), min_size=1, max_size=3), min_size=1, max_size=10))
def test_small_corpora_after_random_edits(seed: int, size: int, steps: list[list[str]]) -> None:
    rng = random.Random(seed)
    site = Ledgered(rng, corpus(rng, size, stories=3, days=2))
    for kinds in steps:
        site.step(kinds)
        site.check()


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32),
       steps=st.lists(st.lists(st.sampled_from(KINDS), min_size=1, max_size=2), min_size=1, max_size=6))
def test_bursty_corpora_after_random_edits(seed: int, steps: list[list[str]]) -> None:
    """Stories split where their coverage pauses (linkage.split_at_pauses) are regrouped as group_stories does."""
    rng = random.Random(seed)
    site = Ledgered(rng, bursty_corpus(rng, 120, stories=5))
    for kinds in steps:
        site.step(kinds)
        site.check()


@pytest.mark.parametrize("seed", range(6))
def test_reports_moved_to_the_story_they_are_most_like_regroup_near_the_change_exactly(seed: int) -> None:
    """linkage.moved in a regrouping near a change: a report moves only to a story it is paired with,
    so within the connected part of the pairs that nearby regroups. With a margin below 0 (a report
    moves to a story at least half as like it as its own) many move, and every regrouping near an
    edit is still group_stories' result."""
    rng = random.Random(seed)
    weights = dataclasses.replace(DEFAULT_SETTINGS, move_margin=-0.5)
    site = Ledgered(rng, corpus(rng, 200, stories=6, days=3), weights)
    plain = group_stories(list(site.entries.values()), site.features,
                          settings=dataclasses.replace(weights, move_margin=None))
    assert automatic(plain) != automatic(site.stories)  # reports moved
    for _ in range(12):
        site.step([rng.choice(["add", "remove", "title", "time", "swap"])])
        site.check()
    assert site.regrouped > 0


def _spread_and_edited(seed: int, edits: int) -> Ledgered:
    """A spread corpus (240 entries, 12 stories days apart) after `edits` random edits, each checked
    against group_stories."""
    rng = random.Random(seed)
    site = Ledgered(rng, spread_corpus(rng, 240, stories=12))
    for _ in range(edits):
        site.step([rng.choice(["add", "remove", "title", "time", "swap", "curate"])])
        site.check()
    return site


def test_spread_corpora_regroup_near_the_change_and_match_group_stories() -> None:
    """Stories days apart: most edits are regrouped locally (not everything), and exactly."""
    total = Counter[str]()
    for seed in range(6):
        site = _spread_and_edited(seed, 12)
        total.update(regrouped=site.regrouped, fallbacks=site.fallbacks)
    assert total["regrouped"] > 2 * total["fallbacks"], total


def test_the_features_a_regrouping_reads_are_fetched_a_batch_at_a_time() -> None:
    """The holders of a moved word and the entries of each round of pairs are fetched together
    (one query in the build cache, not one each); only the features of entries that changed (in
    memory in a build: parsed anew) are read alone. The stories are group_stories' all the same."""
    batches: list[int] = []
    for seed in range(4):
        rng = random.Random(seed)
        site = Ledgered(rng, spread_corpus(rng, 240, stories=12))
        for _ in range(8):
            site.step([rng.choice(["add", "remove", "title"])])
            entries = list(site.entries.values())
            tokens = site.tokens()
            came = {e.path for e, token in zip(entries, tokens, strict=True) if token not in site.ledger.tokens}
            features = FetchedFeatures(site.features)
            found = regroup_near(entries, features, tokens, remembered_stories(site.stories), site.ledger,
                                 DEFAULT_SETTINGS, departed=site.departed, max_fresh=1.0, max_reached=1.0)
            site.stories = group_stories(entries, site.features)
            if found is None:
                site.ledger = ledger_of(entries, site.features, tokens)
                continue
            assert found.stories == site.stories
            assert features.read_alone <= came, features.read_alone - came
            batches += [len(batch) for batch in features.batches]
            site.ledger = found.ledger.applied(site.ledger)
    assert batches and max(batches) > 5, batches


def dense_news_with_additions(additions: int) -> Ledgered:
    """Hundreds of headlines of a few stories within four days, new ones added one by one, each checked."""
    rng = random.Random(7)
    site = Ledgered(rng, corpus(rng, 300, stories=8, days=4))
    rows = headlines()
    for k in range(additions):
        new = make_entry(rng, 20_000 + k, rng.choice(rows), rng.uniform(0, 96))
        site.entries[new.path] = new
        site.features[new.path] = entry_features(new)
        site.check()
    return site


def test_dense_news_after_additions_matches_group_stories() -> None:
    site = dense_news_with_additions(10)
    assert site.regrouped + site.fallbacks == 10


@pytest.mark.parametrize("limit", [0, 2])
def test_partners_read_from_the_index_of_title_words_match_group_stories(
        limit: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past SCAN_PER_ENTRY entries looked at one by one for each entry, an entry's partners are read
    from an index of the title words (dense news: thousands of entries in the window); from the start
    (0) or midway."""
    monkeypatch.setattr(digest.stories.nearby, "SCAN_PER_ENTRY", limit)
    regrouped = sum(_spread_and_edited(seed, 10).regrouped for seed in range(3))
    assert regrouped + dense_news_with_additions(8).regrouped > 10


def test_an_entry_moved_far_in_time_regroups_both_places() -> None:
    rng = random.Random(3)
    site = Ledgered(rng, spread_corpus(rng, 120, stories=6))
    path = sorted(site.entries)[5]
    entry = site.entries[path]
    site.entries[path] = dataclasses.replace(entry, published=entry.published + timedelta(days=9))
    site.features[path] = entry_features(site.entries[path])
    site.check()
    assert site.regrouped == 1


def test_a_changed_corpus_size_step_groups_everything() -> None:
    """When the corpus's size moves every word's rarity, there is nothing local to do."""
    before = Counter({"flood": 3, "valencia": 2})
    assert moved_words(before, 10, before, 10, DEFAULT_SETTINGS) == set()
    assert moved_words(before, 10, before, 100, DEFAULT_SETTINGS) is None
    assert moved_words(before, 10, Counter({"flood": 3, "valencia": 1}), 10, DEFAULT_SETTINGS) == {"valencia"}


def test_a_ledger_that_does_not_match_is_not_trusted() -> None:
    """Stories that do not partition the entries (a stale or foreign memory): None, never a guess."""
    rng = random.Random(11)
    site = Ledgered(rng, spread_corpus(rng, 60, stories=3))
    entries = list(site.entries.values())
    tokens = site.tokens()
    wrong = remembered(site.stories)[1:]  # one story forgotten
    assert regroup_near(entries, site.features, tokens, wrong, site.ledger, DEFAULT_SETTINGS) is None
    ledger = Ledger(site.ledger.tokens, site.ledger.df, site.ledger.n)
    assert regroup_near(entries, site.features, tokens, remembered(site.stories), ledger,
                        DEFAULT_SETTINGS) is not None


class CountedFeatures(PickledFeatures):
    """PickledFeatures that count the entries whose features were unpickled."""

    def __init__(self, features: Mapping[PurePosixPath, EntryFeatures]) -> None:
        super().__init__(features)
        self.read: set[PurePosixPath] = set()

    def __getitem__(self, path: PurePosixPath) -> EntryFeatures:
        self.read.add(path)
        return super().__getitem__(path)


def test_partners_are_found_from_the_ledgers_title_terms() -> None:
    """An entry's partners are looked for among its neighbours in time by their title terms, which
    the ledger keeps: without them each neighbour's features are read; with them, only those of
    the entries compared. The same stories and ledger either way."""
    rng = random.Random(5)
    entries = sorted(corpus(rng, 120, stories=6, days=3), key=lambda e: str(e.path))
    features = {e.path: entry_features(e) for e in entries}
    tokens = [grouping_token(e, features[e.path]) for e in entries]
    ledger = ledger_of(entries, features, tokens)
    assert len(ledger.titles) == len(entries) and all(ledger.titles.values())
    stories = remembered(group_stories(entries, features))
    new = make_entry(rng, 9_000, rng.choice(headlines()), rng.uniform(0, 72))
    features[new.path] = entry_features(new)
    now = [*entries, new]
    now_tokens = [*tokens, grouping_token(new, features[new.path])]
    found = {}
    for kept in (ledger, Ledger(ledger.tokens, ledger.df, ledger.n)):
        counted = CountedFeatures(features)
        found[bool(kept.titles)] = (regroup_near(now, counted, now_tokens, stories, kept, DEFAULT_SETTINGS,
                                                 max_fresh=1.0, max_reached=1.0), counted.read)
    (with_titles, read_with), (without, read_without) = found[True], found[False]
    assert with_titles is not None and without is not None
    assert with_titles.stories == without.stories == group_stories(now, features)
    assert with_titles.ledger.applied(ledger) == ledger_of(now, features, now_tokens)
    assert without.ledger.applied(Ledger(ledger.tokens, ledger.df, ledger.n)) == ledger_of(now, features, now_tokens)
    assert len(read_with) < len(read_without)


@given(st.sampled_from(headlines()), st.text(max_size=200), st.booleans())
@settings(max_examples=60, deadline=None)
def test_a_ledger_line_makes_the_title_vector_the_features_make(row: tuple[str, str, str], body: str,
                                                               weighted: bool) -> None:
    """What a regrouping reads of an entry's title from its ledger line (title terms, names, text word
    count) gives the same title vector and has_text as its features, bit for bit."""
    entry = make_entry(random.Random(0), 1, row, 1.0)
    f = entry_features(dataclasses.replace(entry, body=body))
    line = ledger_line(f)
    assert line is not None
    read = title_of_line(line)
    assert (read.title_terms, read.title_names, read.text_word_count) == (f.title_terms, f.title_names,
                                                                       f.text_word_count)
    idf = {t: 1.0 + k / 4 for k, t in enumerate(f.title_terms) if weighted or k % 2}
    shared = set(list(idf)[::2])
    assert title_vector(read, idf, shared, DEFAULT_SETTINGS) == title_vector(f, idf, shared, DEFAULT_SETTINGS)


def test_only_the_features_of_entries_whose_texts_are_compared_are_read() -> None:
    """Title vectors are made from the ledger's lines: a regrouping of headlines without text (so no
    texts are compared) unpickles only the features of the entry that came (its line is not in the
    ledger yet) and of those that may hold a word whose rarity moved (looked for in their features),
    however many entries it compares."""
    rng = random.Random(8)
    entries = [dataclasses.replace(e, body="") for e in corpus(rng, 150, stories=5, days=2)]
    features = {e.path: entry_features(e) for e in entries}
    tokens = [grouping_token(e, features[e.path]) for e in entries]
    ledger = ledger_of(entries, features, tokens)
    new = dataclasses.replace(entries[3], path=entries[3].path.with_name("e-9000.md"))
    features[new.path] = entry_features(new)
    now = [*entries, new]
    now_tokens = [*tokens, grouping_token(new, features[new.path])]
    counted = CountedFeatures(features)
    found = regroup_near(now, counted, now_tokens, remembered(group_stories(entries, features)), ledger,
                         DEFAULT_SETTINGS, max_fresh=1.0, max_reached=1.0)
    assert found is not None and found.stories == group_stories(now, features)
    moved = moved_words(ledger.df, ledger.n, found.ledger.df, found.ledger.n, DEFAULT_SETTINGS)
    assert moved is not None
    assert any(not moved.isdisjoint(features[e.path].terms) for e in entries)  # holders were looked for
    assert counted.read == {new.path}
    assert [s for s in found.stories if len(s.members) > 1 and new in s.members]


@pytest.mark.parametrize("kept", ["in memory", "in the build cache"])
def test_the_holders_of_words_are_found_in_the_ledgers_lines(kept: str, tmp_path: Path) -> None:
    """The entries holding a word (in title or text) are found from their ledger lines, exactly as
    their features tell, without reading the features: also a word that is a number (the line's
    first field is one) and a name; an entry without a line is looked for in its features. Kept in
    the build cache, the lines that may hold a word are found by its full-text index, and only
    those are read (remembered.StoredLines)."""
    rng = random.Random(4)
    entries = corpus(rng, 120, stories=6, days=2)
    features = {e.path: entry_features(e) for e in entries}
    lines: list[str | None] = [ledger_line(features[e.path]) for e in entries]
    lines[7] = None
    tokens = [f"token-{k}" for k in range(len(entries))]
    titles: Mapping[str, str] = {token: line for token, line in zip(tokens, lines, strict=True) if line is not None}
    if kept == "in the build cache":
        cache = BuildCache(tmp_path, "salt")
        # Written in two goes, some rows replaced and some removed and written again: the index follows
        rows = [(token, str(e.path), 0.0, line) for token, e, line in zip(tokens, entries, lines, strict=True)]
        cache.write_ledger([(token, path, time, "1\t\tstale\tstale") for token, path, time, _ in rows[:60]], (),
                           whole=True)
        cache.write_ledger(rows, tokens[100:])
        cache.write_ledger(rows[100:], ())
        assert cache.ledger_holding({"stale"}) == {}
        titles = StoredLines(cache, set(titles))
    counted = CountedFeatures(features)
    read = digest.stories.nearby._Features(entries, counted, tokens, titles, [str(e.path) for e in entries])
    every = sorted({t for f in features.values() for t in f.terms})
    counts = {str(f.text_word_count) for f in features.values()}
    names = {t for f in features.values() for t in f.title_names}
    alone = {features[entries[7].path].terms[-1]}  # a word of the entry without a line
    for words in [set(rng.sample(every, 3)) for _ in range(30)] + [counts, names, alone]:
        assert read.holders(words) == [k for k, e in enumerate(entries) if not words.isdisjoint(features[e.path].terms)]
    assert counted.read == {entries[7].path}


def test_the_build_caches_index_of_the_ledger_finds_every_line_holding_a_word(tmp_path: Path) -> None:
    """BuildCache.ledger_holding: every line holding a word as one of its terms, whatever the word's
    characters (a phrase of several words, accents, quotes, a hyphen), after rows are replaced and
    removed; None for a word the index may not hold (no ASCII letter or digit): then every line is read."""
    cache = BuildCache(tmp_path, "salt")
    terms = ["new york", "café", "o'neil", 'say "hi"', "foo-bar", "2024", "plain"]
    line = "12\tnew york\t" + "\n".join(terms[:3]) + "\t" + "\n".join(terms[3:])
    cache.write_ledger([("a", "content/a.md", 1.0, line), ("b", "content/b.md", 2.0, "1\t\tother\tyork"),
                        ("c", "content/c.md", 3.0, None)], (), whole=True)
    for term in terms:
        assert "a" in (cache.ledger_holding({term}) or {}), term
    cache.write_ledger([("a", "content/a.md", 1.0, "1\t\tnothing\t")], ["b"])
    for term in terms:
        assert cache.ledger_holding({term}) == {}, term
    assert cache.ledger_holding({"nothing"}) == {"a": "1\t\tnothing\t"}
    assert cache.ledger_holding({"&&", "nothing"}) is None
    assert cache.ledger_holding({"日本"}) is None
    assert sorted(row[0] for row in cache.ledger_places()) == ["a", "c"]


def test_entries_whose_moved_words_are_in_their_text_only_are_not_regrouped(monkeypatch: pytest.MonkeyPatch) -> None:
    """An addition that moves the rarity of a word many entries hold in their text only (not in
    their titles) gives those entries new text vectors only: their title vectors, partners and
    title likeness are the same, so only their pairs whose texts are compared can change. Here
    none is (their partners have no text): none of them is regrouped, and the stories are
    group_stories' all the same."""
    rng = random.Random(2)
    entries = spread_corpus(rng, 240, stories=12)
    # One holder a story, the only entries with text: their pairs are compared by title alone
    holders = entries[:12]  # spread_corpus puts the k-th entry in the (k % 12)-th story
    text = "The Quillfeather archive noted Quillfeather. " + " ".join(f"word{k}" for k in range(30))
    with_word = {e.path: dataclasses.replace(e, body=text) for e in holders}
    entries = [with_word.get(e.path, dataclasses.replace(e, body="")) for e in entries]
    features = {e.path: entry_features(e) for e in entries}
    assert sum("quillfeather" in f.terms for f in features.values()) == len(holders)
    assert not any("quillfeather" in f.title_terms for f in features.values())
    tokens = [grouping_token(e, features[e.path]) for e in entries]
    ledger = ledger_of(entries, features, tokens)
    before = remembered(group_stories(entries, features))
    redone = recorded_regroupings(monkeypatch)
    new = dataclasses.replace(with_word[holders[0].path], path=holders[0].path.with_name("e-9001.md"),
                              title="Quillfeather", published=holders[0].published + timedelta(days=1000))
    for extra in range(1, 12):  # more holders until the word's rarity moves with the addition
        now = [*entries, new]
        features[new.path] = entry_features(new)
        now_tokens = [*tokens, grouping_token(new, features[new.path])]
        moved = moved_words(ledger.df, ledger.n, Counter({**ledger.df, "quillfeather": ledger.df["quillfeather"] + 1}),
                            ledger.n + 1, DEFAULT_SETTINGS, ["quillfeather"])
        if moved:
            break
        new = dataclasses.replace(new, path=new.path.with_name(f"e-{9001 + extra}.md"))
        entries, tokens = now, now_tokens
        ledger = ledger_of(entries, features, tokens)
        before = remembered(group_stories(entries, features))
    assert moved == {"quillfeather"}
    found = regroup_near(now, features, now_tokens, before, ledger, DEFAULT_SETTINGS, max_fresh=1.0, max_reached=1.0)
    assert found is not None and found.stories == group_stories(now, features)
    assert redone and not redone[-1] & {str(e.path) for e in holders}, redone
    assert sum(len(story[1]) > 1 for story in before) >= len(holders)  # the holders' stories, kept


def test_an_addition_that_moves_a_common_words_count_past_a_step_stays_local(monkeypatch: pytest.MonkeyPatch) -> None:
    """A word held by many entries ("confirmed", in the texts of a third of them) moves a step of its
    rarity with about one holder in df/RARITY_STEPS more. Were its weight to follow its count, every
    holder would get new vectors, more than MAX_FRESH of the entries, and everything would be grouped
    again (at 100,000 entries an addition took 12 s so, against 5). Held by more than common_limit, it
    weighs the same whatever its count: the addition regroups a few entries only, and the stories are
    group_stories' all the same."""
    rng = random.Random(5)
    entries = spread_corpus(rng, 600, stories=20)
    log_n = size_log(len(entries) + 1)
    assert size_log(len(entries)) == log_n  # (else every word's rarity moves: a case of its own)
    # As many holders as put the word's own rarity a step away: one more moves it
    count = next(d for d in range(150, 300) if rarity(log_n, d, math.inf) != rarity(log_n, d + 1, math.inf))
    said = "Officials confirmed it. It was confirmed again, and confirmed once more."
    entries = [dataclasses.replace(e, body=f"{said}\n\n{e.body}") if k < count else e
               for k, e in enumerate(entries)]
    features = {e.path: entry_features(e) for e in entries}
    assert sum("confirmed" in f.terms for f in features.values()) == count
    tokens = [grouping_token(e, features[e.path]) for e in entries]
    new = dataclasses.replace(entries[0], path=entries[0].path.with_name("e-9001.md"),
                              published=entries[0].published + timedelta(hours=1))  # a report of its story
    features[new.path] = entry_features(new)
    now, now_tokens = [*entries, new], [*tokens, grouping_token(new, features[new.path])]
    after = Counter({t: d for t, d in ledger_of(now, features, now_tokens).df.items()})
    following = dataclasses.replace(DEFAULT_SETTINGS, common_df=1.0, common_df_min=10**9)  # weight follows count
    redone = recorded_regroupings(monkeypatch)

    def regrouped(weights: StorySettings) -> tuple[Regrouped | None, set[str] | None]:
        ledger = ledger_of(entries, features, tokens)
        assert moved_words(ledger.df, ledger.n, after, ledger.n + 1, weights, ["confirmed"]) == (
            {"confirmed"} if weights is following else set())
        redone.clear()
        before = remembered(group_stories(entries, features, settings=weights))
        found = regroup_near(now, features, now_tokens, before, ledger, weights)
        return found, redone[-1] if redone else None

    assert count > MAX_FRESH * len(now) + 20
    assert regrouped(following) == (None, None)  # the cliff: the holders are too many, given up on
    found, redone = regrouped(DEFAULT_SETTINGS)
    assert found is not None and found.stories == group_stories(now, features)
    # Its story's day only (spread_corpus: a story a day, four days apart)
    day = {str(e.path) for e in now if abs(e.published - new.published) < timedelta(days=1)}
    assert redone is not None and str(new.path) in redone and redone <= day and len(day) < len(now) / 10, redone
    assert [s for s in found.stories if new in s.members and len(s.members) > 1]


def test_on_dense_news_an_edit_that_would_reach_too_many_gives_up_before_comparing(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """An edited entry's old version went: the search starts from every entry near its time. On
    dense news (600 headlines within a day) that is already more than may be reached: None, before
    any pair is compared or any partner looked for. With room to reach them, the same edit is
    regrouped as group_stories groups it."""
    rng = random.Random(11)
    site = Ledgered(rng, corpus(rng, 600, stories=20, days=1))
    path = sorted(site.entries)[17]
    site.entries[path] = dataclasses.replace(site.entries[path], title=site.entries[path].title + " Zanzibar votes")
    site.features[path] = entry_features(site.entries[path])
    entries = list(site.entries.values())

    def regrouped(max_reached: float) -> Regrouped | None:
        return regroup_near(entries, site.features, site.tokens(), remembered(site.stories), site.ledger,
                            DEFAULT_SETTINGS, departed=site.departed, max_fresh=1.0, max_reached=max_reached)

    with monkeypatch.context() as patched:
        for name in ("_similarities", "_Vectors.title_words"):
            owner, _, attribute = name.rpartition(".")
            patched.setattr(getattr(digest.stories.nearby, owner) if owner else digest.stories.nearby, attribute,
                            lambda *args: pytest.fail("compared or looked for partners"))
        assert regrouped(0.1) is None
    found = regrouped(1.0)
    assert found is not None and found.stories == group_stories(entries, site.features)


@given(st.lists(st.integers(0, 6), min_size=0, max_size=40))
def test_the_time_order_is_group_stories_order(times: list[int]) -> None:
    """nearby._time_order: by time, then path, as sorting (time, path, place) does: many equal times."""
    paths = [f"content/{(k * 7919) % 101:03d}.md" for k in range(len(times))]
    stamps = [float(t) for t in times]
    expected = [k for _, _, k in sorted(zip(stamps, paths, range(len(times)), strict=True))]
    assert digest.stories.nearby._time_order(stamps, paths) == expected


@given(st.lists(st.tuples(st.sampled_from(["curated", "kept", "regrouped"]), st.integers(0, 3), st.sampled_from("ab")),
                max_size=30), st.randoms(use_true_random=False))
def test_the_stories_kept_and_the_others_are_merged_as_sorting_them_all(
        stories: list[tuple[str, int, str]], rng: random.Random) -> None:
    """nearby._merged: the kept stories (sorted) and the curator's and regrouped ones (any order) in
    group_stories' order, a stable sort by lead time and key of curated + kept + regrouped: equal
    times and keys across the three, each kept story with its path."""
    base = make_entry(rng, 0, headlines()[0], 0.0)
    made: dict[str, list[Story]] = {"curated": [], "kept": [], "regrouped": []}
    for number, (group, hour, key) in enumerate(stories):
        entry = dataclasses.replace(base, path=PurePosixPath(f"content/{number}.md"),
                                    published=base.published + timedelta(hours=hour))
        made[group].append(Story(key=key, lead=entry, members=(entry,)))
    made["kept"].sort(key=lambda s: (s.lead.published, s.key))
    alone = [str(s.lead.path) for s in made["kept"]]
    expected = sorted(made["curated"] + made["kept"] + made["regrouped"], key=lambda s: (s.lead.published, s.key))
    merged, paths = digest.stories.nearby._merged(made["kept"], alone, made["curated"], made["regrouped"])
    assert [id(s) for s in merged] == [id(s) for s in expected]
    assert paths == [str(s.lead.path) if any(s is k for k in made["kept"]) else None for s in expected]


def test_without_fts5_the_ledger_is_kept_without_its_index_and_every_line_is_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An SQLite built without FTS5: the cache has no full-text index of the ledger (its schema would
    not open otherwise), the ledger is written all the same, ledger_holding says it cannot tell (every
    line is read), and such a cache has a salt of its own (an index kept by the other would be stale)."""
    import digest.reuse.cache as cache_module

    with_index = cache_module.salt_for("config")
    monkeypatch.setattr(cache_module, "full_text_index", lambda: False)
    assert cache_module.salt_for("config") != with_index
    cache = BuildCache(tmp_path, "salt")
    cache.write_ledger([("a", "content/a.md", 1.0, "1\t\tplain\t"), ("b", "content/b.md", 2.0, None)], (), whole=True)
    cache.write_ledger([("a", "content/a.md", 1.0, "1\t\tother\t")], ["b"])
    assert cache.ledger_holding({"other"}) is None
    assert cache.ledger_lines(["a", "b"]) == {"a": "1\t\tother\t"}
    assert not cache._db.execute("SELECT name FROM sqlite_master WHERE name = 'ledger_words'").fetchall()


def test_same_grouping_near_reads_only_the_entries_grouped_again() -> None:
    """An edited headline in a corpus of stories days apart: same_grouping_near tells whether the
    grouping is as before reading the few entries near the edit, not every entry; and it says
    "not the same" when the edit takes an entry out of its story."""
    rng = random.Random(5)
    site = Ledgered(rng, spread_corpus(rng, 240, stories=12))
    told = Counter[bool]()
    for step in range(12):
        path = rng.choice(sorted(site.entries))
        entry = site.entries[path]
        title = f"{entry.title} inquiry" if step % 2 else "Quarterly ferry timetable for the islands published"
        site.entries[path] = dataclasses.replace(entry, title=title)
        site.features[path] = entry_features(site.entries[path])
        entries = list(site.entries.values())
        read = ReadEntries(entries)
        tokens = site.tokens()
        checked = same_grouping_near(read, columns_of(entries), site.features, tokens,
                                     remembered_stories(site.stories), site.ledger, DEFAULT_SETTINGS,
                                     departed=site.departed)
        expected = group_stories(entries, site.features)
        if checked is not None:
            told[checked.same] += 1
            assert checked.same == (automatic(expected) == automatic(site.stories))
            assert len(read.read) < len(entries) // 3, len(read.read)
            site.ledger = checked.ledger.applied(site.ledger)
        else:
            site.ledger = ledger_of(entries, site.features, tokens)
        site.stories = expected
    assert told[True] and told[False], told
