"""EntryFeatures of a whole corpus -> weighted word vectors -> similar pairs.

Word rarity (IDF) is measured on the corpus being grouped, so a word that is in many entries
of this site (a publisher's name, "stocks" on a finance digest) counts for little.

Only pairs that share an informative title word and that were published within a few days of
each other are compared: never all pairs. (Reports of one story share a name in their titles;
texts are only compared to confirm or refute it.) The title similarity is summed over the shared
words (a sparse product, one addition per shared word), for all pairs at once with numpy: dense
news has millions of word matches. The vectors of title and text together are built only for
entries with a pair worth comparing so.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import chain

import numpy as np
import numpy.typing as npt

from digest.stories.features import EntryFeatures
from digest.stories.settings import StorySettings
from digest.stories.weights import (
    Vector,
    common_limit,
    decay_rate,
    dot,
    full_vector,
    noise_limit,
    rarity,
    size_log,
    title_vector,
    word_counts,
)

IntArray = npt.NDArray[np.int64]
IdArray = npt.NDArray[np.int32]  # entry numbers in Pairs: half the memory of int64
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


class Corpus:
    """The entries' features with the corpus-wide word rarity, and their vectors."""

    def __init__(self, features: Sequence[EntryFeatures], settings: StorySettings) -> None:
        self.features = features
        self.settings = settings
        n = len(features)
        df = word_counts(features)
        limit = noise_limit(n, settings)
        log_n = size_log(n)
        common = common_limit(n, settings)
        self.df = df
        self.idf = {t: rarity(log_n, d, common) for t, d in df.items() if d <= limit}
        self.shared = {t for t, d in df.items() if 1 < d <= limit}  # words that can match
        self.has_text = [f.text_word_count >= settings.min_text_words for f in features]
        self.title = [self._title(f) for f in features]
        self._full: dict[int, Vector] = {}

    def _title(self, f: EntryFeatures) -> Vector:
        return title_vector(f, self.idf, self.shared, self.settings)

    def full(self, i: int) -> Vector:
        """Title and text together (see `full_vector`), computed once per entry."""
        vector = self._full.get(i)
        if vector is None:
            vector = self._full[i] = full_vector(self.features[i], self.idf, self.shared, self.settings)
        return vector




class Pairs:
    """(i, j, similarity) triples in three arrays: dense news has millions of similar pairs, and
    a tuple per pair would take ten times the memory."""

    def __init__(self, first: IdArray | None = None, second: IdArray | None = None,
                 similarity: FloatArray | None = None) -> None:
        self.first = np.zeros(0, np.int32) if first is None else first
        self.second = np.zeros(0, np.int32) if second is None else second
        self.similarity = np.zeros(0, np.float64) if similarity is None else similarity

    def __len__(self) -> int:
        return len(self.similarity)

    def __iter__(self) -> Iterator[tuple[int, int, float]]:
        return zip(self.first.tolist(), self.second.tolist(), self.similarity.tolist(), strict=True)

    def where(self, keep: BoolArray) -> Pairs:
        return Pairs(self.first[keep], self.second[keep], self.similarity[keep])


def as_pairs(edges: Pairs | Iterable[tuple[int, int, float]]) -> Pairs:
    """Edges as Pairs (themselves if they are), in the order given."""
    if isinstance(edges, Pairs):
        return edges
    triples = list(edges)
    return Pairs(np.array([i for i, _, _ in triples], np.int32), np.array([j for _, j, _ in triples], np.int32),
                 np.array([s for _, _, s in triples], np.float64))


# Candidate word matches handled at once: enough to keep numpy busy, few enough to bound memory
# (five arrays of this many numbers).
CHUNK_MATCHES = 1 << 16


@functools.cache
def decay_table(settings: StorySettings) -> tuple[float, ...]:
    """How much a pair's similarity counts after k whole seconds between the two entries, for
    every k within the window: halving every half_life_days. A table (rather than exp per pair)
    lets numpy and the incremental grouper's one-pair arithmetic give the same bits."""
    rate = decay_rate(settings)
    return tuple(math.exp(-rate * k) for k in range(int(settings.window_days * 86400.0) + 1))


def decays(settings: StorySettings, seconds: IntArray) -> FloatArray:
    """decay_table's numbers at these seconds, each made as decay_table makes it (the same bits):
    for a few pairs, cheaper than the whole table (86,401 exp: 0.01-0.03 s a process)."""
    if len(seconds) > DECAYS_ONE_BY_ONE:
        return decay_array(settings)[seconds]
    rate = decay_rate(settings)
    return np.array([math.exp(-rate * k) for k in seconds.tolist()], np.float64)


DECAYS_ONE_BY_ONE = 5_000  # more pairs than this: read them from the whole table


@functools.cache
def decay_array(settings: StorySettings) -> FloatArray:
    """decay_table as a numpy array (read-only), made once: a day's table has 86,401 numbers."""
    table = np.array(decay_table(settings), np.float64)
    table.setflags(write=False)
    return table


