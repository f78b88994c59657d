"""Golden output: the demo site (digest.toml, content/, themes/) built and compared file by file with
the committed tree in tests/golden/demo/, so a change to any page shows in review (Pelican's
functional tests). After an intended change to the output, write the tree again and commit its diff:

    make golden        # python -m tests.test_golden --update
"""

from __future__ import annotations

import difflib
import shutil
import sys
import tempfile
from pathlib import Path

from digest.build import BuildOptions, build

from .conftest import NOW, REPO, tree_bytes

GOLDEN = REPO / "tests" / "golden" / "demo"
# Built without the search index (--no-search): pagefind/ is Pagefind's own JavaScript and WebAssembly
# bundle and its binary index, bytes that follow pagefind-bin's version rather than digest's and cannot be
# read in review. Every other file is the same with search on (test_search_adds_only_pagefind below);
# the index itself is tested in test_search.py.
OPTIONS = BuildOptions(now=NOW, jobs=1, search=False)
SEARCH_INDEX = "pagefind/"
DIFF_LINES = 20  # of each differing file, in the failure message
DIFF_FILES = 10  # files whose diff is shown; the rest are listed only


def build_demo(root: Path, options: BuildOptions = OPTIONS) -> Path:
    """The demo site copied into root and built there; returns its output folder."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "digest.toml", root / "digest.toml")
    shutil.copytree(REPO / "content", root / "content")
    if (REPO / "themes").is_dir():
        shutil.copytree(REPO / "themes", root / "themes", symlinks=True)
    build(root, options)
    return root / "output"


def differences(expected: dict[str, bytes], actual: dict[str, bytes]) -> str:
    """What differs between two trees: missing, extra and changed files, with a short diff of each
    changed one; empty when they are the same."""
    missing = sorted(expected.keys() - actual.keys())
    extra = sorted(actual.keys() - expected.keys())
    changed = sorted(rel for rel in expected.keys() & actual.keys() if expected[rel] != actual[rel])
    if not (missing or extra or changed):
        return ""
    lines = [f"{len(missing)} missing, {len(extra)} unexpected, {len(changed)} changed "
             f"(after an intended change: make golden, and review the diff of {GOLDEN.relative_to(REPO)})"]
    lines += [f"  missing:    {rel}" for rel in missing]
    lines += [f"  unexpected: {rel}" for rel in extra]
    lines += [f"  changed:    {rel}" for rel in changed]
    for rel in changed[:DIFF_FILES]:
        try:
            before, after = expected[rel].decode().splitlines(), actual[rel].decode().splitlines()
        except UnicodeDecodeError:
            lines.append(f"--- {rel}: binary, {len(expected[rel])} -> {len(actual[rel])} bytes")
            continue
        diff = list(difflib.unified_diff(before, after, f"golden/{rel}", f"built/{rel}", n=1, lineterm=""))
        lines += [line[:200] for line in diff[:DIFF_LINES]]
        if len(diff) > DIFF_LINES:
            lines.append(f"... {len(diff) - DIFF_LINES} more lines of diff")
    return "\n".join(lines)


def test_demo_site_matches_the_golden_tree(tmp_path: Path) -> None:
    output = build_demo(tmp_path / "demo")
    problems = differences(tree_bytes(GOLDEN), tree_bytes(output))
    assert not problems, problems


def test_search_adds_only_pagefind(tmp_path: Path) -> None:
    """The golden tree is built with --no-search: the default build differs from it only in pagefind/."""
    output = build_demo(tmp_path / "demo", BuildOptions(now=NOW, jobs=1, search=True))
    built = tree_bytes(output)
    assert any(rel.startswith(SEARCH_INDEX) for rel in built), "no search index: is pagefind-bin installed?"
    pages = {rel: data for rel, data in built.items() if not rel.startswith(SEARCH_INDEX)}
    problems = differences(tree_bytes(GOLDEN), pages)
    assert not problems, problems


def update() -> None:
    """Write tests/golden/demo/ again from a fresh build of the demo site."""
    with tempfile.TemporaryDirectory() as tmp:
        output = build_demo(Path(tmp) / "demo")
        if GOLDEN.exists():
            shutil.rmtree(GOLDEN)
        shutil.copytree(output, GOLDEN)
    print(f"wrote {len(tree_bytes(GOLDEN))} files to {GOLDEN.relative_to(REPO)}")


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit("usage: python -m tests.test_golden --update   (or: make golden)")
    update()
