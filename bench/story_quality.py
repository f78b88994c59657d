"""How well does story grouping match labelled real headlines, on weeks it was not tuned on, and how fast?

Usage (from the repository root):
    .venv/bin/python bench/story_quality.py [--tuning-only] [--baseline] [--timing N ...] [--no-quality]

Builds two sites from ../shared/story-devset/ (make_site.py) in a temporary folder and runs
what a user runs, `digest stories --json`, on each (wall time and peak memory of the command
and its workers), then scores the result with the devset's scorer (B-cubed) per part:
  * the first set (headlines.csv: 22 stories, March 10-12 2014): the defaults were chosen on it;
  * headlines-2.csv, 329 stories from three weeks, grouped as one 20,000-entry site and scored
    per week. The week of March 31 - April 2 is the TUNING part (settings were chosen on it and on
    the first set); June 13-15 and August 25-28 are HELD OUT: never used to choose anything.
Weeks are months apart and a story spans at most max_span_days, so scoring a week on its own
entries is the same as grouping it alone.
--tuning-only scores and prints only the parts tuned on: while choosing settings, run it so, and
never see the held-out weeks' figures (the held-out entries are still grouped, with the rest of
their site, so the tuning week is scored as the full run scores it).
--baseline adds plain TF-IDF (title word 1-2 grams, cosine, average linkage) with its threshold
tuned on the tuning part and applied to the others (slow: minutes per part; run last, see main).
--timing N times entry_features + group_stories on N synthetic entries from
../shared/peer-bench/gen_corpus.py.
--day-times runs the same again with every entry's time cut to noon of its day. In this devset
the headlines of one story were crawled within a minute of each other, and the labels split one
event crawled twice into two stories: any grouping that reads time to the hour is helped by
that, where real reports of one story come over a day. With dates alone, only the words and
the day tell stories apart.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from digest.config import load_config  # noqa: E402
from digest.load import load_entries_with_features  # noqa: E402
from digest.model import Entry  # noqa: E402
from digest.stories import entry_features, group_stories  # noqa: E402
from digest.stories.linkage import average_linkage  # noqa: E402

SHARED = ROOT.parent / "shared"
DEVSET = SHARED / "story-devset"
DIGEST = Path(sys.executable).parent / "digest"
BASELINE_THRESHOLDS = [0.01, 0.02, 0.04]
TUNING_WEEK = "Mar 31 - Apr 2"  # the part of headlines-2.csv the baseline's threshold is tuned on
# (name, role, file, the months of its entries' dates): the parts scored.
PARTS = [
    ("first set, Mar 10-12", "tuned on", "headlines.csv", {3}),
    (TUNING_WEEK, "tuned on", "headlines-2.csv", {3, 4}),
    ("Jun 13-15", "held out", "headlines-2.csv", {6}),
    ("Aug 25-28", "held out", "headlines-2.csv", {8}),
]

Part = tuple[str, str, str, set[int]]
Grouping = list[list[str]]
Scorer = Callable[[dict[str, int], dict[str, int]], dict[str, float]]


def shown_parts(tuning_only: bool) -> list[Part]:
    """The parts to score: all of them, or only those tuned on."""
    return [part for part in PARTS if not tuning_only or part[1] == "tuned on"]


def load_entries(site: Path) -> list[Entry]:
    return load_entries_with_features(load_config(site, required=False))[0]


def load_scorer() -> Scorer:
    spec = importlib.util.spec_from_file_location("story_score", DEVSET / "score.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.score  # type: ignore[no-any-return]


def labels(groups: Grouping) -> dict[str, int]:
    return {PurePosixPath(p).name: i for i, group in enumerate(groups) for p in group}


def digest_stories_json(site: Path) -> tuple[Grouping, float, float, float]:
    """`digest stories --json` in the site folder: (its stories, wall seconds, CPU seconds and peak
    MB of the command and its worker processes). CPU time is what to compare on a busy machine.
    Run one at a time: the peak is the largest of any child so far."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([str(DIGEST), "stories", "--json"], cwd=site, check=True, capture_output=True,
                          env=absolute_pythonpath(os.environ))
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return json.loads(done.stdout)["stories"], seconds, cpu, after.ru_maxrss / 1024


