"""Story grouping on the parts it is tuned on, and nothing else: a quick loop for trying settings.

Usage (from the repository root):
    .venv/bin/python bench/story_tuning.py [--set NAME=VALUE ...] [--seeds N] [--overlay]

Writes a site of the tuning parts' rows only (bench/story_quality.py's parts "tuned on": the first
set, and the rows of headlines-2.csv dated in the tuning week's months), so no held-out headline
is on disk or in memory, and groups each part alone with `group_stories`' own pieces
(`similar_pairs`, `link_stories`), about a second a run, four times: with real times; with every
time cut to noon of its day (bench/story_quality.py's --day-times); with each report moved a
random 0-12 hours after its crawl (seeded), as tests/test_stories.py does; and with each delayed by
an exponential time of mean 6 hours (seeded: a burst with a tail, as coverage thins out). The devset's headlines of
one story were crawled within a minute and its labels split one event crawled twice, so real times
reward reading time to the minute; dates alone hide how news moves within a day; moved times are
spread as real reports of one story are; the tail shows whether a rule on time (a split where
coverage pauses, round 14) cuts off a story's late reports. `--set` overrides a StorySettings field (`--set
half_life_days=0.4 --set cohesion_ratio=0.25`). Grouped alone, the week's word rarity is its own,
so its figures differ from bench/story_quality.py's (where it is grouped with the other weeks) in
the third decimal; choose there, with `--tuning-only`, what is chosen here.

`--seeds N` draws the random views (moved, tail) N times, with seeds 0..N-1, and prints their mean and
the range of F1 (real times and dates only are drawn once: nothing in them is random). One draw's F1
moves by 0.01-0.02 from seed to seed (session 42: 0.888-0.899 on the first set moved, 0.846-0.868 on
the week), as much as most changes tried in the rounds before; two settings run with the same N see the
same draws, so the difference of their means is a paired one.

`--overlay` also groups the first set moved three weeks later (OVERLAY_DAYS), onto the tuning week, with it
as one site of both parts' 9,530 entries, in every view: nothing of one is a story of the other, so a join
across the two is a wrong join through shared words, the chains where two weeks' news meet. Its line adds
"sets apart", the B-cubed precision of the stories against which part each entry came from (1.0 when no
story mixes them).
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import functools
import importlib.util
import json
import random
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from story_quality import DEVSET, shown_parts  # noqa: E402

from digest.config import load_config  # noqa: E402
from digest.load import load_entries_with_features  # noqa: E402
from digest.model import Entry  # noqa: E402
from digest.stories import DEFAULT_SETTINGS, EntryFeatures, StorySettings, _features  # noqa: E402
from digest.stories.linkage import Cluster, link_stories  # noqa: E402
from digest.stories.vectors import Corpus, Pairs, similar_pairs  # noqa: E402

Scorer = Callable[[dict[str, int], dict[str, int]], dict[str, float]]


def tuning_rows(rows: Iterable[dict[str, str]], months: set[int]) -> Iterator[dict[str, str]]:
    """The rows crawled (TIMESTAMP, ms since the epoch, UTC, as make_site dates them) in these months."""
    for row in rows:
        if datetime.fromtimestamp(int(row["TIMESTAMP"]) / 1000, tz=UTC).month in months:
            yield row


def write_part(file: str, months: set[int], folder: Path) -> Path:
    """A site of the part's rows only (make_site.py on a CSV of them)."""
    with open(DEVSET / file, newline="", encoding="utf-8") as source:
        reader = csv.DictReader(source)
        kept = list(tuning_rows(reader, months))
        fields = list(reader.fieldnames or [])
    rows_file = folder / f"{file.removesuffix('.csv')}-tuning.csv"
    with open(rows_file, "w", newline="", encoding="utf-8") as target:
        writer = csv.DictWriter(target, fields)
        writer.writeheader()
        writer.writerows(kept)
    site = folder / rows_file.stem
    subprocess.run([sys.executable, str(DEVSET / "make_site.py"), str(rows_file), str(site)], check=True,
                   stdout=subprocess.DEVNULL)
    return site


TIMES = ("real", "dates only", "moved 0-12 h", "tail of 6 h")


