"""serve/watch.py and serve/loop.py: change batches, incremental rebuilds identical to a full
build, failed builds that keep the last good site, new seeds, and `digest serve` itself."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import digest
from digest.build import BuildOptions, build
from digest.errors import DigestError
from digest.serve import DevServer, Rebuild
from digest.serve.watch import Watcher, classify

from .conftest import NOW, SiteMaker, entry_text, tree_bytes

OPTIONS = BuildOptions(now=NOW, jobs=1)


def site_files() -> dict[str, str | bytes]:
    return {
        "content/2022/a.md": entry_text("Alpha rises", topic="world", tags="[markets, energy]",
                                        body="Alpha body text."),
        "content/2022/b.md": entry_text("Beta falls", date="2022-08-16T10:00:00Z", topic="business",
                                        tags="[markets]", body="Beta body text."),
        "content/c.md": entry_text("Gamma holds", date="2022-08-17T08:00:00Z", topic="world", body="Gamma."),
    }


def test_classify(tmp_path: Path) -> None:
    root = tmp_path
    assert classify(root, root / "digest.toml") == "config"
    assert classify(root, root / "content/2022/a.md") == "content"
    assert classify(root, root / "seeds/new.html") == "seeds"
    assert classify(root, root / "themes/default/templates/base.html") == "theme"
    assert classify(root, root / "content") == "content"  # the folder itself removed or made
    for ignored in ("output/index.html", ".digest/cache/x", "README.md", "content/.a.md.swp", "content/a.md~",
                    "content/4913", "content/#a.md#", "content/2022/.#a.md"):
        assert classify(root, root / ignored) is None, ignored
    assert classify(root, tmp_path.parent / "elsewhere.md") is None


def test_an_editors_burst_of_writes_is_one_batch(make_site: SiteMaker) -> None:
    root = make_site(site_files())
    watcher = Watcher(root, quiet=0.08)
    watcher.start()
    try:
        entry = root / "content/2022/a.md"
        (root / "content/2022/4913").write_text("")  # vim's write test
        (root / "content/2022/4913").unlink()
        entry.rename(root / "content/2022/a.md~")
        with open(entry, "w") as handle:
            for part in ("---\ntitle: Alpha\n", "date: 2022-08-15T09:00:00Z\n---\n", "New body.\n"):
                handle.write(part)
                handle.flush()
                time.sleep(0.01)
        (root / "content/2022/a.md~").unlink()
        batch = watcher.wait(timeout=5)
        assert batch and {c.kind for c in batch} == {"content"}
        assert entry.resolve() in {c.path for c in batch}
        assert watcher.wait(timeout=0.4) == []  # nothing left over for a second build
    finally:
        watcher.stop()


def test_a_theme_linked_from_elsewhere_is_watched_through_its_link(make_site: SiteMaker, tmp_path: Path) -> None:
    """themes/mine -> a theme folder shared between sites: the build reads its templates through the
    link, but the watch did not follow it, so no edit there was ever built. A link made while
    serving is followed too; a link to a folder above is no endless walk."""
    root = make_site(site_files())
    shared = tmp_path / "shared-theme"
    (shared / "templates/parts").mkdir(parents=True)
    (shared / "templates/parts/loop").symlink_to(shared, target_is_directory=True)
    (root / "themes").mkdir()
    (root / "themes/mine").symlink_to(shared, target_is_directory=True)
    later = tmp_path / "later-theme"
    later.mkdir()
    watcher = Watcher(root, quiet=0.05)
    watcher.start()
    try:
        (shared / "templates/tag.html").write_text("{# mine #}")
        batch = watcher.wait(timeout=5)
        assert root.resolve() / "themes/mine/templates/tag.html" in {c.path for c in batch}
        assert {c.kind for c in batch} == {"theme"}
        (root / "themes/other").symlink_to(later, target_is_directory=True)
        watcher.wait(timeout=2)
        (later / "base.html").write_text("{# later #}")
        assert root.resolve() / "themes/other/base.html" in {c.path for c in watcher.wait(timeout=5)}
        (root / "themes/other").rename(root / "themes/renamed")  # named as the site reads it now
        watcher.wait(timeout=2)
        (later / "base.html").write_text("{# renamed #}")
        assert root.resolve() / "themes/renamed/base.html" in {c.path for c in watcher.wait(timeout=5)}
    finally:
        watcher.stop()


def test_a_template_linked_one_by_one_is_watched_through_its_link(make_site: SiteMaker, tmp_path: Path) -> None:
    """themes/mine/templates/base.html -> a file kept elsewhere: the build reads it through the link,
    but the watch saw the link only, never an edit (or an editor's atomic save) of the file."""
    root = make_site(site_files())
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "base.html").write_text("{# one #}")
    (root / "themes/mine/templates").mkdir(parents=True)
    (root / "themes/mine/templates/base.html").symlink_to(elsewhere / "base.html")
    watcher = Watcher(root, quiet=0.05)
    watcher.start()
    try:
        (elsewhere / "base.html").write_text("{# two #}")
        seen = root.resolve() / "themes/mine/templates/base.html"
        assert seen in {c.path for c in watcher.wait(timeout=5)}
        (elsewhere / "base.html.new").write_text("{# three #}")
        (elsewhere / "base.html.new").replace(elsewhere / "base.html")
        assert seen in {c.path for c in watcher.wait(timeout=5)}
        (elsewhere / "other.html").write_text("{# read by no page #}")
        assert watcher.wait(timeout=0.5) == []
    finally:
        watcher.stop()


