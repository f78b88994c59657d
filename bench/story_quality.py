"""How well does story grouping match the labelled story devset, and how fast is it?

Usage (from the repository root):
    .venv/bin/python bench/story_quality.py [--splits N] [--jitter HOURS] [--timing N ...]
                                            [--no-quality] [--blind-time]

Builds the devset site (../shared/story-devset/make_site.py) in a temporary folder, groups
its entries, and scores the result with the devset's scorer (B-cubed), on:
  * held out: N random splits of the 22 stories into halves of 11 (seeds 0..N-1); the
    threshold is tuned on one half and the other half is scored, both ways: mean +- sd of the
    2N held-out figures;
  * all 22 stories at once with the default settings: what a digest of many mixed stories
    sees (in-sample for the defaults, which were chosen on these stories).
Baselines, computed the same way: every entry alone, and plain TF-IDF (title word 1-2 grams,
cosine, average linkage) with its threshold tuned on the tune half (held out) or on all 22.
--jitter H spreads each story's reports uniformly over H hours after its crawl time: in the
devset every story was crawled within a minute, which real reports are not.
--blind-time sets every devset entry to the same instant.
--timing N times entry_features + group_stories on N synthetic entries from
../shared/peer-bench/gen_corpus.py.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import json
import math
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import Any

import frontmatter

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from digest.model import Entry  # noqa: E402
from digest.stories import StorySettings, entry_features, group_stories  # noqa: E402
from digest.stories.linkage import average_linkage  # noqa: E402

SHARED = ROOT.parent / "shared"
DEVSET = SHARED / "story-devset"
THRESHOLDS = [0.004, 0.006, 0.008, 0.01, 0.012, 0.015, 0.02]
BASELINE_THRESHOLDS = [0.005, 0.01, 0.02, 0.03, 0.05, 0.08, 0.1]

Grouping = list[list[str]]
Scorer = Callable[[dict[str, int], dict[str, int]], dict[str, float]]


def load_entries(site: Path) -> list[Entry]:
    """Entry objects from a site's content/ folder (until digest.content exists)."""
    entries = []
    for path in sorted((site / "content").rglob("*.md")):
        post = frontmatter.load(str(path))
        meta: dict[str, Any] = dict(post.metadata)
        published = meta["date"]
        if isinstance(published, str):
            published = datetime.fromisoformat(published)
        rel = PurePosixPath(path.relative_to(site).as_posix())
        entries.append(
            Entry(
                path=rel,
                title=str(meta["title"]),
                published=published,
                slug=path.stem,
                body=post.content,
                topic=meta.get("topic"),
                tags=tuple(meta.get("tags") or ()),
                authors=tuple(meta.get("authors") or ()),
                source=meta.get("source"),
                source_url=meta.get("source_url"),
                summary=meta.get("summary"),
                story=meta.get("story"),
                lead=bool(meta.get("lead", False)),
            )
        )
    return entries