def similar_pairs(
    corpus: Corpus,
    times: Sequence[float],
    topics: Sequence[str | None],
    settings: StorySettings,
    compared: list[tuple[int, int]] | None = None,
) -> Pairs:
    """(i, j, similarity) with i < j for every pair worth linking, ordered by (j, i). `times` ascending.

    Candidates share a title word and were published within `window_days`. Similarity is the
    cosine of the titles; when both entries have text and their titles are at least
    `text_gate` alike, the cosine of title and text together instead (less the `text_floor`
    any two texts share). It is then scaled down by the time between the two (decay_table, by
    whole seconds) and when their topics differ. The pairs whose texts were compared are
    appended to `compared` when it is given (the incremental grouper keeps them).

    Each pair's title cosine is summed over j's title words in their order, as
    `pair_similarities` sums it for given pairs (for the incremental grouper): change the two
    together, so that their results stay bit-identical. (np.bincount adds in the order given, one by one.)
    """
    n = len(times)
    titles = corpus.title
    # Word matches in the order (entry, word): an entry's words in title order.
    entry = np.repeat(np.arange(n, dtype=np.int64), [len(title) for title in titles])
    if not len(entry):
        return Pairs()
    term_ids: dict[str, int] = {}
    number = term_ids.setdefault
    term = np.array([number(word, len(term_ids)) for word in chain.from_iterable(titles)], np.int64)
    weight = np.fromiter(chain.from_iterable(title.values() for title in titles), np.float64, len(entry))
    time = np.array(times, np.float64)
    # The same, sorted by (word, entry): each word's holders in time order.
    by_term = np.argsort(term, kind="stable")
    position = np.empty_like(by_term)
    position[by_term] = np.arange(len(by_term))
    term_entry_key = term[by_term] * n + entry[by_term]
    # Of each word's holders, the earlier ones within the window are the candidates.
    earliest = np.searchsorted(time, time - settings.window_days * 86400.0, side="left")
    first_candidate = np.searchsorted(term_entry_key, term * n + earliest[entry], side="left")
    count = position - first_candidate
    ends = np.cumsum(count)
    decay = decay_array(settings)
    topic_ids: dict[str | None, int] = {}
    topic = np.array([topic_ids.setdefault(t, len(topic_ids)) if t else -1 for t in topics], np.int64)
    has_text = np.array(corpus.has_text, bool)
    parts: list[Pairs] = []
    # Chunks of whole entries (an entry's matches are contiguous), about CHUNK_MATCHES matches each.
    entry_ends = np.searchsorted(entry, np.arange(n), side="right")
    done = np.concatenate((np.zeros(1, np.int64), ends))[entry_ends]  # candidates of entries 0..j
    cuts = np.searchsorted(done, np.arange(CHUNK_MATCHES, int(ends[-1]), CHUNK_MATCHES))
    bounds = sorted({0, *entry_ends[cuts].tolist(), len(entry)})
    for lo, hi in zip(bounds, bounds[1:], strict=False):
        if lo < hi:
            parts.append(_chunk_pairs(lo, hi, count, ends, first_candidate, by_term, entry, weight, time, decay,
                                      topic, has_text, corpus, n, settings, compared))
    # Joined one array at a time, each part's let go once copied: dense news has millions of pairs.
    first = np.concatenate([p.first for p in parts]) if parts else None
    for p in parts:
        p.first = Pairs().first
    second = np.concatenate([p.second for p in parts]) if parts else None
    for p in parts:
        p.second = Pairs().second
    return Pairs(first, second, np.concatenate([p.similarity for p in parts]) if parts else None)


def _chunk_pairs(lo: int, hi: int, count: IntArray, ends: IntArray, first_candidate: IntArray, by_term: IntArray,
                 entry: IntArray, weight: FloatArray, time: FloatArray, decay: FloatArray, topic: IntArray,
                 has_text: BoolArray, corpus: Corpus, n: int, settings: StorySettings,
                 compared: list[tuple[int, int]] | None) -> Pairs:
    """similar_pairs for the word matches lo:hi (whole entries)."""
    counts = count[lo:hi]
    total = int(counts.sum())
    if not total:
        return Pairs()
    # Every (match, earlier holder of its word) in match order, then holder order.
    match = np.repeat(np.arange(lo, hi), counts)
    starts = ends[lo:hi] - counts
    holder = by_term[np.arange(starts[0], starts[0] + total) - np.repeat(starts - first_candidate[lo:hi], counts)]
    j = entry[match]
    i = entry[holder]
    key = j * n + i
    pair_keys, which = unique_inverse(key)
    similarity: FloatArray = np.asarray(np.bincount(which, weights=weight[match] * weight[holder]), np.float64)
    second, first = np.divmod(pair_keys, n)
    texts = has_text[first] & has_text[second]
    if texts.any():
        keep = ~texts | (similarity >= settings.text_gate)
        first, second, similarity, texts = first[keep], second[keep], similarity[keep], texts[keep]
        floor = settings.text_floor
        full = corpus.full
        at = np.flatnonzero(texts)
        text_pairs = list(zip(first[at].tolist(), second[at].tolist(), strict=True))
        if compared is not None:
            compared.extend(text_pairs)
        scores = []
        for a, b in text_pairs:
            s = dot(full(b), full(a))
            scores.append((s - floor) / (1.0 - floor) if s > floor else 0.0)
        similarity[at] = scores
    similarity = similarity * decay[(time[second] - time[first]).astype(np.int64)]
    other = (topic[first] != topic[second]) & (topic[first] >= 0) & (topic[second] >= 0)
    similarity[other] *= settings.other_topic_factor
    keep = similarity >= settings.min_pair_similarity
    return Pairs(first[keep].astype(np.int32), second[keep].astype(np.int32), similarity[keep])


