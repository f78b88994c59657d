"""similar_pairs (numpy, all pairs at once) against a plain pair-by-pair reference, to the bit."""

from __future__ import annotations

import dataclasses
import json
import math
import random
import runpy
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

import numpy as np
import pytest

from digest.model import Entry
from digest.stories import DEFAULT_SETTINGS, StorySettings, entry_features
from digest.stories import vectors as vectors_module
from digest.stories.features import EntryFeatures
from digest.stories.linkage import Cluster, Trace, average_linkage, link_stories
from digest.stories.vectors import (
    Corpus,
    Pairs,
    as_pairs,
    decay_table,
    pair_similarities,
    similar_pairs,
    unique_inverse,
)
from digest.stories.weights import (
    COMMON_ZIPF,
    RARITY_STEPS,
    common_words,
    dot,
    english_factor,
    plain_pair_similarities,
    rarity,
    size_log,
    title_weights,
)
from tests.test_stories_incremental import corpus


def reference_pairs(corpus_: Corpus, times: list[float], topics: list[str | None],
                    compared: list[tuple[int, int]]) -> list[tuple[int, int, float]]:
    """similar_pairs' definition, one pair at a time: the title cosine summed in the later
    entry's word order, or the texts' when both have text and the titles pass the gate."""
    settings = DEFAULT_SETTINGS
    window = settings.window_days * 86400.0
    floor = settings.text_floor
    pairs = []
    for j, title_j in enumerate(corpus_.title):
        for i in range(j):
            if times[i] < times[j] - window:
                continue
            title_i = corpus_.title[i]
            common = [w * title_i[t] for t, w in title_j.items() if t in title_i]
            if not common:
                continue
            s = 0.0
            for product in common:
                s = s + product
            if corpus_.has_text[i] and corpus_.has_text[j]:
                if s < settings.text_gate:
                    continue
                compared.append((i, j))
                s = dot(corpus_.full(j), corpus_.full(i))
                s = (s - floor) / (1.0 - floor) if s > floor else 0.0
            s *= decay_table(settings)[int(times[j] - times[i])]
            if topics[i] and topics[j] and topics[i] != topics[j]:
                s *= settings.other_topic_factor
            if s >= settings.min_pair_similarity:
                pairs.append((i, j, s))
    return pairs


