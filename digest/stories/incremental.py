"""group_stories kept up to date while entries change, redoing only what a change can reach.

`StoryGrouper(entries, features).stories` is `group_stories(entries, features)`, and after
`update(changed, removed)` it is exactly what `group_stories` returns on the new entries
(the same Story objects by value: members, order, scores, reasons, keys). Exactness is the
point: a site built incrementally must be byte-identical to a cold build.

Why the parts can be redone separately (see `vectors` and `linkage`):
- A word's rarity (IDF) depends on the number of automatically grouped entries n and on how
  many of them hold the word, and is rounded to a quarter (vectors.rarity). While n stays, an
  edit can change the rarity of only the words it added or removed, and of a common word one
  holder more or fewer rarely changes the rounded value; only the vectors of entries holding a
  word whose rarity did change are recomputed: their title vector when the word is in their
  title, else only their title-and-text vector, which is used only for the pairs whose texts
  were compared. When n changes (an entry added or removed) every word's rarity is computed
  again, and again only the words whose rounded rarity moved reach the entries holding them.
- A pair's similarity depends on nothing but the two entries' vectors, times and topics,
  so only pairs touching a changed entry are compared again (with similar_pairs' arithmetic).
- Linkage runs in three rounds (linkage.link_stories). Near copies never reach past a connected
  part of the pairs of near copies: those parts holding a changed such pair are joined again.
  Cores and stories are average linkage, whose result over a union of the groups it formed is
  what it forms there alone, unless a group outside could join one of them; `locality` keeps how
  each group formed and tests that. So each round is run again over its groups that hold an end
  of a changed pair it reads (or an entry whose group of the round before changed), grown by
  every group outside that may join one formed. On dense news, where a week is one connected
  part, that is a few stories instead of the week.
- Where linkage.moved puts a report depends on its pairs, its story of the last round and its
  partners' stories: it is decided again for the entries relinked, their partners and the ends of
  changed pairs, and the stories that lost or gained a report are made again.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePosixPath

import numpy as np
import numpy.typing as npt

from digest.collector import collector_paused
from digest.model import Entry, Story
from digest.stories import DEFAULT_SETTINGS, _features, cluster_story, make_story
from digest.stories.features import EntryFeatures
from digest.stories.linkage import (
    Bars,
    Cluster,
    Trace,
    best_story,
    copy_bar,
    core_bars,
    destinations,
    link_round,
    near_copies,
    report_sums,
    split_at_pauses,
    story_bars,
)
from digest.stories.locality import Group, Groups, histories, reached
from digest.stories.settings import StorySettings
from digest.stories.vectors import (
    Corpus,
    Pairs,
    Vector,
    common_limit,
    full_vector,
    noise_limit,
    pair_similarities,
    rarity,
    similar_pairs,
    size_log,
    title_vector,
)

Pair = tuple[int, int]  # two entry ids, the smaller first
Order = tuple[float, str]  # (timestamp, path): the order group_stories sorts entries in
SortKey = tuple[datetime, str, bool, float, str]
Read = tuple[Entry, EntryFeatures]  # an entry and its features
Leaving = tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64]]


@dataclass(frozen=True)
class UpdateReport:
    """What the last update (or the construction) recomputed."""

    full: bool  # everything, as group_stories does
    reason: str  # why everything, or "" when only part
    revectored: int = 0  # entries whose vectors were computed again
    compared: int = 0  # pairs compared again
    relinked: int = 0  # entries whose stories linkage formed again


@dataclass(frozen=True, eq=False)
class _Group:
    """One story's members (entry ids, in time order) and how it was formed."""

    members: tuple[int, ...]
    score: float  # linkage's, unrounded; 1.0 for a curator's story
    curated: str | None  # the curator's story key, or None for an automatic group
    story: Story = field(repr=False)
    sort_key: SortKey = field(repr=False)


