"""group_stories again after a few entries changed, grouping only the entries near the change: for
a one-shot build (`digest build` after an addition), which has no StoryGrouper kept in memory.

What the last grouping read is kept as a small `Ledger` (each entry's grouping token, path and
time; the word counts of the automatically grouped entries, and of each its title terms, names,
text word count and other terms: `ledger_line`). From it and the entries as they are now,
`regroup_near` finds what can have changed and groups only there. It returns exactly what
group_stories returns (the same stories, keys, scores and reasons), or None when it cannot show
that it does; the caller then groups everything.

Why that is exact. An entry's vectors depend on its own features and on the rarity and sharedness
(vectors.Corpus) of its words in the whole corpus; a pair's similarity on the two entries' vectors,
times and topics, and only entries within `window_days` of each other are paired. Linkage
(linkage.link_stories) joins only groups linked by pairs, and what it does inside one connected
part of the pairs does not depend on the others (see `locality`: the same argument for a union of
stories). So the entries whose vectors may differ are those that changed and those holding a word
whose rarity or sharedness moved (`moved_words`): *fresh* entries. The pairs that may differ are
those of a fresh entry, and those that a removed (or changed) entry had, with entries near its old
time; of a fresh entry whose title vector is as it was, only those whose texts are compared (see
_regroup_reached). A connected part of the pairs that holds none of them, and no entry that was paired with one,
is a connected part of the last grouping's pairs, grouped as before. The parts that hold one are
found by following pairs from them (each entry's possible partners are the entries within
`window_days` sharing a title word, as `similar_pairs` finds them; their similarity is
`pair_similarities`', bit for bit: in plain Python for a few thousand pairs, weights.plain_pair_similarities,
so that numpy is not even loaded), and grouped again, alone.

This costs one pass over the ledger (the holders of moved words are found in its lines), not the
vectors, pairs and linkage of the whole archive, nor unpickling features (only those of entries
whose texts are compared). An addition moves the rounded rarity of a few words, held by at most
weights.common_limit entries each (1 % of the archive: a word held by more weighs the same whatever
its count); on the bench corpus 6 entries on average and at most 35 of 10,000 (without that limit 75,
and more than 3 % for one addition in 15), mostly in their texts: their title vectors are as they
were, and only the parts of the pairs whose likeness did change are grouped again; when more than a
few percent of the entries would be, everything is (MAX_FRESH, MAX_REACHED).
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePosixPath
from typing import overload

from digest.model import Entry, Story
from digest.stories import ALONE, _features, cluster_story, kept_as_path, make_story, path_key
from digest.stories.features import EntryFeatures
from digest.stories.linkage import link_stories
from digest.stories.settings import StorySettings
from digest.stories.weights import (
    Vector,
    common_limit,
    full_vector,
    noise_limit,
    plain_pair_similarities,
    rarity,
    size_log,
    title_vector,
    word_counts,
)

# The last grouping's stories, iterated twice: each as (story key, member paths, score, reason), or as the
# cache keeps most (remembered.remembered_stories): the path alone of an entry that was a story alone,
# keyed by its path (path_key), score 1.0
Remembered = Iterable[str | tuple[str, Sequence[str], float, str]]
MAX_FRESH = 0.03  # more entries whose vectors may differ than this share of all: group everything
# ... or more entries reached from them. A pair compared here costs several times one of group_stories' (on the
# 20,097 dense headlines 9 us against 1.2: 1.67 million pairs over 68 % of the site took 15 s, group_stories 3 s),
# so a regrouping of 15 % cost as much as grouping everything, and a search that gives up there had cost it already:
# on dense news most do (a week is one connected part of the pairs).
MAX_REACHED = 0.05
MAX_CHANGED = 200  # entries changed since the last grouping: more, and everything is grouped
# Finding an entry's partners looks at every entry within the time window; on dense news (1,000 headlines a day)
# that is 14,000 entries a look, and an edit in a big story looked 2,980 times. Past this many entries looked at
# for each entry grouped, the title words of all entries are indexed once (word -> entries in time order) and only
# their holders are read: the index reads every entry's title words, so it pays only when the looks are many times
# the site (an addition to the bench corpus at 10,000 looks at about 82,000: not indexed).
SCAN_PER_ENTRY = 20
# Pairs compared at once in plain Python up to this many (weights.plain_pair_similarities: about 3 us a pair),
# with numpy past it: its import alone costs 0.1 s, most of a regrouping after an addition at 10,000 entries
PLAIN_PAIRS = 20_000


@dataclass(frozen=True)
class Ledger:
    """What a grouping read, to find later what changed since: per grouping token
    (stories.grouping_token) the entry's path and time, and the automatically grouped entries'
    word counts (document frequencies), number and title terms, names and text word counts
    (ledger_line: to find an entry's partners and make its title vector without unpickling its
    features: an addition at 10,000 entries looked at 4,800 entries' features for it, to pair about 200)."""

    tokens: Mapping[str, tuple[str, float]]  # grouping token -> (path, timestamp)
    df: Counter[str]
    n: int
    # grouping token -> ledger_line. A mapping that reads them where they are kept may tell more (as the build
    # cache's does: remembered.StoredLines): `fetch(tokens)` reads the lines of these at once, and `holding(words)`
    # finds those that may hold a word (a superset), or None when it cannot tell
    titles: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class LedgerChange:
    """What of a ledger a regrouping changed: its rows set, as the cache keeps them (grouping
    token, path, time, ledger_line or None), the tokens gone, and the word counts and size now.
    Written as it is, an addition writes one row, and nothing reads the ledger's other rows again."""

    rows: list[tuple[str, str, float, str | None]]
    removed: list[str]
    df: Counter[str]
    n: int

    def applied(self, ledger: Ledger) -> Ledger:
        """The ledger after this change (what ledger_of gives for the entries now)."""
        tokens = dict(ledger.tokens)
        titles = dict(ledger.titles)
        for token in self.removed:
            tokens.pop(token, None)
            titles.pop(token, None)
        for token, path, time, line in self.rows:
            tokens[token] = (path, time)
            if line is None:
                titles.pop(token, None)
            else:
                titles[token] = line
        return Ledger(tokens, self.df, self.n, titles)


@dataclass(frozen=True)
class Regrouped:
    """regroup_near's result: group_stories' stories, and the ledger's change."""

    stories: list[Story]
    # Per story, the path of its entry when it is a story of that entry alone kept from the last grouping
    # (remembered_stories keeps it as that path), else None: the cache's form of the stories is then made
    # from the few others only (a pass over every story cost 0.12 s at 100,000 entries)
    alone: list[str | None]
    ledger: LedgerChange


def ledger_of(entries: Sequence[Entry], features: Mapping[PurePosixPath, EntryFeatures],
              tokens: Sequence[str]) -> Ledger:
    """The ledger of a grouping of these entries (tokens in the same order)."""
    unkeyed = [(e, token) for e, token in zip(entries, tokens, strict=True) if not e.story]
    read = [_features(e, features) for e, _ in unkeyed]
    titles = {token: line for (_, token), f in zip(unkeyed, read, strict=True) if (line := ledger_line(f)) is not None}
    return Ledger(_token_map(entries, tokens), word_counts(read), len(unkeyed), titles)


def ledger_line(f: EntryFeatures) -> str | None:
    """What an entry's title vector is made of and the words it holds, as the ledger keeps them:
    its text's word count, its title names, its title terms and its other terms (the text's
    words), in one str (a tuple of strs pickles and unpickles slower); None when a term holds a
    separator (then its features are read). With it, the title vectors of the entries a
    regrouping compares are made, and the holders of a word found, without unpickling their
    features (an addition at 10,000 entries compared some 1,100 entries: 0.06 s of unpickling;
    searching the cache's pickles for the holders of its words took 0.05 s more)."""
    if any("\n" in t or "\t" in t for t in f.terms) or any("\n" in t or "\t" in t for t in f.title_terms):
        return None
    titled = set(f.title_terms)
    return (f"{f.text_word_count}\t" + "\n".join(f.title_names) + "\t" + "\n".join(f.title_terms) + "\t"
            + "\n".join(t for t in f.terms if t not in titled))


def title_of_line(line: str) -> EntryFeatures:
    """The features of ledger_line's str that a title vector reads (title terms and names) and the
    text's word count; the text's own words are not in them (its terms are its title terms)."""
    count, names, terms, _ = line.split("\t")
    title_terms = tuple(terms.split("\n")) if terms else ()
    return EntryFeatures(title_terms, tuple(names.split("\n")) if names else (), (), int(count), title_terms)


def terms_of_line(line: str) -> set[str]:
    """Every term of ledger_line's str (its features' `terms`, as a set)."""
    _, _, title_terms, other = line.split("\t")
    return {*title_terms.split("\n"), *other.split("\n")} - {""}


def _token_map(entries: Sequence[Entry], tokens: Sequence[str]) -> dict[str, tuple[str, float]]:
    return {token: (str(e.path), e.published.timestamp()) for e, token in zip(entries, tokens, strict=True)}


def moved_words(before: Counter[str], n_before: int, after: Counter[str], n_after: int,
                settings: StorySettings, words: Iterable[str] | None = None) -> set[str] | None:
    """The words whose rarity or sharedness differs between two corpora (their word counts and
    sizes; only `words` are looked at when given: the only ones whose counts differ); None when
    the corpus size moved the rarity of every word (size_log or the noise limit)."""
    log_before, log_after = size_log(n_before), size_log(n_after)
    limit_before, limit_after = noise_limit(n_before, settings), noise_limit(n_after, settings)
    if log_before != log_after or limit_before != limit_after:
        return None
    common = common_limit(n_after, settings)  # (it moves with size_log only)

    def status(d: int) -> tuple[float | None, bool]:
        return (rarity(log_after, d, common) if 0 < d <= limit_after else None, 1 < d <= limit_after)

    if words is not None:
        return {w for w in words if status(before.get(w, 0)) != status(after.get(w, 0))}
    moved = set()
    for word, d in after.items():
        if before.get(word, 0) != d and status(before.get(word, 0)) != status(d):
            moved.add(word)
    for word, d in before.items():
        if word not in after and status(d) != status(0):
            moved.add(word)
    return moved


@dataclass(frozen=True)
class Columns:
    """What grouping near a change reads of every entry, when the caller has it without the entries
    (a one-shot build's rows: their times and paths are columns, and the curator's story keys are
    the remembered stories' when no entry moved): each entry's timestamp, path and `story:` key."""

    stamps: Sequence[float]
    paths: Sequence[str]
    keys: Sequence[str | None]


@dataclass(frozen=True)
class Checked:
    """same_grouping_near's result: whether group_stories groups as the last grouping did, and the
    ledger's change (to be written whether or not: it is the ledger of the entries now)."""

    same: bool
    ledger: LedgerChange


def regroup_near(entries: Sequence[Entry], features: Mapping[PurePosixPath, EntryFeatures], tokens: Sequence[str],
                 previous: Remembered, ledger: Ledger, settings: StorySettings, *,
                 departed: Callable[[list[tuple[str, str]]], Mapping[str, EntryFeatures]] | None = None,
                 max_fresh: float = MAX_FRESH, max_reached: float = MAX_REACHED,
                 ) -> Regrouped | None:
    """group_stories(entries, features), from the stories `previous` that a grouping with this
    `ledger` made, regrouping only near what changed since; with what of the ledger changed. None
    when it cannot be shown to be exact cheaply (then group everything), or when more than these
    shares of the entries would be grouped again. `departed` gives the features, as grouped, of
    entries changed or gone since, by (grouping token, path): without them every entry's words
    are counted again."""
    columns = Columns([e.published.timestamp() for e in entries], [str(e.path) for e in entries],
                      [e.story for e in entries])
    near = _near(entries, columns, features, tokens, previous, ledger, settings, departed, max_fresh, max_reached)
    if near is None:
        return None
    # The last grouping's automatic stories that hold no entry regrouped, changed or gone stay.
    keyless, paths, redone, went_paths = near.keyless, columns.paths, near.redone, near.went_paths
    by_path = {paths[k]: entries[k] for k in keyless}
    kept: list[Story] = []
    kept_alone: list[str | None] = []  # the path of each kept story that is its entry alone
    kept_members = 0
    # Most stories are an entry alone, made again here every build: the loop's names are local
    keep, keep_alone, entry_at, touched = kept.append, kept_alone.append, by_path.get, near.touched
    for story in previous:
        if isinstance(story, str):  # an entry that was a story alone (most are)
            if story in touched:
                if story not in redone and story not in went_paths:
                    return None
                continue
            entry = entry_at(story)
            if entry is None:
                return None
            keep(Story(key=path_key(story), lead=entry, members=(entry,), score=1.0, reason=ALONE))
            keep_alone(story)
            kept_members += 1
            continue
        key, members, score, reason = story
        if reason == "curator":
            continue
        if not touched.isdisjoint(members):
            if any(m not in redone and m not in went_paths for m in members):
                return None  # a story split across what was regrouped: not as the argument says
            continue
        try:
            kept.append(make_story(key, [by_path[m] for m in members], score, reason))
        except KeyError:
            return None
        kept_alone.append(None)
        kept_members += len(members)
    if kept_members + len(redone) != len(keyless) or not redone <= by_path.keys():
        return None  # every automatically grouped entry in exactly one story, or group everything
    curated: dict[str, list[Entry]] = {}
    if len(keyless) < len(entries):
        for k in near.order:
            curator_key = entries[k].story
            if curator_key:
                curated.setdefault(curator_key, []).append(entries[k])
    curated_stories = [make_story(key, group, 1.0, "curator") for key, group in curated.items()]
    stories, alone = _merged(kept, kept_alone, curated_stories, near.regrouped)
    return Regrouped(stories, alone, near.change)


def same_grouping_near(entries: Sequence[Entry], columns: Columns, features: Mapping[PurePosixPath, EntryFeatures],
                       tokens: Sequence[str], previous: Remembered, ledger: Ledger, settings: StorySettings, *,
                       departed: Callable[[list[tuple[str, str]]], Mapping[str, EntryFeatures]] | None = None,
                       max_fresh: float = MAX_FRESH, max_reached: float = MAX_REACHED) -> Checked | None:
    """Whether group_stories(entries, features) groups the automatically grouped entries as
    `previous` did (the same stories: members, keys, scores and reasons; the curator's stories are
    not compared: the caller knows whether a key changed), found as regroup_near finds its
    stories, but without making the stories that stay: the entries are read only where
    grouped again (`entries` may be a sequence that reads each entry when asked for; `columns`
    tells what is read of all). None when it cannot tell cheaply. (An edit that keeps every entry
    where it is listed asks this of a plan patch: at 100,000 entries, reading every entry's listing
    and making 100,000 stories to compare them cost 1.0 of its 1.7 s.)"""
    near = _near(entries, columns, features, tokens, previous, ledger, settings, departed, max_fresh, max_reached)
    if near is None:
        return None
    redone, went_paths, touched = near.redone, near.went_paths, near.touched
    before: set[str | tuple[str, tuple[str, ...], float, str]] = set()
    for story in previous:
        if isinstance(story, str):
            if story in touched:
                if story not in redone and story not in went_paths:
                    return None
                before.add(story)
            continue
        key, members, score, reason = story
        if reason == "curator" or touched.isdisjoint(members):
            continue
        if any(m not in redone and m not in went_paths for m in members):
            return None  # a story split across what was regrouped: not as the argument says
        before.add(_remembered_form(key, members, score, reason))
    now = {_remembered_form(s.key, [str(m.path) for m in s.members], s.score, s.reason) for s in near.regrouped}
    return Checked(now == before, near.change)


@dataclass(frozen=True)
class Reformed:
    """forms_near's result: the stories in the cache's form, those of the last grouping that stay
    (`kept`) and those grouped again (`regrouped`, made), the paths grouped again, come or gone
    (`touched`), and the ledger's change."""

    kept: list[str | tuple[str, Sequence[str], float, str]]
    regrouped: list[Story]
    touched: set[str]
    ledger: LedgerChange


def forms_near(entries: Sequence[Entry], columns: Columns, features: Mapping[PurePosixPath, EntryFeatures],
               tokens: Sequence[str], previous: Remembered, ledger: Ledger, settings: StorySettings, *,
               departed: Callable[[list[tuple[str, str]]], Mapping[str, EntryFeatures]] | None = None,
               max_fresh: float = MAX_FRESH, max_reached: float = MAX_REACHED) -> Reformed | None:
    """The stories group_stories gives these entries, found as regroup_near finds them, but only
    those grouped again made: the rest stay in the cache's form (`previous`'s), entries unread. For
    a change that gave no entry a curator's key and took none away (entries added, removed or edited
    without one): the curator's stories are `previous`'s. `entries` and `columns` as for same_grouping_near. None
    when it cannot tell cheaply."""
    near = _near(entries, columns, features, tokens, previous, ledger, settings, departed, max_fresh, max_reached)
    if near is None:
        return None
    redone, went_paths, touched = near.redone, near.went_paths, near.touched
    kept: list[str | tuple[str, Sequence[str], float, str]] = []
    grouped = 0  # the automatically grouped entries of the stories kept
    for story in previous:
        if isinstance(story, str):
            if story in touched:
                if story not in redone and story not in went_paths:
                    return None
                continue
            kept.append(story)
            grouped += 1
            continue
        key, members, score, reason = story
        if reason == "curator":
            kept.append(story)
            continue
        if not touched.isdisjoint(members):
            if any(m not in redone and m not in went_paths for m in members):
                return None  # a story split across what was regrouped: not as the argument says
            continue
        kept.append(story)
        grouped += len(members)
    if grouped + len(redone) != len(near.keyless):
        return None  # every automatically grouped entry in exactly one story, or group everything
    return Reformed(kept, near.regrouped, touched, near.change)


def _remembered_form(key: str, members: Sequence[str], score: float,
                     reason: str) -> str | tuple[str, tuple[str, ...], float, str]:
    """A story as remembered.remembered_story keeps it (stories.kept_as_path), the member paths as
    a tuple."""
    if len(members) == 1 and kept_as_path(key, members[0], score, reason):
        return members[0]
    return (key, tuple(members), score, reason)


@dataclass(frozen=True)
class _Near:
    """What grouping near a change found: the automatically grouped entries (their places, in
    group_stories' order), the stories of those grouped again and their paths, the paths touched
    (grouped again, come or gone) and gone, and the ledger's change."""

    order: list[int]
    keyless: list[int]
    regrouped: list[Story]
    redone: set[str]
    touched: set[str]
    went_paths: set[str]
    change: LedgerChange


def _near(entries: Sequence[Entry], columns: Columns, features: Mapping[PurePosixPath, EntryFeatures],
          tokens: Sequence[str], previous: Remembered, ledger: Ledger, settings: StorySettings,
          departed: Callable[[list[tuple[str, str]]], Mapping[str, EntryFeatures]] | None,
          max_fresh: float, max_reached: float) -> _Near | None:
    """The regrouping near what changed since `ledger` (see regroup_near), or None. Of the
    entries, only those grouped again (and those that came, and the holders of a moved word whose
    features the ledger lacks) are read: the rest is in `columns`."""
    stamps, paths = columns.stamps, columns.paths
    now = dict(zip(tokens, zip(paths, stamps, strict=True), strict=True))
    if len(now) != len(paths):
        return None  # two entries of one token: not a grouping this ledger can speak for
    came_tokens = list(now.keys() - ledger.tokens.keys())
    came = [now[token] for token in came_tokens]
    went_tokens = [token for token in ledger.tokens if token not in now]
    went = [ledger.tokens[token] for token in went_tokens]
    if len(came) + len(went) > MAX_CHANGED:
        return None
    order = _time_order(stamps, paths)
    keys = columns.keys
    keyless = [k for k in order if not keys[k]]
    unkeyed: Sequence[Entry] = [entries[k] for k in keyless] if isinstance(entries, list) \
        else ReadWhenAsked(lambda i: entries[keyless[i]], len(keyless))  # read only those asked for
    unkeyed_paths = [paths[k] for k in keyless]
    times = [stamps[k] for k in keyless]
    unkeyed_tokens = [tokens[k] for k in keyless]
    titles = ledger.titles
    read = _Features(unkeyed, features, unkeyed_tokens, titles, unkeyed_paths)
    came_paths = {path for path, _ in came}
    fresh = {k for path, time in came for k in _at(unkeyed_paths, times, path, time)}  # those grouped automatically
    new_here = frozenset(fresh)  # the entries not grouped last time
    # Of the entries that went, those grouped automatically (in no curator's story) were counted.
    curated_before = {m for story in previous if not isinstance(story, str) and story[3] == "curator"
                      for m in story[1]}
    counted = [token for token in went_tokens if ledger.tokens[token][0] not in curated_before]
    old = departed([(token, ledger.tokens[token][0]) for token in counted]) if counted and departed else {}
    if len(old) < len(counted):  # what some that went held is not known: count every entry's words
        fetch_all: Callable[[], None] | None = getattr(features, "fetch_all", None)
        if fetch_all is not None:
            fetch_all()  # every entry's features in one query, not one by one
        df = word_counts(read[k] for k in range(len(unkeyed)))
        moved = moved_words(ledger.df, ledger.n, df, len(unkeyed), settings)
    else:  # the counts of before, less the words of those that went, plus those of those that came
        if len(unkeyed) != ledger.n + len(fresh) - len(counted):
            return None
        df = ledger.df.copy()
        for token in counted:
            df.subtract(old[token].terms)
        for k in fresh:
            df.update(read[k].terms)
        words = {t for k in fresh for t in read[k].terms} | {t for token in counted for t in old[token].terms}
        for t in words:
            if df[t] <= 0:
                del df[t]
        moved = moved_words(ledger.df, ledger.n, df, len(unkeyed), settings, words)
    if moved is None:
        return None
    # An entry is `fresh` when its vectors may differ: it came, or holds a word whose rarity moved.
    # The holders of a moved word are looked for only when some are not among those that came.
    held_here = Counter(t for k in fresh for t in set(read[k].terms) if t in moved)
    if any(df[t] > held_here[t] for t in moved):
        fresh.update(read.holders(moved))
    if len(fresh) > max_fresh * len(unkeyed) + 20:
        return None
    found = _regroup_reached(unkeyed, read, times, fresh, new_here, [time for _, time in went], (df, len(unkeyed)),
                             (ledger.df, ledger.n), settings, int(max_reached * len(unkeyed)) + 50)
    if found is None:
        return None
    regrouped, redone = found
    went_paths = {path for path, _ in went}
    rows: dict[str, tuple[str, str, float, str | None]] = {  # a curator's entry has no line
        token: (token, *now[token], None) for token in came_tokens}
    rows.update((row[0], row) for row in _lines_now(titles, went_tokens, read, unkeyed_tokens, new_here, now))
    change = LedgerChange(list(rows.values()), went_tokens, df, len(unkeyed))
    return _Near(order, keyless, regrouped, redone, redone | went_paths | came_paths, went_paths, change)


class ReadWhenAsked(Sequence[Entry]):
    """Entries, the k-th read by `read(k)` when asked for: grouping near a change reads only the
    entries it groups again (a build's rows are read from the cache one by one)."""

    def __init__(self, read: Callable[[int], Entry], length: int) -> None:
        self._read = read
        self._length = length

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, k: int) -> Entry: ...

    @overload
    def __getitem__(self, k: slice) -> list[Entry]: ...

    def __getitem__(self, k: int | slice) -> Entry | list[Entry]:
        if isinstance(k, slice):
            return [self._read(i) for i in range(*k.indices(self._length))]
        if not -self._length <= k < self._length:
            raise IndexError(k)
        return self._read(k % self._length)