@pytest.mark.parametrize("chunk", [1 << 19, 5])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_similar_pairs_are_the_pair_by_pair_definition(seed: int, chunk: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vectors_module, "CHUNK_MATCHES", chunk)  # small chunks: an entry's matches never split
    rng = random.Random(seed)
    entries = sorted(corpus(rng, 80, stories=4, days=2.5), key=lambda e: (e.published.timestamp(), str(e.path)))
    features = [entry_features(e) for e in entries]
    times = [e.published.timestamp() for e in entries]
    topics = [e.topic for e in entries]
    expected_compared: list[tuple[int, int]] = []
    expected = reference_pairs(Corpus(features, DEFAULT_SETTINGS), times, topics, expected_compared)
    compared: list[tuple[int, int]] = []
    found = list(similar_pairs(Corpus(features, DEFAULT_SETTINGS), times, topics, DEFAULT_SETTINGS, compared))
    assert found == expected  # the same pairs, in (later, earlier) order, to the last bit
    assert compared == expected_compared
    assert expected and expected_compared  # the corpus has pairs of both kinds


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_pair_similarities_are_the_pair_by_pair_definition(seed: int) -> None:
    """The incremental grouper's comparison of given pairs (every pair here, in shuffled order,
    some a day apart or more) gives similar_pairs' pairs, to the bit, and the same pairs compared by text."""
    rng = random.Random(seed)
    entries = sorted(corpus(rng, 80, stories=4, days=2.5), key=lambda e: (e.published.timestamp(), str(e.path)))
    topics = [e.topic for e in entries]
    corpus_ = Corpus([entry_features(e) for e in entries], DEFAULT_SETTINGS)
    times = [e.published.timestamp() for e in entries]
    expected_compared: list[tuple[int, int]] = []
    expected = reference_pairs(corpus_, times, topics, expected_compared)
    pairs = [(i, j) for j in range(len(entries)) for i in range(j)]
    rng.shuffle(pairs)
    topic_ids = {t: k for k, t in enumerate(sorted({t for t in topics if t}))}
    similarity, keep, texts = pair_similarities(
        corpus_.title, np.array([i for i, _ in pairs]), np.array([j for _, j in pairs]), np.array(times),
        np.array([topic_ids[t] if t else -1 for t in topics]), np.array(corpus_.has_text), corpus_.full,
        DEFAULT_SETTINGS)
    found = sorted((i, j, s) for (i, j), s, k in zip(pairs, similarity.tolist(), keep.tolist(), strict=True) if k)
    assert found == sorted(expected)
    assert sorted(p for p, t in zip(pairs, texts.tolist(), strict=True) if t) == sorted(expected_compared)
    assert any(times[j] - times[i] > 86400.0 for i, j in pairs)  # pairs outside the window were given too


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_plain_pair_similarities_are_numpys_to_the_bit(seed: int) -> None:
    """What a regrouping of a few entries compares in plain Python (weights.plain_pair_similarities)
    is what pair_similarities gives, bit for bit, pair for pair (kept or not); the entries whose
    texts are compared are told first, and only those texts are read."""
    rng = random.Random(seed)
    entries = sorted(corpus(rng, 70, stories=4, days=2.5), key=lambda e: (e.published.timestamp(), str(e.path)))
    corpus_ = Corpus([entry_features(e) for e in entries], DEFAULT_SETTINGS)
    times = [e.published.timestamp() for e in entries]
    topic_ids = {t: k for k, t in enumerate(sorted({e.topic for e in entries if e.topic}))}
    topics = [topic_ids[e.topic] if e.topic else -1 for e in entries]
    pairs = [(i, j) for j in range(len(entries)) for i in range(j)]
    rng.shuffle(pairs)
    similarity, keep, texts = pair_similarities(
        corpus_.title, np.array([i for i, _ in pairs]), np.array([j for _, j in pairs]), np.array(times),
        np.array(topics), np.array(corpus_.has_text), corpus_.full, DEFAULT_SETTINGS)
    told: list[list[int]] = []
    read: set[int] = set()

    def full(k: int) -> dict[str, float]:
        read.add(k)
        return corpus_.full(k)

    places: list[int] = []
    found = plain_pair_similarities(corpus_.title, pairs, times, topics, corpus_.has_text, full, DEFAULT_SETTINGS,
                                    told.append, places)
    assert found == [s if k else None for s, k in zip(similarity.tolist(), keep.tolist(), strict=True)]
    assert places == np.flatnonzero(texts).tolist()
    compared = {k for p, t in zip(pairs, texts.tolist(), strict=True) if t for k in p}
    assert told == [sorted(compared)] and read == compared and compared
    assert sum(s is not None for s in found) > 10


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_linkage_sums_edges_in_a_list_as_numpy_sums_pairs(seed: int) -> None:
    """Edges in a list are summed in plain Python (linkage._summed_plain), Pairs with numpy: the same
    clusters, scores and run (traced) to the bit, from single entries or from groups, and the same
    stories from link_stories."""
    rng = random.Random(seed)
    n = 60
    times = sorted(rng.uniform(0, 3 * 86400.0) for _ in range(n))
    edges = sorted({(i, j): rng.choice([rng.uniform(0.01, 0.9), 0.1 * rng.random()])
                    for _ in range(400) for i, j in [sorted(rng.sample(range(n), 2))]}.items(),
                   key=lambda item: (item[0][1], item[0][0]))
    triples = [(i, j, s) for (i, j), s in edges]
    start = [Cluster((0, 3, 7), 0.4), Cluster((10, 11), 0.7)]
    for begin in ((), start):
        runs = []
        for given in (triples, as_pairs(triples)):
            trace = Trace()
            clusters = average_linkage(times, given, 0.008, 86400.0, 0.1, 0.3, 4, begin, trace)
            runs.append((clusters, trace.inner, trace.pops, trace.joins))
        assert runs[0] == runs[1]
        assert any(len(c.members) > 2 for c in runs[0][0])
    assert link_stories(times, triples, DEFAULT_SETTINGS) == link_stories(times, as_pairs(triples), DEFAULT_SETTINGS)