class Grouping(NamedTuple):
    """A tuning part grouped alone: its entries in time order, their times (as a TIMES view has them),
    the similar pairs and the clusters (indices into `ordered`), and each file name's label."""

    ordered: list[Entry]
    times: list[float]
    edges: Pairs
    clusters: list[Cluster]
    label: dict[str, int]


@functools.cache
def loaded(site: Path) -> tuple[list[Entry], Mapping[PurePosixPath, EntryFeatures]]:
    """The site's entries and their features, read once a run (frozen: grouping never changes them)."""
    return load_entries_with_features(load_config(site, required=False))


def grouping(site: Path, settings: StorySettings, times_kind: str, seed: int = 0) -> Grouping:
    """The site grouped alone with group_stories' own pieces, its times as times_kind (TIMES) says
    (drawn with `seed` where they are random)."""
    return laid_over([(site, 0.0)], settings, times_kind, seed)


# The overlay (--overlay): the first set (March 10-12) moved this many days later, onto the tuning week
# (March 31 - April 2), and grouped with it as one site. Nothing of one is a story of the other, so every
# join across the two is a wrong join through shared words: the chains of #22, where two weeks' news meet,
# which each part's own labels mostly hide (sessions 44 and 46 built it in their scratch).
OVERLAY_DAYS = 21
OVERLAY = "overlay (both parts)"


def laid_over(layers: Sequence[tuple[Path, float]], settings: StorySettings, times_kind: str,
              seed: int = 0) -> Grouping:
    """The sites grouped as one with group_stories' own pieces, each site's times moved later by its
    number of days and then as times_kind (TIMES) says (the first site's drawn with `seed`, the k-th's
    with seed + 1000 k); each site's labels numbered after the ones before."""
    rows = []
    label: dict[str, int] = {}
    for layer, (site, days) in enumerate(layers):
        entries, cached = loaded(site)
        timed = sorted((str(e.path), e) for e in entries)
        at = drawn_times([e.published.timestamp() + days * 86400.0 for _, e in timed], times_kind,
                         seed + 1000 * layer)
        rows += [(t, layer, path, e, cached) for t, (path, e) in zip(at, timed, strict=True)]
        truth = json.loads((site / "truth.json").read_text())["stories"]
        before = len(set(label.values()))
        label.update({Path(p).name: before + k for k, group in enumerate(truth) for p in group})
    rows.sort(key=lambda row: row[:3])
    ordered = [e for _, _, _, e, _ in rows]
    times = [t for t, _, _, _, _ in rows]
    corpus = Corpus([_features(e, cached) for _, _, _, e, cached in rows], settings)
    edges = similar_pairs(corpus, times, [e.topic for e in ordered], settings)
    return Grouping(ordered, times, edges, link_stories(times, edges, settings), label)


def sets_apart(label: Mapping[str, int], sets: Mapping[str, int], predicted: Mapping[str, int],
               scorer: Scorer) -> float:
    """B-cubed precision of the predicted stories against which site (set) each entry came from: 1.0
    when no story mixes the two sets of the overlay."""
    return scorer({p: sets[p] for p in label}, {p: predicted[p] for p in label})["bcubed_precision"]


def grouped(site: Path | Sequence[tuple[Path, float]], settings: StorySettings, times_kind: str,
            seed: int = 0) -> tuple[dict[str, int], dict[str, int]]:
    """(label of each entry's file name, its predicted story), the site grouped alone (or the sites laid
    over each other, see laid_over), its times as times_kind (TIMES) says (drawn with `seed` where they
    are random)."""
    part = grouping(site, settings, times_kind, seed) if isinstance(site, Path) else \
        laid_over(site, settings, times_kind, seed)
    predicted = {part.ordered[i].path.name: story for story, cluster in enumerate(part.clusters)
                 for i in cluster.members}
    return part.label, predicted


def drawn_times(times: Sequence[float], times_kind: str, seed: int) -> list[float]:
    """The times (in path order) as times_kind (TIMES) has them, drawn one after another with `seed`."""
    rng = random.Random(seed)
    return [moved(time, times_kind, rng) for time in times]


SPREAD = TIMES[2:]  # the views whose times are drawn at random


