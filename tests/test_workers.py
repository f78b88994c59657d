"""Forked workers (workers.py): the work is handed over as one frozen value, every chunk is run."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import digest.load
import digest.render_files
import digest.reuse.entry_rows
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
    # parsed in workers, which store the rows themselves (a build parses through entry_rows)
    monkeypatch.setattr(digest.reuse.entry_rows, "PARALLEL_PARSE", 1)
    forked = make_site(files, name="forked")
    build(forked, BuildOptions(now=NOW, jobs=2))
    assert tree_bytes(here / "output") == tree_bytes(forked / "output")


def test_the_plan_is_stored_while_the_workers_render_and_kept_for_the_next_build(
        make_site: SiteMaker, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build that plans every page (a cold one) stores its plan while the forked workers render,
    not before them with the other core idle; the next build patches from it as before."""
    import digest.build

    files = {f"content/e{i}.md": entry_text(f"Headline number {i}", date=f"2022-08-{10 + i % 9:02d}T09:00:00Z")
             for i in range(6)}
    root = make_site(files)
    stored: list[bool] = []
    real_store = digest.build.store_plan

    def spy_store(*args: object) -> None:
        stored.append(workers._handed is not None)  # set only while workers are at work (in_workers)
        real_store(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(digest.render_files, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(digest.build, "store_plan", spy_store)
    build(root, BuildOptions(now=NOW, jobs=2))
    assert stored == [True]
    patched: list[bool] = []

    def spy(real: Any) -> Any:
        def spy_patch(*args: Any, **kwargs: Any) -> Any:
            plan = real(*args, **kwargs)
            patched.append(plan is not None)
            return plan
        return spy_patch

    # A patch found by comparing the rows (patch), or told the edits in place (patch_changes)
    monkeypatch.setattr(digest.build, "patch", spy(digest.build.patch))
    monkeypatch.setattr(digest.build, "patch_changes", spy(digest.build.patch_changes))
    (root / "content/e1.md").write_text(entry_text("Headline number 1", date="2022-08-11T09:00:00Z",
                                                   body="Edited body."))
    build(root, BuildOptions(now=NOW, jobs=2))
    assert patched == [True] and "Edited body." in (root / "output/2022/08/11/e1/index.html").read_text()


def _bodied_files(count: int) -> dict[str, str]:
    """Entries whose bodies have what Markdown makes something of: links relative and absolute,
    headings, emphasis, a list, a table."""
    return {f"content/e{i}.md": entry_text(
        f"Headline number {i}", date=f"2022-08-{10 + i % 9:02d}T09:00:00Z",
        body=f"## Part {i}\n\nSee [the other](../e{(i + 1) % count}/), [a site](https://example.org/{i}) and "
             f"[a query](?page={i}).\n\n*Some* **words** {i}.\n\n- one\n- two\n\n| a | b |\n|---|---|\n| {i} | x |")
        for i in range(count)}


def _ahead_in_workers(monkeypatch: pytest.MonkeyPatch, taken: list[int]) -> None:
    """A build of a few entries makes their bodies ahead and renders in workers; what it takes is noted
    (after a pause, so that the process has made them all by then)."""
    import time

    import digest.build

    monkeypatch.setattr(digest.build, "AHEAD_AT_LEAST", 1)
    monkeypatch.setattr(digest.render_files, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(digest.reuse.entry_rows, "PARALLEL_PARSE", 1)
    real_taken = digest.render_files.BodiesAhead.taken

    def slow_taken(self: digest.render_files.BodiesAhead) -> dict[tuple[str, int, int], str]:
        time.sleep(0.5)
        made = real_taken(self)
        taken.append(len(made))
        return made

    monkeypatch.setattr(digest.render_files.BodiesAhead, "taken", slow_taken)


def test_bodies_made_ahead_while_a_build_from_nothing_plans_give_the_site_made_without(
        make_site: SiteMaker, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build from nothing makes its bodies into HTML in a process of its own while it plans the site
    (render_files.BodiesAhead); the render takes them from there. The site is the one made without."""
    files = _bodied_files(12)
    here = make_site(files, name="here")
    build(here, BuildOptions(now=NOW, jobs=1))  # one job: no process of its own for the bodies
    taken: list[int] = []
    _ahead_in_workers(monkeypatch, taken)
    ahead = make_site(files, name="ahead")
    build(ahead, BuildOptions(now=NOW, jobs=2))
    assert taken == [12]
    assert tree_bytes(here / "output") == tree_bytes(ahead / "output")


def test_the_render_takes_the_bodies_made_ahead(make_site: SiteMaker, monkeypatch: pytest.MonkeyPatch) -> None:
    """The bodies made ahead are those the pages and feeds show (the render's workers, forked after
    they were taken, find them too): marked where they are made, every article shows the mark."""
    real_make = digest.render_files._make_bodies

    def marked(*args: Any) -> list[tuple[str, int, int, str]]:
        return [(*key, f"<p>made ahead {key[0]}</p>") for *key, _ in real_make(*args)]

    taken: list[int] = []
    _ahead_in_workers(monkeypatch, taken)
    monkeypatch.setattr(digest.render_files, "_make_bodies", marked)
    root = make_site(_bodied_files(12))
    build(root, BuildOptions(now=NOW, jobs=2))
    assert taken == [12]
    articles = sorted(root.glob("output/2022/08/*/e*/index.html"))
    assert len(articles) == 12
    for page in articles:
        assert f"made ahead https://news.example.org/{page.parent.relative_to(root / 'output').as_posix()}/" \
            in page.read_text()
    assert "made ahead" in (root / "output/feed.xml").read_text()


def test_bodies_made_ahead_for_a_build_that_fails_are_stopped_and_forgotten(
        make_site: SiteMaker, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build that fails between the start of the bodies' process and its render stops the process
    (none is left behind), and the next build in this process is not handed its bodies."""
    import digest.build
    import digest.permalinks

    cancelled: list[bool] = []
    real_cancel = digest.render_files.BodiesAhead.cancel

    def spy_cancel(self: digest.render_files.BodiesAhead) -> None:
        child = self._apart._pid
        real_cancel(self)
        with pytest.raises(ChildProcessError):
            os.waitpid(child or -1, os.WNOHANG)  # waited for: no process left
        cancelled.append(True)

    def broken_plan(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the plan failed")

    _ahead_in_workers(monkeypatch, [])
    monkeypatch.setattr(digest.render_files.BodiesAhead, "cancel", spy_cancel)
    monkeypatch.setattr(digest.build, "full_plan", broken_plan)
    root = make_site(_bodied_files(12))
    with pytest.raises(RuntimeError, match="the plan failed"):
        build(root, BuildOptions(now=NOW, jobs=2))
    assert cancelled == [True] and digest.permalinks._made_ahead == {}


def test_bodies_are_made_ahead_newest_first_until_told_to_stop(make_site: SiteMaker,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The process makes the newest entries' bodies first (the feeds, made before the render, show
    them), no more than AHEAD_CHARACTERS of them, and stops making them once told."""
    from digest.config import load_config
    from digest.load import load_entries_with_features
    from digest.render_files import _make_bodies

    root = make_site(_bodied_files(6))
    config = load_config(root)
    entries = sorted(load_entries_with_features(config, jobs=1)[0], key=lambda entry: entry.published)
    stop, told = os.pipe()
    ahead = os.dup(told)  # the process's own copy of the other end, which it closes
    try:
        made = _make_bodies(entries, config, stop, ahead)
        assert [permalink for permalink, _, _, _ in made] == \
            [f"https://news.example.org/2022/08/{10 + i % 9:02d}/e{i}/" for i in reversed(range(6))]
        sizes = [len(html) for _, _, _, html in made]
        monkeypatch.setattr(digest.render_files, "AHEAD_CHARACTERS", sum(sizes[:3]))  # no more than so much
        assert [key for *key, _ in _make_bodies(entries, config, stop, os.dup(told))] == \
            [key for *key, _ in made[:3]]
        os.write(told, b"!")
        assert _make_bodies(entries, config, stop, os.dup(told)) == []
    finally:
        os.close(stop)
        os.close(told)


def test_a_build_from_nothing_compiles_its_templates_while_the_workers_parse(
        make_site: SiteMaker, monkeypatch: pytest.MonkeyPatch) -> None:
    """The templates of a build from nothing are compiled while forked workers parse the entries (the
    render would compile them first, with the other core idle); a later build parses in place and
    compiles none then."""
    import digest.build

    compiled: list[bool] = []
    real_warm = digest.build.Builder._warm_templates

    def spy_warm(self: digest.build.Builder, *args: Any) -> bool:
        compiled.append(workers._handed is not None)  # set only while workers are at work (in_workers)
        return real_warm(self, *args)

    monkeypatch.setattr(digest.reuse.entry_rows, "PARALLEL_PARSE", 1)
    monkeypatch.setattr(digest.build.Builder, "_warm_templates", spy_warm)
    root = make_site(_bodied_files(6))
    build(root, BuildOptions(now=NOW, jobs=2))
    assert compiled == [True]
    (root / "content/e1.md").write_text(entry_text("Headline number 1", date="2022-08-11T09:00:00Z", body="New."))
    build(root, BuildOptions(now=NOW, jobs=2))
    assert compiled == [True]


def test_entry_html_takes_a_body_made_ahead_by_its_permalink_and_text() -> None:
    """entry_html's table of bodies made ahead is looked up by the permalink and the body's length and
    hash: another body at the same address is made anew."""
    from datetime import UTC, datetime
    from pathlib import PurePosixPath

    from digest.config import parse_config
    from digest.model import Entry
    from digest.permalinks import body_key, entry_html, entry_permalink, use_made_ahead

    config = parse_config({"site": {"title": "T", "base_url": "https://example.org/"}}, "", Path("digest.toml"),
                          Path("."))
    entry = Entry(PurePosixPath("content/t.md"), "T", datetime(2022, 8, 15, tzinfo=UTC), "t", "Some *words*.")
    permalink = entry_permalink(entry, config)
    try:
        use_made_ahead({body_key(entry.body, permalink): "<p>made ahead</p>"})
        assert entry_html(entry, config) == "<p>made ahead</p>"
        other = Entry(entry.path, "T", entry.published, "t", "Other *words*.")
        assert entry_html(other, config) == '<p dir="auto">Other <em>words</em>.</p>\n'
    finally:
        use_made_ahead({})
    assert entry_html(entry, config) == '<p dir="auto">Some <em>words</em>.</p>\n'


def _pid_and(value: object) -> tuple[int, object]:
    return os.getpid(), value


def _fails() -> int:
    raise RuntimeError("in the child")


def _unmarshallable() -> object:
    return object()


def test_work_apart_runs_in_another_process_and_hands_back_its_result() -> None:
    with workers.Apart(_pid_and, ["a", ("b", 2)]) as apart:
        pid, value = apart.result()  # type: ignore[misc]
    assert pid != os.getpid() and value == ["a", ("b", 2)]
    assert apart.result() == (pid, ["a", ("b", 2)])  # asked again: the same, no second wait


def test_work_apart_taken_is_handed_over_and_no_longer_held() -> None:
    """taken(): the result, which the Apart then no longer holds (a one-shot build's walk of 100,000
    entry files is 25 MB, let go once the rows are refreshed)."""
    with workers.Apart(_pid_and, ["a", ("b", 2)]) as apart:
        pid, value = apart.taken()  # type: ignore[misc]
    assert pid != os.getpid() and value == ["a", ("b", 2)]
    assert apart.result() is None and apart.taken() is None


@pytest.mark.parametrize("work", [_fails, _unmarshallable])
def test_work_apart_that_fails_gives_none_and_leaves_no_process(work) -> None:
    apart = workers.Apart(work)
    child = apart._pid
    assert apart.result() is None
    with pytest.raises(ChildProcessError):
        os.waitpid(child, os.WNOHANG)  # already waited for


def test_work_apart_left_unasked_is_waited_for_on_the_way_out() -> None:
    with pytest.raises(KeyError), workers.Apart(_pid_and, 1) as apart:
        raise KeyError("a build that failed before it asked")
    with pytest.raises(ChildProcessError):
        os.waitpid(apart._pid, os.WNOHANG)


def test_work_apart_without_fork_runs_when_asked(monkeypatch) -> None:
    monkeypatch.delattr(workers.os, "fork")  # as on Windows
    ran: list[int] = []
    apart = workers.Apart(lambda: ran.append(1) or 7)
    assert ran == [] and apart.result() == 7 and apart.result() == 7 and ran == [1]


def test_a_one_shot_build_stats_its_files_apart_and_a_failed_walk_is_done_inline(
        make_site: SiteMaker, monkeypatch) -> None:
    """The build's entry files and output folders are looked at by processes of their own; when
    such a process fails, the build does that work itself, with the same result."""
    root = make_site({"content/a.md": entry_text(), "content/b.md": entry_text("Other", date="2022-08-16T09:00Z")})
    build(root, BuildOptions(now=NOW))
    started: list[str] = []
    real = workers.Apart.__init__

    def counted(self, function, *args):  # type: ignore[no-untyped-def]
        started.append(function.__name__)
        real(self, function, *args)

    monkeypatch.setattr(workers.Apart, "__init__", counted)
    (root / "content/c.md").write_text(entry_text("Third", date="2022-08-17T09:00Z"))
    (root / "output/notes.txt").write_text("by hand")
    assert build(root, BuildOptions(now=NOW)).entries == 3
    assert sorted(started) == ["folders_as_recorded", "walk_entry_files"]
    third = [p for p in (root / "output").rglob("index.html") if p.parent.name == "c"]
    assert len(third) == 1 and "Third" in third[0].read_text()
    assert not (root / "output/notes.txt").exists()
    monkeypatch.setattr(workers.Apart, "result", lambda self: None)  # as when the process failed
    (root / "content/c.md").unlink()
    (root / "output/notes.txt").write_text("by hand")
    assert build(root, BuildOptions(now=NOW)).entries == 2
    assert not (root / "output/notes.txt").exists()
    assert not third[0].exists()


def test_the_command_walks_the_entry_files_while_it_imports_the_build(make_site: SiteMaker) -> None:
    """`digest build` begins the walk of content/ before it imports the build's modules (0.1 s at
    10,000 entries, which the walk had waited for), and the build takes that walk: one walk, not two."""
    import subprocess
    import sys

    root = make_site({"content/a.md": entry_text(), "content/b.md": entry_text("Other", date="2022-08-16T09:00Z")})
    script = (
        "import sys\n"
        "from digest import workers\n"
        "real = workers.Apart.__init__\n"
        "def counted(self, function, *args, **kwargs):\n"
        "    print(function.__name__, 'digest.build' in sys.modules, 'jinja2' in sys.modules)\n"
        "    real(self, function, *args, **kwargs)\n"
        "workers.Apart.__init__ = counted\n"
        "from digest.cli import main\n"
        "sys.exit(main(['--site', sys.argv[1], 'build', '-q']))\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(root)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    started = [line.split() for line in done.stdout.splitlines()]
    assert ["walk_entry_files", "False", "False"] in started  # before the build's modules
    assert [name for name, *_ in started].count("walk_entry_files") == 1  # and the build took it
    assert (root / "output/index.html").is_file()


def test_cancel_stops_the_process_apart_and_what_it_started(tmp_path: Path) -> None:
    """A build that fails while Pagefind indexes apart stops that process and its Pagefind processes."""
    import subprocess
    import time

    from digest.workers import Apart

    pid_file = tmp_path / "pid"

    def work() -> int:
        child = subprocess.Popen(["sleep", "60"])
        pid_file.write_text(str(child.pid))
        return child.wait()

    apart = Apart(work, group=True)
    deadline = time.monotonic() + 10
    while (not pid_file.exists() or not pid_file.read_text()) and time.monotonic() < deadline:
        time.sleep(0.01)
    started = time.monotonic()
    apart.cancel()
    assert time.monotonic() - started < 5
    assert apart.result() is None
    sleeper = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:  # killed; adopted and reaped by init, or a zombie until then
        try:
            state = Path(f"/proc/{sleeper}/stat").read_text().rpartition(")")[2].split()[0]
        except FileNotFoundError:
            break
        if state == "Z":
            break
        time.sleep(0.05)
    else:
        raise AssertionError("the process it started still runs")
