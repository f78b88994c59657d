"""Entries -> Stories: entries from different sources reporting the same news, grouped.

The curator decides first: entries with the same `story:` key form one story, exactly, and
`lead: true` picks its lead. Entries without a key are grouped among themselves from their
text (title first; summary and body opening when both entries have them) and time: see
`vectors` (what is compared) and `linkage` (how groups form). Automatic grouping never adds
an entry to a curator's story nor splits one.

Per-entry work (`entry_features`) is separate and pure, so the build can cache it by
content hash; `group_stories` then only does the corpus-wide part, and
`incremental.StoryGrouper` keeps its result exact while entries change, redoing only what an
edit can reach.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath

from digest.collector import collector_paused
from digest.model import Entry, Story, text_chars
from digest.stories.features import FEATURES_VERSION, EntryFeatures, entry_features
from digest.stories.settings import StorySettings

__all__ = [
    "FEATURES_VERSION",
    "EntryFeatures",
    "StorySettings",
    "entry_features",
    "group_stories",
    "grouping_token",
    "make_story",
    "story_key",
]

DEFAULT_SETTINGS = StorySettings()
ALONE = "alone"  # the reason of an automatic story of one entry


def group_stories(
    entries: Sequence[Entry],
    features: Mapping[PurePosixPath, EntryFeatures] | None = None,
    *,
    settings: StorySettings = DEFAULT_SETTINGS,
) -> list[Story]:
    """Every entry in exactly one Story, sorted by the lead's time then key.

    `features` maps entry paths to cached `entry_features` results; missing ones are computed.
    """
    ordered = [e for _, _, e in sorted((e.published.timestamp(), str(e.path), e) for e in entries)]
    curated: dict[str, list[Entry]] = defaultdict(list)
    unkeyed = []
    for entry in ordered:
        if entry.story:
            curated[entry.story].append(entry)
        else:
            unkeyed.append(entry)
    stories = [make_story(key, group, 1.0, "curator") for key, group in curated.items()]
    stories += _automatic_stories(unkeyed, features or {}, settings)
    return sorted(stories, key=lambda s: (s.lead.published, s.key))


def story_key(members: Sequence[Entry]) -> str:
    """A key for an automatic story: from its earliest member's path, so it stays put when
    later reports join ("content/2014/03/10/x-12.md" -> "2014-03-10-x-12")."""
    return path_key(str(min(members, key=_time_order).path))


def kept_as_path(key: str, path: str, score: float, reason: str) -> bool:
    """Whether a story of the one entry at `path` is one the cache keeps as that path alone
    (remembered.remembered_stories): an automatic story of its entry alone, keyed by its path."""
    return reason == ALONE and score == 1.0 and key == path_key(path)


def path_key(text: str) -> str:
    """The story key an entry's path gives (its path written as a str)."""
    stem, dot, suffix = text.rpartition(".")
    if dot and "/" not in suffix and not stem.endswith("/"):
        text = stem
    return text.removeprefix("content/").replace("/", "-")


def _automatic_stories(
    entries: Sequence[Entry],
    cached: Mapping[PurePosixPath, EntryFeatures],
    settings: StorySettings,
) -> list[Story]:
    # Imported where entries are grouped, not with the package: they bring numpy (0.1 s), which
    # a build that groups nothing (nothing changed, or only bodies) never needs.
    from digest.stories.linkage import link_stories
    from digest.stories.vectors import Corpus, similar_pairs

    features = [_features(e, cached) for e in entries]
    with collector_paused():
        corpus = Corpus(features, settings)
        times = [e.published.timestamp() for e in entries]
        edges = similar_pairs(corpus, times, [e.topic for e in entries], settings)
        clusters = link_stories(times, edges, settings)
    return [cluster_story([entries[i] for i in cluster.members], cluster.score) for cluster in clusters]


def cluster_story(group: Sequence[Entry], score: float) -> Story:
    """The Story of an automatic group, its members in time order; `score` from linkage."""
    if len(group) == 1:
        entry = group[0]
        return Story(key=path_key(str(entry.path)), lead=entry, members=(entry,), score=1.0, reason=ALONE)
    return make_story(path_key(str(group[0].path)), group, score, f"similar {score:.2f}")


def _features(entry: Entry, cached: Mapping[PurePosixPath, EntryFeatures]) -> EntryFeatures:
    """The cached features, unless missing or of another FEATURES_VERSION (an old cache)."""
    known = cached.get(entry.path)
    if isinstance(known, EntryFeatures) and getattr(known, "version", None) == FEATURES_VERSION:
        return known
    return entry_features(entry)


def make_story(key: str, group: Sequence[Entry], score: float, reason: str) -> Story:
    """A Story of these members (in any order), its lead chosen, the rest in time order."""
    if len(group) == 1:  # most stories, made again from a remembered grouping every build
        return Story(key=key, lead=group[0], members=(group[0],), score=round(score, 4), reason=reason)
    lead = _lead(group)
    rest = sorted((e for e in group if e is not lead), key=_time_order)
    return Story(key=key, lead=lead, members=(lead, *rest), score=round(score, 4), reason=reason)


def _lead(group: Sequence[Entry]) -> Entry:
    """The curator's `lead: true` (the earliest such), else the earliest entry; on a tie the
    one with the most text, then by path."""
    chosen = [e for e in group if e.lead] or list(group)
    earliest = min(e.published.timestamp() for e in chosen)
    tied = [e for e in chosen if e.published.timestamp() == earliest]
    if len(tied) == 1:
        return tied[0]

    def rank(e: Entry) -> tuple[int, str]:
        return (-text_chars(e), str(e.path))

    return min(tied, key=rank)


def grouping_token(entry: Entry, features: EntryFeatures | None) -> str:
    """A hash of all that group_stories reads of one entry (the lead's text length aside: a
    remembered grouping is turned into stories by make_story, which picks leads afresh)."""
    token = repr((str(entry.path), entry.published.timestamp(), entry.topic, entry.story, entry.lead, features))
    return hashlib.blake2b(token.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


def _time_order(entry: Entry) -> tuple[float, str]:
    return (entry.published.timestamp(), str(entry.path))
