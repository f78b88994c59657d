"""bench/run.py's own arithmetic (the builds it times are the suite's other tests' business)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

BENCH_RUN = Path(__file__).resolve().parent.parent / "bench" / "run.py"


def bench_run() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_run", BENCH_RUN)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_tables_cold_ratio_to_hugo_and_pagefind_gives_the_builds_taken_in_turns_beside_it() -> None:
    run = bench_run()
    cold = {"cold": {"wall_s": 30.0, "cpu_s": 50.0, "peak_mb": 300}}
    tools = {"digest": {"measures": cold, "files": {"total": 9}, "rebuild_equals_cold": True},
             "hugo+pagefind": {"measures": {"cold": {"wall_s": 32.0, "cpu_s": 45.0, "peak_mb": 2000}},
                               "files": {"total": 7}}}
    pairs = {"builds": {"digest": [{"wall_s": 40.0}], "hugo+pagefind": [{"wall_s": 33.0}]}, "ratios": [1.212],
             "median_ratio": 1.212}
    text = run.table({"sizes": {"10000": tools}, "cold_pairs": {"10000": pairs}})
    assert "| 10000 | cold | 30.00 / 300 | 32.00 / 2000 | 0.94 (taking turns: 1.21) |" in text
    assert "| 10000 | cold | 30.00 / 300 | 32.00 / 2000 | 0.94 |" in run.table({"sizes": {"10000": tools}})


@pytest.mark.parametrize("pause", [0, 3])
def test_a_pause_of_zero_leaves_the_paused_edit_out_and_every_measure_has_a_median(
        pause: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """PAUSE=0 is documented to leave the edit after a pause out: no measure is left without runs
    (a median of no runs failed a whole 100,000-entry run after its builds). digest's own site also
    has its title changed before each run's last build; a peer's has neither."""
    run = bench_run()
    monkeypatch.setattr(run, "PAUSE", pause)
    monkeypatch.setattr(run, "RUNS", 2)
    slept: list[float] = []
    monkeypatch.setattr(run.time, "sleep", slept.append)
    monkeypatch.setattr(run, "append_edit", lambda target, n: None)
    monkeypatch.setattr(run, "retitle", lambda target, n: None)
    monkeypatch.setattr(run, "add_entry", lambda content, n: tmp_path / f"added-{n}.md")
    titles: list[str] = []
    monkeypatch.setattr(run, "timed", lambda command, site: titles.append((site / "digest.toml").read_text())
                        or {"wall_s": 1.0, "cpu_s": 1.0, "peak_mb": 10})
    (tmp_path / "digest.toml").write_text(run.DIGEST_TOML)
    for n in range(2):
        (tmp_path / f"added-{n}.md").touch()
    results = run.measure_runs(["digest", "build"], tmp_path, tmp_path / "target.md", (), ours=True)
    assert ("edit-after-pause" in results) == (pause > 0)
    assert all(len(runs) == 2 for runs in results.values())
    # the site's title changed before each run's last build only (every page rendered again over the live site)
    last = len(titles) // 2 - 1
    assert titles[last] != titles[last - 1] and titles[-1] != titles[-2] and len(set(titles)) == 3
    for n in range(2):
        (tmp_path / f"added-{n}.md").touch()
    peers = run.measure_runs(["hugo"], tmp_path, tmp_path / "target.md", ())
    assert "site-title" not in peers and "edit-after-pause" not in peers
    assert {m: run.median(r) for m, r in results.items()}["cold"] == {"wall_s": 1.0, "cpu_s": 1.0, "peak_mb": 10}
    assert slept == ([pause, pause] if pause else [])