class Running:
    """A DevServer with its rebuild loop in a thread; rebuilds arrive on a queue."""

    def __init__(self, root: Path, options: BuildOptions = OPTIONS) -> None:
        self.root = root
        self.server = DevServer(root, options, port=0, watch=True)
        self.rebuilds: queue.Queue[Rebuild] = queue.Queue()
        self.server.start()
        self.thread = threading.Thread(target=self.server.run, args=(self.rebuilds.put,), daemon=True)
        self.thread.start()
        first = self.rebuilds.get(timeout=60)
        assert first.error is None, first.summary(root)

    def settle(self, timeout: float = 30) -> list[Rebuild]:
        """Every rebuild the last action caused: the first, and any until 0.5 s pass quietly."""
        done = [self.rebuilds.get(timeout=timeout)]
        while True:
            try:
                done.append(self.rebuilds.get(timeout=0.5))
            except queue.Empty:
                return done

    def close(self) -> None:
        self.server.close()
        self.thread.join(5)


@pytest.fixture
def running(make_site: SiteMaker) -> Iterator[Running]:
    run = Running(make_site(site_files()))
    yield run
    run.close()


def full_build_of_copy(root: Path, tmp: Path, options: BuildOptions = OPTIONS) -> dict[str, bytes]:
    copy = tmp / "full"
    copy.mkdir()
    for name in ("content", "themes", "seeds"):
        if (root / name).exists():
            shutil.copytree(root / name, copy / name)
    shutil.copy(root / "digest.toml", copy / "digest.toml")
    build(copy, options)
    return tree_bytes(copy / "output")


def test_edits_renames_and_deletions_end_identical_to_a_full_build(running: Running, tmp_path: Path) -> None:
    root = running.root
    a = root / "content/2022/a.md"
    a.write_text(entry_text("Alpha rises again", topic="world", tags="[markets, oil]", body="Edited body."))
    last = running.settle()[-1]
    assert last.error is None and last.report is not None
    assert 0 < last.report.rendered < last.report.pages  # incremental: not the whole site
    assert "Edited body." in (root / "output/2022/08/15/a/index.html").read_text()

    (root / "content/2022/b.md").rename(root / "content/2022/beta.md")  # a rename
    running.settle()
    (root / "content/c.md").unlink()  # a deletion
    assert running.settle()[-1].error is None
    (root / "content/new").mkdir()
    (root / "content/new/d.md").write_text(entry_text("Delta arrives", date="2022-08-18T08:00:00Z",
                                                      topic="business", tags="[energy]"))
    running.settle()
    shutil.move(root / "content/new", root / "content/moved")  # a folder renamed
    running.settle()
    templates = Path(digest.__file__).parent / "default_theme/templates"
    (root / "themes/default/templates").mkdir(parents=True)
    article = (templates / "article.html").read_text()
    (root / "themes/default/templates/article.html").write_text(article.replace("</article>",
                                                                               "<p>Theme edit</p></article>", 1))
    assert running.settle()[-1].error is None
    config = root / "digest.toml"
    config.write_text(config.read_text().replace("Test Digest", "Renamed Digest"))
    assert running.settle()[-1].error is None

    served = tree_bytes(root / "output")
    assert any(b"Renamed Digest" in data for data in served.values())
    assert served == full_build_of_copy(root, tmp_path)


