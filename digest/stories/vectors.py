"""EntryFeatures of a whole corpus -> weighted word vectors -> similar pairs.

Word rarity (IDF) is measured on the corpus being grouped, so a word that is in many entries
of this site (a publisher's name, "stocks" on a finance digest) counts for little.

Only pairs that share an informative title word and that were published within a few days of
each other are compared: never all pairs. (Reports of one story share a name in their titles;
texts are only compared to confirm or refute it.) The title similarity is summed along the
word lists themselves (a sparse product), so a pair costs one addition per shared word; the
vectors of title and text together are built only for entries with a pair worth comparing so.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter, deque
from collections.abc import Iterator, Sequence

from digest.stories.features import EntryFeatures
from digest.stories.settings import StorySettings

Vector = dict[str, float]


class Corpus:
    """The entries' features with the corpus-wide word rarity, and their vectors."""

    def __init__(self, features: Sequence[EntryFeatures], settings: StorySettings) -> None:
        self.features = features
        self.settings = settings
        n = len(features)
        df: Counter[str] = Counter()
        for f in features:
            df.update(f.terms)
        limit = noise_limit(n, settings)
        log_n = size_log(n)
        self.df = df
        self.idf = {t: rarity(log_n, d) for t, d in df.items() if d <= limit}
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


# Word rarity is kept to a 32nd, and the corpus size it is measured against to a quarter of its
# logarithm: one entry more or fewer (holding a common word, or in all) then changes no weight at
# all, so an edit reaches only the entries that share its rarer words (see incremental).
RARITY_STEPS = 32
SIZE_STEPS = 4


def size_log(n: int) -> float:
    """log(n + 1) to a quarter: the same for a corpus a few entries larger or smaller."""
    return round(math.log(n + 1) * SIZE_STEPS) / SIZE_STEPS


def noise_limit(n: int, settings: StorySettings) -> float:
    """Words held by more entries than this are noise: max_df of the corpus, its size taken as
    size_log takes it (so it too stays put while a few entries come and go); none in a small one."""
    if n < settings.max_df_min_corpus:
        return math.inf
    return settings.max_df * math.exp(size_log(n))


def rarity(log_n: float, df: int) -> float:
    """The IDF of a word held by df of the entries (log_n = size_log(entries)), to a 32nd."""
    return round((log_n - math.log(df + 1) + 1.0) * RARITY_STEPS) / RARITY_STEPS


def title_weights(f: EntryFeatures, idf: dict[str, float], settings: StorySettings) -> Vector:
    weights = {t: idf[t] for t in f.title_terms if t in idf}
    if f.title_names and settings.name_weight != 1.0:
        for name in f.title_names:
            if name in weights:
                weights[name] *= settings.name_weight
    if settings.pair_weight != 1.0:
        for t in weights:
            if " " in t:
                weights[t] *= settings.pair_weight
    return weights


def title_vector(f: EntryFeatures, idf: dict[str, float], shared: set[str], settings: StorySettings) -> Vector:
    """Unit length over all its words; only words other entries have too are kept."""
    weights = title_weights(f, idf, settings)
    scale = 1.0 / (math.hypot(*weights.values()) or 1.0)
    return {t: w * scale for t, w in weights.items() if t in shared}


def full_vector(f: EntryFeatures, idf: dict[str, float], shared: set[str], settings: StorySettings) -> Vector:
    """Title and text together (each unit length, the text scaled by text_weight), unit."""
    title = title_weights(f, idf, settings)
    text = {w: (1.0 + math.log(c)) * idf[w] for w, c in f.text_words if w in idf}
    title_norm = math.hypot(*title.values()) or 1.0
    text_scale = settings.text_weight / (math.hypot(*text.values()) or 1.0)
    combined = {t: w / title_norm for t, w in title.items()}
    for w, x in text.items():
        combined[w] = combined.get(w, 0.0) + x * text_scale
    norm = math.hypot(*combined.values()) or 1.0
    return {t: w / norm for t, w in combined.items() if t in shared}


class Pairs:
    """(i, j, similarity) triples in three arrays: dense news has millions of similar pairs, and
    a tuple per pair would take ten times the memory."""

    def __init__(self) -> None:
        self.first = array("l")
        self.second = array("l")
        self.similarity = array("d")

    def __len__(self) -> int:
        return len(self.similarity)

    def __iter__(self) -> Iterator[tuple[int, int, float]]:
        return zip(self.first, self.second, self.similarity, strict=True)


def similar_pairs(
    corpus: Corpus,
    times: Sequence[float],
    topics: Sequence[str | None],
    settings: StorySettings,
    compared: list[tuple[int, int]] | None = None,
) -> Pairs:
    """(i, j, similarity) with i < j for every pair worth linking. `times` ascending.

    Candidates share a title word and were published within `window_days`. Similarity is the
    cosine of the titles; when both entries have text and their titles are at least
    `text_gate` alike, the cosine of title and text together instead (less the `text_floor`
    any two texts share). It is then scaled down by the time between the two (halving every
    `half_life_days`) and when their topics differ. The pairs whose texts were compared are
    appended to `compared` when it is given (the incremental grouper keeps them).

    `incremental.StoryGrouper._compare` repeats this arithmetic for one pair, operation for
    operation, so that its results are bit-identical: change the two together.
    """
    window = settings.window_days * 86400.0
    decay_rate = math.log(2.0) / ((settings.half_life_days or math.inf) * 86400.0)
    floor = settings.text_floor
    gate = settings.text_gate
    min_similarity = settings.min_pair_similarity
    other_topic = settings.other_topic_factor
    has_text = corpus.has_text
    full = corpus.full
    exp = math.exp
    # Per word, the (time, entry, weight) of the entries within the window, oldest first.
    postings: dict[str, deque[tuple[float, int, float]]] = {}
    edges = Pairs()
    for j, title in enumerate(corpus.title):
        now = times[j]
        oldest = now - window
        shared: dict[int, float] = {}  # title cosine with each earlier entry sharing a word
        get = shared.get
        for term, weight in title.items():
            posting = postings.get(term)
            if posting is None:
                postings[term] = deque([(now, j, weight)])
                continue
            while posting and posting[0][0] < oldest:
                posting.popleft()
            for _, i, other in posting:
                shared[i] = get(i, 0.0) + weight * other
            posting.append((now, j, weight))
        if not shared:
            continue
        topic = topics[j]
        text_j = has_text[j]
        kept_ids: list[int] = []
        kept_similarities: list[float] = []
        # In (j, i) order: linkage sums the pairs in this order, as the incremental grouper does.
        for i, s in sorted(shared.items()):
            if text_j and has_text[i]:
                # Two texts whose titles have only a common word or two in common are not compared.
                if s < gate:
                    continue
                if compared is not None:
                    compared.append((i, j))
                s = dot(full(j), full(i))
                s = (s - floor) / (1.0 - floor) if s > floor else 0.0
            s *= exp(decay_rate * (times[i] - now))
            if topic != topics[i] and topic and topics[i]:
                s *= other_topic
            if s >= min_similarity:
                kept_ids.append(i)
                kept_similarities.append(s)
        edges.first.extend(kept_ids)
        edges.second.extend([j] * len(kept_ids))
        edges.similarity.extend(kept_similarities)
    return edges


def dot(a: Vector, b: Vector) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum([w * b[t] for t, w in a.items() if t in b])