def seeds_for(times_kind: str, draws: int) -> range:
    """The seeds a view is drawn with: 0..draws-1 for a random one (SPREAD), 0 alone for the others."""
    return range(max(1, draws) if times_kind in SPREAD else 1)


class Summary(NamedTuple):
    """A view's figures over its draws: mean P, R and F1, and the least and most F1 of one draw."""

    precision: float
    recall: float
    f1: float
    least_f1: float
    most_f1: float


def summary(scores: Sequence[Mapping[str, float]]) -> Summary:
    """The mean and range of the scorer's figures over draws."""
    f1 = [s["bcubed_f1"] for s in scores]
    return Summary(sum(s["bcubed_precision"] for s in scores) / len(scores),
                   sum(s["bcubed_recall"] for s in scores) / len(scores), sum(f1) / len(f1), min(f1), max(f1))


def moved(time: float, times_kind: str, rng: random.Random) -> float:
    """A report's time as times_kind (TIMES) has it."""
    if times_kind == "dates only":
        return time // 86400 * 86400 + 43200
    if times_kind == "moved 0-12 h":
        return time + rng.uniform(0, 43200)
    if times_kind == "tail of 6 h":  # most reports soon, a few many hours later, as coverage thins out
        return time + rng.expovariate(1 / 21600)
    return time


def settings_with(overrides: list[str]) -> StorySettings:
    """DEFAULT_SETTINGS with NAME=VALUE overrides, each value of its field's type."""
    changes: dict[str, object] = {}
    fields = {f.name: f for f in dataclasses.fields(StorySettings)}
    for override in overrides:
        name, _, value = override.partition("=")
        if name not in fields:
            raise SystemExit(f"no StorySettings field {name!r}: {', '.join(fields)}")
        default = getattr(DEFAULT_SETTINGS, name)
        changes[name] = None if value == "None" else type(default)(value) if default is not None else float(value)
    return dataclasses.replace(DEFAULT_SETTINGS, **changes)  # type: ignore[arg-type]


def main(overrides: list[str], draws: int = 1, overlay: bool = False) -> None:
    spec = importlib.util.spec_from_file_location("story_score", DEVSET / "score.py")
    assert spec and spec.loader
    scorer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scorer)
    settings = settings_with(overrides)
    print(f"{'part':22} {'times':12} {'B3-P':>5} {'B3-R':>5} {'B3-F1':>5}" + ("  F1 of one draw" if draws > 1 else "")
          + ("  (overlay: sets apart)" if overlay else ""))
    with tempfile.TemporaryDirectory() as tmp:
        parts: list[tuple[str, Path | list[tuple[Path, float]]]] = [
            (name, write_part(file, months, Path(tmp))) for name, _, file, months in shown_parts(tuning_only=True)]
        if overlay:
            (_, first), (_, week) = parts
            assert isinstance(first, Path) and isinstance(week, Path)
            parts.append((OVERLAY, [(first, OVERLAY_DAYS), (week, 0.0)]))
        for name, site in parts:
            sets = {} if isinstance(site, Path) else {
                Path(p).name: k for k, (layer, _) in enumerate(site)
                for group in json.loads((layer / "truth.json").read_text())["stories"] for p in group}
            for times_kind in TIMES:
                scores, apart = [], []
                for seed in seeds_for(times_kind, draws):
                    label, predicted = grouped(site, settings, times_kind, seed)
                    scores.append(scorer.score(label, {p: predicted[p] for p in label}))
                    if sets:
                        apart.append(sets_apart(label, sets, predicted, scorer.score))
                s = summary(scores)
                spread = f"  {s.least_f1:.3f}-{s.most_f1:.3f} ({len(scores)} draws)" if len(scores) > 1 else ""
                across = f"  sets apart {sum(apart) / len(apart):.3f}" if apart else ""
                print(f"{name:22} {times_kind:12} {s.precision:5.3f} {s.recall:5.3f} {s.f1:5.3f}{spread}{across}",
                      flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--seeds", type=int, default=1, metavar="N", help="draws of the random views (default 1)")
    parser.add_argument("--overlay", action="store_true",
                        help=f"also the first set moved {OVERLAY_DAYS} days onto the tuning week, grouped with it")
    arguments = parser.parse_args()
    main(arguments.set, arguments.seeds, arguments.overlay)
