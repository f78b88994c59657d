"""Average-linkage clustering over a sparse similarity graph, bounded in time.

Pairs that were never compared count as similarity 0, so a group joins another only when
its members are, on average, similar to all of the other's members: one shared name is
not enough to chain two stories together (the weakness of single linkage).
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import NamedTuple


class Cluster(NamedTuple):
    members: tuple[int, ...]  # indices into the input, ascending
    score: float  # the average similarity at its last join; 1.0 for a single entry


def average_linkage(
    times: Sequence[float],
    edges: Iterable[tuple[int, int, float]],
    threshold: float,
    max_span: float,
    pair_threshold: float = 0.0,
) -> list[Cluster]:
    """Join groups while the best average similarity is >= the bar and the span allows.

    The bar for groups of n and m entries is pair_threshold / sqrt(n * m), never below
    threshold: two lone headlines need a strong likeness, but a large story's reports are
    varied and each shares a word or two with only some of the others, so its average is low.

    A group keeps the number of the larger of the two it was made from, and only the links of
    the smaller one are rewritten, so a large story absorbing reports one by one stays cheap.
    Averages to the larger group's other neighbours fall when it grows; their queued values
    are checked when they come up and queued again at their true value.
    """
    n = len(times)
    links: dict[int, dict[int, float]] = defaultdict(dict)  # summed similarities between groups
    for i, j, s in edges:
        links[i][j] = links[i].get(j, 0.0) + s
        links[j][i] = links[j].get(i, 0.0) + s
    members: dict[int, list[int]] = {i: [i] for i in links}
    first = list(times)
    last = list(times)
    scores = [1.0] * n
    heap = [(-s, i, j) for i in sorted(links) for j, s in links[i].items() if i < j and s >= threshold]
    heapq.heapify(heap)
    while heap:
        neg_average, a, b = heapq.heappop(heap)
        group_a, group_b = members.get(a), members.get(b)
        if group_a is None or group_b is None:
            continue  # one side was joined into another group since this was queued
        average = links[a].get(b, 0.0) / (len(group_a) * len(group_b))
        if average < -neg_average - 1e-12:
            if average >= threshold:
                heapq.heappush(heap, (-average, a, b))
            continue
        if max(last[a], last[b]) - min(first[a], first[b]) > max_span:
            continue
        if average * math.sqrt(len(group_a) * len(group_b)) < pair_threshold:
            continue  # rises above the bar only if the summed links grow: queued again then
        if len(group_a) < len(group_b) or (len(group_a) == len(group_b) and a > b):
            a, b, group_a, group_b = b, a, group_b, group_a
        # b (the smaller) joins a.
        group_a.extend(members.pop(b))
        first[a], last[a] = min(first[a], first[b]), max(last[a], last[b])
        scores[a] = average
        links_a = links[a]
        del links_a[b]
        size = len(group_a)
        for other, s in links[b].items():
            if other == a:
                continue
            links_other = links[other]
            del links_other[b]
            total = links_a.get(other, 0.0) + s
            links_a[other] = links_other[a] = total
            other_average = total / (size * len(members[other]))
            if other_average >= threshold:
                heapq.heappush(heap, (-other_average, min(a, other), max(a, other)))
        links[b] = {}
    linked = [Cluster(tuple(sorted(m)), scores[c]) for c, m in members.items()]
    alone = [Cluster((i,), 1.0) for i in range(n) if i not in members and i not in links]
    return sorted(linked + alone)