def test_a_config_change_to_how_entries_parse_regroups_them_anew(make_site: SiteMaker, tmp_path: Path) -> None:
    """A new time zone (or topic alias) changes entries whose bytes did not: a date without an
    offset is midnight in another zone. The dev server's story grouper kept the entries as parsed
    before (it looked for changed bytes only): the edition showed "11:00 NZST" beside a story a
    full build dates "15 Aug 2022", and the feeds listed an entry as other coverage of itself."""
    run = Running(make_site({
        "content/a.md": entry_text("Harbour reopens after storm", date="2022-08-15", topic="world"),
        "content/b.md": entry_text("Harbour reopens after the storm repairs", date="2022-08-15", topic="world"),
        "content/c.md": entry_text("Budget passes", date="2022-08-16", topic="business"),
    }))
    try:
        config = run.root / "digest.toml"
        config.write_text(config.read_text().replace("Europe/London", "Pacific/Auckland"))
        assert all(r.error is None for r in run.settle())
        assert tree_bytes(run.root / "output") == full_build_of_copy(run.root, tmp_path)
        config.write_text(config.read_text().replace("Pacific/Auckland", "Europe/London"))
        assert all(r.error is None for r in run.settle())
        (tmp_path / "full").rename(tmp_path / "full-1")
        assert tree_bytes(run.root / "output") == full_build_of_copy(run.root, tmp_path)
    finally:
        run.close()


def test_a_new_base_url_path_is_served_where_a_fresh_start_would_serve_it(running: Running) -> None:
    """The server took the base URL's path once, at start: after base_url gained /news/ it still
    served the site at /, where the 404 page's links (/news/static/style.css) led nowhere."""
    import http.client

    def get(path: str) -> tuple[int, str]:
        host, port = running.server.httpd.server_address[:2]
        connection = http.client.HTTPConnection(str(host), port, timeout=10)
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("Location") or ""

    assert get("/")[0] == 200
    config = running.root / "digest.toml"
    config.write_text(config.read_text().replace("https://news.example.org/", "https://news.example.org/news/"))
    assert all(r.error is None for r in running.settle())
    assert running.server.url.endswith("/news/")
    assert get("/") == (302, "/news/")  # not 301: a browser keeps that, and went on to /news/ after the next move
    assert get("/news/")[0] == 200 and get("/news/static/style.css")[0] == 200
    config.write_text(config.read_text().replace("/news/", "/"))
    assert all(r.error is None for r in running.settle())
    assert get("/")[0] == 200 and get("/news/")[0] == 404


def test_an_entry_coming_due_while_serving_is_published_without_a_save(make_site: SiteMaker, tmp_path: Path) -> None:
    """qa-48: an entry dated a little later, while `digest serve --watch` ran: its time came and the
    preview went on without it (unlike a build of the same files) until the curator saved a file."""
    soon = (datetime.now(UTC) + timedelta(seconds=3)).isoformat(timespec="seconds")
    root = make_site({**site_files(), "content/soon.md": entry_text("Delta arrives", date=soon, topic="world",
                                                                    body="Delta.")})
    options = BuildOptions(jobs=1)  # the clock's now
    running = Running(root, options)
    try:
        assert "Delta arrives" not in (root / "output/index.html").read_text()
        rebuilt = running.settle(timeout=20)
        assert rebuilt[-1].error is None and rebuilt[-1].summary(root).startswith("an entry's date came")
        assert "Delta arrives" in (root / "output/index.html").read_text()
        assert tree_bytes(root / "output") == full_build_of_copy(root, tmp_path, options)
    finally:
        running.close()


def test_output_deleted_by_hand_is_built_again(running: Running, tmp_path: Path) -> None:
    """rm -rf output/ while serving: every page was "not found" until the curator's next save."""
    root = running.root
    shutil.rmtree(root / "output")
    rebuilt = running.settle()
    assert rebuilt[-1].error is None and "output" in rebuilt[-1].summary(root)
    assert tree_bytes(root / "output") == full_build_of_copy(root, tmp_path)


def test_idle_time_brings_the_spare_tree_up_to_date(running: Running, tmp_path: Path) -> None:
    """After a build that changed every page (here a config change), the loop uses the quiet time
    before the next edit to make the spare tree equal to the live one (links), so that edit's build
    replaces only what it changes."""
    root = running.root
    config = root / "digest.toml"
    config.write_text(config.read_text().replace("A digest for tests.", "A changed description.", 1))
    assert all(r.error is None for r in running.settle())

    def spare_is_live() -> bool:
        live = [p for p in (root / "output").rglob("*") if p.is_file()]
        spare = root / ".output.spare"
        return bool(live) and all((spare / p.relative_to(root / "output")).exists()
                                  and os.path.samefile(spare / p.relative_to(root / "output"), p) for p in live)

    deadline = time.monotonic() + 30
    while not spare_is_live() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert spare_is_live()
    assert not (root / ".output.trash").exists()
    (root / "content/c.md").write_text(entry_text("Gamma holds", date="2022-08-17T08:00:00Z", topic="world",
                                                  body="Gamma, after the idle catch-up."))
    assert all(r.error is None for r in running.settle())
    assert tree_bytes(root / "output") == full_build_of_copy(root, tmp_path)


