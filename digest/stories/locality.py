"""Which groups an edit can reach in a round of average linkage, exactly (for the incremental grouper).

On dense news the similarity graph of a week is one connected part, so "relink the connected
part" relinks everything. This module lets the grouper relink only the groups (cores, stories;
"stories" below) an edit touched, and proves that nothing outside them would have changed.

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

import functools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from digest.stories.linkage import Bars, Cluster, Trace

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
SLACK = 1e-9  # relative: summed in another order, a float sum differs by far less
TIE = 1e-9  # clocks this close may be in either order
ABSOLUTE = 1e-9  # added to sums taken as differences of running sums
BLOCK = 1 << 16  # pairs of states tested at once, about


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


class History:
    """The states one group passed through: children before the states joined from them, the
    group itself last. Laid out for sums (its entries in an order where each state's are one
    run, and per state its fields as arrays) when first tested."""

    def __init__(self, states: Sequence[State]) -> None:
        self.states = tuple(states)

    @functools.cached_property
    def layout(self) -> Layout:
        states = self.states
        count = len(states)
        lo = [0] * count
        order: list[int] = [0] * states[-1].size
        for k in range(count - 1, -1, -1):  # parents before their parts
            state = states[k]
            if state.parts[0] < 0:
                order[lo[k]:lo[k] + state.size] = state.start
            else:
                left, right = state.parts
                lo[left] = lo[k]
                lo[right] = lo[k] + states[left].size
        low = np.array(lo, np.int64)
        size = np.array([t.size for t in states], np.int64)
        fields = np.array([(t.first, t.last, t.inner, t.born, t.died) for t in states], np.float64).reshape(count, 5)
        return Layout(np.array(order, np.int64), low, low + size, size.astype(np.float64), *fields.T)


class Layout(NamedTuple):
    order: IntArray  # its entries in run order
    lo: IntArray  # per state, its entries' run [lo, hi)
    hi: IntArray
    size: FloatArray
    first: FloatArray
    last: FloatArray
    inner: FloatArray
    born: FloatArray
    died: FloatArray


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
    return [History(own) for own in states]


def may_join(one: History, other: History, at_a: IntArray, at_b: IntArray, similarity: FloatArray,
             bars: Bars) -> bool:
    """Whether a round of linkage with these bars, run on both groups' entries, could join a
    state of one with a state of the other (see the module's doc). The pairs between them that
    the round reads: their ends' places in one's and in other's run order, and similarity."""
    a, b = one.layout, other.layout
    links_a = _run_sums(a, at_a, similarity)
    links_b = _run_sums(b, at_b, similarity)
    floor = bars.pair_threshold * (1.0 - SLACK)
    xs = np.flatnonzero((links_a >= floor) & _in_time(a.size, a.died, links_a))
    ys = np.flatnonzero((links_b >= floor) & _in_time(b.size, b.died, links_b))
    if not len(xs) or not len(ys):
        return False
    block = max(1, BLOCK // len(xs))
    return any(_may_join_states(a, b, xs, ys[k:k + block], links_a, links_b, at_a, at_b, similarity, bars)
               for k in range(0, len(ys), block))


def _may_join_states(a: Layout, b: Layout, xs: IntArray, ys: IntArray, links_a: FloatArray, links_b: FloatArray,
                     at_a: IntArray, at_b: IntArray, similarity: FloatArray, bars: Bars) -> bool:
    """may_join for these states of each, all pairs at once (xs down, ys across)."""
    # Alive at once, within the span, and, with the smaller of their sums as bound, past the bars.
    size_x, died_x, cohesion_x = a.size[xs, None], a.died[xs, None], _cohesion(a, xs)[:, None]
    size_y, died_y, cohesion_y = b.size[None, ys], b.died[None, ys], _cohesion(b, ys)[None, :]
    possible = ((a.born[xs, None] <= died_y + TIE) & (b.born[None, ys] <= died_x + TIE)
                & (np.maximum(a.last[xs, None], b.last[None, ys]) - np.minimum(a.first[xs, None], b.first[None, ys])
                   <= bars.max_span))
    bound = np.minimum(links_a[xs, None], links_b[None, ys])
    possible &= _could_join(size_x, size_y, died_x, died_y, cohesion_x, cohesion_y, bound, bars)
    if not possible.any():
        return False
    # A group's own last state holds all its entries: then the smaller sum is exact.
    if (possible & ((died_x == math.inf) | (died_y == math.inf))).any():
        return True
    for column in np.flatnonzero(possible.any(axis=0)).tolist():
        y = int(ys[column])
        in_y = (at_b >= b.lo[y]) & (at_b < b.hi[y])
        exact = _run_sums(a, at_a[in_y], similarity[in_y])[xs, None]
        if (possible[:, column:column + 1] & _could_join(size_x, size_y[:, column:column + 1], died_x,
                                                          died_y[:, column:column + 1], cohesion_x,
                                                          cohesion_y[:, column:column + 1], exact, bars)).any():
            return True
    return False


def _cohesion(layout: Layout, states: IntArray) -> FloatArray:
    """The average similarity within each of these states (0 for one entry)."""
    size = layout.size[states]
    return np.asarray(layout.inner[states] / np.maximum(size * (size - 1) / 2, 1.0), np.float64)


def _run_sums(layout: Layout, at: IntArray, similarity: FloatArray) -> FloatArray:
    """Per state, the similarities of the pairs whose end in this group lies in it (at: places)."""
    per_place = np.bincount(at, weights=similarity, minlength=len(layout.order))
    summed = np.concatenate((np.zeros(1), np.cumsum(per_place)))
    # Differences of running sums: off by far less than the slack, plus a bit for the cancellation.
    return np.asarray(summed[layout.hi] - summed[layout.lo] + ABSOLUTE, np.float64)


def _in_time(size: FloatArray, died: FloatArray, links: FloatArray) -> npt.NDArray[np.bool_]:
    """Whether a state whose pairs with the other group sum to `links` can be popped with one of
    its states before it is joined into another (its average with any of them is at most
    links / size)."""
    return np.asarray(-links * (1.0 + SLACK) / size - TIE <= died)


def _could_join(size_x: FloatArray, size_y: FloatArray, died_x: FloatArray, died_y: FloatArray,
                cohesion_x: FloatArray, cohesion_y: FloatArray, links: FloatArray, bars: Bars) -> npt.NDArray[np.bool_]:
    """Whether states of these sizes, their pairs summing to at most `links`, pass the bars, could
    be popped while both are alive, and pass the cohesion test (arrays that broadcast together)."""
    sizes = size_x * size_y
    average = links / sizes * (1.0 + SLACK)
    ok = (average >= bars.threshold) & (average * np.sqrt(sizes) >= bars.pair_threshold)
    ok &= -average - TIE <= np.minimum(died_x, died_y)  # else popped after one was joined into another
    if bars.cohesion_ratio:
        checked = np.minimum(size_x, size_y) >= bars.cohesion_size
        ok &= ~checked | (average >= bars.cohesion_ratio * np.minimum(cohesion_x, cohesion_y) * (1.0 - SLACK))
    return np.asarray(ok)


@dataclass(frozen=True, eq=False)
class Group:
    """A group one round of linkage formed (a core, a story), with its history."""

    members: tuple[int, ...]  # entry ids in time order
    score: float
    history: History
    number: int  # its number in Groups.number


class Groups:
    """The groups of one round of linkage, per entry id; and per entry id its group's number, an
    array, so that the pairs leaving a region are summed per pair of groups with numpy."""

    def __init__(self) -> None:
        self.of: dict[int, Group] = {}
        self.number: IntArray = np.full(1024, -1, np.int64)
        self.place: IntArray = np.full(1024, -1, np.int64)  # per entry, its place in its group's run order
        self.count = 0

    def add(self, members: tuple[int, ...], score: float, history: History) -> Group:
        group = Group(members, score, history, self.count)
        self.count += 1
        for i in members:
            self.of[i] = group
        if max(members) >= len(self.number):
            size = max(2 * len(self.number), max(members) + 1)
            self.number = np.concatenate((self.number, np.full(size - len(self.number), -1, np.int64)))
            self.place = np.concatenate((self.place, np.full(size - len(self.place), -1, np.int64)))
        self.number[list(members)] = group.number
        if len(members) == 1:
            self.place[members[0]] = 0
        else:
            order = history.layout.order
            self.place[order] = np.arange(len(order))
        return group

    def remove(self, entries: Iterable[int]) -> None:
        for i in entries:
            self.of.pop(i, None)


def reached(formed: Sequence[Group], owner: IntArray, place: IntArray, inside: IntArray, outside: IntArray,
            similarity: FloatArray, old: Groups, bars: Bars) -> set[Group]:
    """The groups of `old` (outside a region) that one of `formed` (in it) may join. The pairs
    leaving the region: `inside` (entry ids in it), `outside` (entry ids), their similarity;
    `owner` and `place` map an entry id in the region to its group's index in `formed` and its
    place in that group's run order."""
    found: set[Group] = set()
    if not len(similarity):
        return found
    one = owner[inside]
    other = old.number[outside]
    key = one * old.count + other
    keys, which = np.unique(key, return_inverse=True)
    sums = np.bincount(which, weights=similarity, minlength=len(keys))
    chosen = np.flatnonzero(sums >= bars.pair_threshold * (1.0 - SLACK))
    if not len(chosen):
        return found
    order = np.argsort(which, kind="stable")
    ends = np.cumsum(np.bincount(which, minlength=len(keys)))
    for k in chosen.tolist():
        at = order[(ends[k - 1] if k else 0):ends[k]]
        group = old.of[int(outside[at[0]])]
        if group in found:
            continue
        if may_join(formed[int(one[at[0]])].history, group.history, place[inside[at]], old.place[outside[at]],
                    similarity[at], bars):
            found.add(group)
    return found