def pair_similarities(titles: Sequence[Vector], first: IntArray, second: IntArray, times: FloatArray,
                      topics: IntArray, has_text: BoolArray, full: Callable[[int], Vector],
                      settings: StorySettings, texts_read: Callable[[list[int]], None] | None = None,
                      ) -> tuple[FloatArray, BoolArray, BoolArray]:
    """similar_pairs' arithmetic for given pairs, operation for operation (so bit-identical): for
    the incremental grouper, which compares again the pairs of the entries an edit changed.

    Entries are numbered 0..len(titles)-1 here: their title vectors, times, topic numbers (-1 for
    none) and whether they have text; `full(k)` is entry k's title-and-text vector. `first[p]` is
    the earlier of pair p, `second[p]` the later (by time, then path). Returns each pair's
    similarity, whether it is worth linking (false for a pair outside the window or sharing no
    title word), and whether its texts were compared. `texts_read`, when given, is told the
    entries whose `full` vectors are about to be asked for (all at once, before the first). The
    title cosine is summed over the later entry's title words in their order, as similar_pairs
    sums it (np.bincount adds in order)."""
    count = len(first)
    lengths = np.array([len(title) for title in titles], np.int64)
    starts = np.cumsum(lengths) - lengths
    term_ids: dict[str, int] = {}
    number = term_ids.setdefault
    term = np.array([number(word, len(term_ids)) for word in chain.from_iterable(titles)], np.int64)
    weight = np.fromiter(chain.from_iterable(title.values() for title in titles), np.float64, len(term))

    def words(of: IntArray) -> tuple[IntArray, IntArray]:
        """Per pair, one end's title words (their places in term and weight), pair after pair."""
        counts = lengths[of]
        pair = np.repeat(np.arange(count, dtype=np.int64), counts)
        return pair, np.arange(len(pair), dtype=np.int64) + np.repeat(starts[of] - (np.cumsum(counts) - counts), counts)

    later_pair, later_at = words(second)
    earlier_pair, earlier_at = words(first)
    span = max(len(term_ids), 1)
    earlier_key = earlier_pair * span + term[earlier_at]
    by_key = np.argsort(earlier_key, kind="stable")
    earlier_key, earlier_at = earlier_key[by_key], earlier_at[by_key]
    later_key = later_pair * span + term[later_at]
    found = np.minimum(np.searchsorted(earlier_key, later_key), max(len(earlier_key) - 1, 0))
    hit = earlier_key[found] == later_key if len(earlier_key) else np.zeros(len(later_key), bool)
    which = later_pair[hit]
    similarity: FloatArray = np.asarray(
        np.bincount(which, weights=weight[later_at[hit]] * weight[earlier_at[found[hit]]], minlength=count),
        np.float64)
    elapsed = times[second] - times[first]
    # The window as similar_pairs bounds it (not as elapsed <= window: floats round otherwise).
    keep = (np.bincount(which, minlength=count) > 0) & (times[first] >= times[second] - settings.window_days * 86400.0)
    texts = keep & has_text[first] & has_text[second]
    if texts.any():
        texts &= similarity >= settings.text_gate
        keep &= ~(has_text[first] & has_text[second]) | texts
        floor = settings.text_floor
        at = np.flatnonzero(texts)
        if texts_read is not None:
            texts_read(sorted({*first[at].tolist(), *second[at].tolist()}))
        scores = []
        for a, b in zip(first[at].tolist(), second[at].tolist(), strict=True):
            s = dot(full(b), full(a))
            scores.append((s - floor) / (1.0 - floor) if s > floor else 0.0)
        similarity[at] = scores
    similarity[keep] *= decays(settings, elapsed[keep].astype(np.int64))
    other = keep & (topics[first] != topics[second]) & (topics[first] >= 0) & (topics[second] >= 0)
    similarity[other] *= settings.other_topic_factor
    keep &= similarity >= settings.min_pair_similarity
    return similarity, keep, texts


def unique_inverse(keys: IntArray) -> tuple[IntArray, IntArray]:
    """np.unique(keys, return_inverse=True), sorting stably: keys that come in ascending runs (an
    entry's pairs, word by word) sort several times faster so than by numpy's default quicksort."""
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    starts = np.empty(len(keys), bool)
    starts[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=starts[1:])
    which = np.empty(len(keys), np.int64)
    which[order] = np.cumsum(starts) - 1
    return ordered[starts], which
