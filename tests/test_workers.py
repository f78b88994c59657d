"""Forked workers (workers.py): the work is handed over as one frozen value, every chunk is run."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

import pytest

import digest.load
import digest.render_files
from digest import workers
from digest.build import build
from digest.pipeline import BuildOptions
from tests.conftest import NOW, SiteMaker, entry_text, tree_bytes


@dataclass(frozen=True)
class _Work:
    offset: int


def _chunk(work: _Work, items: Sequence[int]) -> list[tuple[int, int, bool]]:
    return [(item + work.offset, os.getpid(), workers.in_worker()) for item in items]


def test_every_item_is_done_once_in_forked_workers() -> None:
    results = [row for chunk in workers.in_workers(_chunk, _Work(1000), list(range(100)), 2, threshold=10)
               for row in chunk]
    assert sorted(value for value, _, _ in results) == list(range(1000, 1100))
    assert {pid for _, pid, _ in results} - {os.getpid()}  # not in this process
    assert all(forked for _, _, forked in results)
    assert not workers.in_worker()


def test_below_the_threshold_the_work_is_done_here() -> None:
    results = workers.in_workers(_chunk, _Work(0), [1, 2, 3], 2, threshold=10)
    assert results == [[(1, os.getpid(), False), (2, os.getpid(), False), (3, os.getpid(), False)]]


def test_a_site_parsed_and_rendered_in_workers_equals_one_made_here(make_site: SiteMaker,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    files = {f"content/e{i}.md": entry_text(f"Headline number {i}", date=f"2022-08-{10 + i % 9:02d}T09:00:00Z")
             for i in range(12)}
    here = make_site(files, name="here")
    build(here, BuildOptions(now=NOW, jobs=1))
    monkeypatch.setattr(digest.render_files, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(digest.load, "PARALLEL_PARSE", 1)  # parsed in workers, which store the rows themselves
    forked = make_site(files, name="forked")
    build(forked, BuildOptions(now=NOW, jobs=2))
    assert tree_bytes(here / "output") == tree_bytes(forked / "output")
