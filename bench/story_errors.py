"""Where story grouping loses precision, on the devset parts it is tuned on (never the held-out weeks).

Usage (from the repository root):
    .venv/bin/python bench/story_errors.py [--times real|dates|moved|tail ...] [--day-times] [--show N]

Groups each tuning part alone, as bench/story_tuning.py does (a site of the part's rows only, so no
held-out headline is on disk or in memory; the same pieces, settings and seeded time views), and
prints its figures and where they are lost, for each time view asked (`--times`, given once or more;
default real; `--day-times` is `--times dates`): real crawl times, every time cut to noon of its
day, each report moved a random 0-12 hours after its crawl, or delayed by an exponential time of
mean 6 hours. The spread views show the joins that real times hide: with real times the split at
pauses in coverage (round 14) cuts most joins of one subject crawled hours apart, and what it
leaves is harder to see. The P / R / F1 printed are story_tuning's for that part and view.

B-cubed precision loss is the share of a story's members from another labelled story; each part of
it comes from a join of two labels. It is attributed by how alike the two labels are by grouping's
own pair similarities: their average across (every pair of one label's and the other's entries,
pairs never compared counting 0) as a share of the average within the looser of them. The cohesion
test of linkage keeps apart groups below 0.3 of that; labels at 1.0 or more are as alike across as
within, which no bar on similarity can split. `--show N` prints the N predicted stories that lose
most, each label in it with one headline (its crawl time).

Recall lost (a label's entries in several stories) is split by where each part of a label went:
alone (a story of one), a story of its own (its labelled members mostly of this label: the
label split into several stories) or absorbed (a story mostly of another label, the other face
of a wrong join).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from story_quality import DEVSET, shown_parts  # noqa: E402
from story_tuning import TIMES, Grouping, grouping, write_part  # noqa: E402

from digest.stories import DEFAULT_SETTINGS  # noqa: E402

SHARES = (0.3, 0.5, 1.0)
# --times: a short name for each of story_tuning's views.
VIEWS = dict(zip(("real", "dates", "moved", "tail"), TIMES, strict=True))
Scorer = Callable[[dict[str, int], dict[str, int]], dict[str, float]]


def main(views: Sequence[str], show: int) -> None:
    spec = importlib.util.spec_from_file_location("story_score", DEVSET / "score.py")
    assert spec and spec.loader
    scorer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scorer)
    with tempfile.TemporaryDirectory() as tmp:
        for name, _, file, months in shown_parts(tuning_only=True):
            site = write_part(file, months, Path(tmp))
            for view in views:
                part(f"{name}, {VIEWS[view]}", grouping(site, DEFAULT_SETTINGS, VIEWS[view]), show, scorer.score)


def part(name: str, grouped: Grouping, show: int, score: Scorer) -> None:
    ordered, times = grouped.ordered, grouped.times
    clusters = [c.members for c in grouped.clusters]
    label = [grouped.label.get(e.path.name, -1) for e in ordered]
    predicted = {ordered[i].path.name: c for c, members in enumerate(clusters) for i in members}
    result = score(grouped.label, {p: predicted[p] for p in grouped.label})
    lost, alike, worst = attribute(label, clusters, grouped.edges)
    n = sum(1 for k in label if k >= 0)
    print(f"{name}: B3 P {result['bcubed_precision']:.3f} "
          f"R {result['bcubed_recall']:.3f} F1 {result['bcubed_f1']:.3f}; precision lost {lost / n:.3f}, of it "
          + ", ".join(f"{alike[bar] / max(lost, 1e-12):.0%} between labels at least {bar} as alike across as within"
                      for bar in SHARES), flush=True)
    missed = recall_attribute(label, clusters)
    print(f"  recall lost {sum(missed.values()) / n:.3f}: "
          + ", ".join(f"{kind} {value / n:.3f}" for kind, value in missed.items()), flush=True)
    for story_lost, members in worst[:show]:
        labels = Counter(label[i] for i in members if label[i] >= 0)
        print(f"  loses {story_lost:.0f} of {len(members)}: entries by label {[k for _, k in labels.most_common()]}")
        for k, _ in labels.most_common(6):
            first = min((i for i in members if label[i] == k), key=lambda i: times[i])
            print(f"    {ordered[first].published:%m-%d %H:%M} {ordered[first].title[:90]}")


def attribute(label: Sequence[int], clusters: Sequence[Sequence[int]], edges: Iterable[tuple[int, int, float]],
              ) -> tuple[float, dict[float, float], list[tuple[float, Sequence[int]]]]:
    """B-cubed precision lost (summed over entries; label -1: unlabelled, left out), how much of it
    lies between labels at least each of SHARES as alike across as within the looser of them,
    and the predicted stories that lose any, most first."""
    size = Counter(k for k in label if k >= 0)
    within: dict[int, float] = defaultdict(float)
    across: dict[tuple[int, int], float] = defaultdict(float)
    for i, j, s in edges:
        a, b = label[i], label[j]
        if a >= 0 and b >= 0:
            if a == b:
                within[a] += s
            else:
                across[min(a, b), max(a, b)] += s

    def cohesion(a: int) -> float:
        return within[a] / max(size[a] * (size[a] - 1) / 2, 1)

    lost, alike, worst = 0.0, dict.fromkeys(SHARES, 0.0), []
    for members in clusters:
        labels = Counter(label[i] for i in members if label[i] >= 0)
        total = sum(labels.values())
        story_lost = 0.0
        for a, in_a in labels.items():
            for b, in_b in labels.items():
                if a != b:
                    share = in_a * in_b / total  # precision lost by a's members to b's
                    story_lost += share
                    average = across[min(a, b), max(a, b)] / (size[a] * size[b])
                    for bar in SHARES:
                        alike[bar] += share if average >= bar * min(cohesion(a), cohesion(b)) else 0.0
        lost += story_lost
        if story_lost:
            worst.append((story_lost, members))
    return lost, alike, sorted(worst, key=lambda w: -w[0])


RECALL_KINDS = ("alone", "in a story of its own", "absorbed")


def recall_attribute(label: Sequence[int], clusters: Sequence[Sequence[int]]) -> dict[str, float]:
    """B-cubed recall lost (summed over entries; label -1: unlabelled, left out) by where each part
    of a label went (RECALL_KINDS): a part of c of a label's L entries loses c (1 - c / L). A story
    of its own: no other label has more members in it (a tie counts as its own)."""
    size = Counter(k for k in label if k >= 0)
    missed = dict.fromkeys(RECALL_KINDS, 0.0)
    for members in clusters:
        labels = Counter(label[i] for i in members if label[i] >= 0)
        most = max(labels.values(), default=0)
        for k, count in labels.items():
            kind = RECALL_KINDS[0] if len(members) == 1 else RECALL_KINDS[1] if count == most else RECALL_KINDS[2]
            missed[kind] += count * (1 - count / size[k])
    return missed


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--times", action="append", choices=list(VIEWS), help="a time view (default real)")
    parser.add_argument("--day-times", action="store_true", help="the same as --times dates")
    parser.add_argument("--show", type=int, default=0)
    args = parser.parse_args()
    main(args.times or (["dates"] if args.day_times else ["real"]), args.show)
