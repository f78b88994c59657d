"""What story grouping does with bodies, as far as unlabelled real articles and the headline devset can say.

Usage (from the repository root):
    .venv/bin/python bench/story_bodies.py [--articles] [--echo] [--seeds N]

The story devset has headlines only (its columns are ID, TITLE, URL, PUBLISHER, CATEGORY, STORY, HOSTNAME,
TIMESTAMP; the URL's words are read as the title's already, and make_site.py's body is a bare link, which
grouping leaves out), so no quality figure of bench/story_quality.py says anything about bodies. Two measures
that invent no label:

--articles: real articles with their real bodies, the dated pages of the ingest devsets' dev parts
(../shared/ingest-devset and ingest-devset-2, `title`, `date` and `articleBody` of truth.json; their held-out
pages are never read) and the two seeds (one story), each at noon of its day (the seeds 11:00 and 12:00
of theirs). Prints every pair compared (a shared title word, within a day): its title cosine, the
cosine of title and text together, the score the grouping gives it with texts (less `text_floor`) and
whether the titles pass `text_gate`; then the stories of two or more, grouped from the titles alone and
with the bodies. These pages have no story labels: read the pairs, do not score them.

--echo: the tuning parts of bench/story_tuning.py (never a held-out headline), every entry given a body
that says nothing its title does not (each has text, its title-and-text vector is its title vector), in
the tuning bench's four views: once with the texts scored without `text_floor` (a pair over the gate
then scores its title cosine, so only what the grouping does to pairs under the gate differs from the
headline figures) and once with it (texts as alike as titles, scored as the grouping scores texts).
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import json
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import story_tuning  # noqa: E402
from story_quality import DEVSET, shown_parts  # noqa: E402

from digest.model import Entry  # noqa: E402
from digest.stories import DEFAULT_SETTINGS, EntryFeatures, StorySettings, _features, group_stories  # noqa: E402
from digest.stories import entry_features as features_of  # noqa: E402
from digest.stories.linkage import link_stories  # noqa: E402
from digest.stories.vectors import Corpus, similar_pairs  # noqa: E402
from digest.stories.weights import Vector, dot  # noqa: E402

SHARED = ROOT.parent / "shared"
INGEST_DEVSETS = ("ingest-devset", "ingest-devset-2")
SEEDS = {  # as tests/test_stories.py has them
    "000_0cb10bd2fce94f6c.txt": "Putin and Kim Jong Un pledge closer relations as Russia courts non-Western allies "
                                "in the wake of its Ukraine invasion",
    "001_79162b655e4b6b0d.txt": "Shunned by the West, Vladimir Putin turns to North Korea’s Kim Jong Un as an ally",
}


def articles(bodies: bool) -> list[Entry]:
    """The real articles (see --articles), with their bodies or their titles alone, in time order."""
    found = []
    for folder in INGEST_DEVSETS:
        truth = json.loads((SHARED / folder / "truth.json").read_text(encoding="utf-8"))
        for page, known in sorted(truth.items()):
            if known.get("split") != "dev" or not all(known.get(k) for k in ("date", "title", "articleBody")):
                continue
            day = datetime.fromisoformat(known["date"]).replace(hour=12, tzinfo=UTC)
            found.append((f"{folder}-{page[:10]}", known["title"], day, known["articleBody"]))
    for k, (name, title) in enumerate(sorted(SEEDS.items())):
        body = (SHARED / "seeds" / name).read_text(encoding="utf-8")
        found.append((f"seed-{k}", title, datetime(2022, 8, 15, 11 + k, tzinfo=UTC), body))
    entries = [Entry(path=PurePosixPath(f"content/{day:%Y/%m/%d}/{slug}.md"), title=title, published=day, slug=slug,
                     body=body if bodies else "") for slug, title, day, body in found]
    return sorted(entries, key=lambda e: (e.published.timestamp(), str(e.path)))


def real_articles(settings: StorySettings) -> None:
    entries = articles(bodies=True)
    corpus = Corpus([features_of(e) for e in entries], settings)
    floor = settings.text_floor
    print(f"{len(entries)} real articles, {sum(corpus.has_text)} with text; the pairs compared:")
    print(f"{'title':>6} {'text':>6} {'score':>6}  gate   titles")
    rows = []
    for i, j in itertools.combinations(range(len(entries)), 2):
        if entries[j].published.timestamp() - entries[i].published.timestamp() > settings.window_days * 86400.0:
            continue
        title = dot(corpus.title[i], corpus.title[j])
        if title > 0:
            text = dot(corpus.full(i), corpus.full(j))
            rows.append((title, text, (text - floor) / (1.0 - floor) if text > floor else 0.0, i, j))
    for title, text, score, i, j in sorted(rows, reverse=True):
        gate = "over " if title >= settings.text_gate else "under"
        print(f"{title:6.3f} {text:6.3f} {score:6.3f}  {gate}  {entries[i].title[:60]} | {entries[j].title[:60]}")
    for bodies in (False, True):
        stories = [s for s in group_stories(articles(bodies), settings=settings) if len(s.members) > 1]
        print(f"stories of two or more, {'with the bodies' if bodies else 'titles alone'}: {len(stories)}")
        for story in stories:
            print(f"  {story.reason}: " + " | ".join(m.title[:50] for m in story.members))


class EchoedCorpus(Corpus):
    """Every entry has text, and its title-and-text vector is its title vector: a body that echoes its title."""

    def __init__(self, features: Sequence[EntryFeatures], settings: StorySettings) -> None:
        super().__init__(features, settings)
        self.has_text = [True] * len(features)

    def full(self, i: int) -> Vector:
        return self.title[i]


def echoed(draws: int) -> None:
    scorer = load_score()
    print(f"{'part':22} {'texts':18} {'times':12} {'B3-P':>5} {'B3-R':>5} {'B3-F1':>5}")
    with tempfile.TemporaryDirectory() as tmp:
        parts = [(name, story_tuning.write_part(file, months, Path(tmp)))
                 for name, _, file, months in shown_parts(tuning_only=True)]
        for name, site in parts:
            entries, cached = story_tuning.loaded(site)
            label = {Path(p).name: k for k, group in enumerate(json.loads((site / "truth.json").read_text())["stories"])
                     for p in group}
            timed = sorted((str(e.path), e) for e in entries)
            for texts, settings in (("without the floor", replace(DEFAULT_SETTINGS, text_floor=0.0)),
                                    ("less the floor", DEFAULT_SETTINGS)):
                for times_kind in story_tuning.TIMES:
                    scores = []
                    for seed in story_tuning.seeds_for(times_kind, draws):
                        at = story_tuning.drawn_times([e.published.timestamp() for _, e in timed], times_kind, seed)
                        rows = sorted((t, path, e) for t, (path, e) in zip(at, timed, strict=True))
                        ordered = [e for _, _, e in rows]
                        times = [t for t, _, _ in rows]
                        corpus = EchoedCorpus([_features(e, cached) for e in ordered], settings)
                        edges = similar_pairs(corpus, times, [e.topic for e in ordered], settings)
                        predicted = {ordered[i].path.name: k for k, cluster in
                                     enumerate(link_stories(times, edges, settings)) for i in cluster.members}
                        scores.append(scorer(label, {p: predicted[p] for p in label}))
                    s = story_tuning.summary(scores)
                    print(f"{name:22} {texts:18} {times_kind:12} {s.precision:5.3f} {s.recall:5.3f} {s.f1:5.3f}",
                          flush=True)


def load_score() -> story_tuning.Scorer:
    spec = importlib.util.spec_from_file_location("story_score", DEVSET / "score.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.score  # type: ignore[no-any-return]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", action="store_true", help="the real articles' pairs and stories")
    parser.add_argument("--echo", action="store_true", help="the tuning parts, each entry's body echoing its title")
    parser.add_argument("--seeds", type=int, default=1, metavar="N", help="draws of the random views (default 1)")
    arguments = parser.parse_args()
    if arguments.articles or not arguments.echo:
        real_articles(DEFAULT_SETTINGS)
    if arguments.echo:
        echoed(arguments.seeds)
