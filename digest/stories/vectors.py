"""EntryFeatures of a whole corpus -> weighted word vectors, candidate pairs and similarities.

Word rarity (IDF) is measured on the corpus being grouped, so a word that is in every entry
of this site (a publisher's name, "stocks" on a finance digest) counts for little.
Only pairs that share an informative title word or a leading text word and that were
published within a few days of each other are compared: never all pairs.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from digest.stories.features import EntryFeatures
from digest.stories.settings import StorySettings

Vector = dict[str, float]


@dataclass(frozen=True)
class EntryVectors:
    """One entry's weighted, unit-length vectors, ready for cosine similarity."""

    title: Vector  # title words and word pairs
    full: Vector  # title and text together; empty when the entry has (almost) no text
    block_words: tuple[str, ...]  # words that make another entry worth comparing with


def entry_vectors(
    features: Sequence[EntryFeatures], settings: StorySettings
) -> list[EntryVectors]:
    n = len(features)
    titles = [_title_terms(f) for f in features]
    title_idf = _idf([t.keys() for t in titles], n, settings)
    text_idf = _idf([[w for w, _ in f.text_words] for f in features], n, settings)
    result = []
    for feature, terms in zip(features, titles, strict=True):
        title = _unit({t: _tf(c) * title_idf[t] for t, c in terms.items() if t in title_idf})
        text = {w: _tf(c) * text_idf[w] for w, c in feature.text_words if w in text_idf}
        leading = sorted(text, key=lambda w: (-text[w], w))[: settings.text_words_kept]
        full: Vector = {}
        if sum(c for _, c in feature.text_words) >= settings.min_text_words:
            kept = _unit({w: text[w] for w in leading})
            full = _unit(_add(_scale(title, settings.title_weight), kept))
        block = [w for w in feature.title_words if w in title_idf]
        block += leading[: settings.text_block_words]
        result.append(EntryVectors(title, full, tuple(dict.fromkeys(block))))
    return result


def similarity(a: EntryVectors, b: EntryVectors, text_floor: float) -> float:
    """Cosine of title and text together when both entries have text, else of the titles.

    Any two texts share some words, so text similarity below `text_floor` counts as none:
    otherwise it would link every entry to every other.
    """
    if a.full and b.full:
        text = cosine(a.full, b.full)
        return text if text >= text_floor else 0.0
    return cosine(a.title, b.title)


def candidate_pairs(
    vectors: Sequence[EntryVectors], times: Sequence[float], settings: StorySettings
) -> list[tuple[int, int]]:
    """Pairs (i < j) sharing a block word, published within the window. `times` ascending."""
    postings: dict[str, list[int]] = defaultdict(list)
    for i, v in enumerate(vectors):
        for word in v.block_words:
            postings[word].append(i)
    window = settings.window_days * 86400.0
    pairs: set[int] = set()
    n = len(vectors)
    for members in postings.values():
        for k, i in enumerate(members):
            limit = times[i] + window
            for j in members[k + 1 :]:
                if times[j] > limit:
                    break
                pairs.add(i * n + j)
    return sorted(divmod(p, n) for p in pairs)


def cosine(a: Vector, b: Vector) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b[t] for t, w in a.items() if t in b)


def _title_terms(features: EntryFeatures) -> Counter[str]:
    words = features.title_words
    return Counter([*words, *(f"{x} {y}" for x, y in itertools.pairwise(words))])


def _idf(documents: Sequence[object], n: int, settings: StorySettings) -> dict[str, float]:
    """Smoothed IDF; words in more than max_df of a large corpus are left out entirely."""
    df: Counter[str] = Counter()
    for terms in documents:
        df.update(set(terms))  # type: ignore[call-overload]
    limit = settings.max_df * n if n >= settings.max_df_min_corpus else n
    return {t: math.log((n + 1) / (d + 1)) + 1.0 for t, d in df.items() if d <= limit}


def _tf(count: int) -> float:
    return 1.0 + math.log(count)


def _unit(v: Vector) -> Vector:
    norm = math.sqrt(sum(w * w for w in v.values()))
    return {t: w / norm for t, w in v.items()} if norm else {}


def _scale(v: Vector, factor: float) -> Vector:
    return {t: w * factor for t, w in v.items()}


def _add(a: Vector, b: Vector) -> Vector:
    out = dict(a)
    for t, w in b.items():
        out[t] = out.get(t, 0.0) + w
    return out
