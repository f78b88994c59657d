"""Story grouping on the parts it is tuned on, and nothing else: a quick loop for trying settings.

Usage (from the repository root):
    .venv/bin/python bench/story_tuning.py [--set NAME=VALUE ...]

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
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import importlib.util
import json
import random
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from story_quality import DEVSET, shown_parts  # noqa: E402

from digest.config import load_config  # noqa: E402
from digest.load import load_entries_with_features  # noqa: E402
from digest.model import Entry  # noqa: E402
from digest.stories import DEFAULT_SETTINGS, StorySettings, _features  # noqa: E402
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


def grouping(site: Path, settings: StorySettings, times_kind: str) -> Grouping:
    """The site grouped alone with group_stories' own pieces, its times as times_kind (TIMES) says."""
    entries, cached = load_entries_with_features(load_config(site, required=False))
    timed = sorted((str(e.path), e) for e in entries)
    rng = random.Random(0)
    at = [moved(e.published.timestamp(), times_kind, rng) for _, e in timed]
    ordered = [e for _, _, e in sorted((t, path, e) for t, (path, e) in zip(at, timed, strict=True))]
    times = sorted(at)
    corpus = Corpus([_features(e, cached) for e in ordered], settings)
    edges = similar_pairs(corpus, times, [e.topic for e in ordered], settings)
    truth = json.loads((site / "truth.json").read_text())["stories"]
    label = {Path(p).name: k for k, group in enumerate(truth) for p in group}
    return Grouping(ordered, times, edges, link_stories(times, edges, settings), label)


def grouped(site: Path, settings: StorySettings, times_kind: str) -> tuple[dict[str, int], dict[str, int]]:
    """(label of each entry's file name, its predicted story), the site grouped alone, its times as
    times_kind (TIMES) says."""
    part = grouping(site, settings, times_kind)
    predicted = {part.ordered[i].path.name: story for story, cluster in enumerate(part.clusters)
                 for i in cluster.members}
    return part.label, predicted


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


def main(overrides: list[str]) -> None:
    spec = importlib.util.spec_from_file_location("story_score", DEVSET / "score.py")
    assert spec and spec.loader
    scorer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scorer)
    settings = settings_with(overrides)
    print(f"{'part':22} {'times':12} {'B3-P':>5} {'B3-R':>5} {'B3-F1':>5}")
    with tempfile.TemporaryDirectory() as tmp:
        for name, _, file, months in shown_parts(tuning_only=True):
            site = write_part(file, months, Path(tmp))
            for times_kind in TIMES:
                label, predicted = grouped(site, settings, times_kind)
                r = scorer.score(label, {p: predicted[p] for p in label})
                print(f"{name:22} {times_kind:12} {r['bcubed_precision']:5.3f} "
                      f"{r['bcubed_recall']:5.3f} {r['bcubed_f1']:5.3f}", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    main(parser.parse_args().set)
