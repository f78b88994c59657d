"""Which stories an edit can reach in linkage's last round, exactly (for the incremental grouper).

On dense news the similarity graph of a week is one connected part, so "relink the connected
part" relinks everything. This module lets the grouper relink only the stories an edit touched,
and proves that nothing outside them would have changed.

Why that is exact. Average linkage (linkage.average_linkage) pops pairs of groups from one queue;
what a pop does depends only on the two groups' state (members, summed links between them, the
sum within each), and a pop that does not join changes nothing. So run on a set of entries that
is a union of its final stories, the run is the same as on all entries restricted to them, if no
pair across two of those stories would ever join. And the pops of one story's own pairs come in
the order of that story's own queue: the whole run is these sequences merged, an item of one
popping before an item of another when its running maximum of keys is smaller. That running
maximum is each story's clock; a group is alive from the clock of the join that made it to the
clock of the join that took it in.

A pair of groups x and y of two stories can then join only if (1) their summed links pass the
queue's bars (average at least threshold, average * sqrt(sizes) at least pair_threshold), (2) it
is popped while both are alive: the pop of an entry queued at average v evaluates the pair only
when its present average is at least v, so at a clock of at least -(average), before both deaths,
after both births; (3) their span and (4) cohesion allow. `may_join` tests every pair of groups
of two stories against these, with a little slack for floats summed in another order. When none
can join, the stories stay apart in any run that holds both. The test errs only towards "may
join", which costs relinking one more story, never a wrong result.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import NamedTuple

from digest.stories.linkage import Bars, Cluster, Trace

SLACK = 1e-9  # relative: summed in another order, a float sum differs by far less
TIE = 1e-9  # clocks this close may be in either order


class State(NamedTuple):
    """One group a story passed through in linkage's last round."""

    start: tuple[int, ...]  # its entries when it was a start group (a core or one entry), else ()
    parts: tuple[int, int]  # the two states it was joined from, (-1, -1) for a start group
    size: int
    first: float  # earliest and latest member's time
    last: float
    inner: float  # summed similarity of its pairs
    born: float  # the story's clock when it formed (-inf for a start group)
    died: float  # ... and when it was joined into another (inf for the story itself)


History = tuple[State, ...]  # children before the states joined from them; the story last


def histories(nodes: Sequence[int], times: Sequence[float], start: Sequence[Cluster],
              clusters: Sequence[Cluster], trace: Trace) -> list[History]:
    """Each cluster's history, from the trace of the run that formed them (entries numbered
    0..n-1 in the run, `nodes` their ids outside it; `start` the groups the run began with)."""
    owner = [0] * len(times)
    for c, cluster in enumerate(clusters):
        for k in cluster.members:
            owner[k] = c
    states: list[list[State]] = [[] for _ in clusters]  # per cluster
    current: dict[int, int] = {}  # group number -> its state in its cluster

    def leaf(members: tuple[int, ...], inner: float) -> int:
        own = states[owner[members[0]]]
        own.append(State(tuple(nodes[k] for k in members), (-1, -1), len(members), min(times[k] for k in members),
                         max(times[k] for k in members), inner, -math.inf, math.inf))
        current[members[0]] = len(own) - 1
        return len(own) - 1

    for cluster in start:
        if len(cluster.members) > 1:
            leaf(cluster.members, trace.inner[cluster.members[0]])
    clock = [-math.inf] * len(clusters)
    joins = iter(trace.joins)
    join = next(joins, None)
    for number, (key, a, b) in enumerate(trace.pops):
        c = owner[a]
        if c == owner[b] and key > clock[c]:
            clock[c] = key
        if join is None or join[0] != number:
            continue
        _, kept, joined, inner = join
        join = next(joins, None)
        own = states[c]
        x = current[kept] if kept in current else leaf((kept,), 0.0)
        y = current[joined] if joined in current else leaf((joined,), 0.0)
        own[x] = own[x]._replace(died=clock[c])
        own[y] = own[y]._replace(died=clock[c])
        own.append(State((), (x, y), own[x].size + own[y].size, min(own[x].first, own[y].first),
                         max(own[x].last, own[y].last), inner, clock[c], math.inf))
        current[kept] = len(own) - 1
    for c, cluster in enumerate(clusters):
        if not states[c]:
            leaf(cluster.members, 0.0)
    return [tuple(own) for own in states]


def members(history: History, state: int) -> list[int]:
    """The entries of one state."""
    found: list[int] = []
    todo = [state]
    while todo:
        s = history[todo.pop()]
        if s.parts[0] < 0:
            found.extend(s.start)
        else:
            todo.extend(s.parts)
    return found


def _state_links(history: History, weights: Mapping[int, float]) -> list[float]:
    """Per state, its members' summed links to the other story (weights: per entry)."""
    summed: list[float] = []
    for s in history:
        if s.parts[0] < 0:
            summed.append(sum(weights.get(i, 0.0) for i in s.start))
        else:
            summed.append(summed[s.parts[0]] + summed[s.parts[1]])
    return summed


def may_join(one: History, other: History, to_other: Mapping[int, float], to_one: Mapping[int, float],
             edges: Mapping[int, Mapping[int, float]], bars: Bars) -> bool:
    """Whether a round of linkage with these bars, run on both stories' entries, could join a
    group of one with a group of the other (see the module's doc). `to_other`: per entry of
    `one`, its summed similarity to the entries of `other` (pairs the round reads); `to_one` the
    same the other way; `edges` every pair."""
    floor = bars.pair_threshold * (1.0 - SLACK)
    links_one = _state_links(one, to_other)
    links_other = _state_links(other, to_one)
    xs = [k for k, v in enumerate(links_one) if v >= floor and _in_time(one[k], v)]
    ys = [k for k, v in enumerate(links_other) if v >= floor and _in_time(other[k], v)]
    for x in xs:
        sx = one[x]
        for y in ys:
            sy = other[y]
            if sx.born > sy.died + TIE or sy.born > sx.died + TIE:
                continue  # never alive at once
            if max(sx.last, sy.last) - min(sx.first, sy.first) > bars.max_span:
                continue
            # A story's own last state holds all its entries: then the smaller sum is exact.
            bound = min(links_one[x], links_other[y])
            if not _could_join(sx, sy, bound, bars):
                continue
            if sx.died == math.inf or sy.died == math.inf:
                return True
            linked_y = set(members(other, y))
            least = bars.min_similarity
            exact = sum(s for i in members(one, x) for j, s in edges[i].items() if j in linked_y and s >= least)
            if _could_join(sx, sy, exact, bars):
                return True
    return False


def _in_time(state: State, links: float) -> bool:
    """Whether a state whose pairs with the other story sum to `links` can be popped with one of
    its groups before it is joined into another (its average with any of them is at most
    links / size)."""
    return -links * (1.0 + SLACK) / state.size - TIE <= state.died


def _could_join(x: State, y: State, links: float, bars: Bars) -> bool:
    """Whether groups x and y, their pairs summing to at most `links`, pass the bars, could be
    popped while both are alive, and pass the cohesion test."""
    sizes = x.size * y.size
    average = links / sizes * (1.0 + SLACK)
    if average < bars.threshold or average * math.sqrt(sizes) < bars.pair_threshold:
        return False
    if -average - TIE > min(x.died, y.died):
        return False  # popped, if at all, after one of them was joined into another group
    if bars.cohesion_ratio and min(x.size, y.size) >= bars.cohesion_size:
        cohesion = min(s.inner / (s.size * (s.size - 1) / 2) for s in (x, y))
        if average < bars.cohesion_ratio * cohesion * (1.0 - SLACK):
            return False
    return True