class StoryGrouper:
    """The stories of a changing set of entries: group_stories' result, kept exact.

    Built once from (entries, features) like group_stories; `update` then applies edits and
    returns what group_stories would return on the entries as they are now. Entry paths are
    unique. `last` tells what the last call recomputed (for tests and build reports).
    """

    def __init__(
        self,
        entries: Iterable[Entry],
        features: Mapping[PurePosixPath, EntryFeatures] | None = None,
        *,
        settings: StorySettings = DEFAULT_SETTINGS,
        max_affected: float = 0.2,
    ) -> None:
        """`max_affected`: when an edit changes the title vectors of more than this share of
        the automatically grouped entries, everything is recomputed instead (it is faster)."""
        self.settings = settings
        self.max_affected = max_affected
        known: dict[str, tuple[Entry, EntryFeatures]] = {}
        for entry in entries:
            if str(entry.path) in known:
                raise ValueError(f"two entries have the path {entry.path}")
            known[str(entry.path)] = (entry, _features(entry, features or {}))
        with collector_paused():
            self._rebuild(list(known.values()), "built")

    @property
    def stories(self) -> list[Story]:
        """Every entry in exactly one Story, in group_stories' order (a new list)."""
        return list(self._sorted_stories)

    def update(
        self,
        changed: Iterable[Entry] = (),
        removed: Iterable[PurePosixPath] = (),
        features: Mapping[PurePosixPath, EntryFeatures] | None = None,
    ) -> list[Story]:
        """Apply edits and return group_stories' result on the entries as they now are.

        `changed`: new or edited entries (by path); `removed`: paths of entries gone (a path
        also in `changed` counts as changed; unknown paths are ignored). `features` holds
        cached `entry_features` of changed entries; missing ones are computed.
        """
        edits: dict[str, tuple[Entry, EntryFeatures]] = {}
        for entry in changed:
            edits[str(entry.path)] = (entry, _features(entry, features or {}))
        gone = {str(p) for p in removed if str(p) in self._id} - edits.keys()
        edits = {
            p: (e, f) for p, (e, f) in edits.items()
            if p not in self._id or (self._entry[self._id[p]], self._feats[self._id[p]]) != (e, f)
        }
        if not edits and not gone:
            self.last = UpdateReport(full=False, reason="")
            return self.stories
        with collector_paused():
            if not self._update(edits, gone):
                self._rebuild([(self._entry[i], self._feats[i]) for i in self._id.values()], self.last.reason)
        return self.stories

    # -- everything, as group_stories does it -------------------------------------------------

    def _rebuild(self, entries: Sequence[tuple[Entry, EntryFeatures]], reason: str) -> None:
        settings = self.settings
        ordered = sorted(entries, key=lambda ef: (ef[0].published.timestamp(), str(ef[0].path)))
        # Ids: the automatically grouped entries first, numbered as group_stories numbers them.
        ordered = [ef for ef in ordered if not ef[0].story] + [ef for ef in ordered if ef[0].story]
        n = sum(not e.story for e, _ in ordered)
        self._id = {str(e.path): i for i, (e, _) in enumerate(ordered)}
        self._next_id = len(ordered)
        self._entry: dict[int, Entry] = {i: e for i, (e, _) in enumerate(ordered)}
        self._feats: dict[int, EntryFeatures] = {i: f for i, (_, f) in enumerate(ordered)}
        self._order: dict[int, Order] = {i: (e.published.timestamp(), str(e.path)) for i, (e, _) in enumerate(ordered)}
        corpus = Corpus([f for _, f in ordered[:n]], settings)
        self._limit = noise_limit(n, settings)
        self._log_n = size_log(n)
        self._df: Counter[str] = corpus.df
        self._idf = corpus.idf
        self._shared = corpus.shared
        # Of the automatically grouped entries only:
        self._title: dict[int, Vector] = dict(enumerate(corpus.title))
        self._has_text: dict[int, bool] = dict(enumerate(corpus.has_text))
        self._full: dict[int, Vector] = {}  # computed when needed
        self._time: dict[int, float] = {i: self._order[i][0] for i in range(n)}
        self._topic: dict[int, str | None] = {i: ordered[i][0].topic for i in range(n)}
        # Per title word, (time, path, id) of the entries holding it, in time order.
        self._postings: dict[str, list[tuple[float, str, int]]] = {}
        # Per text word, the entries with text (has_text) holding it among their kept words.
        self._text_holders: dict[str, set[int]] = {}
        for i in range(n):
            f = self._feats[i]
            key = (*self._order[i], i)
            for t in f.title_terms:
                self._postings.setdefault(t, []).append(key)
            if self._has_text[i]:
                for w, _ in f.text_words:
                    self._text_holders.setdefault(w, set()).add(i)
        compared: list[Pair] = []
        times = [self._time[i] for i in range(n)]
        edges = similar_pairs(corpus, times, [self._topic[i] for i in range(n)], settings, compared)
        self._edges: dict[int, dict[int, float]] = {}
        self._arrays: dict[int, tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]] = {}  # _edges[i] as arrays
        for i, j, s in edges:
            self._edges.setdefault(i, {})[j] = s
            self._edges.setdefault(j, {})[i] = s
        # Pairs whose texts were compared: their similarity changes with their text vectors.
        self._text_partners: dict[int, set[int]] = {}
        for i, j in compared:
            self._text_partners.setdefault(i, set()).add(j)
            self._text_partners.setdefault(j, set()).add(i)
        self._curated: dict[str, set[int]] = {}
        for i in range(n, len(ordered)):
            self._curated.setdefault(ordered[i][0].story or "", set()).add(i)
        # link_stories' rounds, each group's history kept (see locality): per entry its near copy
        # (of more than one member), its core and its story.
        strong = edges.where(edges.similarity >= settings.core_similarity)
        copies = near_copies(times, strong, copy_bar(settings), settings.max_span_days * 86400.0)
        self._copy: dict[int, Cluster] = {i: c for c in copies for i in c.members}
        trace = Trace()
        cores = link_round(times, strong, core_bars(settings), copies, trace)
        self._core = Groups()
        self._formed(self._core, list(range(n)), times, copies, cores, trace)
        del strong
        trace = Trace()
        clusters = link_round(times, edges, story_bars(settings), cores, trace)
        self._story = Groups()
        self._formed(self._story, list(range(n)), times, cores, clusters, trace)
        # Where linkage.moved puts each entry (a story of the round, by its Group), and what each holds.
        formed_groups = [self._story.of[c.members[0]] for c in clusters]
        self._dest: dict[int, Group] = {}
        self._into: dict[int, set[int]] = {}  # Group.number -> entries
        for i, k in enumerate(destinations(times, edges, clusters, settings)):
            self._dest[i] = formed_groups[k]
            self._into.setdefault(formed_groups[k].number, set()).add(i)
        groups = [self._group(p.members, p.score, None) for g in formed_groups if g.number in self._into
                  for p in self._pieces(g)]
        groups += [self._curated_group(key) for key in self._curated]
        groups.sort(key=lambda g: g.sort_key)
        self._group_of: dict[int, _Group] = {i: g for g in groups for i in g.members}
        self._story_of_key: dict[str, _Group] = {g.curated: g for g in groups if g.curated is not None}
        self._sort_keys: list[SortKey] = [g.sort_key for g in groups]
        self._sorted_stories: list[Story] = [g.story for g in groups]
        self.last = UpdateReport(full=True, reason=reason, revectored=n, compared=len(edges), relinked=n)

    def _pieces(self, formed: Group) -> list[Cluster]:
        """The stories of the entries linkage.moved puts in this story of the round (split at pauses)."""
        members = tuple(sorted(self._into[formed.number], key=self._order.__getitem__))
        cluster = Cluster(members, formed.score if len(members) > 1 else 1.0)
        return split_at_pauses(cluster, self._time, self.settings)

    def _destination(self, i: int) -> Group:
        """linkage.best_story for entry i, its stories labelled by their first members' (time, path)."""
        of, order = self._story.of, self._order
        own = of[i]
        partners = sorted(self._edges.get(i, {}).items(), key=lambda js: order[js[0]])
        label = {j: order[of[j].members[0]] for j, _ in partners}
        sums = report_sums(partners, label)
        groups = {order[g.members[0]]: g for j in label if (g := of[j])}
        groups[order[own.members[0]]] = own
        sizes = {k: len(g.members) for k, g in groups.items()}
        first = {k: self._time[g.members[0]] for k, g in groups.items()}
        last = {k: self._time[g.members[-1]] for k, g in groups.items()}
        return groups[best_story(order[own.members[0]], sums, sizes, first, last, self._time[i], self.settings)]

    def _group(self, members: tuple[int, ...], score: float, curated: str | None) -> _Group:
        entries = [self._entry[i] for i in members]
        story = make_story(curated, entries, 1.0, "curator") if curated is not None else cluster_story(entries, score)
        # group_stories lists the curator's stories, then the automatic ones, each by its
        # first member, and sorts that list (stably) by lead time and key.
        sort_key = (story.lead.published, story.key, curated is None, *self._order[members[0]])
        return _Group(members, score, curated, story, sort_key)

    def _curated_group(self, key: str) -> _Group:
        return self._group(tuple(sorted(self._curated[key], key=self._order.__getitem__)), 1.0, key)

    # -- only what an edit reaches ------------------------------------------------------------

    def _update(self, edits: Mapping[str, tuple[Entry, EntryFeatures]], gone: set[str]) -> bool:
        """Apply edits that keep the number of automatically grouped entries; False (and
        self.last saying why) when everything must be recomputed instead. Either way the
        entries and features are those after the edits."""
        touched: set[int] = set()  # entries whose Entry changed: their stories are made anew
        leaving: set[int] = set()  # automatically grouped before: removed, or read anew
        entering: set[int] = set()  # automatically grouped now: new, or read anew
        curated_keys: set[str] = set()  # curator's stories to form again
        departed: set[int] = set()
        for path in gone:
            i = self._id.pop(path)
            departed.add(i)
            story = self._entry[i].story
            if story:
                curated_keys.add(story)
                self._curated[story].discard(i)
            else:
                leaving.add(i)
        for path, (entry, feats) in edits.items():
            i = self._id.get(path, -1)
            if i < 0:
                i = self._id[path] = self._next_id
                self._next_id += 1
            else:
                touched.add(i)
                old = self._entry[i]
                if old.story:
                    curated_keys.add(old.story)
                    self._curated[old.story].discard(i)
                elif entry.story or (old.published, old.topic, self._feats[i]) != (entry.published, entry.topic, feats):
                    leaving.add(i)
            if entry.story:
                curated_keys.add(entry.story)
                self._curated.setdefault(entry.story, set()).add(i)
            elif i not in self._title or i in leaving:
                entering.add(i)

        copied: set[int] = set(entering)  # entries with a pair of near copies changed
        df_delta: Counter[str] = Counter()
        # Their partners' sums to each story (linkage.moved) change: where they go is decided again.
        partnered = {j for i in leaving for j in self._edges.get(i, {})}
        for i in leaving:
            self._leave(i, df_delta, copied)
        for i in departed:
            del self._entry[i], self._feats[i], self._order[i]
        for path, (entry, feats) in edits.items():
            i = self._id[path]
            self._entry[i], self._feats[i] = entry, feats
            self._order[i] = (entry.published.timestamp(), path)
        for i in entering:
            self._enter(i, df_delta)
        relevant = self._apply_df(df_delta)

        # Entries whose title vector changes, and those whose text vector alone does.
        retitled = set(entering)
        retexted: set[int] = set()
        for t in relevant:
            retitled.update(i for _, _, i in self._postings.get(t, ()))
            retexted.update(self._text_holders.get(t, ()))
        retexted -= retitled
        if len(retitled) > self.max_affected * len(self._title):
            self.last = UpdateReport(full=True, reason=f"{len(retitled)} of {len(self._title)} title vectors changed")
            return False
        for i in retitled:
            self._title[i] = title_vector(self._feats[i], self._idf, self._shared, self.settings)
        for i in retitled | retexted:
            self._full.pop(i, None)

        changed, compared = self._compare_retitled(retitled)
        more, compared_text = self._compare_retexted(retexted, retitled)
        changed.update(more)
        # Each changed pair has an end whose vector changed: linking its core and story again covers it.
        revectored = retitled | retexted
        copied.update(i for pair, s in changed.items() if s >= copy_bar(self.settings) for i in pair)
        core_sources = {i for pair, s in changed.items() if s >= self.settings.core_similarity for i in pair
                        if i in revectored}
        story_sources = {i for pair in changed for i in pair if i in revectored}
        region, _ = self._relink(copied, core_sources | entering | leaving, story_sources | entering | leaving,
                                      leaving)

        # Where linkage.moved puts an entry depends on its pairs and on the stories of the round of its
        # partners and its own: decided again for the entries relinked, their partners, and the ends of
        # changed pairs (and of the pairs of entries gone). Every story of the round that an entry left
        # or entered is made again from what it now holds.
        automatic = self._title.keys()
        decided = set(region) | partnered | {i for pair in changed for i in pair}
        decided |= {j for i in region for j in self._edges.get(i, {})}
        decided &= automatic
        going = {i: self._destination(i) for i in decided}
        remade: dict[int, Group] = {}
        before: dict[int, set[int]] = {}
        for i in (going.keys() | leaving) & self._dest.keys():
            old_dest = self._dest[i]
            if i in leaving or going.get(i) is not old_dest:  # an entry read anew: its story is made again
                del self._dest[i]
                holding = self._into[old_dest.number]
                before.setdefault(old_dest.number, set(holding))
                remade[old_dest.number] = old_dest
                holding.discard(i)
        for i, new_dest in going.items():
            if self._dest.get(i) is not new_dest:
                self._dest[i] = new_dest
                before.setdefault(new_dest.number, set(self._into.get(new_dest.number, ())))
                remade[new_dest.number] = new_dest
                self._into.setdefault(new_dest.number, set()).add(i)
        dropped = {g for number in remade for i in before[number]
                   if (g := self._group_of.get(i)) and g.curated is None}
        dropped |= {g for key in curated_keys if (g := self._story_of_key.get(key))}
        kept = {self._group_of[i] for i in touched} - dropped  # same members; an entry in it changed
        for g in dropped | kept:
            self._drop_group(g)
        for g in kept:
            self._add_group(self._group(g.members, g.score, g.curated))
        for number, group in remade.items():
            if not self._into.get(number):
                self._into.pop(number, None)
                continue
            assert self._story.of.get(group.members[0]) is group  # a story of the round now
            for piece in self._pieces(group):
                self._add_group(self._group(piece.members, piece.score, None))
        for key in curated_keys:
            if self._curated.get(key):
                self._add_group(self._curated_group(key))
            else:
                self._curated.pop(key, None)
        self.last = UpdateReport(full=False, reason="", revectored=len(retitled) + len(retexted),
                                 compared=compared + compared_text, relinked=len(region))
        return True

    def _leave(self, i: int, df_delta: Counter[str], copied: set[int]) -> None:
        """Take an automatically grouped entry out of the corpus, as it was."""
        f = self._feats[i]
        df_delta.subtract(f.terms)
        key = (*self._order[i], i)
        for t in f.title_terms:
            posting = self._postings[t]
            del posting[bisect_left(posting, key)]
            if not posting:
                del self._postings[t]
        if self._has_text[i]:
            for w, _ in f.text_words:
                holders = self._text_holders[w]
                holders.discard(i)
                if not holders:
                    del self._text_holders[w]
        del self._title[i], self._has_text[i], self._time[i], self._topic[i]
        self._full.pop(i, None)
        self._arrays.pop(i, None)
        for j, s in self._edges.pop(i, {}).items():
            del self._edges[j][i]
            self._arrays.pop(j, None)
            if s >= copy_bar(self.settings):
                copied.add(j)
        for j in self._text_partners.pop(i, ()):
            self._text_partners[j].discard(i)

    def _enter(self, i: int, df_delta: Counter[str]) -> None:
        """Put an entry into the corpus; its title vector is computed once the rarities are."""
        f = self._feats[i]
        df_delta.update(f.terms)
        time = self._order[i][0]
        key = (*self._order[i], i)
        for t in f.title_terms:
            insort(self._postings.setdefault(t, []), key)
        self._has_text[i] = f.text_word_count >= self.settings.min_text_words
        if self._has_text[i]:
            for w, _ in f.text_words:
                self._text_holders.setdefault(w, set()).add(i)
        self._time[i] = time
        self._topic[i] = self._entry[i].topic
        self._title[i] = {}

    def _apply_df(self, df_delta: Counter[str]) -> list[str]:
        """Update document frequencies and rarities (as Corpus computes them); the words whose
        rarity, or whether they count or can match at all, changed. Rarity is rounded (see
        vectors.rarity), so a common word held by one entry more or fewer mostly keeps it; when
        the number of entries grouped changes, every word's rarity is computed again (and again
        mostly stays)."""
        n = len(self._title)
        limit, log_n, common = noise_limit(n, self.settings), size_log(n), common_limit(n, self.settings)
        rescaled = (limit, log_n) != (self._limit, self._log_n)
        self._limit, self._log_n = limit, log_n
        for t, delta in df_delta.items():
            if delta:
                new = self._df.get(t, 0) + delta
                if new:
                    self._df[t] = new
                else:
                    del self._df[t]
        words = self._df.keys() | df_delta.keys() if rescaled else [t for t, d in df_delta.items() if d]
        relevant = []
        for t in words:
            new = self._df.get(t, 0)
            idf = rarity(log_n, new, common) if 0 < new <= limit else None
            shared = 1 < new <= limit
            if idf == self._idf.get(t) and shared == (t in self._shared):
                continue
            relevant.append(t)
            if idf is not None:
                self._idf[t] = idf
            else:
                self._idf.pop(t, None)
            if shared:
                self._shared.add(t)
            else:
                self._shared.discard(t)
        return relevant

    def _compare_retitled(self, retitled: set[int]) -> tuple[dict[Pair, float], int]:
        """Compare every entry with a new title vector with its candidates again; the pairs
        whose similarity changed (or appeared or went), each with the larger of its similarities
        before and after (0.0 for none), and the number of pairs compared."""
        old: dict[Pair, float] = {}
        for i in retitled:
            self._arrays.pop(i, None)
            for j, s in self._edges.pop(i, {}).items():
                old[(min(i, j), max(i, j))] = s
                self._arrays.pop(j, None)
                if j not in retitled:
                    del self._edges[j][i]
            for j in self._text_partners.pop(i, ()):
                if j not in retitled:
                    self._text_partners[j].discard(i)
        window = self.settings.window_days * 86400.0 + 1.0  # pair_similarities checks the exact bound
        candidates: list[Pair] = []
        for i in retitled:
            time = self._time[i]
            near: set[int] = set()
            for t in self._title[i]:
                posting = self._postings[t]
                lo = bisect_left(posting, (time - window,))
                hi = bisect_right(posting, (time + window,))
                near.update(posting[k][2] for k in range(lo, hi))
            near.discard(i)
            candidates.extend((i, j) for j in near if j not in retitled or i < j)  # else from j's side
        new: dict[Pair, float] = {}
        for (i, j), similarity, texts in zip(candidates, *self._compare(candidates), strict=True):
            if texts:
                self._text_partners.setdefault(i, set()).add(j)
                self._text_partners.setdefault(j, set()).add(i)
            if similarity is not None:
                new[(min(i, j), max(i, j))] = similarity
                self._edges.setdefault(i, {})[j] = similarity
                self._edges.setdefault(j, {})[i] = similarity
                self._arrays.pop(j, None)
        changed = {p: max(old.get(p, 0.0), new.get(p, 0.0))
                   for p in old.keys() | new.keys() if old.get(p) != new.get(p)}
        return changed, len(candidates)

    def _compare_retexted(self, retexted: set[int], retitled: set[int]) -> tuple[dict[Pair, float], int]:
        """Compare again the pairs whose texts were compared, of entries whose text vector
        alone changed (their titles did not, so the same pairs are still text-compared); as
        _compare_retitled."""
        pairs = [(i, j) for i in retexted for j in self._text_partners.get(i, ())
                 if j not in retitled and (j not in retexted or i < j)]
        changed: dict[Pair, float] = {}
        for (i, j), similarity, _ in zip(pairs, *self._compare(pairs), strict=True):
            before = self._edges.get(i, {}).get(j)
            if similarity == before:
                continue
            changed[(min(i, j), max(i, j))] = max(similarity or 0.0, before or 0.0)
            self._arrays.pop(i, None)
            self._arrays.pop(j, None)
            if similarity is None:
                del self._edges[i][j], self._edges[j][i]
            else:
                self._edges.setdefault(i, {})[j] = similarity
                self._edges.setdefault(j, {})[i] = similarity
        return changed, len(pairs)

    def _compare(self, pairs: Sequence[Pair]) -> tuple[list[float | None], list[bool]]:
        """similar_pairs' arithmetic for these pairs (vectors.pair_similarities, bit-identical):
        each one's similarity (None if not worth linking) and whether their texts were compared."""
        if not pairs:
            return [], []
        order = self._order
        ends = [(a, b) if order[a] < order[b] else (b, a) for a, b in pairs]
        entries = list(dict.fromkeys(i for pair in ends for i in pair))
        local = {i: k for k, i in enumerate(entries)}
        first = np.array([local[a] for a, _ in ends], np.int64)
        second = np.array([local[b] for _, b in ends], np.int64)
        topic_ids: dict[str, int] = {}
        topics = np.array([topic_ids.setdefault(t, len(topic_ids)) if (t := self._topic[i]) else -1
                           for i in entries], np.int64)
        similarity, keep, texts = pair_similarities(
            [self._title[i] for i in entries], first, second, np.array([self._time[i] for i in entries], np.float64),
            topics, np.array([self._has_text[i] for i in entries], bool),
            lambda k: self._full_vector(entries[k]), self.settings)
        return ([s if k else None for s, k in zip(similarity.tolist(), keep.tolist(), strict=True)],
                texts.tolist())

    def _full_vector(self, i: int) -> Vector:
        vector = self._full.get(i)
        if vector is None:
            vector = self._full[i] = full_vector(self._feats[i], self._idf, self._shared, self.settings)
        return vector

    def _relink(self, copied: set[int], core_sources: set[int], story_sources: set[int],
                leaving: set[int]) -> tuple[set[int], list[Group]]:
        """Link again what an edit reaches, round by round (see linkage.link_stories): the near
        copies of the connected parts of pairs of near copies holding `copied` (entries with such
        a pair changed); then the cores, and then the stories, holding an entry whose group of the
        round before changed or a `*_sources` entry (an end of every changed pair the round reads,
        the entries gone and new), grown by every core or story one of them may join. The entries
        whose stories were linked again, a union of old stories, and the new stories there."""
        settings = self.settings
        automatic = self._title.keys()
        copied = self._component(copied & automatic, copy_bar(settings))
        nodes, edges, _ = self._pairs(copied, copy_bar(settings))
        before = {i: self._copy.pop(i, None) for i in copied}
        span = settings.max_span_days * 86400.0
        for c in near_copies([self._time[i] for i in nodes], edges, copy_bar(settings), span):
            copy = Cluster(tuple(nodes[k] for k in c.members), c.score)
            for i in copy.members:
                self._copy[i] = copy
        moved = {i for i in copied if before[i] != self._copy.get(i)}
        _, moved = self._link_round(moved | core_sources, self._core, self._copy, core_bars(settings))
        region, _ = self._link_round(moved | story_sources, self._story, self._core.of, story_bars(settings))
        self._core.remove(leaving - automatic)
        self._story.remove(leaving - automatic)
        return region, list({id(g): g for i in region if (g := self._story.of[i])}.values())

    def _link_round(self, seeds: set[int], formed: Groups, start: Mapping[int, Cluster | Group],
                    bars: Bars) -> tuple[set[int], set[int]]:
        """One round of linkage again over the groups it formed holding these entries, from the
        `start` groups there, grown until no group outside may join one formed (see locality);
        `formed` updated. The entries linked again, and those of them whose group changed."""
        automatic = self._title.keys()
        region = set(seeds)
        for i in seeds:
            if (old := formed.of.get(i)) is not None:
                region.update(old.members)
        region &= automatic
        while True:
            nodes, edges, leaving = self._pairs(region, bars.min_similarity)
            local = {i: k for k, i in enumerate(nodes)}
            groups = {c.members: c.score for i in region if (c := start.get(i)) is not None and len(c.members) > 1}
            begin = [Cluster(tuple(local[i] for i in m), score) for m, score in groups.items()]
            times = [self._time[i] for i in nodes]
            trace = Trace()
            clusters = link_round(times, edges, bars, begin, trace)
            formed_here = histories(nodes, times, begin, clusters, trace)
            owner = np.full(self._next_id, -1, np.int64)
            place = np.full(self._next_id, -1, np.int64)
            new = [Group(tuple(nodes[m] for m in c.members), c.score, h, -1)
                   for c, h in zip(clusters, formed_here, strict=True)]
            for k, g in enumerate(new):
                order = g.history.layout.order
                owner[order] = k
                place[order] = np.arange(len(order))
            found = reached(new, owner, place, *leaving, formed, bars)
            if not found:
                break
            for g in found:
                region.update(g.members)
        before = {i: (was.members, was.score) for i in region if (was := formed.of.get(i)) is not None}
        formed.remove(region)
        for g in new:
            formed.add(g.members, g.score, g.history)
        return region, {i for i in region if before.get(i) != (formed.of[i].members, formed.of[i].score)}

    @staticmethod
    def _formed(groups: Groups, nodes: list[int], times: list[float], start: Sequence[Cluster],
                clusters: Sequence[Cluster], trace: Trace) -> None:
        """Add the groups of a round's run (its entries numbered by `nodes`), with their histories."""
        for c, h in zip(clusters, histories(nodes, times, start, clusters, trace), strict=True):
            groups.add(tuple(nodes[k] for k in c.members), c.score, h)

    def _component(self, start: set[int], min_similarity: float) -> set[int]:
        """The entries connected to these by pairs at least this alike."""
        seen = set(start)
        frontier = seen
        edges = self._edges
        while frontier:
            frontier = {j for i in frontier for j, s in edges.get(i, {}).items() if s >= min_similarity} - seen
            seen |= frontier
        return seen

    def _pairs(self, entries: set[int], min_similarity: float) -> tuple[list[int], Pairs, Leaving]:
        """These entries in time order, and their pairs at least this alike, numbered by that order
        (as group_stories numbers them: linkage depends on the order only); and the pairs at least
        this alike that leave them (entry in them, entry outside, similarity)."""
        nodes = sorted(entries, key=self._order.__getitem__)
        # Every pair twice, from each side: (local number, other entry, similarity).
        arrays = [self._neighbours(i) for i in nodes]
        second = np.repeat(np.arange(len(nodes), dtype=np.int64), [len(a) for a, _ in arrays])
        others = np.concatenate([a for a, _ in arrays]) if arrays else np.zeros(0, np.int64)
        similarity = np.concatenate([s for _, s in arrays]) if arrays else np.zeros(0, np.float64)
        local = np.full(self._next_id, -1, np.int64)
        local[nodes] = np.arange(len(nodes))
        first = local[others]
        strong = similarity >= min_similarity
        once = (first >= 0) & (first < second) & strong
        # In similar_pairs' order, (later, earlier) ascending: linkage sums the pairs in this order.
        # (Each pair once, so its key is unique: one argsort, three times faster than lexsort.)
        order = np.argsort(second[once] * len(nodes) + first[once])
        out = (first < 0) & strong
        leaving = (np.array(nodes, np.int64)[second[out]], others[out], similarity[out])
        return nodes, Pairs(first[once][order].astype(np.int32), second[once][order].astype(np.int32),
                            similarity[once][order]), leaving

    def _neighbours(self, i: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        """The entries paired with entry i and the pairs' similarities, as arrays (kept until they change)."""
        found = self._arrays.get(i)
        if found is None:
            linked = self._edges.get(i, {})
            found = self._arrays[i] = (np.fromiter(linked, np.int64, len(linked)),
                                       np.fromiter(linked.values(), np.float64, len(linked)))
        return found

    def _add_group(self, group: _Group) -> None:
        for i in group.members:
            self._group_of[i] = group
        if group.curated is not None:
            self._story_of_key[group.curated] = group
        at = bisect_left(self._sort_keys, group.sort_key)
        self._sort_keys.insert(at, group.sort_key)
        self._sorted_stories.insert(at, group.story)

    def _drop_group(self, group: _Group) -> None:
        at = bisect_left(self._sort_keys, group.sort_key)
        assert self._sort_keys[at] == group.sort_key and self._sorted_stories[at] is group.story
        del self._sort_keys[at], self._sorted_stories[at]
        for i in group.members:
            if self._group_of.get(i) is group:
                del self._group_of[i]
        if group.curated is not None and self._story_of_key.get(group.curated) is group:
            del self._story_of_key[group.curated]