def _time_order(stamps: Sequence[float], paths: Sequence[str]) -> list[int]:
    """The places of the entries in group_stories' order: by time, then path (the paths differ). Sorted
    by time alone (a float key: at 100,000 entries a third of the time of sorting (time, path) pairs),
    then each run of equal times (few) by path."""
    order = sorted(range(len(stamps)), key=stamps.__getitem__)
    if len(set(stamps)) < len(stamps):
        at = 0
        for _, run in itertools.groupby([stamps[k] for k in order]):
            size = sum(1 for _ in run)
            if size > 1:
                order[at:at + size] = sorted(order[at:at + size], key=paths.__getitem__)
            at += size
    return order


def _story_rank(story: Story) -> tuple[datetime, str]:
    return (story.lead.published, story.key)


def _merged(kept: list[Story], kept_alone: list[str | None], curated: list[Story],
            regrouped: list[Story]) -> tuple[list[Story], list[str | None]]:
    """group_stories' sort of curated + kept + regrouped (stable, by lead time and key), with each
    story's path when it is kept alone (None for the others). `kept`, the last grouping's stories that
    stay, is in its order, sorted already (their leads' times and keys are as they were): the others
    are put in their places (a curator's before a kept story of the same time and key, a regrouped
    one after), not every story sorted again (at 100,000 entries 0.1 s)."""
    places = []
    for first, group, find in ((0, curated, bisect.bisect_left), (1, regrouped, bisect.bisect_right)):
        for n, story in enumerate(group):
            rank = _story_rank(story)
            places.append((find(kept, rank, key=_story_rank), rank, first, n, story))
    places.sort(key=lambda place: place[:4])
    stories: list[Story] = []
    alone: list[str | None] = []
    at = 0
    for place, _, _, _, story in places:
        stories += kept[at:place]
        alone += kept_alone[at:place]
        stories.append(story)
        alone.append(None)
        at = place
    stories += kept[at:]
    alone += kept_alone[at:]
    return stories, alone