def absolute_pythonpath(environment: Mapping[str, str]) -> dict[str, str]:
    """The environment with PYTHONPATH's folders made absolute: the command runs in the site's
    folder, where `PYTHONPATH=.` (a checkout's code, as in docs/stories.md) would name the site, and
    the installed digest would be measured instead."""
    changed = dict(environment)
    if changed.get("PYTHONPATH"):
        changed["PYTHONPATH"] = os.pathsep.join(os.path.abspath(folder) if folder else os.getcwd()
                                                for folder in changed["PYTHONPATH"].split(os.pathsep))
    return changed


def plain_tfidf_grouping(entries: Sequence[Entry], threshold: float) -> Grouping:
    """The README's baseline: TF-IDF of title word 1-2 grams, cosine, average linkage."""
    docs = []
    for e in entries:
        words = re.findall(r"\w\w+", e.title.lower())
        docs.append(Counter(words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]))
    df = Counter(t for d in docs for t in d)
    n = len(docs)
    vectors = []
    for d in docs:
        v = {t: c * (math.log((1 + n) / (1 + df[t])) + 1) for t, c in d.items()}
        norm = math.sqrt(sum(w * w for w in v.values())) or 1.0
        vectors.append({t: w / norm for t, w in v.items()})
    postings = defaultdict(list)
    for i, v in enumerate(vectors):
        for t, w in v.items():
            postings[t].append((i, w))
    dots: dict[tuple[int, int], float] = defaultdict(float)
    for plist in postings.values():
        for k, (i, wi) in enumerate(plist):
            for j, wj in plist[k + 1 :]:
                dots[(i, j)] += wi * wj
    edges = [(i, j, s) for (i, j), s in dots.items() if s >= 0.01]
    clusters = average_linkage([0.0] * n, edges, threshold, math.inf)
    return [[str(entries[i].path) for i in c.members] for c in clusters]


def part_truth(truth: Grouping, months: set[int]) -> Grouping:
    """The true stories whose entries are dated in these months (content/YYYY/MM/...)."""
    return [g for g in truth if int(g[0].split("/")[2]) in months]


def score_line(score: Scorer, truth: Grouping, pred: Grouping) -> dict[str, float]:
    wanted = {PurePosixPath(p).name for g in truth for p in g}
    return score(labels(truth), {k: v for k, v in labels(pred).items() if k in wanted})


def to_noon(site: Path) -> None:
    """Every entry's date (make_site writes `date: "YYYY-MM-DDTHH:MM:SS+00:00"`) set to noon UTC."""
    for path in (site / "content").rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        path.write_text(DATE_LINE.sub(r'\g<1>12:00:00+00:00"', text, count=1), encoding="utf-8")


DATE_LINE = re.compile(r'^(date: "\d{4}-\d\d-\d\dT)\d\d:\d\d:\d\d\+00:00"', re.MULTILINE)


def quality(folder: Path, day_times: bool = False, tuning_only: bool = False) -> None:
    score = load_scorer()
    sites: dict[str, tuple[Grouping, Grouping]] = {}
    if day_times:
        print("every entry's time cut to noon of its day:")
    for name in ("headlines.csv", "headlines-2.csv"):
        site = folder / name.removesuffix(".csv")
        subprocess.run([sys.executable, str(DEVSET / "make_site.py"), str(DEVSET / name), str(site)],
                       check=True, stdout=subprocess.DEVNULL)
        if day_times:
            to_noon(site)
        truth = json.loads((site / "truth.json").read_text())["stories"]
        pred, seconds, cpu, peak = digest_stories_json(site)
        sites[name] = (truth, pred)
        print(f"digest stories --json on {name}: {sum(map(len, truth))} entries, {len(truth)} stories: "
              f"{seconds:.1f} s ({cpu:.1f} s CPU), peak {peak:.0f} MB", flush=True)
    print(f"{'part':22} {'role':9} {'stories':>7} {'entries':>7}  {'B3-P':>5} {'B3-R':>5} {'B3-F1':>5} {'found':>5}")
    for name, role, file, months in shown_parts(tuning_only):
        truth, pred = sites[file][0], sites[file][1]
        truth = part_truth(truth, months) if file == "headlines-2.csv" else truth
        r = score_line(score, truth, pred)
        print(f"{name:22} {role:9} {len(truth):7} {r['entries']:7}  {r['bcubed_precision']:5.3f} "
              f"{r['bcubed_recall']:5.3f} {r['bcubed_f1']:5.3f} {r['predicted_stories']:5}", flush=True)


