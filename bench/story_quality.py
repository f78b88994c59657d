"""How well does story grouping match the labelled story devset, and how fast is it?

Usage (from the repository root):
    .venv/bin/python bench/story_quality.py [--timing N ...] [--no-quality] [--blind-time]

Builds the devset site (../shared/story-devset/make_site.py) in a temporary folder, groups
its entries, and scores the result with the devset's scorer (B-cubed), on:
  * each half of the 22 stories (sorted story ids, alternating), with the threshold tuned on
    the *other* half: the honest, held-out numbers;
  * all stories with the default settings (those are in-sample for the defaults).
Baselines computed here: every entry alone, and plain TF-IDF (word 1-2 grams, cosine,
average linkage) with its threshold tuned the same held-out way.
--blind-time sets every devset entry to the same instant: the devset's timestamps are crawl
times that separate its stories by minutes, a signal real digests do not have.
--timing N times entry_features + group_stories on N synthetic entries from
../shared/peer-bench/gen_corpus.py.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import json
import math
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime
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
THRESHOLDS = [0.005, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.1, 0.12, 0.15, 0.2, 0.3, 0.4]

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


def digest_grouping(entries: Sequence[Entry], settings: StorySettings) -> Grouping:
    return [[str(e.path) for e in s.members] for s in group_stories(entries, settings=settings)]


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


def split_halves(truth: Grouping) -> tuple[Grouping, Grouping]:
    """Stories sorted by id (truth.json is sorted so), alternating into two halves."""
    return truth[0::2], truth[1::2]


def subset(entries: Sequence[Entry], stories: Grouping) -> list[Entry]:
    wanted = {p for group in stories for p in group}
    return [e for e in entries if str(e.path) in wanted]


def f1(score: Scorer, truth: Grouping, pred: Grouping) -> dict[str, float]:
    return score(labels(truth), labels(pred))


def tuned_threshold(
    score: Scorer, truth: Grouping, make: Callable[[float], Grouping]
) -> tuple[float, float]:
    best = max(THRESHOLDS, key=lambda t: (f1(score, truth, make(t))["bcubed_f1"], -t))
    return best, f1(score, truth, make(best))["bcubed_f1"]


def quality(site: Path, blind_time: bool) -> None:
    score = load_scorer()
    entries = load_entries(site)
    if blind_time:
        instant = entries[0].published
        entries = [dataclasses.replace(e, published=instant) for e in entries]
    truth: Grouping = json.loads((site / "truth.json").read_text())["stories"]
    halves = split_halves(truth)
    rows = []
    systems: dict[str, Callable[[Sequence[Entry], float], Grouping]] = {
        "digest centroid": lambda es, t: digest_grouping(es, StorySettings(threshold=t)),
        "digest average": lambda es, t: digest_grouping(
            es, StorySettings(threshold=t, linkage="average")
        ),
        "plain TF-IDF 1-2 grams": plain_tfidf_grouping,
    }
    for name, system in systems.items():
        for tune, test, label in ((0, 1, "A->B"), (1, 0, "B->A")):
            tune_entries = subset(entries, halves[tune])
            t, tune_f1 = tuned_threshold(
                score, halves[tune], lambda x, s=system, es=tune_entries: s(es, x)  # type: ignore[misc]
            )
            result = f1(score, halves[test], system(subset(entries, halves[test]), t))
            rows.append((name, f"tuned on {label[0]} ({tune_f1:.3f}) t={t}", label[-1], result))
    default = StorySettings()
    rows.append((
        "digest", f"defaults t={default.threshold}", "all",
        f1(score, truth, digest_grouping(entries, default)),
    ))
    for half, label in ((halves[0], "A"), (halves[1], "B")):
        rows.append((
            "digest", f"defaults t={default.threshold}", label,
            f1(score, half, digest_grouping(subset(entries, half), default)),
        ))
    rows.append(("every entry alone", "-", "all", f1(score, truth, alone_grouping(entries))))
    print(f"{'system':24} {'setting':34} {'on':4} {'B3-P':>6} {'B3-R':>6} {'B3-F1':>6} {'stories':>7}")
    for name, setting, on, r in rows:
        print(
            f"{name:24} {setting:34} {on:4} {r['bcubed_precision']:6.3f} "
            f"{r['bcubed_recall']:6.3f} {r['bcubed_f1']:6.3f} {r['predicted_stories']:7}"
        )


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
    args = parser.parse_args()
    if not args.no_quality:
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(
                [sys.executable, str(DEVSET / "make_site.py"), str(DEVSET / "headlines.csv"), tmp],
                check=True, stdout=subprocess.DEVNULL,
            )
            quality(Path(tmp), args.blind_time)
    for n in args.timing:
        timing(n)


if __name__ == "__main__":
    main()
