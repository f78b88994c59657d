"""Average-linkage clustering over a sparse similarity graph, bounded in time.

Pairs that were never compared count as similarity 0, so a group joins another only when
its members are, on average, similar to all of the other's members: one shared name is
not enough to chain two stories together (the weakness of single linkage).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Cluster:
    members: tuple[int, ...]  # indices into the input, ascending
    score: float  # the average similarity at its last join; 1.0 for a single entry


def average_linkage(
    times: Sequence[float],
    edges: Iterable[tuple[int, int, float]],
    threshold: float,
    max_span: float,
) -> list[Cluster]:
    """Join groups while the best average similarity is >= threshold and the span allows."""
    n = len(times)
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    first = {i: times[i] for i in range(n)}
    last = dict(first)
    scores = {i: 1.0 for i in range(n)}
    links: dict[int, dict[int, float]] = {i: {} for i in range(n)}  # summed similarities
    for i, j, s in edges:
        links[i][j] = links[i].get(j, 0.0) + s
        links[j][i] = links[j].get(i, 0.0) + s
    heap = [
        (-s, i, j) for i, neighbours in links.items() for j, s in neighbours.items() if i < j
    ]
    heap = [item for item in heap if -item[0] >= threshold]
    heapq.heapify(heap)
    next_id = n
    while heap:
        neg_average, a, b = heapq.heappop(heap)
        if a not in members or b not in members:
            continue  # one side was joined into another group since this was queued
        if max(last[a], last[b]) - min(first[a], first[b]) > max_span:
            continue
        new = next_id
        next_id += 1
        members[new] = members.pop(a) + members.pop(b)
        first[new], last[new] = min(first.pop(a), first.pop(b)), max(last.pop(a), last.pop(b))
        scores[new] = -neg_average
        del scores[a], scores[b]
        merged: dict[int, float] = {}
        for old in (a, b):
            for other, s in links.pop(old).items():
                if other not in (a, b):
                    merged[other] = merged.get(other, 0.0) + s
                    del links[other][old]
        links[new] = merged
        size = len(members[new])
        for other, s in merged.items():
            links[other][new] = s
            average = s / (size * len(members[other]))
            if average >= threshold:
                heapq.heappush(heap, (-average, min(other, new), max(other, new)))
    return [Cluster(tuple(sorted(m)), scores[c]) for c, m in sorted(members.items())]


def centroid_linkage(
    times: Sequence[float],
    vectors: Sequence[dict[str, float]],
    edges: Iterable[tuple[int, int, float]],
    threshold: float,
    max_span: float,
    decay: Callable[[float], float],
    profile_terms: int,
    pair_threshold: float,
    has_text: Sequence[bool],
    text_floor: float,
) -> list[Cluster]:
    """Join groups while the cosine of their centroids is >= threshold and the span allows.

    Only groups linked by at least one compared pair are candidates. Two lone entries need
    `pair_threshold`; the bar falls as the groups grow (groups of n and m need
    pair_threshold / sqrt(n * m), never less than threshold): a word or two in common is chance
    between two headlines, but evidence when it is what a large group is about. Groups whose
    members all have text need `text_floor` too: any two texts share some words.
    """
    n = len(times)
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    centroid: dict[int, dict[str, float]] = {i: dict(v) for i, v in enumerate(vectors)}
    profile = {i: _profile(v, profile_terms) for i, v in centroid.items()}
    first = {i: times[i] for i in range(n)}
    last = dict(first)
    mean_time = dict(first)
    with_text = dict(enumerate(has_text))
    scores = {i: 1.0 for i in range(n)}
    neighbours: dict[int, set[int]] = {i: set() for i in range(n)}
    heap = []
    for i, j, s in edges:
        neighbours[i].add(j)
        neighbours[j].add(i)
        if s >= max(threshold, pair_threshold):
            heap.append((-s, i, j))
    heapq.heapify(heap)
    next_id = n
    while heap:
        neg_similarity, a, b = heapq.heappop(heap)
        if a not in members or b not in members:
            continue
        if max(last[a], last[b]) - min(first[a], first[b]) > max_span:
            continue
        new = next_id
        next_id += 1
        size_a, size_b = len(members[a]), len(members[b])
        mean_time[new] = (mean_time.pop(a) * size_a + mean_time.pop(b) * size_b) / (
            size_a + size_b
        )
        members[new] = members.pop(a) + members.pop(b)
        first[new], last[new] = min(first.pop(a), first.pop(b)), max(last.pop(a), last.pop(b))
        text_a, text_b = with_text.pop(a), with_text.pop(b)
        with_text[new] = text_a and text_b
        scores[new] = -neg_similarity
        del scores[a], scores[b]
        big, small = centroid.pop(a), centroid.pop(b)
        if len(big) < len(small):
            big, small = small, big
        for t, w in small.items():
            big[t] = big.get(t, 0.0) + w
        centroid[new] = big
        profile[new] = _profile(big, profile_terms)
        del profile[a], profile[b]
        linked = (neighbours.pop(a) | neighbours.pop(b)) - {a, b}
        neighbours[new] = linked
        for other in linked:
            neighbours[other] -= {a, b}
            neighbours[other].add(new)
            s = _dot(profile[new], profile[other])
            s *= decay(mean_time[new] - mean_time[other])
            bar = max(threshold, pair_threshold / math.sqrt(len(members[new]) * len(members[other])))
            if with_text[new] and with_text[other]:
                bar = max(bar, text_floor)
            if s >= bar:
                heapq.heappush(heap, (-s, min(other, new), max(other, new)))
    return [Cluster(tuple(sorted(m)), scores[c]) for c, m in sorted(members.items())]


def _profile(centroid: dict[str, float], size: int) -> dict[str, float]:
    """A group's most weighty words, unit length: what the group is about. Dropping the long
    tail keeps a large group of varied headlines as easy to join as a small one."""
    top = sorted(centroid.items(), key=lambda item: (-item[1], item[0]))[:size]
    norm = math.sqrt(sum(w * w for _, w in top)) or 1.0
    return {t: w / norm for t, w in top}


def _dot(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b[t] for t, w in a.items() if t in b)