@pytest.mark.parametrize("seed", [1, 2])
def test_linkage_without_a_trace_lets_go_of_pairs_of_joined_groups_and_joins_the_same(seed: int, monkeypatch) -> None:
    """Without a trace to record, average_linkage prunes its queue of the pairs that name a group
    since joined into another (on dense news two pops in three were of such pairs): fewer pops, the
    same clusters and scores as the traced run, which pops every pair it queued."""
    from digest.stories import linkage

    rng = random.Random(seed)
    n = 3000
    times = sorted(rng.uniform(0, 2 * 86400.0) for _ in range(n))
    edges = sorted({(i, j): rng.uniform(0.01, 0.6) for _ in range(60_000)
                    for i in [rng.randrange(n)] for j in [min(n - 1, i + 1 + int(rng.expovariate(1 / 40)))]
                    if i < j}.items(), key=lambda item: (item[0][1], item[0][0]))
    pairs = as_pairs([(i, j, s) for (i, j), s in edges])
    pops = []
    real_pop = linkage.heapq.heappop

    def counted(heap: list[tuple[float, int, int]]) -> tuple[float, int, int]:
        pops[-1] += 1
        return real_pop(heap)

    monkeypatch.setattr(linkage.heapq, "heappop", counted)
    runs = []
    for trace in (Trace(), None):
        pops.append(0)
        runs.append(average_linkage(times, pairs, 0.008, 86400.0, 0.1, 0.3, 6, (), trace))
    assert runs[0] == runs[1] and sum(len(c.members) > 5 for c in runs[0]) > 10
    assert pops[1] < 0.8 * pops[0], pops


def test_linkage_ends_when_pruning_leaves_its_queue_empty(monkeypatch) -> None:
    """The last join can leave only pairs of joined groups queued: pruned, the queue is empty, and
    linkage ends there (it popped from the empty queue once)."""
    from digest.stories import linkage

    monkeypatch.setattr(linkage, "PRUNE_AT", 0)
    edges = [(0, 1, 0.5), (0, 2, 0.45), (1, 2, 0.45)]
    assert average_linkage([0.0] * 3, edges, 0.008, 86400.0, 0.1) == [Cluster((0, 1, 2), 0.45)]


def test_rarity_of_a_common_word_moves_a_step_rarely() -> None:
    """Each step of a word's rarity gives all its holders new vectors (see incremental): between
    100 and 1,000 holders it moves about RARITY_STEPS * ln(10) times, whatever the corpus size."""
    for n in (2_000, 20_000, 200_000):
        log_n = size_log(n)
        moves = sum(rarity(log_n, df, math.inf) != rarity(log_n, df + 1, math.inf) for df in range(100, 1_000))
        assert moves <= math.ceil(RARITY_STEPS * math.log(10)), (n, moves)


def test_a_word_common_in_english_weighs_less_than_a_rare_one_held_as_often_on_the_site() -> None:
    """Session 43: "market" and "Barra" held by as many of the site's entries weigh alike by rarity; in
    English one is an everyday word, and weighs less (word pairs and words not in the table as before)."""
    terms = ("market", "barra", "market barra")
    features = EntryFeatures(terms, ("barra",), (), 0, terms)
    idf = {"market": 2.0, "barra": 2.0, "market barra": 2.0}
    weights = title_weights(features, idf, DEFAULT_SETTINGS)
    zipf = common_words()["market"]
    assert zipf > COMMON_ZIPF and "barra" not in common_words()
    assert weights["market"] == 2.0 * english_factor(zipf, DEFAULT_SETTINGS.english_power) < 2.0 * 0.95
    assert weights["barra"] == 2.0 * DEFAULT_SETTINGS.name_weight and weights["market barra"] == 2.0
    off = title_weights(features, idf, dataclasses.replace(DEFAULT_SETTINGS, english_power=0.0))
    assert off["market"] == 2.0
    assert english_factor(COMMON_ZIPF, 0.5) == 1.0 and english_factor(3.0, 0.5) == 1.0
    assert english_factor(6.5, 0.5) == pytest.approx(0.5 ** 0.5)