def test_broken_entry_keeps_the_last_good_site_and_the_fix_clears_the_error(running: Running) -> None:
    root, hub = running.root, running.server.hub
    assert hub is not None
    before = tree_bytes(root / "output")
    (root / "content/2022/a.md").write_text("---\ntitle: Alpha\ndate: [not a date\n---\n\nBody.\n")
    failed = running.settle()[-1]
    assert failed.error is not None and failed.report is None
    assert hub.error is not None and hub.error["file"] == "content/2022/a.md" and hub.error["line"]
    assert "failed" in failed.summary(root) and "content/2022/a.md" in failed.summary(root)
    assert tree_bytes(root / "output") == before  # still serving the last good site
    generation = hub.generation
    (root / "content/2022/a.md").write_text(entry_text("Alpha fixed", topic="world", body="Fixed."))
    fixed = running.settle()[-1]
    assert fixed.error is None and hub.error is None and hub.generation > generation
    assert "written" in fixed.summary(root)
    assert "Fixed." in (root / "output/2022/08/15/a/index.html").read_text()


SEED = """Harbour reopens after storm repairs

By Jo Writer

15 August 2022

The city's harbour reopened on Monday after three weeks of repairs to the sea wall.
Ferries resumed their timetable in the afternoon and fishing boats returned to the quay.
Officials said the repairs came in under budget and ahead of the winter storms.
"""


def test_a_new_seed_is_ingested_then_built_once(running: Running) -> None:
    root = running.root
    (root / "seeds").mkdir()
    (root / "seeds/harbour.txt").write_text(SEED)
    rebuilds = running.settle()
    ingested = [r for rb in rebuilds for r in rb.ingested]
    assert ingested and ingested[0].status != "error", ingested
    written = [p for r in ingested for p in r.entries]
    assert written and all(Path(p if Path(p).is_absolute() else root / p).is_file() for p in written)
    assert sum(bool(rb.ingested) for rb in rebuilds) == 1
    assert len(rebuilds) == 1, [rb.changes for rb in rebuilds]  # the entries ingest wrote are not a second batch
    assert any("Harbour reopens" in p.read_text() for p in (root / "output").rglob("index.html"))


def test_the_files_a_browser_saves_beside_a_page_are_not_ingested(running: Running) -> None:
    """A page saved "complete" into seeds/ while serving: its scripts became junk entries."""
    root = running.root
    (root / "seeds/Harbour_files").mkdir(parents=True)
    (root / "seeds/Harbour.html").write_text(
        f"<html><body><article><h1>Harbour reopens</h1><p>{SEED}</p></article></body></html>")
    (root / "seeds/Harbour_files/app.js").write_text("(function(){var a=document.createElement('script')})();\n" * 3)
    rebuilds = running.settle()
    ingested = [r.input.name for rb in rebuilds for r in rb.ingested]
    assert ingested == ["Harbour.html"], ingested


def test_a_seed_ingest_cannot_read_shows_its_hint_apart(running: Running) -> None:
    """The hint was left inside the message: the overlay had no hint of its own and the terminal
    line ended "(hint: ingest reads ... feeds" with no closing parenthesis."""
    root, hub = running.root, running.server.hub
    assert hub is not None
    (root / "seeds").mkdir()
    (root / "seeds/garbage.txt").write_bytes(b"\x00\x01\x02binary")
    rebuild = running.settle()[-1]
    assert rebuild.error is not None and hub.error is not None
    assert hub.error["file"].endswith("seeds/garbage.txt"), hub.error
    assert "hint" not in hub.error["message"] and hub.error["hint"]
    assert rebuild.summary(root).endswith(")")


def test_port_in_use_is_a_digest_error(make_site: SiteMaker) -> None:
    root = make_site(site_files())
    build(root, OPTIONS)
    first = DevServer(root, OPTIONS, port=0, watch=False)
    try:
        with pytest.raises(DigestError, match="cannot listen"):
            DevServer(root, OPTIONS, port=first.httpd.server_address[1], watch=False)
    finally:
        first.close()


def digest_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "digest.cli", *args]