def _lines_now(before: Mapping[str, str], went_tokens: Iterable[str], read: _Features,
               tokens: Sequence[str], came: AbstractSet[int], now: Mapping[str, tuple[str, float]],
               ) -> list[tuple[str, str, float, str | None]]:
    """The ledger rows of the entries grouped now (`tokens`, in `read`'s order) whose line is not
    the one they had, as ledger_of makes them: an entry that stayed keeps its token's line of before
    (no row); the lines of those that `came` are made from their features. When the ledger lacked
    a line for some entry that stayed (an older ledger), every entry without one is looked at."""
    lined = len(before) - sum(1 for token in went_tokens if token in before)  # the lines of those that stayed
    complete = lined == len(tokens) - len(came)
    rows: list[tuple[str, str, float, str | None]] = []
    for k in came if complete else range(len(tokens)):
        if tokens[k] not in before and (line := ledger_line(read[k])) is not None:
            rows.append((tokens[k], *now[tokens[k]], line))
    return rows


def _at(paths: Sequence[str], times: Sequence[float], path: str, time: float) -> list[int]:
    """The place of the entry with this path and time among those with these `paths` and `times`
    (in time order), if there."""
    k = bisect.bisect_left(times, time)
    while k < len(times) and times[k] == time:
        if paths[k] == path:
            return [k]
        k += 1
    return []


