"""One entry's weighted word vectors and one pair's likeness, in plain Python: the arithmetic that
`vectors` does for a whole corpus with numpy, here for an entry or a few pairs at a time. A one-shot
build that regroups a few entries near a change (nearby) needs no more, and never loads numpy (0.1 s
of a 0.3 s regrouping at 10,000 entries).
"""

from __future__ import annotations

import functools
import json
import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from digest.stories.features import EntryFeatures
from digest.stories.settings import StorySettings

Vector = dict[str, float]


def word_counts(features: Iterable[EntryFeatures]) -> Counter[str]:
    """How many of these entries hold each word (its document frequency)."""
    df: Counter[str] = Counter()
    for f in features:
        df.update(f.terms)
    return df


# Word rarity is kept to a quarter, and the corpus size it is measured against to a quarter of its
# logarithm: one entry more or fewer (holding a common word, or in all) then mostly changes no
# weight at all, so an edit reaches only the entries that share its rarer words (see incremental).
# A word held by df entries moves a step with about one holder in df/RARITY_STEPS more or fewer,
# and then every one of its df holders gets a new vector: RARITY_STEPS of them per word edited, on
# average, however common the word, but all df at once when it moves (so a word's weight stops
# following its count at common_limit). (A 32nd moved eight times as many: on dense news an added
# headline gave a hundred entries new vectors; quarters group the devset's tuning parts the same.)
RARITY_STEPS = 4
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


def common_limit(n: int, settings: StorySettings) -> float:
    """Words held by more entries than this weigh as one held by this many (see rarity): common_df of
    the corpus, its size taken as size_log takes it, and at least common_df_min."""
    return max(settings.common_df * math.exp(size_log(n)), settings.common_df_min)


def rarity(log_n: float, df: int, common: float) -> float:
    """The IDF of a word held by df of the entries (log_n = size_log(entries)), to a quarter; a word
    held by more than `common` (common_limit) entries weighs as one held by that many. A step of a
    word's rarity gives all its holders new vectors: for a word of thousands (at 100,000 entries one
    addition moved "confirmed", held by more than 3 %) every entry was grouped again (nearby.MAX_FRESH),
    and grouping its holders near the change cost as much. Past the limit a word's weight stays put
    whatever its count, so one entry more or fewer gives new vectors to at most `common` entries a
    word. Such words weigh a little more than their count would make them (still less than rarer ones):
    the story tuning parts group as well (no B-cubed F1 of theirs more than 0.005 lower, some higher;
    docs/speed.md, session 35)."""
    return round((log_n - math.log(min(df, common) + 1) + 1.0) * RARITY_STEPS) / RARITY_STEPS


# How common a word is in English, not on one site: a dense burst of news shares everyday words ("market",
# "white", "drug") as it shares its subjects' names, and a site's counts cannot tell the two apart (a
# story's name is as frequent on its day as "market"). common_words.json holds the Zipf value (log10 of
# uses per billion words) of each English word used more than COMMON_ZIPF (ten in a million), made once
# by scripts/common_words.py; such a word's title weight is times english_factor. Names, word pairs,
# numbers and words of other languages are mostly not in it, and weigh as before.
COMMON_ZIPF = 4.0
COMMON_WORDS_FILE = Path(__file__).with_name("common_words.json")


@functools.cache
def common_words() -> Mapping[str, float]:
    """The English Zipf value of each common word, as common_words.json has it (read once)."""
    data = json.loads(COMMON_WORDS_FILE.read_text(encoding="utf-8"))
    return {word: float(zipf) for word, zipf in data["zipf"].items()}


@functools.cache
def english_factors(power: float) -> Mapping[str, float]:
    """english_factor of every word in common_words at this power (made once a power)."""
    return {word: english_factor(zipf, power) for word, zipf in common_words().items()}


def english_factor(zipf: float, power: float) -> float:
    """A common English word's weight factor: 1 at COMMON_ZIPF, falling as the word is more common:
    ((9 - zipf) / (9 - COMMON_ZIPF)) ** power (9 - zipf is log10 of one over the word's share of
    English text), never above 1 ("market", 5.1: 0.88 at power 0.5; "new", 6.4: 0.72)."""
    return min(1.0, ((9.0 - zipf) / (9.0 - COMMON_ZIPF)) ** power)


def title_weights(f: EntryFeatures, idf: dict[str, float], settings: StorySettings) -> Vector:
    english = english_factors(settings.english_power) if settings.english_power else {}
    weights = {t: idf[t] * english.get(t, 1.0) for t in f.title_terms if t in idf}
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


def decay_rate(settings: StorySettings) -> float:
    return math.log(2.0) / ((settings.half_life_days or math.inf) * 86400.0)


def dot(a: Vector, b: Vector) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum([w * b[t] for t, w in a.items() if t in b])


def plain_pair_similarities(titles: Sequence[Vector], pairs: Sequence[tuple[int, int]], times: Sequence[float],
                            topics: Sequence[int], has_text: Sequence[bool], full: Callable[[int], Vector],
                            settings: StorySettings, texts_read: Callable[[list[int]], None] | None = None,
                            compared: list[int] | None = None) -> list[float | None]:
    """vectors.pair_similarities for a few pairs, in plain Python, operation for operation (so
    bit-identical: a pair's title cosine is summed over the later entry's title words in their
    order, from 0.0, as np.bincount sums it there): each pair's similarity, or None for a pair not
    worth linking. The arguments as there, in lists; `pairs`: (earlier, later) of each. The places
    in `pairs` of the pairs whose texts were compared are added to `compared` when it is given."""
    window = settings.window_days * 86400.0
    found: list[float | None] = []
    texts: list[int] = []
    for p, (a, b) in enumerate(pairs):
        earlier = titles[a]
        similarity = 0.0
        matched = False
        for word, weight in titles[b].items():
            other = earlier.get(word)
            if other is not None:
                similarity += weight * other
                matched = True
        if not matched or not times[a] >= times[b] - window:
            found.append(None)
        elif has_text[a] and has_text[b]:
            if similarity >= settings.text_gate:
                texts.append(p)
                found.append(similarity)
            else:
                found.append(None)
        else:
            found.append(similarity)
    if compared is not None:
        compared.extend(texts)
    if texts:
        if texts_read is not None:
            texts_read(sorted({k for p in texts for k in pairs[p]}))
        floor = settings.text_floor
        for p in texts:
            a, b = pairs[p]
            s = dot(full(b), full(a))
            found[p] = (s - floor) / (1.0 - floor) if s > floor else 0.0
    rate = decay_rate(settings)
    for p, titled in enumerate(found):
        if titled is None:
            continue
        a, b = pairs[p]
        similarity = titled * math.exp(-rate * int(times[b] - times[a]))  # as vectors.decay_table makes it
        if topics[a] != topics[b] and topics[a] >= 0 and topics[b] >= 0:
            similarity *= settings.other_topic_factor
        found[p] = similarity if similarity >= settings.min_pair_similarity else None
    return found