def subprocess_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(Path(digest.__file__).resolve().parents[1])}


def _interruptible() -> None:
    """In the child: Ctrl-C as a terminal gives it. A suite started in the background by a shell
    without job control ignores SIGINT, and a process inherits an ignored signal: Python then keeps
    it ignored, and the SIGINT below would be lost (a serve process found waiting, SIGINT ignored)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_stops_serve_cleanly(make_site: SiteMaker) -> None:
    root = make_site(site_files())
    proc = subprocess.Popen(digest_command("-C", str(root), "serve", "--watch", "--port", "0"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=subprocess_env(),
                            preexec_fn=_interruptible)
    assert proc.stdout is not None
    lines = [proc.stdout.readline(), proc.stdout.readline()]
    assert lines[0].startswith("serving ") and "http://127.0.0.1:" in lines[0], lines
    assert "first build" in lines[1] and "written" in lines[1], lines
    (root / "content/c.md").write_text(entry_text("Gamma edited", topic="world"))
    assert "content/c.md changed" in proc.stdout.readline()
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=15)
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "Traceback" not in out
    out_dir = root.parent / "fresh"  # no half-written output: the served site equals a full build
    out_dir.mkdir()
    assert tree_bytes(root / "output") == full_build_of_copy(root, out_dir, BuildOptions(jobs=1, search=True))


def test_serve_whose_build_waits_for_another_says_which_process_it_waits_for(make_site: SiteMaker) -> None:
    """`digest serve --watch` started while another process builds the site (here: this one holds the
    build lock) says, after a second, whom its first build waits for; it builds once the lock is free."""
    from digest.output import build_lock

    root = make_site(site_files())
    with build_lock(root):
        proc = subprocess.Popen(digest_command("-C", str(root), "serve", "--watch", "--port", "0"),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=subprocess_env(),
                                preexec_fn=_interruptible)
        assert proc.stdout is not None and proc.stderr is not None
        import select

        if not select.select([proc.stderr], [], [], 30)[0]:  # silent while it waits: the failure this tests
            proc.kill()
            pytest.fail("digest serve said nothing while its build waited for the lock")
        waiting = proc.stderr.readline()
        assert waiting.startswith(f"waiting: process {os.getpid()} (") and "rebuild begins" in waiting, waiting
        assert not (root / "output").exists()
    lines = [proc.stdout.readline(), proc.stdout.readline()]
    assert lines[0].startswith("serving ") and "first build" in lines[1], lines
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=15)
    assert proc.returncode == 0 and "Traceback" not in err, err
    assert (root / "output/index.html").is_file()


def test_serve_without_a_built_site_says_what_to_do(make_site: SiteMaker) -> None:
    root = make_site(site_files())
    result = subprocess.run(digest_command("-C", str(root), "serve", "--port", "0"), capture_output=True,
                            text=True, env=subprocess_env(), timeout=30)
    assert result.returncode == 1
    assert "digest build" in result.stderr and "Traceback" not in result.stderr


def test_non_loopback_host_warns(make_site: SiteMaker) -> None:
    from digest.serve import is_loopback

    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")


def test_the_overlay_names_files_in_the_site_as_the_terminal_does(tmp_path: Path) -> None:
    """digest.toml and seeds/ problems were named by their absolute path in the browser's overlay,
    content and theme problems relative to the site: all relative now, a file elsewhere whole."""
    from digest.errors import BuildFailed, ConfigError, IngestError
    from digest.serve.reload import error_payload

    site = tmp_path / "site"
    outside = tmp_path / "elsewhere.txt"
    error = BuildFailed([ConfigError("bad value", site / "digest.toml", 4), IngestError("empty", site / "seeds/a.txt"),
                         IngestError("empty", outside)])
    payload = error_payload(error, site)
    assert [item["file"] for item in payload["errors"]] == ["digest.toml", "seeds/a.txt", str(outside)]
    assert payload["file"] == "digest.toml" and payload["line"] == 4


def test_a_failed_build_says_whether_a_site_is_still_served(tmp_path: Path) -> None:
    """The terminal line of a failed build: "still serving the last good site" only when there is one."""
    from digest.errors import ContentError
    from digest.serve import Rebuild

    error = ContentError("missing 'title'", Path("content/a.md"), 2)
    assert "still serving the last good site" in Rebuild((), None, error, (), 12.0, True).summary(tmp_path)
    line = Rebuild((), None, error, (), 12.0, False).summary(tmp_path)
    assert "no site to serve until a build succeeds" in line and "still serving" not in line
    assert "content/a.md:2: missing 'title'" in line