class _Features:
    """The features of the k-th entry, unpickled (or made) when first asked for; and its line in
    the ledger (ledger_line), read when first asked for."""

    def __init__(self, entries: Sequence[Entry], features: Mapping[PurePosixPath, EntryFeatures],
                 tokens: Sequence[str], titles: Mapping[str, str], paths: Sequence[str]) -> None:
        self.entries = entries  # read only where an entry's features are (a sequence may read each when asked)
        self.paths = paths  # the k-th entry's path, as a str
        self.features = features
        self.tokens = tokens  # the k-th entry's grouping token
        self.titles = titles  # the ledger's lines by grouping token (Ledger.titles)
        self.known: dict[int, EntryFeatures] = {}
        self._lines: dict[int, str | None] = {}
        self._title_sets: dict[int, frozenset[str]] = {}
        self._title_parts: dict[int, EntryFeatures] = {}

    def __getitem__(self, k: int) -> EntryFeatures:
        found = self.known.get(k)
        if found is None:
            found = self.known[k] = _features(self.entries[k], self.features)
        return found

    def prefetch(self, ks: Iterable[int]) -> None:
        """Have the features mapping fetch these entries' features at once, where it can
        (entry_rows.LazyFeatures.fetch: one query, not one each), before they are asked for."""
        fetch: Callable[[list[PurePosixPath]], None] | None = getattr(self.features, "fetch", None)
        if fetch is not None:
            missing = [PurePosixPath(self.paths[k]) for k in ks if k not in self.known]
            if missing:
                fetch(missing)

    def line(self, k: int) -> str | None:
        """The k-th entry's line in the ledger, or None when the ledger has none."""
        if k not in self._lines:
            self.fetch_lines([k])
        return self._lines[k]

    def fetch_lines(self, ks: Iterable[int]) -> None:
        """Read these entries' lines of the ledger at once, where it can (Ledger.titles' `fetch`)."""
        missing = [k for k in ks if k not in self._lines]
        if not missing:
            return
        fetch: Callable[[list[str]], Mapping[str, str]] | None = getattr(self.titles, "fetch", None)
        titles = self.titles if fetch is None else fetch([self.tokens[k] for k in missing])
        for k in missing:
            self._lines[k] = titles.get(self.tokens[k])

    def title_part(self, k: int) -> EntryFeatures:
        """The k-th entry's features as far as its title vector and has_text read them (title_of_line),
        from the ledger where it has them (no unpickling), else its whole features."""
        if k in self.known:
            return self.known[k]
        found = self._title_parts.get(k)
        if found is None:
            line = self.line(k)
            found = self._title_parts[k] = self[k] if line is None else title_of_line(line)
        return found

    def title_terms(self, k: int) -> Sequence[str]:
        """The k-th entry's title terms, from the ledger where it has them (no unpickling)."""
        return self.title_part(k).title_terms

    def title_set(self, k: int) -> frozenset[str]:
        """title_terms(k) as a set, made once: what finding partners tests a neighbour by."""
        terms = self._title_sets.get(k)
        if terms is None:
            line = self.line(k)
            if line is None or k in self.known:
                terms = frozenset(self.title_terms(k))
            else:  # the third part of the line, without making the rest
                title_terms = line.split("\t", 3)[2]
                terms = frozenset(title_terms.split("\n")) if title_terms else frozenset()
            self._title_sets[k] = terms
        return terms

    def holders(self, words: set[str]) -> list[int]:
        """The entries whose features hold one of these words: found in their ledger lines, and for
        entries without one (or in memory), in their features (_holders_among). Where the ledger
        finds the lines that may hold one (Ledger.titles' `holding`), only those are read."""
        if not words:
            return []
        holding: Callable[[set[str]], Mapping[str, str] | None] | None = getattr(self.titles, "holding", None)
        found_lines = holding(words) if holding is not None else None
        if found_lines is not None:
            rest: list[int] = []
            found: list[int] = []
            titles, known, lines = self.titles, self.known, self._lines
            for k, token in enumerate(self.tokens):
                if k in known or token not in titles:
                    rest.append(k)
                elif (line := found_lines.get(token)) is not None:
                    lines[k] = line
                    if not words.isdisjoint(terms_of_line(line)):
                        found.append(k)
            if rest:
                found += self._holders_among(words, rest)
            return sorted(found)
        self.fetch_lines(range(len(self.entries)))
        lines = self._lines
        rest = [k for k in range(len(self.entries)) if lines[k] is None or k in self.known]
        lined = [k for k in range(len(self.entries)) if lines[k] is not None and k not in self.known]
        # All the lines searched at once, a word at a time with str.find (measured at 10,000 entries and 8 words:
        # 0.02 s; a regular expression of them all 0.05 s, a search a line 0.06 s); each line found checked
        text = "\0".join(lines[k] or "" for k in lined)
        starts = list(itertools.accumulate((len(lines[k] or "") + 1 for k in lined), initial=0))
        candidates: set[int] = set()
        for word in words:
            at = text.find(word)
            while at >= 0:
                place = bisect.bisect_right(starts, at) - 1
                candidates.add(lined[place])
                at = text.find(word, starts[place + 1])  # the next line: this one is a candidate already
        found = [k for k in candidates if not words.isdisjoint(terms_of_line(lines[k] or ""))]
        if rest:
            found += self._holders_among(words, rest)
        return sorted(found)

    def _holders_among(self, words: set[str], among: list[int]) -> list[int]:
        """Of these entries, those whose features hold one of these words. Where the features mapping can tell
        which entries' pickles hold one of the words as pickle writes it (`pickled_str`: the cache
        searches them, LazyFeatures.holding), or hands over an entry's features still pickled
        (LazyFeatures.pickled), only those are unpickled to be sure: an addition's moved words are
        held by about a hundred of 10,000 entries."""
        found: list[int] = []
        if all(k in self.known for k in among):
            return [k for k in among if not words.isdisjoint(self[k].terms)]
        # Where the mapping can ask the cache which pickles hold the words (entry_rows.LazyFeatures.holding),
        # the pickles are not even fetched: 80 MB at 100,000 entries
        holding: Callable[[list[bytes]], set[str] | None] | None = getattr(self.features, "holding", None)
        candidates = holding([pickled_str(word) for word in sorted(words)]) if holding is not None and words else None
        if candidates is not None:
            chosen = [k for k in among if k in self.known or self.paths[k] in candidates]
            self.prefetch(chosen)
            return [k for k in chosen if not words.isdisjoint(self[k].terms)]
        pickled: Callable[[PurePosixPath], bytes | None] | None = getattr(self.features, "pickled", None)
        # One search for them all (measured on 10,000 pickles and 8 words: 0.03 s, against 0.13 s a word at a time)
        written = re.compile(b"|".join(re.escape(pickled_str(word)) for word in sorted(words)))
        for k in among:
            if k not in self.known and pickled is not None:
                data = pickled(PurePosixPath(self.paths[k]))
                if data is not None and data.startswith(PICKLE_HEADS) and not written.search(data):
                    continue
            if not words.isdisjoint(self[k].terms):
                found.append(k)
        return found


