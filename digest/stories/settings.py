"""The knobs of story grouping. Defaults chosen on the story devset's first set and the week of
March 31 2014 of headlines-2.csv; scored on two weeks never used to choose (bench/story_quality.py)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StorySettings:
    # Average similarity (over all pairs of members, pairs never compared counting 0) two
    # groups need to become one story.
    threshold: float = 0.008
    # ... and groups of n and m entries need pair_threshold / sqrt(n * m) (see linkage).
    pair_threshold: float = 0.1
    # Two groups join only when their average likeness is at least this share of the
    # likeness within the looser of them: two stories around one hub word are each tighter
    # than their union.
    cohesion_ratio: float = 0.3
    # ... when both have at least this many members (smaller ones are too few to tell).
    cohesion_size: int = 6
    # Linkage runs in rounds (see linkage.link_stories): near copies are joined first, then
    # cores of pairs at least core_similarity alike joining at core_threshold, then everything.
    copy_similarity: float = 0.5
    core_similarity: float = 0.2
    core_threshold: float = 0.02
    # Similarity halves for every this many days between two entries: a recurring subject on
    # another day (the daily market report, a game's review and then its launch) is another story.
    half_life_days: float | None = 0.5
    # Entries further apart than this are never compared directly: at a half-life of half a day
    # a pair a day apart already counts a quarter, and most reports of one story come within a day.
    window_days: float = 1.0
    # A story's members span at most this; stories unfold over days, not months.
    max_span_days: float = 7.0
    # A story's coverage is a burst: a formed story is split where no report came for at least
    # quiet_hours and for at least as long as the reports before and after the pause took (each side
    # at least quiet_min_reports): a recall announced in the morning and the hearing about it in the
    # evening are two stories. None: never split (see linkage.split_at_pauses).
    quiet_hours: float | None = 3.0
    quiet_min_reports: int = 2
    # Once linkage is done, a report of a story of two or more moves to the story it is most like by the
    # measure linkage joins by (its summed likeness to a story's members over the square root of their
    # number), when that is more than 1 + move_margin times its likeness so to its own story's other
    # members: an early join of average linkage is never undone. None: never moved (see linkage.moved).
    move_margin: float | None = 0.3
    # Two entries filed under different topics are rarely one story: their similarity is scaled.
    other_topic_factor: float = 0.5
    # Weight of a title word that looks like a name or place, and of a title word pair.
    name_weight: float = 1.5
    pair_weight: float = 1.0
    # A title word common in English (weights.common_words: more than ten uses in a million words) weighs
    # times ((9 - zipf) / 5) ** english_power, zipf its English frequency on the Zipf scale; 0: not at all.
    english_power: float = 0.5
    # Weight of the text's words against the title's, when an entry has text.
    text_weight: float = 1.0
    # Text similarity below this is what any two texts share; only the excess counts.
    text_floor: float = 0.25
    # An entry needs this many text words for its text to count at all.
    min_text_words: int = 20
    # Two entries with text are compared by it only when their titles are this similar:
    # comparing texts is what costs most.
    text_gate: float = 0.1
    # Pairs less similar than this are treated as unrelated (saves memory, changes little).
    min_pair_similarity: float = 0.01
    # Words in more than this share of a corpus of at least max_df_min_corpus entries are noise.
    max_df: float = 0.5
    max_df_min_corpus: int = 50
    # A word held by more than this share of the entries, and by more than common_df_min, weighs as one
    # held by that many (weights.common_limit): so one entry more or fewer gives new vectors to at most
    # that many entries, whatever words it holds.
    common_df: float = 0.01
    common_df_min: int = 100
