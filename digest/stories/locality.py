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

    @functools.cached_property
    def table(self) -> FloatArray:
        """Per state: lo, hi, size, first, last, born, died, cohesion (for may_join_each)."""
        t = self.layout
        return np.column_stack((t.lo, t.hi, t.size, t.first, t.last, t.born, t.died,
                                _cohesion(t, np.arange(len(t.lo)))))


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
    # The pairs by key, each key's in their order (one stable sort: np.unique and an argsort were two).
    order = np.argsort(key, kind="stable")
    ordered = key[order]
    first = np.empty(len(key), bool)
    first[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    keys = ordered[first]
    which = np.empty(len(key), np.int64)
    which[order] = np.cumsum(first) - 1
    sums = np.bincount(which, weights=similarity, minlength=len(keys))
    chosen = np.flatnonzero(sums >= bars.pair_threshold * (1.0 - SLACK))
    if not len(chosen):
        return found
    starts = np.flatnonzero(first)
    ends = np.append(starts[1:], len(key))
    # may_join of each formed group with all the old groups it has pairs with, at once (an edit
    # in a story of 400 tested 400 neighbours one by one, a fifth of a millisecond each).
    formed_of = keys[chosen] // old.count
    at_inside, at_outside = place[inside], old.place[outside]
    for f in np.unique(formed_of).tolist():
        its = chosen[formed_of == f]
        others = [old.of[int(outside[order[starts[k]]])] for k in its.tolist()]
        joins = may_join_each(formed[f].history, [g.history for g in others], order, starts[its], ends[its],
                              at_inside, at_outside, similarity, bars)
        found.update(g for g, j in zip(others, joins.tolist(), strict=True) if j)
    return found


class Table(NamedTuple):
    """The states of several groups, one after another (see may_join_each)."""

    row: IntArray  # which group each state is of
    lo: IntArray
    hi: IntArray
    size: FloatArray
    first: FloatArray
    last: FloatArray
    born: FloatArray
    died: FloatArray
    cohesion: FloatArray


def _table(histories: Sequence[History]) -> Table:
    counts = [len(h.states) for h in histories]
    joined = np.concatenate([h.table for h in histories])
    lo, hi, size, first, last, born, died, cohesion = joined.T
    return Table(np.repeat(np.arange(len(histories)), counts), lo.astype(np.int64), hi.astype(np.int64), size,
                 first, last, born, died, cohesion)


def may_join_each(one: History, others: Sequence[History], order: IntArray, starts: IntArray, ends: IntArray,
                  at_one: IntArray, at_other: IntArray, similarity: FloatArray, bars: Bars) -> npt.NDArray[np.bool_]:
    """may_join(one, other) for each of `others`, all at once: the same float operations on the
    same numbers (each sum added in the same order), so the same answers. The pairs between one
    and the k-th other are order[starts[k]:ends[k]], their ends' places in one's and in the other's
    run order `at_one` and `at_other`, their `similarity`."""
    count = len(others)
    a = one.layout
    result = np.zeros(count, bool)
    width_a = len(a.order)
    widths = np.array([len(h.layout.order) for h in others], np.int64)
    # Groups a batch at a time, to bound the arrays of per-place sums (batch x widest).
    rows_at_once = max(1, PLACES // max(width_a, int(widths.max())))
    for begin in range(0, count, rows_at_once):
        end = min(count, begin + rows_at_once)
        result[begin:end] = _may_join_batch(one, others[begin:end], order, starts[begin:end], ends[begin:end],
                                            at_one, at_other, similarity, bars)
    return result


PLACES = 1 << 21  # per-place sums held at once, about
STATE_PAIRS = 1 << 20  # pairs of states tested at once, about


def _may_join_batch(one: History, others: Sequence[History], order: IntArray, starts: IntArray, ends: IntArray,
                    at_one: IntArray, at_other: IntArray, similarity: FloatArray,
                    bars: Bars) -> npt.NDArray[np.bool_]:
    a = one.layout
    count = len(others)
    lengths = ends - starts
    # The pairs of each group in may_join's order (reached's stable order), row by row.
    pairs = order[np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(int(lengths.sum()))]
    row = np.repeat(np.arange(count), lengths)
    weights = similarity[pairs]
    links_a = _row_run_sums(row, at_one[pairs], weights, count, len(a.order), a.lo, a.hi)
    b = _table(others)
    width = max(len(h.layout.order) for h in others)
    links_b_rows = _row_run_sums(row, at_other[pairs], weights, count, width, None, None)
    links_b = links_b_rows[b.row, b.hi] - links_b_rows[b.row, b.lo] + ABSOLUTE
    floor = bars.pair_threshold * (1.0 - SLACK)
    x_ok = (links_a >= floor) & _in_time(a.size[None, :], a.died[None, :], links_a)
    y_ok = (links_b >= floor) & _in_time(b.size, b.died, links_b)
    x_row, x_state = np.nonzero(x_ok)
    y_state = np.flatnonzero(y_ok)
    y_row = b.row[y_state]
    per_row = np.bincount(y_row, minlength=count)
    repeat = per_row[x_row]
    total = int(repeat.sum())
    result = np.zeros(count, bool)
    if not total:
        return result
    if total > STATE_PAIRS:  # too many to test at once: one by one
        return _one_by_one(one, others, pairs, row, at_one, at_other, weights, bars)
    y_first = np.cumsum(per_row) - per_row
    xs = np.repeat(x_state, repeat)
    rows = np.repeat(x_row, repeat)
    ys = y_state[np.repeat(y_first[x_row] - np.cumsum(repeat) + repeat, repeat) + np.arange(total)]
    cohesion_a = one.table[:, 7]
    size_x, died_x, size_y, died_y = a.size[xs], a.died[xs], b.size[ys], b.died[ys]
    possible = ((a.born[xs] <= died_y + TIE) & (b.born[ys] <= died_x + TIE)
                & (np.maximum(a.last[xs], b.last[ys]) - np.minimum(a.first[xs], b.first[ys]) <= bars.max_span))
    bound = np.minimum(links_a[rows, xs], links_b[ys])
    cohesion_x, cohesion_y = cohesion_a[xs], b.cohesion[ys]
    possible &= _could_join(size_x, size_y, died_x, died_y, cohesion_x, cohesion_y, bound, bars)
    # A group's own last state holds all its entries: then the smaller sum is exact.
    result[rows[possible & ((died_x == math.inf) | (died_y == math.inf))]] = True
    # Else each pair of states still possible with its exact sum: per state y of the other group
    # ("column"), _run_sums of the pairs whose end lies in y, as may_join sums them.
    at = np.flatnonzero(possible & ~result[rows])
    if not len(at):
        return result
    columns, column_of = np.unique(rows[at] * len(b.row) + ys[at], return_inverse=True)
    column_row, column_state = np.divmod(columns, len(b.row))
    if len(columns) * len(a.order) > PLACES:  # too many to sum at once: one by one
        return _one_by_one(one, others, pairs, row, at_one, at_other, weights, bars)
    # A column's pairs: those of its row whose end in the other group lies in y's run, found in
    # the pairs sorted by (row, place there), then put back in their order.
    place_b = at_other[pairs]
    by_place = np.lexsort((place_b, row))
    sorted_key = row[by_place] * (width + 1) + place_b[by_place]
    low = np.searchsorted(sorted_key, column_row * (width + 1) + b.lo[column_state])
    own = np.searchsorted(sorted_key, column_row * (width + 1) + b.hi[column_state]) - low
    column = np.repeat(np.arange(len(columns)), own)
    member = by_place[np.repeat(low - np.cumsum(own) + own, own) + np.arange(int(own.sum()))]
    in_order = np.lexsort((member, column))
    member, column = member[in_order], column[in_order]
    summed = _row_run_sums(column, at_one[pairs[member]], weights[member], len(columns), len(a.order), None, None)
    x = xs[at]
    exact = summed[column_of, a.hi[x]] - summed[column_of, a.lo[x]] + ABSOLUTE
    joins = _could_join(size_x[at], size_y[at], died_x[at], died_y[at], cohesion_x[at], cohesion_y[at], exact, bars)
    result[rows[at][joins]] = True
    return result


def _row_run_sums(row: IntArray, at: IntArray, similarity: FloatArray, count: int, width: int,
                  lo: IntArray | None, hi: IntArray | None) -> FloatArray:
    """_run_sums for several groups' pairs at once, one row each: the per-place sums of row r
    are those of its pairs alone, added in the same order (bincount), and summed along the row
    as _run_sums does (cumsum), so each number is _run_sums' own. Without lo and hi, the running
    sums themselves (a zero first)."""
    per_place = np.bincount(row * width + at, weights=similarity, minlength=count * width).reshape(count, width)
    summed = np.concatenate((np.zeros((count, 1)), np.cumsum(per_place, axis=1)), axis=1)
    if lo is None or hi is None:
        return np.asarray(summed, np.float64)
    return np.asarray(summed[:, hi] - summed[:, lo] + ABSOLUTE, np.float64)


def _one_by_one(one: History, others: Sequence[History], pairs: IntArray, row: IntArray, at_one: IntArray,
                at_other: IntArray, weights: FloatArray, bars: Bars) -> npt.NDArray[np.bool_]:
    """_may_join_batch by calling may_join for each of others (pairs: the k-th's where row is k)."""
    result = np.zeros(len(others), bool)
    for k, other in enumerate(others):
        at = pairs[row == k]
        result[k] = may_join(one, other, at_one[at], at_other[at], weights[row == k], bars)
    return result
