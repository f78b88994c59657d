"""Time group_stories against StoryGrouper.update for one edit, on a generated site.

    python3 ../shared/peer-bench/gen_corpus.py 10000 /tmp/sg10k
    .venv/bin/python bench/story_incremental.py /tmp/sg10k

Edits (a) the opening of one entry's body, (b) one entry's title, (c) its last word, then
(d) adds an entry and (e) removes one, and checks each update against group_stories on the
entries as they then are. `--rounds N` (default 5) edits per kind; on the devset's 20,097
real headlines (dense news) one round is enough:

    python3 ../shared/story-devset/make_site.py ../shared/story-devset/headlines-2.csv /tmp/h2
    .venv/bin/python bench/story_incremental.py /tmp/h2 --rounds 1
"""

from __future__ import annotations

import dataclasses
import statistics
import sys
import time
from pathlib import Path

from digest.config import load_config
from digest.load import load_entries_with_features
from digest.stories import entry_features, group_stories
from digest.stories.incremental import StoryGrouper


def main(site: Path, rounds: int = 5) -> None:
    entries, features = load_entries_with_features(load_config(site, required=False))
    full = []
    for _ in range(3):
        start = time.perf_counter()
        group_stories(entries, features)
        full.append(time.perf_counter() - start)
    start = time.perf_counter()
    grouper = StoryGrouper(entries, features)
    built = time.perf_counter() - start
    print(f"{len(entries)} entries: group_stories {statistics.median(full) * 1000:.0f} ms, "
          f"StoryGrouper built in {built * 1000:.0f} ms")
    by_path = {e.path: e for e in entries}
    edits = {
        "body opening": lambda e, k: dataclasses.replace(e, body=f"Officials in Zebulon {k} said today. " + e.body),
        "title": lambda e, k: dataclasses.replace(e, title=f"{e.title} as Zebulon {k} votes"),
        "title word": lambda e, k: dataclasses.replace(e, title=e.title.rsplit(" ", 1)[0] + " Budget"),
    }
    added = {
        "add an entry": lambda e, k: dataclasses.replace(e, path=e.path.with_name(f"added-{k}.md"),
                                                         title=f"{e.title} as Zebulon {k} votes"),
    }
    for name, edit in {**edits, **added, "remove an entry": None}.items():
        times, reports = [], []
        for k in range(rounds):
            entry = entries[(k * 997 + 13) % len(entries)]
            if edit is None:  # remove
                del by_path[entry.path]
                features.pop(entry.path)
                changed, removed = [], [entry.path]
            else:
                edited = edit(by_path[entry.path], k)
                by_path[edited.path] = edited
                features[edited.path] = entry_features(edited)
                changed, removed = [edited], []
            start = time.perf_counter()
            stories = grouper.update(changed, removed, {e.path: features[e.path] for e in changed})
            times.append(time.perf_counter() - start)
            reports.append(grouper.last)
            assert stories == group_stories(list(by_path.values()), features)
        print(f"{name}: update median {statistics.median(times) * 1000:.1f} ms "
              f"(max {max(times) * 1000:.1f}); last: {reports[-1]}", flush=True)


if __name__ == "__main__":
    arguments = sys.argv[1:]
    rounds = 5
    if "--rounds" in arguments:
        at = arguments.index("--rounds")
        rounds = int(arguments[at + 1])
        del arguments[at:at + 2]
    main(Path(arguments[0]), rounds)
