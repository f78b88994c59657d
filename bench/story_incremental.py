"""Time group_stories against StoryGrouper.update for one edit, on a generated site.

    python3 ../shared/peer-bench/gen_corpus.py 10000 /tmp/sg10k
    .venv/bin/python bench/story_incremental.py /tmp/sg10k

Edits (a) the opening of one entry's body and (b) one entry's title, and checks each update
against group_stories on the edited entries.
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
    for name, edit in edits.items():
        times, reports = [], []
        for k in range(rounds):
            entry = entries[(k * 997 + 13) % len(entries)]
            edited = edit(by_path[entry.path], k)
            by_path[edited.path] = edited
            features[edited.path] = entry_features(edited)
            start = time.perf_counter()
            stories = grouper.update([edited], (), {edited.path: features[edited.path]})
            times.append(time.perf_counter() - start)
            reports.append(grouper.last)
            assert stories == group_stories(list(by_path.values()), features)
        print(f"{name}: update median {statistics.median(times) * 1000:.1f} ms "
              f"(max {max(times) * 1000:.1f}); last: {reports[-1]}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