PICKLE_HEADS = (b"\x80\x04", b"\x80\x05")  # pickles of protocol 4 and 5 (the cache's: HIGHEST_PROTOCOL)


def pickled_str(word: str) -> bytes:
    """The bytes that a pickle of protocol 4 or 5 holding this str holds (pickletools: a str of
    under 256 bytes is SHORT_BINUNICODE, its length in one byte, then UTF-8; a longer one at least
    its UTF-8). Written once even when the pickle holds it twice (a memo refers to it after)."""
    data = word.encode("utf-8", "surrogatepass")
    return b"\x8c" + bytes([len(data)]) + data if len(data) < 256 else data


class _Vectors:
    """The entries' vectors, made only for the entries asked about (vectors.Corpus' arithmetic,
    with the word rarity of the whole corpus, looked up for the words of those entries only)."""

    def __init__(self, features: _Features, vocabulary: tuple[Counter[str], int], settings: StorySettings) -> None:
        self.df, n = vocabulary
        self.limit = noise_limit(n, settings)
        self.log_n = size_log(n)
        self.common = common_limit(n, settings)
        self.features = features
        self.settings = settings
        self.idf: dict[str, float] = {}
        self.shared: set[str] = set()
        self._title: dict[int, Vector] = {}
        self._full: dict[int, Vector] = {}
        self._title_words: dict[int, frozenset[str]] = {}
        self._holders: dict[str, list[int]] | None = None

    def _words(self, f: EntryFeatures) -> EntryFeatures:
        """Rarity and sharedness of f's words, as Corpus has them, known from here on."""
        for t in f.terms:  # (of title_part's features: the title terms; only these are read from them)
            if t not in self.idf:
                d = self.df.get(t, 0)
                if 0 < d <= self.limit:
                    self.idf[t] = rarity(self.log_n, d, self.common)
                    if d > 1:
                        self.shared.add(t)
        return f

    def title_words(self, k: int) -> frozenset[str]:
        """The words of k's title vector (title_vector keeps the title terms other entries have
        too, under the noise limit), without making the vector: what finding partners compares."""
        words = self._title_words.get(k)
        if words is None:
            df, limit = self.df, self.limit
            words = self._title_words[k] = frozenset(
                t for t in self.features.title_terms(k) if 1 < df.get(t, 0) <= limit)
        return words

    def title_word_holders(self) -> dict[str, list[int]]:
        """Each word of any entry's title_words: the entries holding it, in order (made once)."""
        if self._holders is None:
            self.features.fetch_lines(range(len(self.features.entries)))
            holders: dict[str, list[int]] = {}
            for k in range(len(self.features.entries)):
                for word in self.title_words(k):
                    holders.setdefault(word, []).append(k)
            self._holders = holders
        return self._holders

    def title(self, k: int) -> Vector:
        vector = self._title.get(k)
        if vector is None:
            f = self._words(self.features.title_part(k))
            vector = self._title[k] = title_vector(f, self.idf, self.shared, self.settings)
        return vector

    def full(self, k: int) -> Vector:
        vector = self._full.get(k)
        if vector is None:
            vector = self._full[k] = full_vector(self._words(self.features[k]), self.idf, self.shared, self.settings)
        return vector

    def has_text(self, k: int) -> bool:
        return self.features.title_part(k).text_word_count >= self.settings.min_text_words