def load_scorer() -> Scorer:
    spec = importlib.util.spec_from_file_location("story_score", DEVSET / "score.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.score  # type: ignore[no-any-return]


def labels(groups: Grouping) -> dict[str, int]:
    return {PurePosixPath(p).name: i for i, group in enumerate(groups) for p in group}


def digest_grouping(
    entries: Sequence[Entry], settings: StorySettings, features: dict[PurePosixPath, Any] | None = None
) -> Grouping:
    stories = group_stories(entries, features, settings=settings)
    return [[str(e.path) for e in s.members] for s in stories]


def alone_grouping(entries: Sequence[Entry]) -> Grouping:
    return [[str(e.path)] for e in entries]


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


def random_halves(truth: Grouping, seed: int) -> tuple[Grouping, Grouping]:
    order = list(range(len(truth)))
    random.Random(seed).shuffle(order)
    half = len(order) // 2
    return [truth[i] for i in sorted(order[:half])], [truth[i] for i in sorted(order[half:])]


def subset(entries: Sequence[Entry], stories: Grouping) -> list[Entry]:
    wanted = {p for group in stories for p in group}
    return [e for e in entries if str(e.path) in wanted]


def f1(score: Scorer, truth: Grouping, pred: Grouping) -> dict[str, float]:
    return score(labels(truth), labels(pred))


def tuned(
    score: Scorer, truth: Grouping, make: Callable[[float], Grouping], thresholds: Sequence[float]
) -> tuple[float, float]:
    """The threshold with the best B-cubed F1 on `truth` (the lower on a tie), and that F1."""
    results = [(f1(score, truth, make(t))["bcubed_f1"], -t) for t in thresholds]
    best, neg_t = max(results)
    return -neg_t, best


def quality(site: Path, splits: int, jitter: float, blind_time: bool) -> None:
    score = load_scorer()
    entries = load_entries(site)
    if blind_time:
        instant = entries[0].published
        entries = [dataclasses.replace(e, published=instant) for e in entries]
    truth: Grouping = json.loads((site / "truth.json").read_text())["stories"]
    if jitter:
        rng = random.Random(0)
        story_of = {p: k for k, group in enumerate(truth) for p in group}
        entries = [
            dataclasses.replace(e, published=e.published + timedelta(hours=rng.uniform(0, jitter)))
            if str(e.path) in story_of else e
            for e in entries
        ]
    features = {e.path: entry_features(e) for e in entries}
    default = StorySettings()
    systems: dict[str, tuple[Callable[[Sequence[Entry], float], Grouping], Sequence[float]]] = {
        "digest": (
            lambda es, t: digest_grouping(es, dataclasses.replace(default, threshold=t), features),
            THRESHOLDS,
        ),
        "plain TF-IDF 1-2 grams": (plain_tfidf_grouping, BASELINE_THRESHOLDS),
    }
    print(f"{len(entries)} entries, {len(truth)} stories; {splits} random splits into halves, both ways"
          + (f"; reports spread over {jitter:g} h" if jitter else ""))
    print(f"{'system':24} {'held-out B3-F1 (mean+-sd)':26} {'thresholds chosen':28} "
          f"{'all 22: B3-P':>12} {'B3-R':>6} {'B3-F1':>6} {'stories':>7}")
    for name, (system, thresholds) in systems.items():
        held, chosen = [], Counter()
        for seed in range(splits):
            halves = random_halves(truth, seed)
            for tune, test in ((halves[0], halves[1]), (halves[1], halves[0])):
                tune_entries = subset(entries, tune)
                t, _ = tuned(score, tune, lambda x, s=system, es=tune_entries: s(es, x), thresholds)  # type: ignore[misc]
                held.append(f1(score, test, system(subset(entries, test), t))["bcubed_f1"])
                chosen[t] += 1
        if name == "digest":
            setting = f"defaults t={default.threshold}"
            all_result = f1(score, truth, system(entries, default.threshold))
        else:
            t, _ = tuned(score, truth, lambda x, s=system: s(entries, x), thresholds)  # type: ignore[misc]
            setting, all_result = f"tuned on all 22 t={t}", f1(score, truth, system(entries, t))
        mean, sd = statistics.mean(held), statistics.stdev(held) if len(held) > 1 else 0.0
        common = ", ".join(f"{t:g}x{c}" for t, c in chosen.most_common(3))
        print(f"{name:24} {mean:6.3f} +- {sd:5.3f}{'':13} {common:28} {all_result['bcubed_precision']:12.3f} "
              f"{all_result['bcubed_recall']:6.3f} {all_result['bcubed_f1']:6.3f} {all_result['predicted_stories']:7}"
              f"  ({setting})")
    alone = f1(score, truth, alone_grouping(entries))
    print(f"{'every entry alone':24} {'':41} {alone['bcubed_precision']:12.3f} {alone['bcubed_recall']:6.3f} "
          f"{alone['bcubed_f1']:6.3f} {alone['predicted_stories']:7}")


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
    parser.add_argument("--blind-time", action="store_true")
    parser.add_argument("--splits", type=int, default=10)
    parser.add_argument("--jitter", type=float, default=0.0)
    args = parser.parse_args()
    if not args.no_quality:
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(
                [sys.executable, str(DEVSET / "make_site.py"), str(DEVSET / "headlines.csv"), tmp],
                check=True, stdout=subprocess.DEVNULL,
            )
            quality(Path(tmp), args.splits, args.jitter, args.blind_time)
    for n in args.timing:
        timing(n)


if __name__ == "__main__":
    main()
