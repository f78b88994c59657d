"""Average-linkage clustering over a sparse similarity graph, bounded in time.

Pairs that were never compared count as similarity 0, so a group joins another only when
its members are, on average, similar to all of the other's members: one shared name is
not enough to chain two stories together (the weakness of single linkage).
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from digest.stories.settings import StorySettings

if TYPE_CHECKING:
    from digest.stories.vectors import Pairs

# Edges given as a list of (i, j, similarity) are summed in plain Python, any others as vectors.Pairs, with
# numpy: a regrouping of a few entries near a change (nearby) never loads numpy (0.1 s).

# A story's label in `moved`: its number, or (in the incremental grouper) its first member's (time, path);
# either way in the order of the stories' first members.
Label = TypeVar("Label", int, tuple[float, str])

SLICE = 1 << 17  # edges summed at once, about
PRUNE_AT = 4096  # pairs of joined groups left in average_linkage's queue before it is pruned, at least


class Cluster(NamedTuple):
    members: tuple[int, ...]  # indices into the input, ascending
    score: float  # the average similarity at its last join; 1.0 for a single entry


class Trace:
    """What one run of average_linkage did, for the incremental grouper (see `locality`): each
    group's inner sum at the start, every pop of the queue as (negated queued average, group,
    group), and every join as (pop number, group kept, group joined to it, kept group's inner sum)."""

    def __init__(self) -> None:
        self.inner: list[float] = []
        self.pops: list[tuple[float, int, int]] = []
        self.joins: list[tuple[int, int, int, float]] = []


def average_linkage(
    times: Sequence[float],
    edges: Pairs | Iterable[tuple[int, int, float]],
    threshold: float,
    max_span: float,
    pair_threshold: float = 0.0,
    cohesion_ratio: float = 0.0,
    cohesion_size: int = 2,
    start: Sequence[Cluster] = (),
    trace: Trace | None = None,
) -> list[Cluster]:
    """Join groups while the best average similarity is >= the bar and the span allows.

    The bar for groups of n and m entries is pair_threshold / sqrt(n * m), never below
    threshold: two lone headlines need a strong likeness, but a large story's reports are
    varied and each shares a word or two with only some of the others, so its average is low.

    Two groups of at least `cohesion_size` members join only when their average is at least
    `cohesion_ratio` times the average within the looser of them: a union of two stories that
    share one frequent name ("Bitcoin", "GM") is far looser than either, so chains through such
    hub words stop. `start` gives groups to begin from (cores), instead of single entries.

    A pair of groups below either bar is not queued: it can rise above them only when its summed
    links grow, in a join, and is queued again then.

    A group keeps the number of the larger of the two it was made from, and only the links of
    the smaller one are rewritten, so a large story absorbing reports one by one stays cheap.
    Averages to the larger group's other neighbours fall when it grows; their queued values
    are checked when they come up and queued again at their true value.

    `trace`, when given, records the run (see Trace).
    """
    n = len(times)
    sqrt = math.sqrt
    first = list(times)
    last = list(times)
    scores = [1.0] * n
    group_of = list(range(n))  # each entry's group, numbered by its first member
    members: dict[int, list[int]] = {}
    for cluster in start:
        if len(cluster.members) > 1:
            a = cluster.members[0]
            members[a] = list(cluster.members)
            for i in cluster.members:
                group_of[i] = a
            first[a] = min(times[i] for i in cluster.members)
            last[a] = max(times[i] for i in cluster.members)
            scores[a] = cluster.score
    group_size = [1] * n
    for number, its_members in members.items():
        group_size[number] = len(its_members)
    if isinstance(edges, list):
        inner, links, heap = _summed_plain(edges, group_of, group_size, members, threshold, pair_threshold)
    else:
        inner, links, heap = _summed(edges, group_of, group_size, members, threshold, pair_threshold)
    heapq.heapify(heap)
    popped = None
    if trace is not None:
        trace.inner = list(inner)
        popped = trace.pops.append
    # The loop pops a few hundred thousand pairs on dense news: names bound locally.
    heappop, heappush, group_of_number = heapq.heappop, heapq.heappush, members.get
    # Of the pairs queued, about how many name a group since joined into another. Without a trace to
    # keep, they are let go of when they are half the queue: on dense news two pops in three were of
    # such pairs. The other pairs pop in the same order (the queue's order is that of its items).
    stale, prune = 0, trace is None
    while heap:
        if prune and stale > len(heap) >> 1 and stale > PRUNE_AT:
            heap = [item for item in heap if item[1] in members and item[2] in members]
            heapq.heapify(heap)
            stale = 0
            if not heap:
                break
        neg_average, a, b = heappop(heap)
        if popped is not None:
            popped((neg_average, a, b))
        group_a = group_of_number(a)
        if group_a is None:
            continue  # one side was joined into another group since this was queued
        group_b = group_of_number(b)
        if group_b is None:
            continue
        size_a, size_b = len(group_a), len(group_b)
        sizes = size_a * size_b
        average = links[a].get(b, 0.0) / sizes
        if average < -neg_average - 1e-12:
            if average >= threshold and average * sqrt(sizes) >= pair_threshold:
                heappush(heap, (-average, a, b))
            continue
        if max(last[a], last[b]) - min(first[a], first[b]) > max_span:
            continue
        if average * sqrt(sizes) < pair_threshold:
            continue  # rises above the bar only if the summed links grow: queued again then
        if cohesion_ratio and min(size_a, size_b) >= cohesion_size:
            cohesion = min(inner[a] / (size_a * (size_a - 1) / 2), inner[b] / (size_b * (size_b - 1) / 2))
            if average < cohesion_ratio * cohesion:
                continue
        if size_a < size_b or (size_a == size_b and a > b):
            a, b, group_a, group_b = b, a, group_b, group_a
        # b (the smaller) joins a.
        stale += len(links[b])
        group_a.extend(members.pop(b))
        first[a], last[a] = min(first[a], first[b]), max(last[a], last[b])
        scores[a] = average
        links_a = links[a]
        inner[a] += inner[b] + links_a[b]
        del links_a[b]
        if trace is not None:
            trace.joins.append((len(trace.pops) - 1, a, b, inner[a]))
        size = len(group_a)
        for other, s in links[b].items():
            if other == a:
                continue
            links_other = links[other]
            del links_other[b]
            total = links_a.get(other, 0.0) + s
            links_a[other] = links_other[a] = total
            sizes = size * len(members[other])
            other_average = total / sizes
            if other_average >= threshold and other_average * sqrt(sizes) >= pair_threshold:
                heappush(heap, (-other_average, a, other) if a < other else (-other_average, other, a))
        links[b] = {}
    linked = [Cluster(tuple(sorted(m)), scores[c]) for c, m in members.items()]
    grouped = {i for m in members.values() for i in m}
    alone = [Cluster((i,), 1.0) for i in range(n) if i not in grouped]
    return sorted(linked + alone)


Summed = tuple[list[float], dict[int, dict[int, float]], list[tuple[float, int, int]]]


def _summed(edges: Pairs | Iterable[tuple[int, int, float]], group_of: list[int], group_size: list[int],
            members: dict[int, list[int]], threshold: float, pair_threshold: float) -> Summed:
    """average_linkage's start: each group's inner sum, the summed similarities between groups (both
    ways), and the pairs of groups above the bars as queued (negated average, group, smaller group
    first); every group with a link given its members. Over all edges at once (dense news has
    millions of edges and far fewer pairs of groups); np.bincount adds in edge order, as a loop
    would. The pairs of groups are summed a range of groups at a time, to bound memory."""
    import numpy as np

    from digest.stories.vectors import as_pairs, unique_inverse

    n = len(group_of)
    pairs = as_pairs(edges)
    group = np.array(group_of, np.int32)
    low, high = group[pairs.first], group[pairs.second]
    np.minimum(low, high, out=low)
    np.maximum(group[pairs.first], high, out=high)
    within = low == high
    inner = np.bincount(low[within], weights=pairs.similarity[within], minlength=n).tolist()
    sizes = np.array(group_size, np.int64)
    links: dict[int, dict[int, float]] = defaultdict(dict)
    heap: list[tuple[float, int, int]] = []
    ranges = max(1, len(pairs) // SLICE)
    for k in range(ranges):
        at = np.flatnonzero(~within & (low >= k * n // ranges) & (low < (k + 1) * n // ranges))
        if not len(at):
            continue
        keys, which = unique_inverse(low[at].astype(np.int64) * n + high[at])
        sums = np.bincount(which, weights=pairs.similarity[at], minlength=len(keys))
        a_of, b_of = np.divmod(keys, n)
        # The bars as the loop below tests them (the same float operations).
        pair_sizes = sizes[a_of] * sizes[b_of]
        averages = sums / pair_sizes
        queued = (averages >= threshold) & (averages * np.sqrt(pair_sizes) >= pair_threshold)
        heap.extend(zip((-averages[queued]).tolist(), a_of[queued].tolist(), b_of[queued].tolist(), strict=True))
        # Each group's links, both ways, added a group at a time.
        source = np.concatenate((a_of, b_of))
        order = np.argsort(source, kind="stable")
        source = source[order]
        targets = np.concatenate((b_of, a_of))[order].tolist()
        values = np.concatenate((sums, sums))[order].tolist()
        cuts = (np.flatnonzero(np.diff(source)) + 1).tolist()
        for g, begin, end in zip(source[[0, *cuts]].tolist(), [0, *cuts], [*cuts, len(targets)], strict=True):
            links[g].update(zip(targets[begin:end], values[begin:end], strict=True))
            members.setdefault(g, [g])
    return inner, links, heap


def _summed_plain(edges: list[tuple[int, int, float]], group_of: list[int], group_size: list[int],
                  members: dict[int, list[int]], threshold: float, pair_threshold: float) -> Summed:
    """_summed for edges in a list, in plain Python: the same sums, added in the same order from
    0.0 (as np.bincount adds), and the same float operations for the bars."""
    inner = [0.0] * len(group_of)
    sums: dict[tuple[int, int], float] = {}
    for i, j, similarity in edges:
        a, b = group_of[i], group_of[j]
        if a == b:
            inner[a] += similarity
        else:
            key = (a, b) if a < b else (b, a)
            sums[key] = sums.get(key, 0.0) + similarity
    links: dict[int, dict[int, float]] = defaultdict(dict)
    heap: list[tuple[float, int, int]] = []
    for (a, b), total in sums.items():
        sizes = group_size[a] * group_size[b]
        average = total / sizes
        if average >= threshold and average * math.sqrt(sizes) >= pair_threshold:
            heap.append((-average, a, b))
        links[a][b] = links[b][a] = total
        members.setdefault(a, [a])
        members.setdefault(b, [b])
    return inner, links, heap


class Bars(NamedTuple):
    """What one round of average linkage asks of a join (see average_linkage), and the least
    similarity of the pairs it reads."""

    threshold: float
    pair_threshold: float
    cohesion_ratio: float
    cohesion_size: int
    max_span: float
    min_similarity: float


def core_bars(settings: StorySettings) -> Bars:
    return Bars(settings.core_threshold, settings.pair_threshold, settings.cohesion_ratio, settings.cohesion_size,
                settings.max_span_days * 86400.0, settings.core_similarity)


def story_bars(settings: StorySettings) -> Bars:
    return Bars(settings.threshold, settings.pair_threshold, settings.cohesion_ratio, settings.cohesion_size,
                settings.max_span_days * 86400.0, 0.0)


def copy_bar(settings: StorySettings) -> float:
    return max(settings.copy_similarity, settings.core_similarity)


def link_round(times: Sequence[float], edges: Pairs | list[tuple[int, int, float]], bars: Bars,
               start: Sequence[Cluster], trace: Trace | None = None) -> list[Cluster]:
    """average_linkage with these bars over the pairs (all at least bars.min_similarity alike)."""
    return average_linkage(times, edges, bars.threshold, bars.max_span, bars.pair_threshold, bars.cohesion_ratio,
                           bars.cohesion_size, start, trace)


def link_stories(times: Sequence[float], edges: Pairs | Iterable[tuple[int, int, float]],
                 settings: StorySettings) -> list[Cluster]:
    """Stories from similar pairs, in three rounds, each starting from the groups of the last:
    near copies (headlines at least `copy_similarity` alike, joined directly or through others);
    cores (average linkage over the pairs at least `core_similarity` alike, joining at
    `core_threshold`); then stories (average linkage over every pair), each report then moved to the
    story it is most like (`moved`), and each story split where its coverage pauses. Dense news has millions
    of weak pairs: linked one by one they cost most of the time, summed once per pair of cores
    they do not."""
    if isinstance(edges, list):
        strong: Pairs | list[tuple[int, int, float]] = [e for e in edges if e[2] >= settings.core_similarity]
    else:
        from digest.stories.vectors import as_pairs

        edges = as_pairs(edges)
        strong = edges.where(edges.similarity >= settings.core_similarity)
    copies = near_copies(times, strong, copy_bar(settings), settings.max_span_days * 86400.0)
    cores = link_round(times, strong, core_bars(settings), copies)
    stories = moved(times, edges, link_round(times, edges, story_bars(settings), cores), settings)
    return sorted(piece for cluster in stories for piece in split_at_pauses(cluster, times, settings))


def moved(times: Sequence[float], edges: Pairs | list[tuple[int, int, float]], clusters: Sequence[Cluster],
          settings: StorySettings) -> list[Cluster]:
    """The stories of the story round (`clusters`, sorted, every entry in one) after each report of a
    story of two or more has moved where `best_story` sends it, all at once (each as the round left
    the others). A story keeps its score. Average linkage never undoes a join: a report taken into a
    story early, by a few of its first members, stays when the story grows into something it is less
    like than another one. Each report's summed likeness to each story is added over its partners
    in time order (`report_sums`), in every path, so the sums and the moves are the same bits wherever
    a story is formed (group_stories, nearby, the incremental grouper)."""
    if settings.move_margin is None:
        return list(clusters)
    members: list[list[int]] = [[] for _ in clusters]
    for i, k in enumerate(destinations(times, edges, clusters, settings)):
        members[k].append(i)
    return [Cluster(tuple(m), clusters[k].score if len(m) > 1 else 1.0) for k, m in enumerate(members) if m]


def destinations(times: Sequence[float], edges: Pairs | list[tuple[int, int, float]], clusters: Sequence[Cluster],
                 settings: StorySettings) -> list[int]:
    """Per entry, the number (in `clusters`) of the story `moved` puts it in."""
    label = [0] * len(times)
    for k, cluster in enumerate(clusters):
        for i in cluster.members:
            label[i] = k
    sizes = [len(c.members) for c in clusters]
    first = [times[c.members[0]] for c in clusters]  # members ascending: in time order
    last = [times[c.members[-1]] for c in clusters]
    if isinstance(edges, list):
        partners: list[list[tuple[int, float]]] = [[] for _ in times]
        for i, j, similarity in edges:
            partners[i].append((j, similarity))
            partners[j].append((i, similarity))
        sums = [report_sums(sorted(p), label) for p in partners]
        size_of, first_of, last_of = dict(enumerate(sizes)), dict(enumerate(first)), dict(enumerate(last))
        return [best_story(label[i], sums[i], size_of, first_of, last_of, times[i], settings)
                for i in range(len(times))]
    return _moved_arrays(times, edges, label, sizes, first, last, settings)


def report_sums(partners: Iterable[tuple[int, float]],
                label: Sequence[Label] | Mapping[int, Label]) -> dict[Label, float]:
    """A report's summed likeness to each story (by label), its partners (entry, likeness) given in
    time order and added in that order from 0.0 (as np.bincount adds)."""
    sums: dict[Label, float] = {}
    for j, similarity in partners:
        k = label[j]
        sums[k] = sums.get(k, 0.0) + similarity
    return sums


def best_story(own: Label, sums: Mapping[Label, float], sizes: Mapping[Label, int], first: Mapping[Label, float],
               last: Mapping[Label, float], time: float, settings: StorySettings) -> Label:
    """The story a report of story `own` goes to (see `moved`): the story (label) of the highest
    summed likeness over the square root of its size (a tie to the lowest label: labels follow the
    stories' first members in time order), when that is more than 1 + move_margin times the report's
    summed likeness to its own story's others over the square root of their number, passes the bars
    of a join of one report to it (linkage's: average at least threshold, average times the square
    root of the sizes at least pair_threshold), and keeps it within max_span_days; else `own`. A report
    alone stays alone."""
    size = sizes[own]
    if size < 2 or settings.move_margin is None:
        return own
    best, best_score, best_sum = own, -1.0, 0.0
    for k, total in sums.items():
        if k == own:
            continue
        score = total / math.sqrt(sizes[k])
        if score > best_score or (score == best_score and k < best):
            best, best_score, best_sum = k, score, total
    if best == own:
        return own
    mine = sums.get(own, 0.0) / math.sqrt(size - 1)
    if (best_score > mine * (1.0 + settings.move_margin) and best_sum / sizes[best] >= settings.threshold
            and best_score >= settings.pair_threshold
            and max(last[best], time) - min(first[best], time) <= settings.max_span_days * 86400.0):
        return best
    return own


def _moved_arrays(times: Sequence[float], edges: Pairs, label_list: list[int], size_list: list[int],
                  first_list: list[float], last_list: list[float], settings: StorySettings) -> list[int]:
    """`moved`'s destinations with numpy, for many pairs: best_story's arithmetic, the same bits. The
    reports are taken a range at a time, each range holding about SLICE of their pairs (dense news has
    millions: every pair counted from both ends at once took 300 MB more)."""
    import numpy as np

    from digest.stories.vectors import as_pairs

    margin = settings.move_margin
    assert margin is not None
    n = len(times)
    pairs = as_pairs(edges)
    label = np.array(label_list, np.int64)
    sizes = np.array(size_list, np.int64)
    dest = label.copy()
    movable = sizes[label] >= 2
    first, second = pairs.first, pairs.second
    held = (np.bincount(first, minlength=n) + np.bincount(second, minlength=n)) * movable
    total = np.cumsum(held)
    bounds = [0, *np.searchsorted(total, np.arange(SLICE, int(total[-1]) if n else 0, SLICE)).tolist(), n]
    at = np.array(times, np.float64)
    begin, end = np.array(first_list, np.float64), np.array(last_list, np.float64)
    for lo, hi in itertools.pairwise(bounds):
        if lo >= hi:
            continue
        ahead = np.flatnonzero((first >= lo) & (first < hi))
        behind = np.flatnonzero((second >= lo) & (second < hi))
        report = np.concatenate((first[ahead], second[behind])).astype(np.int64)
        partner = np.concatenate((second[ahead], first[behind])).astype(np.int64)
        similarity = np.concatenate((pairs.similarity[ahead], pairs.similarity[behind]))
        kept = movable[report]
        report, partner, similarity = report[kept], partner[kept], similarity[kept]
        if not len(report):
            continue
        order = np.argsort(report * n + partner)  # each report's partners in time order
        report, partner, similarity = report[order], partner[order], similarity[order]
        count = len(size_list)
        keys, which = np.unique(report * count + label[partner], return_inverse=True)
        sums = np.bincount(which, weights=similarity, minlength=len(keys))  # in the partners' order, per key
        of, story = np.divmod(keys, count)
        own = story == label[of]
        mine = np.zeros(hi - lo)
        mine[of[own] - lo] = sums[own]
        mine = mine / np.sqrt(np.maximum(sizes[label[lo:hi]] - 1, 1))
        of, story, sums = of[~own], story[~own], sums[~own]
        if not len(of):
            continue
        score = sums / np.sqrt(sizes[story])
        ranked = np.lexsort((-story, score, of))  # per report, the best last (a tie: the lowest label)
        of, story, sums, score = of[ranked], story[ranked], sums[ranked], score[ranked]
        best = np.flatnonzero(np.append(of[1:] != of[:-1], True))
        of, story, sums, score = of[best], story[best], sums[best], score[best]
        move = ((score > mine[of - lo] * (1.0 + margin))
                & (sums / sizes[story] >= settings.threshold) & (score >= settings.pair_threshold)
                & (np.maximum(end[story], at[of]) - np.minimum(begin[story], at[of])
                   <= settings.max_span_days * 86400.0))
        dest[of[move]] = story[move]
    return dest.tolist()


def split_at_pauses(cluster: Cluster, times: Sequence[float] | Mapping[int, float],
                    settings: StorySettings) -> list[Cluster]:
    """A formed story split where its coverage pauses (settings.quiet_hours): at the longest time
    between two successive members (in the order given: time order) with at least
    `quiet_min_reports` members on each side, when it is at least quiet_hours and at least as long
    as either side lasted; then each side again. Reports of one event come in a burst that thins
    out (a pause shorter than the coverage on one side of it keeps the story whole, however late),
    and one subject covered again hours later, after it went quiet, is a new event. Depends on the
    members' times alone, so it is the same wherever a story is formed (group_stories, nearby,
    the incremental grouper). Each piece keeps the story's score; one of a single entry, 1.0."""
    if settings.quiet_hours is None:
        return [cluster]
    quiet, least = settings.quiet_hours * 3600.0, max(1, settings.quiet_min_reports)
    pieces: list[Cluster] = []
    pending = [cluster.members]
    while pending:
        members = pending.pop()
        at, longest = -1, -1.0
        for k in range(least, len(members) - least + 1):
            pause = times[members[k]] - times[members[k - 1]]
            if pause > longest:
                at, longest = k, pause
        if at >= 0 and longest >= quiet:
            before, after = members[:at], members[at:]
            lasted = max(times[before[-1]] - times[before[0]], times[after[-1]] - times[after[0]])
            if longest >= lasted:
                pending += [after, before]
                continue
        pieces.append(Cluster(members, cluster.score if len(members) > 1 else 1.0))
    return pieces


def near_copies(times: Sequence[float], edges: Pairs | Iterable[tuple[int, int, float]], bar: float,
                max_span: float) -> list[Cluster]:
    """The groups of entries joined by pairs at least `bar` alike, directly or through others,
    a group spanning at most `max_span` (a headline repeated every hour, "Stock market live
    blog", would otherwise chain a whole week). Each scored by the average of its pairs."""
    parent = list(range(len(times)))
    first, last = list(times), list(times)

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    if isinstance(edges, list):
        strong = [e for e in edges if e[2] >= bar]
    else:
        from digest.stories.vectors import as_pairs

        pairs = as_pairs(edges)
        strong = list(pairs.where(pairs.similarity >= bar))
    for i, j, _ in strong:
        a, b = root(i), root(j)
        if a != b and max(last[a], last[b]) - min(first[a], first[b]) <= max_span:
            a, b = min(a, b), max(a, b)
            parent[b] = a
            first[a], last[a] = min(first[a], first[b]), max(last[a], last[b])
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(times)):
        groups[root(i)].append(i)
    summed: dict[int, float] = defaultdict(float)
    for i, j, s in strong:
        a = root(i)
        if a == root(j):
            summed[a] += s
    return [Cluster(tuple(g), summed[a] / (len(g) * (len(g) - 1) / 2)) for a, g in groups.items() if len(g) > 1]