def test_headlines_sharing_only_an_everyday_word_are_less_alike_and_those_sharing_a_name_more() -> None:
    titles = ["Stock market rally lifts European shares", "Bitcoin market crash worries investors",
              "Mary Barra apologises to families", "Barra tells Congress of recall delay"]
    features = [entry_features(Entry(path=PurePosixPath(f"content/{k}.md"), title=t,
                                     published=datetime(2014, 4, 1, 9, tzinfo=UTC), slug=str(k), body=""))
                for k, t in enumerate(titles)]
    times = [0.0, 60.0, 120.0, 180.0]

    def alike(settings: StorySettings) -> dict[tuple[int, int], float]:
        return {(i, j): s for i, j, s in similar_pairs(Corpus(features, settings), times, [None] * 4, settings)}

    now, before = alike(DEFAULT_SETTINGS), alike(dataclasses.replace(DEFAULT_SETTINGS, english_power=0.0))
    assert now[(0, 1)] < before[(0, 1)]  # "market"
    assert now[(2, 3)] > before[(2, 3)]  # "Barra": the everyday words beside it weigh less


def test_the_common_words_table_is_what_its_script_makes_and_holds_terms_as_grouping_reads_them() -> None:
    script = runpy.run_path(str(Path(__file__).resolve().parents[1] / "scripts" / "common_words.py"))
    made = script["zipf_values"]({"Stocks": math.log(2e-5), "stock": math.log(3e-5), "the": math.log(0.05),
                                  "Barra": math.log(1e-8), "U.S.": math.log(1e-4), "Market's": math.log(2e-5)})
    assert made == {"market": 4.3, "stock": round(math.log10(5e-5) + 9, 2)}
    table = json.loads((Path(__file__).resolve().parents[1] / "digest" / "stories" / "common_words.json").read_text())
    assert "MIT" in table["made_by"] and "spacy-lookups-data" in table["made_by"]
    assert all(script["term"](word) == word and zipf > COMMON_ZIPF for word, zipf in table["zipf"].items())
    assert {"market", "white", "drug", "stock"} <= set(table["zipf"]) and not {"barra", "xscape"} & set(table["zipf"])


def test_similar_pairs_of_nothing_and_of_titles_with_no_common_word() -> None:
    assert len(similar_pairs(Corpus([], DEFAULT_SETTINGS), [], [], DEFAULT_SETTINGS)) == 0
    assert list(as_pairs([])) == []


def test_linkage_reads_pairs_and_triples_alike() -> None:
    edges = [(0, 1, 0.4), (1, 2, 0.3), (0, 2, 0.35), (3, 4, 0.5), (2, 3, 0.01)]
    times = [0.0] * 5
    triples = average_linkage(times, edges, 0.008, float("inf"), 0.1)
    pairs = average_linkage(times, as_pairs(edges), 0.008, float("inf"), 0.1)
    assert triples == pairs == [((0, 1, 2), pytest.approx(0.325)), ((3, 4), 0.5)]
    assert isinstance(as_pairs(edges), Pairs)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_unique_inverse_is_numpys_unique(seed: int) -> None:
    rng = np.random.default_rng(seed)
    # Ascending runs (as an entry's pairs come, word by word), repeats, and keys in no order.
    runs = [np.sort(rng.integers(0, 50, rng.integers(1, 20))) for _ in range(30)]
    for keys in (np.concatenate(runs), rng.integers(0, 1 << 40, 500), np.array([7, 7, 7]), np.zeros(0, np.int64)):
        keys = keys.astype(np.int64)
        found, which = unique_inverse(keys)
        expected, expected_which = np.unique(keys, return_inverse=True)
        assert found.tolist() == expected.tolist()
        assert which.tolist() == expected_which.reshape(-1).tolist()


@pytest.mark.parametrize("count", [3, vectors_module.DECAYS_ONE_BY_ONE + 1])
def test_decays_are_the_tables_numbers_to_the_bit(count: int) -> None:
    """A few pairs' decays are made one by one, many read from the table: the same bits."""
    rng = random.Random(count)
    table = decay_table(DEFAULT_SETTINGS)
    seconds = np.array([rng.randrange(len(table)) for _ in range(count)] + [0, len(table) - 1], np.int64)
    made = vectors_module.decays(DEFAULT_SETTINGS, seconds)
    assert made.dtype == np.float64
    assert made.tolist() == [table[k] for k in seconds.tolist()]
