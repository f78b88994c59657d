"""EntryFeatures of a whole corpus -> weighted word vectors -> similar pairs.

Word rarity (IDF) is measured on the corpus being grouped, so a word that is in many entries
of this site (a publisher's name, "stocks" on a finance digest) counts for little. Words are
numbered once per corpus so that vectors are small dicts of ints.

Only pairs that share an informative title word (or one of the rarest words of their texts)
and that were published within a few days of each other are compared: never all pairs. The
title part of the similarity is summed along the word lists themselves (a sparse product), so
a pair costs one addition per shared word.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from digest.stories.features import EntryFeatures
from digest.stories.settings import StorySettings

Vector = dict[int, float]


@dataclass(frozen=True)
class CorpusVectors:
    """Per entry: unit-length vectors for cosine similarity, and the words to find pairs by."""

    title: list[Vector]  # title words and word pairs
    full: list[Vector]  # title and text together; empty when the entry has (almost) no text
    text_block: list[tuple[int, ...]]  # the rarest words of the text


def corpus_vectors(features: Sequence[EntryFeatures], settings: StorySettings) -> CorpusVectors:
    n = len(features)
    df: Counter[str] = Counter()
    for f in features:
        df.update(f.title_terms)
        df.update([w for w, _ in f.text_words if w not in f.title_terms])
    limit = settings.max_df * n if n >= settings.max_df_min_corpus else n
    log_n = math.log(n + 1)
    # Words seen once can match nothing: they count in a vector's length but get no number.
    idf = {t: log_n - math.log(d + 1) + 1.0 for t, d in df.items() if d <= limit}
    ids = {t: k for k, t in enumerate(sorted(t for t, d in df.items() if 2 <= d <= limit))}
    titles, fulls, blocks = [], [], []
    for f in features:
        names = set(f.title_names)
        title = {}
        for t in f.title_terms:
            weight = idf.get(t)
            if weight is not None:
                if " " in t:
                    weight *= settings.pair_weight
                elif t in names:
                    weight *= settings.name_weight
                title[t] = weight
        titles.append(_unit(title, ids))
        full: Vector = {}
        block: tuple[int, ...] = ()
        if sum(c for _, c in f.text_words) >= settings.min_text_words:
            text = {w: (1.0 + math.log(c)) * idf[w] for w, c in f.text_words if w in idf}
            combined = _scaled(title, 1.0 / _norm(title))
            for w, x in _scaled(text, settings.text_weight / _norm(text)).items():
                combined[w] = combined.get(w, 0.0) + x
            full = _unit(combined, ids)
            rarest = sorted((w for w in text if w in ids), key=lambda w: (df[w], w))
            block = tuple(ids[w] for w in rarest[: settings.text_block_words])
        fulls.append(full)
        blocks.append(block)
    return CorpusVectors(titles, fulls, blocks)


def similar_pairs(
    vectors: CorpusVectors,
    times: Sequence[float],
    topics: Sequence[str | None],
    settings: StorySettings,
) -> list[tuple[int, int, float]]:
    """(i, j, similarity) with i < j for every pair worth linking. `times` ascending.

    Similarity is the cosine of title and text together when both entries have text (less the
    `text_floor` any two texts share), else of the titles; then scaled down by the time between
    the two (halving every `half_life_days`) and when their topics differ.
    """
    window = settings.window_days * 86400.0
    half_life = (settings.half_life_days or math.inf) * 86400.0
    floor = settings.text_floor
    title_postings: dict[int, list[tuple[int, float]]] = {}
    text_postings: dict[int, list[int]] = {}
    starts: dict[int, int] = {}  # per word: where its entries within the window begin
    text_starts: dict[int, int] = {}
    edges = []
    for j, title in enumerate(vectors.title):
        oldest = times[j] - window
        shared: dict[int, float] = {}
        for term, weight in title.items():
            posting = title_postings.setdefault(term, [])
            start = starts.get(term, 0)
            while start < len(posting) and times[posting[start][0]] < oldest:
                start += 1
            starts[term] = start
            for k in range(start, len(posting)):
                i, other = posting[k]
                shared[i] = shared.get(i, 0.0) + weight * other
            posting.append((j, weight))
        full = vectors.full[j]
        if full:
            for term in vectors.text_block[j]:
                text_posting = text_postings.setdefault(term, [])
                start = text_starts.get(term, 0)
                while start < len(text_posting) and times[text_posting[start]] < oldest:
                    start += 1
                text_starts[term] = start
                for k in range(start, len(text_posting)):
                    shared.setdefault(text_posting[k], 0.0)
                text_posting.append(j)
        for i, s in shared.items():
            other_full = vectors.full[i]
            if full and other_full:
                s = _dot(full, other_full)
                s = (s - floor) / (1.0 - floor) if s > floor else 0.0
            s *= 0.5 ** ((times[j] - times[i]) / half_life)
            if topics[i] != topics[j] and topics[i] and topics[j]:
                s *= settings.other_topic_factor
            if s >= settings.min_pair_similarity:
                edges.append((i, j, s))
    return edges


def _norm(v: dict[str, float]) -> float:
    return math.sqrt(sum(w * w for w in v.values())) or 1.0


def _scaled(v: dict[str, float], factor: float) -> dict[str, float]:
    return {t: w * factor for t, w in v.items()}


def _unit(v: dict[str, float], ids: dict[str, int]) -> Vector:
    """Unit length over all its words, but only the numbered (shared) ones kept."""
    norm = _norm(v)
    return {ids[t]: w / norm for t, w in v.items() if t in ids}


def _dot(a: Vector, b: Vector) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b[t] for t, w in a.items() if t in b)