def _regroup_reached(unkeyed: Sequence[Entry], features: _Features, times: Sequence[float],
                     fresh: set[int], came: AbstractSet[int], went: Sequence[float],
                     vocabulary: tuple[Counter[str], int], before: tuple[Counter[str], int],
                     settings: StorySettings, most: int) -> tuple[list[Story], set[str]] | None:
    """The stories of every connected part of the pairs that holds a pair that may have changed
    (one of a `fresh` entry, whose vectors may differ, or one that a removed entry at a time in
    `went` had), found by following pairs from them; with the paths of their members. None when
    more than `most` entries are reached. `came`: the fresh entries the last grouping did not
    have; `vocabulary` and `before`: the word counts and size of the corpus now and then.

    Where the pairs start. A connected part of the pairs now that holds no end of a pair that
    changed (appeared, went, or is otherwise alike) is a connected part of the pairs then: its own
    pairs are the same, and a pair that joined it to the rest then would have been one of those.
    A pair changes only when one end came or went, or an end's vectors differ. A fresh entry whose
    title vector is the same as then (a moved word of its is in its text only: most are) has the
    same partners and the same title likeness with each, so only its pairs whose texts are
    compared (both ends with text, titles at least text_gate alike) can change: those are compared
    with the word counts of then and of now, and the ends of those that differ are where to start.
    So the search starts from the fresh entries whose title vector changed (and those that came),
    the entries that were paired with one of them (their pairs then: compared again with the word
    counts of then), the ends of the changed text pairs, and every entry near a removed one in
    time; and follows the pairs now."""
    vectors = _Vectors(features, vocabulary, settings)
    window = settings.window_days * 86400.0
    reach = window + 1.0  # pair_similarities applies the exact bound: a second's slack here

    def near(time: float) -> range:
        return range(bisect.bisect_left(times, time - reach), bisect.bisect_right(times, time + reach))

    def lines_near(ks: Iterable[int]) -> None:
        """Read at once the ledger's lines of these entries and of every entry near one in time (those
        finding their partners looks at), not a query an entry."""
        spans = sorted((near(times[k]) for k in ks), key=lambda span: span.start)
        wanted: list[range] = []
        for span in spans:
            if wanted and span.start <= wanted[-1].stop:
                wanted[-1] = range(wanted[-1].start, max(wanted[-1].stop, span.stop))
            else:
                wanted.append(span)
        features.fetch_lines(itertools.chain.from_iterable(wanted))

    scanned = [0]  # entries looked at one by one so far: past scan_limit, the title words are indexed
    scan_limit = SCAN_PER_ENTRY * len(unkeyed)

    def partners(k: int, of: _Vectors = vectors) -> list[int]:
        """Every entry that may be paired with k: near in time, sharing a title word (as similar_pairs)."""
        words = of.title_words(k)
        if not words:
            return []
        span = near(times[k])
        if scanned[0] < scan_limit:
            scanned[0] += len(span)
            # k's title words are those of its title terms that count (held by 1 < df <= limit entries):
            # one of them among j's title terms is one among j's title words too
            of.features.fetch_lines(span)  # (from the ledger, those near in time only)
            title_set = of.features.title_set
            return [j for j in span if j != k and not words.isdisjoint(title_set(j))]
        holding = of.title_word_holders()
        found: set[int] = set()
        for word in words:
            held = holding.get(word, ())
            found.update(held[bisect.bisect_left(held, span.start):bisect.bisect_left(held, span.stop)])
        found.discard(k)
        return sorted(found)

    then = _Vectors(features, before, settings)
    lines_near(fresh)
    retitled = {k for k in fresh if k in came or vectors.title(k) != then.title(k)}
    start = set(retitled)
    for time in went:  # entries that were paired with one gone: any near it in time
        start.update(near(time))
    if len(start) > most:
        return None  # the search would start from all of them (found before their partners are looked for)
    paired_then = sorted({(min(k, j), max(k, j)) for k in retitled - came for j in partners(k, then)
                          if j not in came})
    for pair, similarity in zip(paired_then, _similarities(then, unkeyed, times, paired_then, settings), strict=True):
        if similarity is not None:
            start.update(pair)
    # The pairs of the others whose texts may be compared (a retitled partner's pairs are those above): the
    # same are compared by text then and now (the titles are as alike), and only their likeness can differ
    texts = sorted({(min(k, j), max(k, j)) for k in fresh - retitled if vectors.has_text(k) for j in partners(k)
                    if j not in retitled and vectors.has_text(j)})
    compared: list[tuple[int, int]] = []
    now_alike = dict(zip(texts, _similarities(vectors, unkeyed, times, texts, settings, compared), strict=True))
    for pair, before_ in zip(compared, _similarities(then, unkeyed, times, compared, settings), strict=True):
        if before_ != now_alike[pair]:
            start.update(pair)
    reached: set[int] = set()
    edges: dict[tuple[int, int], float] = {}
    frontier = sorted(start)
    while frontier:
        # Too many before their partners are looked for (on dense news an edit starts from the 3,000
        # entries near the old version's time: looking for their partners took 2.8 s, to give up then).
        if len(reached) + len(frontier) > most:
            return None
        # A pair with an entry reached in an earlier round was compared then, from that side.
        lines_near(frontier)
        pairs = sorted({(min(k, j), max(k, j)) for k in frontier for j in partners(k) if j not in reached})
        reached.update(frontier)
        found = _similarities(vectors, unkeyed, times, pairs, settings)
        following: set[int] = set()
        for pair, similarity in zip(pairs, found, strict=True):
            if similarity is not None:
                edges[pair] = similarity
                following.update(k for k in pair if k not in reached)
        frontier = sorted(following)
    chosen = sorted(reached)
    number = {k: i for i, k in enumerate(chosen)}
    ordered = sorted(edges.items(), key=lambda item: (item[0][1], item[0][0]))  # similar_pairs' order: (j, i)
    linked = [(number[i], number[j], s) for (i, j), s in ordered]  # a list: linked in plain Python
    members = [unkeyed[k] for k in chosen]
    clusters = link_stories([times[k] for k in chosen], linked, settings)
    stories = [cluster_story([members[i] for i in cluster.members], cluster.score) for cluster in clusters]
    return stories, {str(e.path) for e in members}