def tfidf_baseline(folder: Path, score: Scorer, tuning_only: bool = False) -> None:
    """Plain TF-IDF, its threshold tuned on the tuning week of headlines-2 and applied to every part."""
    everything = {"headlines.csv": load_entries(folder / "headlines"),
                  "headlines-2.csv": load_entries(folder / "headlines-2")}
    parts = []
    for name, role, file, months in shown_parts(tuning_only):
        truth = json.loads((folder / file.removesuffix(".csv") / "truth.json").read_text())["stories"]
        truth = part_truth(truth, months) if file == "headlines-2.csv" else truth
        wanted = {p for g in truth for p in g}
        parts.append((name, role, truth, [e for e in everything[file] if str(e.path) in wanted]))
    tune_truth, tune_entries = next((truth, entries) for name, _, truth, entries in parts if name == TUNING_WEEK)
    tried = [(score_line(score, tune_truth, plain_tfidf_grouping(tune_entries, t))["bcubed_f1"], -t)
             for t in BASELINE_THRESHOLDS]
    threshold = -max(tried)[1]
    print(f"plain TF-IDF 1-2 grams, average linkage, threshold {threshold} (best on Mar 31 - Apr 2 of "
          f"{BASELINE_THRESHOLDS}):")
    for name, role, truth, entries in parts:
        r = score_line(score, truth, plain_tfidf_grouping(entries, threshold))
        print(f"{name:22} {role:9} {len(truth):7} {r['entries']:7}  {r['bcubed_precision']:5.3f} "
              f"{r['bcubed_recall']:5.3f} {r['bcubed_f1']:5.3f} {r['predicted_stories']:5}", flush=True)


def timing(n: int) -> None:
    corpus = Path(tempfile.gettempdir()) / f"corpus{n}"
    if not (corpus / "content").exists():
        subprocess.run(
            [sys.executable, str(SHARED / "peer-bench" / "gen_corpus.py"), str(n), str(corpus)],
            check=True, stdout=subprocess.DEVNULL,
        )
    entries = load_entries(corpus)
    start = time.perf_counter()
    features = {e.path: entry_features(e) for e in entries}
    middle = time.perf_counter()
    stories = group_stories(entries, features)
    end = time.perf_counter()
    joined = sum(1 for s in stories if len(s.members) > 1)
    print(
        f"{len(entries)} synthetic entries: features {middle - start:.2f} s, "
        f"grouping {end - middle:.2f} s, total {end - start:.2f} s; "
        f"{len(stories)} stories, {joined} with more than one entry"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timing", type=int, action="append", default=[])
    parser.add_argument("--no-quality", action="store_true")
    parser.add_argument("--baseline", action="store_true")
    parser.add_argument("--day-times", action="store_true")
    parser.add_argument("--tuning-only", action="store_true")
    args = parser.parse_args()
    if not args.no_quality:
        with tempfile.TemporaryDirectory() as tmp:
            quality(Path(tmp), tuning_only=args.tuning_only)
            if args.day_times:
                with tempfile.TemporaryDirectory() as other:
                    quality(Path(other), day_times=True, tuning_only=args.tuning_only)
            # Last: its all-pairs sums take GBs in this process, and a child forked after them
            # would report them as its own peak.
            if args.baseline:
                tfidf_baseline(Path(tmp), load_scorer(), args.tuning_only)
    for n in args.timing:
        timing(n)


if __name__ == "__main__":
    main()
