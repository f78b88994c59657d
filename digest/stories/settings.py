"""The knobs of story grouping, with defaults measured on the story devset (bench/story_quality.py)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StorySettings:
    # Average similarity two groups need to become one story.
    threshold: float = 0.02
    # ... but two lone entries need this (see linkage.centroid_linkage).
    pair_threshold: float = 0.3
    linkage: str = "centroid"
    # A group is compared by its this many weightiest words.
    profile_words: int = 40
    # Similarity halves for every this many days between two entries (or groups' mean times):
    # a recurring subject on another day (the daily market report) is another story.
    half_life_days: float | None = 1.0
    # Entries further apart than this are never compared directly.
    window_days: float = 3.0
    # A story's members span at most this; stories unfold over days, not months.
    max_span_days: float = 7.0
    # Pairs less similar than this are treated as unrelated (saves memory, changes little).
    min_pair_similarity: float = 0.01
    # How much the title counts against the text, when both entries have text.
    title_weight: float = 1.0
    # Text similarity below this is what any two texts share; only the excess counts.
    text_floor: float = 0.25
    # An entry needs this many text words for its text to count at all.
    min_text_words: int = 20
    # Only an entry's most telling text words are kept and used to find candidates.
    text_words_kept: int = 40
    text_block_words: int = 8
    # Words in more than this share of a corpus of at least max_df_min_corpus entries are noise.
    max_df: float = 0.5
    max_df_min_corpus: int = 50