def _similarities(vectors: _Vectors, unkeyed: Sequence[Entry], times: Sequence[float],
                  pairs: Sequence[tuple[int, int]], settings: StorySettings,
                  compared: list[tuple[int, int]] | None = None) -> list[float | None]:
    """similar_pairs' similarity of each pair (i < j in time order), bit for bit
    (vectors.pair_similarities); None for a pair not worth linking. The pairs whose texts were
    compared are added to `compared` when it is given."""
    if not pairs:
        return []
    entries = sorted({k for pair in pairs for k in pair})
    read = vectors.features
    read.fetch_lines(entries)
    read.prefetch(k for k in entries if read.line(k) is None)  # the others' title vectors are made from the ledger
    local = {k: i for i, k in enumerate(entries)}
    topic_ids: dict[str, int] = {}
    topics = [topic_ids.setdefault(t, len(topic_ids)) if (t := unkeyed[k].topic) else -1 for k in entries]
    titles = [vectors.title(k) for k in entries]
    has_text = [vectors.has_text(k) for k in entries]
    at = [times[k] for k in entries]
    local_pairs = [(local[i], local[j]) for i, j in pairs]

    def full(i: int) -> Vector:
        return vectors.full(entries[i])

    def texts_read(ks: list[int]) -> None:
        read.prefetch(entries[i] for i in ks)

    if len(pairs) <= PLAIN_PAIRS:
        places: list[int] = []
        found = plain_pair_similarities(titles, local_pairs, at, topics, has_text, full, settings, texts_read, places)
        if compared is not None:
            compared.extend(pairs[p] for p in places)
        return found
    import numpy as np

    from digest.stories.vectors import pair_similarities

    similarity, keep, texts = pair_similarities(
        titles, np.array([i for i, _ in local_pairs], np.int64), np.array([j for _, j in local_pairs], np.int64),
        np.array(at, np.float64), np.array(topics, np.int64), np.array(has_text, bool), full, settings, texts_read)
    if compared is not None:
        compared.extend(pairs[p] for p in np.flatnonzero(texts).tolist())
    return [float(s) if k else None for s, k in zip(similarity.tolist(), keep.tolist(), strict=True)]
