"""The floor of finding what changed by looking: a walk of content/ that stats every entry file.

usage: python bench/stat_walk.py CONTENT_FOLDER [runs]

Times, warm (the folders in the kernel's cache, as for a user's second build), the median of
`runs`: digest's own walk (load.entry_files: every .md file with its mtime and size), the same
walk with os.scandir and one stat per file, and the listing alone (no stat). What a CLI build
spends on change detection can fall no lower than the middle figure without a watcher's help.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from digest.load import entry_files


def scandir_walk(root: Path, stat: bool) -> int:
    count = 0
    stack = [str(root)]
    while stack:
        with os.scandir(stack.pop()) as found:
            for item in found:
                if item.is_dir(follow_symlinks=False):
                    stack.append(item.path)
                elif item.name.endswith(".md"):
                    if stat:
                        item.stat(follow_symlinks=False)
                    count += 1
    return count


def timed(function: Callable[[], object], runs: int) -> float:
    function()  # warm
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    content = Path(sys.argv[1]).resolve()
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    files = scandir_walk(content, stat=False)
    print(f"{files} entry files under {content}, median of {runs} warm runs:")
    print(f"  digest's walk (load.entry_files)  {timed(lambda: entry_files(content), runs):.3f} s")
    print(f"  os.scandir + one stat per file    {timed(lambda: scandir_walk(content, True), runs):.3f} s")
    print(f"  os.scandir, listing only          {timed(lambda: scandir_walk(content, False), runs):.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
