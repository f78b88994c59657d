"""The build cache: every input that affects a page invalidates it, a rebuild equals a cold build
byte for byte, an unchanged site is not touched, and a damaged cache or spare tree is never trusted."""

from __future__ import annotations

import functools
import os
import pickle
import shutil
import sqlite3
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

import jinja2
import pytest

import digest.build
import digest.output
import digest.pipeline
import digest.render_files
import digest.reuse.entry_rows
import digest.stories.incremental
import digest.stories.remembered
import digest.theme
from digest.build import Builder, BuildOptions, build
from digest.errors import DigestError
from digest.model import Entry
from digest.reuse.cache import BuildCache, cache_path
from digest.tree_identity import tree_id
from digest.urls import is_article_output

from .conftest import BASIC_CONFIG, NOW, entry_text

OPTIONS = BuildOptions(now=NOW, jobs=1)
DAY1 = "2022-08-15T09:00:00+01:00"
DAY2 = "2022-08-16T09:00:00+01:00"

FILES = {
    "content/2022/08/15/alpha.md": entry_text("Alpha rises", DAY1, "Alpha body.", topic="world", tags='["Energy"]'),
    "content/2022/08/15/beta.md": entry_text("Beta falls", DAY1, "Beta body.", topic="business", tags='["Energy"]'),
    "content/2022/08/16/gamma.md": entry_text("Gamma opens", DAY2, "Gamma body.", topic="world", tags='["Ports"]'),
}
THEME = {
    "themes/mine/static/extra.css": "body { color: black; }\n",
}
CONFIG = BASIC_CONFIG.replace("[site]\n", '[site]\ntheme = "mine"\n')


def tree(root: Path) -> dict[str, bytes | None]:
    """Every file (bytes) and folder (None) under root."""
    found: dict[str, bytes | None] = {}
    for path in sorted(root.rglob("*")):
        found[path.relative_to(root).as_posix()] = path.read_bytes() if path.is_file() else None
    return found


def stamps(root: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(root).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in root.rglob("*") if p.is_file()}


def cold(root: Path, tmp_path: Path) -> dict[str, bytes | None]:
    """The same site built from nothing, elsewhere: what every rebuild must equal."""
    copy = tmp_path / "cold"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns("output", ".output.*", ".digest"))
    build(copy, OPTIONS)
    return tree(copy / "output")


@pytest.fixture
def site(make_site) -> Path:
    root: Path = make_site({**FILES, **THEME}, config=CONFIG)
    build(root, OPTIONS)
    return root


def rebuild_equals_cold(root: Path, tmp_path: Path) -> int:
    report = build(root, OPTIONS)
    assert tree(root / "output") == cold(root, tmp_path)
    return report.rendered


def edit(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.write_text(text, encoding="utf-8")
    # mtime alone may not move within the file system's resolution: the size does here, but be sure
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000))


ARTICLE = "output/2022/08/15/alpha/index.html"


def test_nothing_changed_renders_nothing_and_rewrites_nothing(site: Path) -> None:
    before = stamps(site / "output")
    report = build(site, OPTIONS)
    assert report.rendered == 0 and report.removed == 0 and report.parsed == 0
    assert stamps(site / "output") == before


def test_a_build_that_finds_nothing_changed_never_imports_the_renderers(site: Path) -> None:
    """Start-up is most of a no-change build: Markdown, YAML, feedgen (with lxml), numpy (story
    grouping) and Jinja are imported where they are used, not with the modules (about 0.3 s of 0.5 s)."""
    import subprocess
    import sys

    heavy = ["markdown_it", "yaml", "frontmatter", "feedgen", "lxml", "numpy", "jinja2"]
    probe = ("import sys; from pathlib import Path; from digest.build import build, BuildOptions; "
             f"from datetime import datetime; now = datetime.fromisoformat({NOW.isoformat()!r}); "
             "report = build(Path(sys.argv[1]), BuildOptions(now=now, jobs=1)); "
             f"print(report.rendered, report.parsed, [m for m in {heavy!r} if m in sys.modules])")
    done = subprocess.run([sys.executable, "-c", probe, str(site)], capture_output=True, text=True, check=True)
    assert done.stdout.split(maxsplit=2) == ["0", "0", "[]\n"], done.stdout + done.stderr
    (site / "content/2022/08/15/alpha.md").write_text(entry_text("Alpha rises", DAY1, "Alpha *edited*.",
                                                                  topic="world", tags='["Energy"]'))
    done = subprocess.run([sys.executable, "-c", probe, str(site)], capture_output=True, text=True, check=True)
    assert done.stdout.split()[1] == "1" and "markdown_it" in done.stdout  # the probe sees an import
    assert "jinja2" in done.stdout


def test_an_edit_imports_only_what_it_uses(site: Path) -> None:
    """An edit with search on (the command users run) renders a page and its listings: it needs
    Markdown and Jinja, not the `regex` module (cutting text between graphemes: the e-mails'
    preheader, made again with the edition's e-mails and cut where it is ASCII without it),
    css-inline and email's MIME classes (the e-mails' bytes are the same: not rendered),
    multiprocessing (forked workers, for many files), ctypes.util (libc is found in the process's
    own symbols) or `platform` (imported by pagefind_bin; its binary is found in the package's
    folder): about 35 ms of the 0.35 s of an edit at 10,000 entries, and 25 ms more."""
    import subprocess
    import sys

    long = site / "content/2022/08/15/long.md"  # the edition's preheader is then cut
    long.write_text(entry_text("A long headline about the harbour and its new tax " * 4, DAY1, "Long.", topic="world"))
    build(site, replace(OPTIONS, search=True))
    unused = ["regex", "multiprocessing", "ctypes.util", "platform", "pagefind_bin", "css_inline", "email.message"]
    probe = ("import sys; from pathlib import Path; from digest.build import build, BuildOptions; "
             f"from datetime import datetime; now = datetime.fromisoformat({NOW.isoformat()!r}); "
             "report = build(Path(sys.argv[1]), BuildOptions(now=now, jobs=1, search=True)); "
             f"print(report.rendered, 'markdown_it' in sys.modules, [m for m in {unused!r} if m in sys.modules])")
    (site / "content/2022/08/15/alpha.md").write_text(entry_text("Alpha rises", DAY1, "Alpha *edited* again.",
                                                                  topic="world", tags='["Energy"]'))
    done = subprocess.run([sys.executable, "-c", probe, str(site)], capture_output=True, text=True, check=True)
    rendered, markdown, imported = done.stdout.split(maxsplit=2)
    assert int(rendered) > 0 and markdown == "True", done.stdout + done.stderr
    assert imported == "[]\n", done.stdout + done.stderr


def test_a_deletion_that_renders_nothing_never_imports_jinja(site: Path) -> None:
    """An entry added, then deleted: the spare tree holds every page as it was before the addition,
    so the deletion links them back and renders nothing; Jinja and the theme (about 0.06 s of a
    deletion at 10,000 entries) are not loaded for it."""
    import subprocess
    import sys

    added = site / "content/2022/08/16/added.md"
    added.write_text(entry_text("Added today", DAY2, "Added body.", topic="world", tags='["Energy"]'))
    assert build(site, OPTIONS).rendered > 0
    added.unlink()
    probe = ("import sys; from pathlib import Path; from digest.build import build, BuildOptions; "
             f"from datetime import datetime; now = datetime.fromisoformat({NOW.isoformat()!r}); "
             "report = build(Path(sys.argv[1]), BuildOptions(now=now, jobs=1)); "
             "print(report.rendered, report.removed, 'jinja2' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe, str(site)], capture_output=True, text=True, check=True)
    rendered, removed, jinja = done.stdout.split()
    assert (rendered, jinja) == ("0", "False") and int(removed) > 0, done.stdout + done.stderr
    assert not (site / "output/2022/08/16/added").exists()


def test_every_build_reads_the_entries_small_columns_from_an_index_not_the_pickles(site: Path) -> None:
    """The rows' small columns are read by every build; with the pickles beside them a row fills a
    page, so a scan of the table read the whole cache file (1.3 GB at 100,000 entries)."""
    from digest.reuse.cache import ENTRY_COLUMNS

    with sqlite3.connect(cache_path(site)) as db:
        plan = " ".join(str(step[-1]) for step in db.execute("EXPLAIN QUERY PLAN " + ENTRY_COLUMNS))
        assert "COVERING INDEX entry_columns" in plan, plan
        assert len(db.execute(ENTRY_COLUMNS).fetchall()) == len(FILES)


def test_an_addition_reads_every_entrys_listing_from_an_index_not_the_pickles(site: Path) -> None:
    """The same for the entries' listings (cached_entry.ListedHead), which an addition or a deletion
    reads for every entry; each is the listing of that row's head."""
    from digest.model import EntryHead
    from digest.reuse.cache import LISTINGS
    from digest.reuse.cached_entry import LISTING_FIELDS

    with sqlite3.connect(cache_path(site)) as db:
        plan = " ".join(str(step[-1]) for step in db.execute("EXPLAIN QUERY PLAN " + LISTINGS))
        assert "COVERING INDEX entry_listings" in plan, plan
        rows = db.execute("SELECT listing, head FROM entries").fetchall()
        assert len(rows) == len(FILES)
        for listing, head in rows:
            whole = pickle.loads(head)
            assert isinstance(whole, EntryHead)
            assert pickle.loads(listing) == tuple(getattr(whole, name) for name in LISTING_FIELDS)


def test_every_full_plan_reads_the_units_fingerprints_from_an_index_not_the_plans(site: Path) -> None:
    """The same for the stored plan's units: their fingerprints without their pickled plans."""
    from digest.reuse.cache import UNIT_PRINTS

    with sqlite3.connect(cache_path(site)) as db:
        plan = " ".join(str(step[-1]) for step in db.execute("EXPLAIN QUERY PLAN " + UNIT_PRINTS))
        assert "COVERING INDEX unit_prints" in plan, plan
        prints = db.execute(UNIT_PRINTS).fetchall()
        assert prints and all(isinstance(value, str) and value for _, value in prints)


def test_only_the_commits_the_output_trees_depend_on_wait_for_the_disk(site: Path, monkeypatch) -> None:
    """A commit that forgets or records an output tree waits for the disk (synchronous=FULL): a
    tree is changed only once its record is gone, whatever a power cut loses. The others (parses,
    stories, the plan: what a lost commit makes a build compute again) do not: they waited 5-10 ms
    each, nine times in an addition. The write-ahead log keeps them in order, so the durable commit
    brings every earlier one to the disk with it."""
    commits: list[tuple[str, bool]] = []  # (synchronous mode at the commit, the transaction wrote `trees`)
    state = {"mode": "?", "trees": False}

    def traced(statement: str) -> None:
        text = " ".join(statement.split()).upper()
        if text.startswith("PRAGMA SYNCHRONOUS="):
            state["mode"] = text.split("=", 1)[1]
        elif text.startswith("BEGIN"):
            state["trees"] = False
        elif text.startswith(("DELETE FROM TREES", "INSERT OR REPLACE INTO TREES")):
            state["trees"] = True
        elif text == "COMMIT":
            commits.append((str(state["mode"]), bool(state["trees"])))

    connect = sqlite3.connect

    def connect_traced(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        db = connect(*args, **kwargs)
        db.set_trace_callback(traced)
        return db

    monkeypatch.setattr(sqlite3, "connect", connect_traced)
    edit(site, "content/2022/08/15/alpha.md", entry_text("Alpha rises", DAY1, "Alpha edited.", topic="world",
                                                         tags='["Energy"]'))
    build(site, OPTIONS)
    edit(site, "content/2022/08/16/delta.md", entry_text("Delta lands", DAY2, "Delta body.", topic="business"))
    build(site, OPTIONS)
    (site / "content/2022/08/16/delta.md").unlink()
    build(site, OPTIONS)
    trees = [mode for mode, wrote_trees in commits if wrote_trees]
    others = [mode for mode, wrote_trees in commits if not wrote_trees]
    assert len(trees) >= 6 and set(trees) == {"FULL"}, commits
    assert len(others) >= 6 and set(others) == {"NORMAL"}, commits


def test_touched_but_unchanged_entry_is_not_parsed_again(site: Path) -> None:
    path = site / "content/2022/08/15/alpha.md"
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 5_000_000_000))
    report = build(site, OPTIONS)
    assert report.parsed == 0 and report.rendered == 0


def test_entry_edit(site: Path, tmp_path: Path) -> None:
    edit(site, "content/2022/08/15/alpha.md", entry_text("Alpha rises", DAY1, "A new body.", topic="world",
                                                         tags='["Energy"]'))
    rendered = rebuild_equals_cold(site, tmp_path)
    assert "A new body." in (site / ARTICLE).read_text()
    assert 0 < rendered < 20


def test_title_edit_reaches_listing_pages(site: Path, tmp_path: Path) -> None:
    edit(site, "content/2022/08/15/alpha.md", entry_text("Alpha soars", DAY1, "Alpha body.", topic="world",
                                                         tags='["Energy"]'))
    rebuild_equals_cold(site, tmp_path)
    for rel in ("2022/08/15/index.html", "topics/world/index.html", "tags/energy/index.html", "feed.xml"):
        assert "Alpha soars" in (site / "output" / rel).read_text(), rel


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_whole_site_render_makes_its_pages_whole_a_batch_at_a_time(site: Path, tmp_path: Path, jobs: int,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A site's title changed: every page renders again, planned with the entries' heads and made whole
    (the whole entries in their contexts) WHOLE_AT_ONCE pages at a time, each batch rendered before the
    next is made (at 10,000 entries all at once took 120 MB more); in forked workers too. The output
    equals a cold build's."""
    monkeypatch.setattr(digest.render_files, "WHOLE_AT_ONCE", 2)
    monkeypatch.setattr(digest.render_files, "PARALLEL_THRESHOLD", 1)
    batches: list[int] = []
    made_whole = Builder._whole_pages

    def counted(self: Builder, pages: Any, cache: BuildCache) -> Any:
        batches.append(len(pages))
        assert len(batches) == 1 or len(batches) - 1 == rendered[0], "a batch made whole before the last rendered"
        return made_whole(self, pages, cache)

    rendered = [0]  # batches made whole when the last render began
    in_workers = digest.render_files.in_workers

    def rendering(*args: Any, **kwargs: Any) -> Any:
        rendered[0] = len(batches)
        return in_workers(*args, **kwargs)

    monkeypatch.setattr(Builder, "_whole_pages", counted)
    monkeypatch.setattr(digest.render_files, "in_workers", rendering)
    (site / "digest.toml").write_text(CONFIG.replace('title = "Test Digest"', 'title = "Another Digest"'))
    report = build(site, replace(OPTIONS, jobs=jobs))
    assert tree(site / "output") == cold(site, tmp_path)
    assert "Another Digest" in (site / ARTICLE).read_text()
    assert len(batches) > 2 and max(batches) == 2 and report.rendered > sum(batches)  # feeds, statics too


def test_an_emails_files_planned_with_heads_render_its_parts_once(site: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The .html, .txt and .eml of one e-mail share their plan's `email`, and render_email renders
    each part once for the three. Made whole after a plan with heads (the site's title changed), they
    share it still: each e-mail's HTML is made once, not again for its .eml."""
    import digest.newsletter.render

    made: list[int] = []
    email_html = digest.newsletter.render.email_html

    def counted(env: Any, context: Any) -> Any:
        made.append(id(context["email"]))
        return email_html(env, context)

    monkeypatch.setattr(digest.newsletter.render, "email_html", counted)
    (site / "digest.toml").write_text(CONFIG.replace('title = "Test Digest"', 'title = "Another Digest"'))
    report = build(site, OPTIONS)
    emails = list((site / "output").rglob("email.eml"))
    assert report.rendered > len(emails) >= 2
    assert len(made) == len(set(made)) == len(emails)
    assert tree(site / "output") == cold(site, tmp_path)


def test_new_and_removed_entries(site: Path, tmp_path: Path) -> None:
    (site / "content/2022/08/16/delta.md").write_text(entry_text("Delta arrives", DAY2, "Delta.", topic="business"))
    rebuild_equals_cold(site, tmp_path)
    assert (site / "output/2022/08/16/delta/index.html").is_file()
    (site / "content/2022/08/16/delta.md").unlink()
    (site / "content/2022/08/16/gamma.md").unlink()
    report = build(site, OPTIONS)
    assert report.removed >= 2
    assert tree(site / "output") == cold(site, tmp_path)
    assert not (site / "output/2022/08/16/gamma").exists()
    assert not (site / "output/2022/08/16").exists()  # folders left empty go too


def test_the_entries_key_is_of_the_set_and_moves_by_the_entries_that_come_and_go() -> None:
    """entries_key: the same entries (paths and content hashes) in any order, the same key; another
    path, hash or salt, another key; and the key of a set that differs by a few entries is made from
    those (moved_sum), equal to the key made from the whole set."""
    from digest.reuse.cached_entry import CachedEntry
    from digest.reuse.entry_rows import entries_key, entries_sum, key_of, moved_sum

    def row(content_hash: str) -> CachedEntry:
        return CachedEntry(0, 0, content_hash, 0.0, False, "")

    rows = [(f"content/{n}.md", row(f"hash{n}")) for n in range(50)]
    assert entries_key("salt", rows) == entries_key("salt", rows[::-1]) == key_of("salt", entries_sum(rows))
    assert entries_key("salt", rows) != entries_key("other", rows)
    assert entries_key("salt", rows) != entries_key("salt", [*rows[:-1], ("content/49.md", row("edited"))])
    assert entries_key("salt", rows) != entries_key("salt", [*rows[:-1], ("content/x.md", row("hash49"))])
    assert entries_key("salt", rows[:1]) != entries_key("salt", [])
    edited = ("content/7.md", row("edited"))
    now = [*rows[:7], edited, *rows[8:-3], ("content/new.md", row("new"))]
    total = moved_sum(entries_sum(now), gone=[edited, now[-1]], come=[rows[7], *rows[-3:]])
    assert key_of("salt", total) == entries_key("salt", rows)


def test_a_one_shot_build_tells_what_the_live_site_was_built_from_by_the_change(
        site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A one-shot build keys its published entries without a pass over every row: the sum of those
    the live site was built from, as the cache's record of it holds, moved by the refresh's change
    (at 100,000 entries keying them all again took 0.2-0.3 s of every edit, then 0.12-0.19 s of an
    addition). Each build still finds the live site's plan (an edit is patched, any other change
    plans the pages it touched), drafts and entries dated later count as not there, and every build
    equals a cold one."""
    summed: list[int] = []
    real_sum, real_live_plan = digest.build.entries_sum, digest.build._live_plan
    monkeypatch.setattr(digest.build, "entries_sum", lambda rows: (summed.append(len(rows)), real_sum(rows))[1])
    monkeypatch.setattr(digest.build, "entries_key", lambda salt, rows: pytest.fail("the entries' key made again"))
    asked: list[int] = []
    monkeypatch.setattr(digest.build, "_live_plan", lambda *args: (asked.append(1), real_live_plan(*args))[1])
    alpha, delta = "content/2022/08/15/alpha.md", "content/2022/08/16/delta.md"

    def alpha_text(body: str, **fields: str) -> str:
        return entry_text("Alpha rises", DAY1, body, topic="world", tags='["Energy"]', **fields)

    steps = [  # (file, its text or None to delete it, how the build plans: patch, touched or none)
        (alpha, alpha_text("A new body."), "patch"),
        (delta, entry_text("Delta arrives", DAY2, "Delta.", topic="business"), "touched"),
        (alpha, alpha_text("A new body.", draft="true"), "touched"),
        (delta, entry_text("Delta arrives", "2099-01-01T09:00:00+01:00", "Delta.", topic="business"), "touched"),
        (alpha, alpha_text("A new body."), "touched"),
        (delta, None, "none"),  # deleted while held back for its date: the published entries as before
        (alpha, alpha_text("A newer body."), "patch"),
    ]
    for number, (rel, text, planned) in enumerate(steps):
        if text is None:
            (site / rel).unlink()
        else:
            edit(site, rel, text)
        summed.clear()
        asked.clear()
        report = build(site, OPTIONS)
        assert summed == [], (number, summed)  # no pass over every row's term
        if planned == "patch":
            assert "patch plan" in stages(report), number
        elif planned == "touched":
            assert asked and "organise+plan" in stages(report), number  # the live site's plan was found
        else:
            assert report.rendered == 0 and not asked, number
        assert tree(site / "output") == cold(site, tmp_path), number


def test_a_one_shot_build_lets_the_listings_go_once_the_site_is_planned(site: Path, tmp_path: Path) -> None:
    """An addition plans the whole site from every entry's listing (ListedHead); once planned, the
    rows let them go (at 100,000 entries 190 MB, held to the build's end): the pages planned keep
    those they show, and the output equals a cold build's."""
    edit(site, "content/2022/08/16/delta.md", entry_text("Delta arrives", DAY2, "Delta.", topic="business"))
    builder = Builder(site, OPTIONS, once=True)
    try:
        report = builder.build()
        assert "organise+plan" in stages(report)
        rows = builder._rows.rows
        assert len(rows) == 4 and not any(row._listed is not None or row._listing_blob is not None
                                          for row in rows.values())
    finally:
        builder.close()
    assert tree(site / "output") == cold(site, tmp_path)


def test_template_edit(site: Path, tmp_path: Path) -> None:
    (site / "themes/mine/templates").mkdir(parents=True)
    (site / "themes/mine/templates/article.html").write_text(
        '{% extends "default:article.html" %}{% block description %}OVERRIDDEN{% endblock %}')
    rendered = rebuild_equals_cold(site, tmp_path)
    assert "OVERRIDDEN" in (site / ARTICLE).read_text()
    assert rendered == 3  # every article page: a page's fingerprint covers the templates it is made with


def _rewritten(root: Path, before: dict[str, tuple[int, int]]) -> set[str]:
    """The files under root written anew since `before` (stamps): a file kept is linked, not written."""
    return {rel for rel, stamp in stamps(root).items() if before.get(rel) != stamp}


def test_a_template_edit_renders_again_only_the_pages_made_with_it(site: Path, tmp_path: Path) -> None:
    """Each page's fingerprint covers the templates it is made with (its own, and what that
    extends, includes and imports, as the theme finds them): an edit to tag.html renders the tag
    pages only, one to macros.html the pages that import it, one to the e-mail's text template the
    e-mails; a template that names another by a value may read any: it is rendered on any edit.
    Every rebuild equals a cold build."""
    templates = site / "themes/mine/templates"
    (templates / "email").mkdir(parents=True)
    before = stamps(site / "output")
    edit(site, "themes/mine/templates/tag.html",
         '{% extends "default:tag.html" %}{% block title %}TAGGED{% endblock %}')
    rebuild_equals_cold(site, tmp_path)
    written = _rewritten(site / "output", before)
    assert written and all(rel.startswith("tags/") and rel != "tags/index.html" for rel in written), written
    assert "TAGGED" in (site / "output/tags/energy/index.html").read_text()

    before = stamps(site / "output")
    default = Path(digest.theme.__file__).parent / "default_theme" / "templates"
    edit(site, "themes/mine/templates/email/email.txt", (default / "email/email.txt").read_text() + "PLAIN\n")
    rebuild_equals_cold(site, tmp_path)
    written = _rewritten(site / "output", before)
    assert written and {rel.rsplit("/", 1)[-1] for rel in written} <= {"email.txt", "email.html", "email.eml"}, written
    assert "PLAIN" in (site / "output/2022/08/15/email.txt").read_text()

    before = stamps(site / "output")
    edit(site, "themes/mine/templates/macros.html", (default / "macros.html").read_text() + "{# mine #}\n")
    rebuild_equals_cold(site, tmp_path)
    written = _rewritten(site / "output", before)
    assert ARTICLE.removeprefix("output/") in written and "tags/energy/index.html" in written  # both import it
    assert "archive/index.html" not in written and "tags/index.html" not in written  # neither does

    before = stamps(site / "output")
    edit(site, "themes/mine/templates/archive.html", '{% set part = "base.html" %}{% extends part %}')
    rebuild_equals_cold(site, tmp_path)
    assert "archive/index.html" in _rewritten(site / "output", before)
    before = stamps(site / "output")
    edit(site, "themes/mine/templates/unused.html", "{# read by no page #}")  # still: archive.html may read it
    rebuild_equals_cold(site, tmp_path)
    assert _rewritten(site / "output", before) == {"archive/index.html"}


def test_a_template_saved_during_a_build_and_changed_back_leaves_no_page_of_the_version_between(
        site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The dev server's race: a template is saved (B) while a build that hashed it (A) goes on, then
    changed back to A before the next build. The build read the file twice, once to hash it and
    once to compile it: it rendered B's pages under A's fingerprints, and the next build, finding
    A's hash again, kept its environment (B compiled) and those pages. Each template is now read
    once a build: hashed and compiled from the same bytes."""
    builder = Builder(site, OPTIONS)
    builder.build()
    path = site / "themes/mine/templates/tag.html"
    path.parent.mkdir(parents=True)
    version_a = '{% extends "default:tag.html" %}{% block title %}VERSION A{% endblock %}'
    version_b = version_a.replace("VERSION A", "VERSION B")
    path.write_text(version_a)
    real = Builder._environment

    def saved_meanwhile(self: Builder, *args: Any) -> Any:  # the save lands after the hash, before rendering
        path.write_text(version_b)
        return real(self, *args)

    monkeypatch.setattr(Builder, "_environment", saved_meanwhile)
    builder.build()
    monkeypatch.setattr(Builder, "_environment", real)
    path.write_text(version_a)  # changed back before the next build
    builder.build()
    builder.close()
    page = (site / "output/tags/energy/index.html").read_text()
    assert "VERSION A" in page and "VERSION B" not in page
    assert tree(site / "output") == cold(site, tmp_path)


def test_a_template_in_a_symlinked_folder_counts(site: Path, tmp_path: Path) -> None:
    """Partials shared between themes through a symlinked folder (templates/parts -> elsewhere):
    Jinja reads templates through it, so an edit there renders the pages that include them again
    (the templates' hash walked no symlinked folder: the pages kept the old partial)."""
    shared = site.parent / "shared-parts"
    shared.mkdir()
    (shared / "foot.html").write_text("<p>FOOT ONE</p>")
    (site / "themes/mine/templates").mkdir(parents=True)
    (site / "themes/mine/templates/parts").symlink_to(shared, target_is_directory=True)
    edit(site, "themes/mine/templates/tag.html",
         '{% extends "default:tag.html" %}{% block meta %}{% include "parts/foot.html" %}{% endblock %}')
    rebuild_equals_cold(site, tmp_path)
    edit(site.parent, "shared-parts/foot.html", "<p>FOOT TWO</p>")
    assert rebuild_equals_cold(site, tmp_path) > 0
    assert "FOOT TWO" in (site / "output/tags/energy/index.html").read_text()
    (shared / "again").symlink_to(shared, target_is_directory=True)  # a loop: not walked for ever
    assert build(site, OPTIONS).rendered == 0


def test_a_template_file_whose_name_is_not_utf8_is_no_crash(site: Path, tmp_path: Path) -> None:
    """A file in templates/ named in Latin-1 ("Über.html" from a zip made on another system), read by
    no page: hashing the templates' names raised UnicodeEncodeError (a traceback, no build)."""
    folder = site / "themes/mine/templates"
    folder.mkdir(parents=True)
    (folder / os.fsdecode("\xdcber.html".encode("latin-1"))).write_text("{# unused #}")
    assert rebuild_equals_cold(site, tmp_path) == 0


def test_a_spare_tree_of_unknown_content_is_deleted_after_the_build_returns(
        site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A spare tree the cache does not know (after an upgrade of digest the cache is a new one) is
    not deleted by the build that finds it, file by file, before it can link the live site into
    its place (12-28 s of a one-edit build at 10,000 entries): it is put aside in one rename and
    deleted by a process of its own after the build returns. The site equals a cold build."""
    import time

    spare = site / ".output.spare"
    assert spare.is_dir()
    (spare / "left-by-an-old-build.html").write_text("old")
    for path in cache_path(site).parent.glob(cache_path(site).name + "*"):
        path.unlink()  # the cache that knew the spare is gone
    removed: list[str] = []
    real = shutil.rmtree
    monkeypatch.setattr(digest.output.shutil, "rmtree", lambda path, *a, **k: (removed.append(str(path)),
                                                                                 real(path, *a, **k))[1])
    edit(site, "content/2022/08/16/gamma.md", entry_text("Gamma opens", DAY2, "Gamma body, edited.", topic="world",
                                                        tags='["Ports"]'))
    build(site, OPTIONS)
    assert not any(path.endswith(".output.spare") for path in removed), removed
    deadline = time.monotonic() + 30
    while (site / ".output.trash").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not (site / ".output.trash").exists()  # deleted apart, soon after
    assert not (spare / "left-by-an-old-build.html").exists()
    assert tree(site / "output") == cold(site, tmp_path)


def test_the_files_a_build_replaces_or_removes_are_deleted_after_it_returns(
        site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Deleting a file whose blocks are on the disk waits for the disk (an edit at 10,000 entries a
    few minutes after the last spent 160 ms in 26 unlinks and 18 rmdirs): the files and folders a
    build replaces or removes in the spare are renamed into the trash, deleted by a process of its
    own after the build returns. Nothing is lost: the site equals a cold build, and the trash goes."""
    import time

    deleted: list[str] = []
    for name in ("unlink", "rmdir"):
        real = getattr(os, name)
        monkeypatch.setattr(digest.output.os, name, lambda path, *a, _real=real, **k: (
            deleted.append(str(path)), _real(path, *a, **k))[1])
    monkeypatch.setattr(digest.build, "delete_trash_apart", lambda output: None)  # the build's own steps only
    edit(site, "content/2022/08/16/gamma.md", entry_text("Gamma opens", DAY2, "Gamma body, edited.", topic="world",
                                                        tags='["Ports"]'))
    build(site, OPTIONS)  # the spare is brought to it: files replaced
    (site / "content/2022/08/15/beta.md").unlink()
    report = build(site, OPTIONS)  # a page and its folder gone, listings replaced
    assert report.removed > 0
    assert not [path for path in deleted if ".output" in path], deleted
    assert any((site / ".output.trash").rglob("*"))  # what they replaced waits there
    assert tree(site / "output") == cold(site, tmp_path)
    monkeypatch.undo()
    edit(site, "content/2022/08/16/gamma.md", entry_text("Gamma opens", DAY2, "Gamma body, again.", topic="world",
                                                        tags='["Ports"]'))
    build(site, OPTIONS)
    deadline = time.monotonic() + 30
    while (site / ".output.trash").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not (site / ".output.trash").exists()  # deleted apart, soon after
    assert tree(site / "output") == cold(site, tmp_path)


def test_the_trash_is_deleted_by_a_fresh_interpreter_not_a_fork_of_the_build(
        site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The deleter after a one-shot build is a new process (vfork: under 1 ms), not a fork of the
    build's (which copies its memory's tables: 35 ms at 100,000 entries)."""
    import time

    forked: list[str] = []
    monkeypatch.setattr(digest.output, "outliving", lambda work: forked.append("fork") or False)
    edit(site, "content/2022/08/16/gamma.md", entry_text("Gamma opens", DAY2, "Gamma body, edited.", topic="world",
                                                        tags='["Ports"]'))
    build(site, OPTIONS)
    assert forked == []
    deadline = time.monotonic() + 30
    while (site / ".output.trash").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not (site / ".output.trash").exists()
    assert tree(site / "output") == cold(site, tmp_path)


def test_where_no_process_can_outlive_the_build_it_deletes_what_it_replaces_itself(
        site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without fork nothing would empty the trash after a one-shot build: files are deleted at once."""
    monkeypatch.setattr(digest.output, "_DEFERRED", False)
    edit(site, "content/2022/08/16/gamma.md", entry_text("Gamma opens", DAY2, "Gamma body, edited.", topic="world",
                                                        tags='["Ports"]'))
    build(site, OPTIONS)
    (site / "content/2022/08/15/beta.md").unlink()
    assert build(site, OPTIONS).removed > 0
    assert not (site / ".output.trash").exists()
    assert tree(site / "output") == cold(site, tmp_path)


def test_another_version_of_digest_or_its_libraries_parses_and_renders_everything_again(
        site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """digest's own code and the Markdown, Jinja and feed libraries' versions shape every page: an
    upgrade must not keep pages (or parses) made by the old version. Found when a change to the
    Markdown renderer's heading levels rebuilt nothing."""
    import digest.reuse.cache

    real = digest.reuse.cache.code_version()
    monkeypatch.setattr(digest.reuse.cache, "code_version", lambda memo=None: real + " and a newer markdown-it-py")
    report = build(site, OPTIONS)
    assert report.parsed == report.entries > 0
    assert report.rendered == sum(1 for path in (site / "output").rglob("*") if path.is_file())  # every file
    assert build(site, OPTIONS).rendered == 0  # and from then on it is the version the cache knows


def test_code_version_hashes_digests_own_code_and_the_libraries_versions() -> None:
    import importlib.metadata

    import digest.reuse.fingerprint

    digest.reuse.fingerprint.code_version.cache_clear()
    first = digest.reuse.fingerprint.code_version()
    digest.reuse.fingerprint.code_version.cache_clear()
    real_version = importlib.metadata.version
    try:
        importlib.metadata.version = lambda name: "0.0-other" if name == "markdown-it-py" else real_version(name)
        assert digest.reuse.fingerprint.code_version() != first
    finally:
        importlib.metadata.version = real_version
        digest.reuse.fingerprint.code_version.cache_clear()
    assert digest.reuse.fingerprint.code_version() == first


def test_code_version_is_read_back_from_its_memo_only_while_nothing_it_hashes_changed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import marshal

    import digest.reuse.fingerprint as fingerprint

    memo = tmp_path / "code-version.marshal"
    fingerprint.code_version.cache_clear()
    try:
        real = fingerprint.code_version()
        assert fingerprint.code_version(memo) == real and memo.exists()
        signature, _ = marshal.loads(memo.read_bytes())
        memo.write_bytes(marshal.dumps((signature, "remembered")))
        fingerprint.code_version.cache_clear()
        assert fingerprint.code_version(memo) == "remembered"  # read back, not made again
        monkeypatch.setattr(fingerprint, "_signature", lambda files: "a file or a library changed")
        fingerprint.code_version.cache_clear()
        assert fingerprint.code_version(memo) == real  # made again, and remembered for next time
        assert marshal.loads(memo.read_bytes()) == ("a file or a library changed", real)
        memo.write_bytes(b"not marshal")
        fingerprint.code_version.cache_clear()
        assert fingerprint.code_version(memo) == real
    finally:
        fingerprint.code_version.cache_clear()


def test_config_edit(site: Path, tmp_path: Path) -> None:
    (site / "digest.toml").write_text(CONFIG.replace("Test Digest", "Renamed Digest"))
    rebuild_equals_cold(site, tmp_path)
    assert "Renamed Digest" in (site / "output/index.html").read_text()


def test_config_edit_parsing_does_not_read_keeps_every_parse(site: Path, tmp_path: Path) -> None:
    """A new title or description changes every page but no entry's parse: nothing is parsed again."""
    (site / "digest.toml").write_text(CONFIG.replace("A digest for tests.", "A digest, described anew."))
    report = build(site, OPTIONS)
    assert report.parsed == 0 and report.rendered > 10
    assert tree(site / "output") == cold(site, tmp_path)
    assert "A digest, described anew." in (site / "output/index.html").read_text()


@pytest.mark.parametrize("change", [
    ('timezone = "Europe/London"', 'timezone = "Asia/Tokyo"'),  # dates without an offset read anew
    ('aliases = ["World News"]', 'aliases = ["World News", "Global"]'),  # topics mapped anew
    ('title = "Business"', 'title = "Business and markets"'),
])
def test_config_edit_parsing_reads_parses_every_entry_again(site: Path, tmp_path: Path,
                                                            change: tuple[str, str]) -> None:
    assert change[0] in CONFIG
    (site / "digest.toml").write_text(CONFIG.replace(*change))
    assert build(site, OPTIONS).parsed == len(FILES)
    assert tree(site / "output") == cold(site, tmp_path)


def test_static_file_edit_add_and_remove(site: Path, tmp_path: Path) -> None:
    (site / "themes/mine/static/extra.css").write_text("body { color: red; }\n")
    assert rebuild_equals_cold(site, tmp_path) == 1
    assert "red" in (site / "output/static/extra.css").read_text()
    (site / "themes/mine/static/more.js").write_text("// new\n")
    rebuild_equals_cold(site, tmp_path)
    (site / "themes/mine/static/more.js").unlink()
    rebuild_equals_cold(site, tmp_path)
    assert not (site / "output/static/more.js").exists()


def test_entry_moving_edition_changes_both_editions(site: Path, tmp_path: Path) -> None:
    edit(site, "content/2022/08/15/beta.md", entry_text("Beta falls", DAY2, "Beta body.", topic="business",
                                                        tags='["Energy"]'))
    rebuild_equals_cold(site, tmp_path)
    assert "Beta falls" not in (site / "output/2022/08/15/index.html").read_text()
    assert "Beta falls" in (site / "output/2022/08/16/index.html").read_text()


def test_entry_moving_topic_changes_both_topic_pages(site: Path, tmp_path: Path) -> None:
    edit(site, "content/2022/08/15/beta.md", entry_text("Beta falls", DAY1, "Beta body.", topic="world",
                                                        tags='["Energy"]'))
    rebuild_equals_cold(site, tmp_path)
    assert "Beta falls" in (site / "output/topics/world/index.html").read_text()
    assert not (site / "output/topics/business/index.html").exists()  # no entries left there


def test_many_rebuilds_in_a_row_stay_equal_to_cold(site: Path, tmp_path: Path) -> None:
    """Each build brings the spare tree (two builds old) up to date: check it never drifts."""
    for number in range(4):
        edit(site, "content/2022/08/16/gamma.md", entry_text("Gamma opens", DAY2, f"Version {number}.",
                                                             topic="world", tags='["Ports"]'))
        rebuild_equals_cold(site, tmp_path)


def test_corrupt_cache_is_ignored(site: Path, tmp_path: Path) -> None:
    path = cache_path(site)
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.write_bytes(b"this is not a database" * 100)
    edit(site, "content/2022/08/15/alpha.md", entry_text("Alpha rises", DAY1, "After corruption.",
                                                         topic="world", tags='["Energy"]'))
    rebuild_equals_cold(site, tmp_path)
    assert build(site, OPTIONS).rendered == 0  # and the rebuilt cache works again


def test_damaged_spare_tree_is_not_trusted(site: Path, tmp_path: Path) -> None:
    """A build killed while updating the spare leaves it without a manifest: it is rebuilt."""
    edit(site, "content/2022/08/16/gamma.md", entry_text("Gamma opens", DAY2, "Changed.", topic="world"))
    build(site, OPTIONS)  # the old site is now the spare
    spare = site / ".output.spare"
    assert spare.is_dir()
    (spare / "index.html").unlink()
    (spare / "junk.html").write_text("left by a killed build")
    with sqlite3.connect(cache_path(site)) as db:  # what the build does before it touches the spare
        db.execute("DELETE FROM trees WHERE tree = ?", (tree_id(spare),))
    edit(site, "content/2022/08/15/alpha.md", entry_text("Alpha rises", DAY1, "Edited.", topic="world",
                                                         tags='["Energy"]'))
    rebuild_equals_cold(site, tmp_path)
    assert not (site / "output/junk.html").exists()


def test_output_changed_behind_its_back_is_rebuilt_when_untracked(site: Path, tmp_path: Path) -> None:
    shutil.rmtree(site / "output")
    (site / "output").mkdir()
    (site / "output/stray.html").write_text("not ours")
    build(site, OPTIONS)
    assert tree(site / "output") == cold(site, tmp_path)


def test_pages_deleted_from_output_by_hand_are_made_again(site: Path, tmp_path: Path) -> None:
    """qa-48: `rm output/index.html` (or a folder of pages), then `digest build`: the build found the
    site up to date and left the pages missing, however often it ran."""
    build(site, OPTIONS)
    edit(site, "content/2022/08/15/alpha.md", entry_text("Alpha rises", DAY1, "Edited.", topic="world",
                                                         tags='["Energy"]'))
    build(site, OPTIONS)  # the spare, a build behind, lacks the edited pages too
    (site / "output/index.html").unlink()
    shutil.rmtree(site / "output/tags")
    shutil.rmtree(site / "output/2022/08/15/alpha")
    build(site, OPTIONS)  # nothing changed in content/
    assert tree(site / "output") == cold(site, tmp_path)
    (site / "output/feed.xml").unlink()
    builder = Builder(site, OPTIONS)  # the dev server's first build looks too
    try:
        builder.build()
    finally:
        builder.close()
    assert tree(site / "output") == cold(site, tmp_path)
    assert build(site, OPTIONS).rendered == 0


def test_output_deleted_after_a_hand_edit_is_made_without_it(site: Path, tmp_path: Path) -> None:
    """qa-48: a file of output/ edited in place by hand is the spare's file too (the trees share
    unchanged files by hard links): `rm -rf output`, then `digest build`, published the edit again."""
    build(site, OPTIONS)
    build(site, OPTIONS)
    with open(site / "output/404.html", "ab") as page:
        page.write(b"<!-- by hand -->")
    shutil.rmtree(site / "output")
    build(site, OPTIONS)
    assert tree(site / "output") == cold(site, tmp_path)


def test_a_staging_tree_that_cannot_be_removed_after_a_failed_publish_is_not_trusted(
        site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """qa-48: the site's folder read-only (`chattr +i`) at the swap: the build failed as it should,
    but its staging folder, emptied and not removable, kept the record of the files written into it,
    and the next build (the folder writable again) crashed with a FileNotFoundError traceback."""
    build(site, OPTIONS)
    build(site, OPTIONS)
    edit(site, "content/2022/08/15/alpha.md", entry_text("Alpha rises", DAY1, "Edited.", topic="world",
                                                         tags='["Energy"]'))
    real_rmtree = shutil.rmtree

    def swap_refused(_a: Path, _b: Path) -> None:
        raise PermissionError(1, "Operation not permitted")

    def contents_only(path: Any, ignore_errors: bool = False) -> None:  # as under a read-only parent
        for child in Path(path).iterdir() if Path(path).is_dir() else ():
            real_rmtree(child) if child.is_dir() else child.unlink()

    with monkeypatch.context() as patched:
        patched.setattr(digest.output, "_exchange", swap_refused)
        patched.setattr(digest.output.shutil, "rmtree", contents_only)
        with pytest.raises(DigestError):
            build(site, OPTIONS)
    rebuild_equals_cold(site, tmp_path)


def test_a_full_disk_under_the_cache_is_an_error_not_a_traceback(
        site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """qa-48: the disk full (a small tmpfs) while the build wrote its cache: `digest build` died with
    a traceback ending in sqlite3.OperationalError: database or disk is full."""
    build(site, OPTIONS)
    before = tree(site / "output")
    real_open = BuildCache._open

    def full(self: BuildCache) -> sqlite3.Connection:
        db = real_open(self)
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        db.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own "database or disk is full"
        return db

    edit(site, "content/2022/08/15/alpha.md", entry_text("Alpha falls " + "x" * 5000, DAY1, "Edited.",
                                                         topic="world", tags='["Energy"]'))
    with monkeypatch.context() as patched:
        patched.setattr(BuildCache, "_open", full)
        with pytest.raises(DigestError) as failed:
            build(site, OPTIONS)
    assert "disk is full" in (failed.value.hint or "") and failed.value.path == cache_path(site)
    assert tree(site / "output") == before
    rebuild_equals_cold(site, tmp_path)


@pytest.mark.parametrize("damage", ["blob", "page"])
def test_a_cache_damaged_inside_is_started_afresh(site: Path, tmp_path: Path, damage: str) -> None:
    """qa-48: random bytes written into .digest/cache/build.sqlite (a disk error, a bad copy) where
    SQLite opens the file: every later build died with a traceback (an UnpicklingError, or
    'database disk image is malformed') until the curator deleted .digest/."""
    build(site, OPTIONS)
    with sqlite3.connect(cache_path(site)) as db:
        if damage == "blob":  # SQLite keeps no checksums: what a blob's bytes become is read as it is
            db.execute("UPDATE entries SET listing = x'b5b5b5b5', head = x'b5b5b5b5'")
        else:
            root = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'units'").fetchone()[0]
            size = db.execute("PRAGMA page_size").fetchone()[0]
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    if damage == "page":
        with open(cache_path(site), "r+b") as cache:  # the units table's root page: a b-tree SQLite cannot read
            cache.seek((root - 1) * size)
            cache.write(b"\xb5" * size)
    edit(site, "content/2022/08/15/alpha.md", entry_text("Alpha rises", DAY1, "Edited.", topic="world",
                                                         tags='["Energy"]'))
    rebuild_equals_cold(site, tmp_path)
    assert build(site, OPTIONS).rendered == 0


def test_persistent_builder_sees_edits(site: Path, tmp_path: Path) -> None:
    builder = Builder(site, OPTIONS)
    try:
        assert builder.build().rendered == 0
        edit(site, "content/2022/08/15/alpha.md", entry_text("Alpha rises", DAY1, "Server edit.", topic="world",
                                                             tags='["Energy"]'))
        report = builder.build()
        assert report.parsed == 1 and report.rendered > 0
        assert tree(site / "output") == cold(site, tmp_path)
        assert builder.build().rendered == 0
    finally:
        builder.close()


def test_failed_render_leaves_output_untouched(site: Path) -> None:
    before = tree(site / "output")
    (site / "themes/mine/templates").mkdir(parents=True)
    (site / "themes/mine/templates/article.html").write_text("{{ entry.title | nosuchfilter }}")
    with pytest.raises(Exception):  # noqa: B017 - any error: the point is what it leaves behind
        build(site, OPTIONS)
    assert tree(site / "output") == before
    (site / "themes/mine/templates/article.html").unlink()
    assert build(site, OPTIONS).rendered == 0 or tree(site / "output") == before


def test_parallel_build_equals_serial(make_site, tmp_path: Path) -> None:
    files = {f"content/2022/08/{10 + i % 5}/e{i}.md": entry_text(f"Entry number {i}", f"2022-08-{10 + i % 5}T09:00:00Z",
                                                                f"Body {i}.", topic="world" if i % 2 else "business")
             for i in range(450)}
    serial = make_site(files, name="serial")
    parallel = make_site(files, name="parallel")
    build(serial, OPTIONS)
    build(parallel, BuildOptions(now=NOW, jobs=2))
    assert tree(serial / "output") == tree(parallel / "output")


def test_rows_stored_by_the_parsing_workers_serve_later_builds(make_site, tmp_path: Path) -> None:
    """Forked parsing workers write their rows into the cache themselves: a later build parses
    nothing, and a body edit in the same Builder patches the plan made from those rows."""
    files = {f"content/2022/08/{10 + i % 5}/e{i}.md": entry_text(f"Entry number {i}", f"2022-08-{10 + i % 5}T09:00:00Z",
                                                                f"Body {i}.", topic="world" if i % 2 else "business")
             for i in range(450)}
    site = make_site(files, name="workers")
    options = BuildOptions(now=NOW, jobs=2)
    builder = Builder(site, options)
    try:
        assert builder.build().parsed == 450
        edited = site / "content/2022/08/10/e0.md"
        edited.write_text(entry_text("Entry number 0", "2022-08-10T09:00:00Z", "Body 0, edited.", topic="business"))
        report = builder.build()
        assert report.parsed == 1 and "patch plan" in stages(report)
    finally:
        builder.close()
    assert build(site, options).parsed == 0
    cold = make_site(files, name="cold")
    (cold / "content/2022/08/10/e0.md").write_text(edited.read_text())
    build(cold, OPTIONS)
    assert tree(site / "output") == tree(cold / "output")


# -- a long-lived Builder patches its last plan when only bodies change --------------------------
STORY_FILES = {
    # One curated story, both reports at the same moment: the lead is the one with more text.
    "content/2022/08/15/short.md": entry_text("Port strike begins", DAY1, "Short.", topic="world", story="strike"),
    "content/2022/08/15/long.md": entry_text("Dockers walk out", DAY1, "A longer report of the strike.",
                                             topic="world", story="strike"),
}


def stages(report) -> set[str]:
    return {name for name, _ in report.stages}


@pytest.fixture
def builder(make_site) -> Builder:
    root: Path = make_site({**FILES, **THEME, **STORY_FILES}, config=CONFIG)
    builder = Builder(root, OPTIONS)
    builder.build()
    yield builder
    builder.close()


def test_body_edits_patch_the_plan_and_equal_a_cold_build(builder: Builder, tmp_path: Path) -> None:
    site = builder.site_root
    for n in range(3):
        edit(site, "content/2022/08/15/alpha.md", entry_text("Alpha rises", DAY1, f"Alpha body, take {n}.",
                                                             topic="world", tags='["Energy"]'))
        report = builder.build()
        assert "patch plan" in stages(report) and "organise+plan" not in stages(report)
        assert 0 < report.rendered < 20
        assert f"take {n}." in (site / ARTICLE).read_text()
        assert tree(site / "output") == cold(site, tmp_path)
    # The lead of the story and its "also covered by" links: patched in place.
    edit(site, "content/2022/08/15/long.md", entry_text("Dockers walk out", DAY1, "A longer report, revised.",
                                                        topic="world", story="strike"))
    assert "patch plan" in stages(builder.build())
    assert tree(site / "output") == cold(site, tmp_path)


@pytest.mark.parametrize("one_shot", [False, True])
def test_edits_of_what_pages_only_show_patch_the_plan_and_equal_a_cold_build(builder: Builder, tmp_path: Path,
                                                                             one_shot: bool) -> None:
    """A new headline, summary, byline or source (a curator's usual edits after ingest) places the
    entry where it was: the plan is patched, as for a body edit (plan_patch.SHOWN_ONLY), and the
    article's title, the feeds and the edition's e-mail (its subject copied from the headline when
    planned) show the edit; the output equals a cold build. A changed topic is planned again."""
    site = builder.site_root
    (site / "digest.toml").write_text((site / "digest.toml").read_text() + '\n[email]\nsubject = "{headline}"\n')
    builder.build()
    run = (lambda: build(site, OPTIONS)) if one_shot else builder.build
    edits = [("Alpha rises higher", {}), ("Alpha rises higher", {"summary": "'What rose.'"}),
             ("Alpha rises higher", {"summary": "'What rose.'", "authors": '["A. Writer"]', "source": "Wire"})]
    for title, shown in edits:
        edit(site, "content/2022/08/15/alpha.md", entry_text(title, DAY1, "Alpha body.", topic="world",
                                                             tags='["Energy"]', **shown))
        report = run()
        assert "patch plan" in stages(report) and "organise+plan" not in stages(report), stages(report)
        assert f"<title>{title}" in (site / ARTICLE).read_text()
        assert tree(site / "output") == cold(site, tmp_path)
    assert "A. Writer" in (site / ARTICLE).read_text() and "What rose." in (site / "output/feed.xml").read_text()
    # The edition's first story's lead, whose headline is the e-mail's subject
    strike = entry_text("Dockers walk out again", DAY1, "A longer report of the strike.", topic="world", story="strike")
    edit(site, "content/2022/08/15/long.md", strike)
    assert "patch plan" in stages(run())
    assert "Subject: Dockers walk out again" in (site / "output/2022/08/15/email.eml").read_text()
    assert tree(site / "output") == cold(site, tmp_path)
    edit(site, "content/2022/08/15/alpha.md", entry_text("Alpha rises higher", DAY1, "Alpha body.", topic="business",
                                                         tags='["Energy"]'))
    assert "organise+plan" in stages(run())
    assert tree(site / "output") == cold(site, tmp_path)


def test_a_one_shot_headline_edit_asks_near_the_edit_whether_the_stories_are_the_same(
        make_site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A headline edit changes what story grouping reads: a one-shot build's plan patch asks
    whether the stories are still those the live plan shows near the edit (same_stories_near),
    without grouping every entry (cached_stories, which reads every entry's listing). A headline
    that joins another entry's story is told apart, and the whole site is planned. Each build
    equals a cold build."""
    site = make_site({**FILES, **THEME, **STORY_FILES}, config=CONFIG)
    told: list[bool | None] = []
    grouped: list[int] = []
    real_same, real_cached = digest.build.same_stories_near, digest.build.cached_stories
    monkeypatch.setattr(digest.build, "same_stories_near", lambda *a: told.append(real_same(*a)) or told[-1])
    monkeypatch.setattr(digest.build, "cached_stories", lambda *a, **k: grouped.append(1) or real_cached(*a, **k))
    build(site, OPTIONS)
    grouped.clear()
    edit(site, "content/2022/08/16/gamma.md", entry_text("Gamma opens its second terminal", DAY2, "Gamma body.",
                                                         topic="world", tags='["Ports"]'))
    report = build(site, OPTIONS)
    assert told == [True] and not grouped
    assert "patch plan" in stages(report) and "organise+plan" not in stages(report), stages(report)
    assert tree(site / "output") == cold(site, tmp_path)
    # The same headline as alpha's, on the next day: one story now
    edit(site, "content/2022/08/16/gamma.md", entry_text("Alpha rises", DAY2, "Gamma body.", topic="world",
                                                         tags='["Ports"]'))
    report = build(site, OPTIONS)
    assert told[1:] == [False] and grouped
    assert "organise+plan" in stages(report)
    assert tree(site / "output") == cold(site, tmp_path)


def test_a_dev_server_headline_edit_compares_the_stories_forms_it_kept(
        make_site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A long-lived Builder groups in memory (KeptGrouping) and compares the stories with those the
    live plan shows before it patches a headline edit. The stories' cache forms are made in idle
    time and kept: an edit makes again only the forms of the stories it reached, and the same forms
    in the same order are the same stories. A headline that joins another entry's story is told
    apart and the whole site is planned. Each build equals a cold build."""
    # On a site this small any edit reaches more than the share the grouper updates in place
    monkeypatch.setattr(digest.stories.incremental, "StoryGrouper",
                        functools.partial(digest.stories.incremental.StoryGrouper, max_affected=1.0))
    site = make_site({**FILES, **THEME, **STORY_FILES}, config=CONFIG)
    builder = Builder(site, OPTIONS)
    builder.build()
    made: list[str] = []
    real_form = digest.stories.remembered.remembered_story
    monkeypatch.setattr(digest.stories.remembered, "remembered_story", lambda story: made.append(story.key)
                        or real_form(story))
    builder.catch_up(lambda: False)  # idle time: the grouper and the stories' forms made
    made.clear()
    edit(site, "content/2022/08/16/gamma.md", entry_text("Gamma opens its second terminal", DAY2, "Gamma body.",
                                                         topic="world", tags='["Ports"]'))
    report = builder.build()
    assert "patch plan" in stages(report) and "organise+plan" not in stages(report), stages(report)
    assert made == ["2022-08-16-gamma"]  # the one story the edit reached
    assert tree(site / "output") == cold(site, tmp_path)
    # The same headline as alpha's, on the next day: one story now
    edit(site, "content/2022/08/16/gamma.md", entry_text("Alpha rises", DAY2, "Gamma body.", topic="world",
                                                         tags='["Ports"]'))
    assert "organise+plan" in stages(builder.build())
    assert tree(site / "output") == cold(site, tmp_path)
    builder.close()


def test_a_body_edit_renders_again_only_the_pages_that_show_bodies(builder: Builder, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A page whose templates show no entry's body (theme.bodiless_templates: editions, topics, tags,
    the home page, the e-mails) keeps its file when only a body changed; the article pages and the
    feeds, which show bodies, are rendered again. A theme whose edition shows its stories' bodies
    has its edition rendered again too. Each time the output equals a cold build."""
    site = builder.site_root
    rendered: list[str] = []
    real_render = digest.render_files.render_page
    monkeypatch.setattr(digest.render_files, "render_page",
                        lambda env, page, shared: rendered.append(page.output_path) or real_render(env, page, shared))
    edit(site, "content/2022/08/15/alpha.md", entry_text("Alpha rises", DAY1, "Alpha body, edited.",
                                                         topic="world", tags='["Energy"]'))
    assert "patch plan" in stages(builder.build())
    assert "2022/08/15/alpha/index.html" in rendered
    assert all(is_article_output(rel) for rel in rendered), rendered  # the feeds are rendered apart
    assert "Alpha body, edited." in (site / "output/feed.xml").read_text()
    assert tree(site / "output") == cold(site, tmp_path)
    (site / "themes/mine/templates").mkdir(parents=True, exist_ok=True)
    (site / "themes/mine/templates/edition.html").write_text(
        '{% extends "default:edition.html" %}{% block content %}{{ super() }}'
        '{% for story in edition.stories %}<p>{{ story.lead.body }}</p>{% endfor %}{% endblock %}\n')
    builder.build()
    rendered.clear()
    edit(site, "content/2022/08/15/alpha.md", entry_text("Alpha rises", DAY1, "Alpha body, edited again.",
                                                         topic="world", tags='["Energy"]'))
    assert "patch plan" in stages(builder.build())
    assert "2022/08/15/index.html" in rendered  # the edition now shows the body
    assert "Alpha body, edited again." in (site / "output/2022/08/15/index.html").read_text()
    assert tree(site / "output") == cold(site, tmp_path)


def test_a_long_lived_builder_told_of_edits_in_place_looks_at_those_rows_only(make_site, tmp_path: Path,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Told by its watcher that entry files were edited in place, a long-lived Builder looks at their
    rows only (EntryRows._refresh_edited, PublishedRows): no walk of the entry files, no pass over
    every row to find the published ones, to key them (their sum is moved by the rows edited) or to
    find the edited ones again for the plan's patch. An edit that publishes or withdraws an entry, or
    an entry held back for its date coming due, finds them all again. Each build equals a cold build."""
    later = entry_text("Later news", "2030-01-02T09:00:00Z", "Held back.", topic="world")
    site = make_site({**FILES, **THEME, "content/2030/01/02/later.md": later}, config=CONFIG)
    walks, passes = [], []
    real_found_after, real_published = digest.reuse.entry_rows.found_after, digest.reuse.entry_rows.published
    monkeypatch.setattr(digest.reuse.entry_rows, "found_after", lambda *a: walks.append(1) or real_found_after(*a))
    monkeypatch.setattr(digest.reuse.entry_rows, "published", lambda *a: passes.append(1) or real_published(*a))
    real_sum, real_patch = digest.build.entries_sum, digest.build.patch
    monkeypatch.setattr(digest.build, "entries_sum", lambda rows: passes.append(2) or real_sum(rows))
    monkeypatch.setattr(digest.build, "patch", lambda *a, **k: passes.append(3) or real_patch(*a, **k))
    builder = Builder(site, OPTIONS)
    try:
        builder.build()
        assert builder.next_due == datetime(2030, 1, 2, 9, tzinfo=UTC).timestamp()
        alpha = site / "content/2022/08/15/alpha.md"
        for n in range(2):
            walks.clear(), passes.clear()
            edit(site, "content/2022/08/15/alpha.md", entry_text("Alpha rises", DAY1, f"Alpha body, take {n}.",
                                                                 topic="world", tags='["Energy"]'))
            assert builder.build([alpha]).rendered > 0
            assert walks == [] and passes == []
            assert tree(site / "output") == cold(site, tmp_path)
        edit(site, "content/2022/08/15/beta.md", entry_text("Beta falls", DAY1, "Beta body.", topic="business",
                                                            tags='["Energy"]', draft="true"))
        builder.build([site / "content/2022/08/15/beta.md"])
        assert passes  # withdrawn: every row looked at again
        assert "Beta falls" not in (site / "output/index.html").read_text()
        assert tree(site / "output") == cold(site, tmp_path)
        passes.clear()
        builder.options = replace(OPTIONS, now=datetime(2030, 1, 3, tzinfo=UTC))  # the held-back entry is due
        edit(site, "content/2022/08/15/alpha.md", entry_text("Alpha rises", DAY1, "Alpha body, a day later.",
                                                             topic="world", tags='["Energy"]'))
        builder.build([alpha])
        assert passes
        assert (site / "output/2030/01/02/later/index.html").is_file()
        copy = tmp_path / "cold-later"
        shutil.copytree(site, copy, ignore=shutil.ignore_patterns("output", ".output.*", ".digest"))
        build(copy, builder.options)
        assert tree(site / "output") == tree(copy / "output")
    finally:
        builder.close()


def test_a_long_lived_builder_knows_what_the_live_site_was_built_from(builder: Builder, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The entries the live site was built from are the last build's published ones: a dev server
    does not find them and their key again (each a pass over every row: at 100,000 entries about
    0.1 s of an edit), nor key its own: their sum is moved from the last build's by the rows that
    changed (an addition at 100,000 entries spent 0.12-0.19 s on every row's term). Edits are
    patched, an addition and a deletion planned, as before."""
    keyed: list[int] = []
    real = digest.build.entries_sum
    monkeypatch.setattr(digest.build, "entries_sum", lambda rows: (keyed.append(len(rows)), real(rows))[1])
    monkeypatch.setattr(digest.build, "entries_key", lambda salt, rows: pytest.fail("the entries' key made again"))
    site = builder.site_root
    for n in range(2):
        edit(site, "content/2022/08/15/alpha.md", entry_text("Alpha rises", DAY1, f"Alpha body, take {n}.",
                                                             topic="world", tags='["Energy"]'))
        assert "patch plan" in stages(builder.build())
    edit(site, "content/2022/08/16/delta.md", entry_text("Delta lands", DAY2, "Delta body.", topic="business"))
    assert "organise+plan" in stages(builder.build())
    (site / "content/2022/08/16/delta.md").unlink()
    assert "organise+plan" in stages(builder.build())
    assert keyed == []  # no pass over every row's term: each build's sum moved by the rows it changed
    assert tree(site / "output") == cold(site, tmp_path)


def test_body_edit_that_changes_the_lead_plans_everything_again(builder: Builder, tmp_path: Path) -> None:
    site = builder.site_root
    edit(site, "content/2022/08/15/short.md", entry_text("Port strike begins", DAY1,
                                                         "Now by far the longest report of them all.",
                                                         topic="world", story="strike"))
    report = builder.build()
    assert "patch plan" not in stages(report) and "organise+plan" in stages(report)
    assert tree(site / "output") == cold(site, tmp_path)
    front = (site / "output/index.html").read_text()
    assert front.index("Port strike begins") < front.index("Dockers walk out")  # the new lead first


@pytest.mark.parametrize("changed", [
    # (a new title alone is patched: test_edits_of_what_pages_only_show_patch_the_plan_and_equal_a_cold_build)
    entry_text("Alpha rises", DAY1, "Alpha body.", topic="world", tags='["Energy", "Oil"]'),  # tags
    entry_text("Alpha rises", DAY1, "Alpha body.", topic="business", tags='["Energy"]'),  # topic
    entry_text("Alpha rises", "2022-08-15T10:00:00+02:00", "Alpha body.", topic="world", tags='["Energy"]'),  # offset
    entry_text("Gamma opens", DAY1, "Gamma body.", topic="world", tags='["Energy"]'),  # gamma's twin: one story
])
def test_front_matter_edits_plan_everything_again(builder: Builder, tmp_path: Path, changed: str) -> None:
    site = builder.site_root
    edit(site, "content/2022/08/15/alpha.md", changed)
    report = builder.build()
    assert "patch plan" not in stages(report)
    assert tree(site / "output") == cold(site, tmp_path)
    # ... and a body edit right after is patched again, from the new plan.
    edit(site, "content/2022/08/15/alpha.md", changed.replace("body.", "body, again."))
    assert "patch plan" in stages(builder.build())
    assert tree(site / "output") == cold(site, tmp_path)


def test_adding_and_removing_entries_plans_everything_again(builder: Builder, tmp_path: Path) -> None:
    site = builder.site_root
    (site / "content/2022/08/16/delta.md").write_text(entry_text("Delta arrives", DAY2, "Delta.", topic="world"))
    assert "patch plan" not in stages(builder.build())
    assert tree(site / "output") == cold(site, tmp_path)
    (site / "content/2022/08/16/delta.md").unlink()
    assert "patch plan" not in stages(builder.build())
    assert tree(site / "output") == cold(site, tmp_path)


def test_changed_files_hint_finds_what_a_full_scan_finds(builder: Builder, tmp_path: Path) -> None:
    """The dev server tells the Builder which files changed; whatever they are, the entries it then
    builds from are those a full scan finds, and the output equals a cold build."""
    from digest.load import entry_files

    site = builder.site_root
    content = site / "content"
    steps = [
        lambda: (content / "2022/08/15/alpha.md").write_text(entry_text("Alpha edited", DAY1, "Edited.")),
        lambda: (content / "2022/08/15/new.md").write_text(entry_text("A new one", DAY1, "New.")),
        lambda: (content / "2022/08/15/.new.md.swp").write_text("swap"),
        lambda: (content / "2022/08/15/new.md").unlink(),
        lambda: (content / "2022/08/17").mkdir(),
        lambda: (content / "2022/08/17/later.md").write_text(entry_text("Later", "2022-08-17T09:00:00Z", "L.")),
        lambda: (content / "2022/08/15/notes.txt").write_text("not an entry"),
        lambda: shutil.rmtree(content / "2022/08/17"),
        lambda: (content / "2022/08/15/beta.md").rename(content / "2022/08/15/beta-renamed.md"),
        lambda: (content / "_drafts").mkdir(),
        lambda: (content / "_drafts/x.md").write_text(entry_text("Hidden draft", DAY1, "X.")),
    ]
    changed = [content / "2022/08/15/alpha.md", content / "2022/08/15/new.md", content / "2022/08/15/.new.md.swp",
               content / "2022/08/15/new.md", content / "2022/08/17", content / "2022/08/17/later.md",
               content / "2022/08/15/notes.txt", content / "2022/08/17",
               content / "2022/08/15/beta.md", content / "_drafts", content / "_drafts/x.md"]
    for step, path in zip(steps, changed, strict=True):
        step()
        hint = [path, content / "2022/08/15/beta-renamed.md"] if path.name == "beta.md" else [path]
        builder.build(hint)
        assert [rel for rel, _, _ in builder._rows.found[1]] == [rel for rel, _, _ in entry_files(content)], path
    assert tree(site / "output") == cold(site, tmp_path)


def test_one_shot_builds_patch_the_stored_plan(site: Path, tmp_path: Path) -> None:
    """`digest build` in a new process each time: the plan kept in the cache is patched."""
    for n in range(2):
        edit(site, "content/2022/08/15/alpha.md", entry_text("Alpha rises", DAY1, f"Alpha body, take {n}.",
                                                             topic="world", tags='["Energy"]'))
        report = build(site, OPTIONS)
        assert "patch plan" in stages(report) and "organise+plan" not in stages(report)
        assert tree(site / "output") == cold(site, tmp_path)


def test_patch_that_cannot_bring_the_spare_up_to_date_plans_everything(site: Path, tmp_path: Path) -> None:
    shutil.rmtree(site / ".output.spare", ignore_errors=True)  # no spare: made afresh from output/ ...
    (site / "output/2022/08/15/beta/index.html").unlink()  # ... which lost a file behind the build's back
    edit(site, "content/2022/08/15/alpha.md", entry_text("Alpha rises", DAY1, "Alpha body, edited.",
                                                         topic="world", tags='["Energy"]'))
    report = build(site, OPTIONS)
    assert "organise+plan" in stages(report)
    assert tree(site / "output") == cold(site, tmp_path)


def test_failed_patched_build_is_not_patched_from_again(site: Path, tmp_path: Path) -> None:
    """A build that fails after reading the edit leaves the stored plan describing the live site
    only: the next build must still bring in that edit."""
    edit(site, "content/2022/08/15/alpha.md", entry_text("Alpha rises", DAY1, "First edit.", topic="world",
                                                         tags='["Energy"]'))
    (site / "themes/mine/templates").mkdir(parents=True)
    (site / "themes/mine/templates/article.html").write_text("{{ entry.title | nosuchfilter }}")
    with pytest.raises(Exception):  # noqa: B017 - any error: the point is what follows
        build(site, OPTIONS)
    (site / "themes/mine/templates/article.html").unlink()
    edit(site, "content/2022/08/16/gamma.md", entry_text("Gamma opens", DAY2, "Gamma edited.", topic="world",
                                                         tags='["Ports"]'))
    build(site, OPTIONS)
    assert "First edit." in (site / ARTICLE).read_text()
    assert tree(site / "output") == cold(site, tmp_path)


LONG_BODY = "Alpha body. " + " ".join(f"word{i}" for i in range(80))  # story grouping reads 60 words


def test_body_edit_with_an_entry_removed_in_the_same_build(site: Path, tmp_path: Path) -> None:
    edit(site, "content/2022/08/15/alpha.md", entry_text("Alpha rises", DAY1, LONG_BODY, topic="world",
                                                         tags='["Energy"]'))
    build(site, OPTIONS)
    (site / "content/2022/08/16/gamma.md").unlink()
    edit(site, "content/2022/08/15/alpha.md", entry_text("Alpha rises", DAY1, LONG_BODY + " Edited at the end.",
                                                         topic="world", tags='["Energy"]'))
    report = build(site, OPTIONS)
    assert "patch plan" not in stages(report)
    assert not (site / "output/2022/08/16/gamma").exists()
    assert tree(site / "output") == cold(site, tmp_path)


def test_patch_needs_the_same_entries_and_bodies_alone_changed() -> None:
    """plan_patch.patch on its own: it patches a body edit, and refuses an entry gone missing even
    when no stored page shows that entry."""
    from datetime import UTC, datetime
    from pathlib import PurePosixPath

    from digest.model import Entry
    from digest.reuse.cached_entry import CachedEntry
    from digest.reuse.fingerprint import Salts
    from digest.reuse.plan_patch import dump_unit, patch
    from digest.stories import entry_features, grouping_token

    def row(name: str, body: str) -> CachedEntry:
        entry = Entry(path=PurePosixPath(f"content/{name}.md"), title=f"{name} title", slug=name, body=body,
                      published=datetime(2022, 8, 15, 9, tzinfo=UTC), content_hash=f"{name}-{body}")
        features = entry_features(entry)
        return CachedEntry.of(0, 0, entry, features, grouping_token(entry, features))

    a, a2, b = row("a", "Old body."), row("a", "New body."), row("b", "Body.")
    a2 = CachedEntry(0, 0, a2.content_hash, a2.published, a2.draft, a.grouping, a2.entry, a.features)  # same words

    class Stored:
        def get(self, key: str):
            return {"plan base": ("salt", "inputs"),
                    "stories": ("key", [("a", ["content/a.md"], 1.0, "alone"), ("b", ["content/b.md"], 1.0, "alone")])
                    }[key]

        def units_showing(self, entries):
            shows = {"content/a.md": ["a/index.html"], "content/b.md": ["b/index.html"]}
            return {unit for entry in entries for unit in shows.get(entry, [])}

        def load_units(self, names: list[str]):
            return {"a/index.html": ("article.html", dump_unit({"entry": a.entry}))}

    before = {"content/a.md": a, "content/b.md": b}
    remembered = Stored().get("stories")
    plan = patch(Stored(), ("salt", "inputs"), before, [("content/a.md", a2), ("content/b.md", b)], Salts("s"),
                 lambda: True, remembered)
    assert plan is not None and [p.output_path for p in plan.pages] == ["a/index.html"]
    assert plan.pages[0].context["entry"] is a2.entry
    assert patch(Stored(), ("salt", "inputs"), before, [("content/a.md", a2)], Salts("s"), lambda: True,
                 remembered) is None  # b went away
    assert patch(Stored(), ("salt", "other"), before, [("content/a.md", a2), ("content/b.md", b)], Salts("s"),
                 lambda: True, remembered) is None


def test_long_lived_builder_regroups_stories_like_a_cold_build(builder: Builder, tmp_path: Path) -> None:
    """Title edits that join and split stories, in a Builder that keeps its story grouping between
    builds (stories.incremental): each result equals a cold build."""
    site = builder.site_root
    steps = [
        ("content/2022/08/16/gamma.md", entry_text("Alpha rises on Gamma port deal", DAY1, "Gamma body.",
                                                    topic="world", tags='["Ports"]')),
        ("content/2022/08/15/alpha.md", entry_text("Alpha rises on Gamma port deal, shares jump", DAY1,
                                                   "Alpha body.", topic="world", tags='["Energy"]')),
        ("content/2022/08/16/gamma.md", entry_text("Gamma opens", DAY2, "Gamma body.", topic="world",
                                                    tags='["Ports"]')),
        ("content/2022/08/15/beta.md", entry_text("Beta falls as Alpha rises on port deal", DAY1, "Beta body.",
                                                  topic="world", tags='["Energy"]')),
    ]
    for rel, text in steps:
        edit(site, rel, text)
        builder.build()
        assert tree(site / "output") == cold(site, tmp_path), rel
    assert builder._grouper.warm


def test_stored_plan_is_not_trusted_while_it_is_being_rewritten(site: Path) -> None:
    """A build killed while it stores a new plan must not leave the old base key beside new units:
    the units, the shape and the base key are stored in one transaction, so the old plan stays whole."""
    import digest.build as build_module
    from digest.config import load_config
    from digest.reuse.cache import BuildCache
    from digest.reuse.plan_patch import PLAN_BASE, Plan, store_plan

    config = load_config(site)
    salt = build_module.salt_for(f"{config.parse_key}\nfeatures {build_module.FEATURES_VERSION}")
    cache = BuildCache(site, salt)
    try:
        base, prints = cache.get(PLAN_BASE), cache.unit_prints()
        assert base is not None and prints
        real = cache.store_units

        def killed(*args: Any) -> None:
            real(*args)  # the units rewritten (every one of them goes: an empty plan), then the kill
            raise KeyboardInterrupt

        cache.store_units = killed  # type: ignore[method-assign]
        with pytest.raises(KeyboardInterrupt):
            store_plan(cache, ("salt", "inputs"), Plan([], [], [], [], complete=True), [], [])
        assert cache.get(PLAN_BASE) == base and cache.unit_prints() == prints
    finally:
        cache.close()
    reopened = BuildCache(site, salt)  # as the next build finds it
    try:
        assert reopened.get(PLAN_BASE) == base and reopened.unit_prints() == prints
    finally:
        reopened.close()


# -- entries are plain values: what a page shows is what was planned -------------------------------
def test_the_planned_entries_hold_their_bodies_rendering_reads_no_cache(make_site, monkeypatch) -> None:
    """An entry is a frozen value: its body is in it, not read back from the build cache when a
    template asks (the cache may change meanwhile, another build may replace it). Rendering with
    the cache gone gives every body, in pages and feeds, and the lead chosen by length."""
    root: Path = make_site({**FILES, **THEME, **STORY_FILES}, config=CONFIG)
    seen: dict[str, Any] = {}
    real_organise, real_render = digest.pipeline.organise, digest.render_files.render_files

    def spy_organise(entries, stories, config, days=None, urls=None):  # type: ignore[no-untyped-def]
        seen["bodies while grouping"] = [type(e.__dict__["body"]) for e in entries]
        seen["leads"] = {s.key: s.lead.title for s in stories if len(s.members) > 1}
        return real_organise(entries, stories, config, days, urls)

    def render_without_the_cache(config, env, pages, feeds, staging, jobs, bodies, meanwhile=None,  # type: ignore[no-untyped-def]
                                 complete=None):
        assert complete is None  # planned with whole entries: none read while rendering
        shutil.rmtree(root / ".digest" / "cache")
        return real_render(config, env, pages, feeds, staging, jobs, {}, meanwhile)  # no feed bodies made before either

    monkeypatch.setattr(digest.pipeline, "organise", spy_organise)
    monkeypatch.setattr(digest.render_files, "render_files", render_without_the_cache)
    build(root, OPTIONS)
    assert seen["bodies while grouping"] and set(seen["bodies while grouping"]) == {str}
    # The lead of two reports at one moment is the one with more text.
    assert seen["leads"] == {"strike": "Dockers walk out"}
    pages = {p.read_text() for p in (root / "output").rglob("index.html")}
    for body in ("Alpha body.", "Gamma body.", "A longer report of the strike."):
        assert any(f'<p dir="auto">{body}</p>' in page for page in pages), body
    feed = (root / "output" / "feed.xml").read_text()
    assert "Alpha body." in feed


def test_an_entry_pickles_and_compares_as_the_value_it_is() -> None:
    entry = Entry(PurePosixPath("content/a.md"), "A", datetime(2022, 8, 15, tzinfo=UTC), "a", "The body.")
    copy = pickle.loads(pickle.dumps(entry))
    assert copy == entry and copy.body == "The body."
    with pytest.raises(AttributeError):
        entry.body = "Another body."  # type: ignore[misc]  # frozen


def test_compiled_templates_are_keyed_by_the_code_that_compiles_them(site: Path, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Jinja checks a compiled template against its source only; digest's own template tags
    compile to calls of their methods, so another version of them (an upgrade) must compile
    afresh: templates compiled by the old one failed with an AttributeError once."""
    folder = site / ".digest" / "cache" / "templates"
    first = set(os.listdir(folder))
    assert first
    another = tmp_path / "theme.py"
    another.write_bytes(Path(digest.theme.__file__).read_bytes() + b"\n# another version of the template tags\n")
    monkeypatch.setattr(digest.theme, "__file__", str(another))
    digest.render_files._template_compiler.cache_clear()
    try:
        edit(site, "content/2022/08/16/gamma.md", entry_text("Gamma opens", DAY2, "Gamma, again.", topic="world",
                                                             tags='["Ports"]'))
        assert build(site, OPTIONS).rendered > 0
        assert set(os.listdir(folder)) - first  # compiled again, under the new compiler's key
    finally:
        monkeypatch.undo()
        digest.render_files._template_compiler.cache_clear()


def _recorded_links(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files a build links from the live tree into the spare (Staging.link_live), as it links them."""
    linked: list[str] = []
    link_live = digest.output.Staging.link_live
    monkeypatch.setattr(digest.output.Staging, "link_live",
                        lambda staging, rel: linked.append(rel) or link_live(staging, rel))
    return linked


def _spare_and_live(builder: Builder, root: Path) -> tuple[dict[str, str], dict[str, str]]:
    """The recorded manifests of the spare tree and the live one (a long-lived Builder's cache)."""
    cache = builder._cache
    assert cache is not None
    spare, live = cache.tree(tree_id(root / ".output.spare")), cache.tree(tree_id(root / "output"))
    assert spare is not None and live is not None
    return spare.manifest, live.manifest


def _spare_unknown(builder: Builder, root: Path) -> bool:
    cache = builder._cache
    assert cache is not None
    return cache.tree(tree_id(root / ".output.spare")) is None


def _rendered_anew_template(root: Path, version: int) -> None:
    """An article template that changes every article page (a full re-render of those)."""
    (root / "themes/mine/templates").mkdir(parents=True, exist_ok=True)
    (root / "themes/mine/templates/article.html").write_text(f"<p>{{{{ entry.title }}}} v{version}</p>\n")


def test_idle_catch_up_brings_the_spare_up_to_date(site: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """After a build that re-rendered pages, the dev server's idle time links the spare's stale
    files to the live ones, so the next build has nothing to replace but what the edit changed."""
    builder = Builder(site, OPTIONS)
    try:
        builder.build()
        _rendered_anew_template(site, 1)
        assert builder.build().rendered >= 3
        spare, live = _spare_and_live(builder, site)
        stale = [rel for rel in live if spare.get(rel) != live[rel]]
        assert stale  # the old article pages
        assert builder.catch_up(lambda: False, batch=2) is True
        spare, live = _spare_and_live(builder, site)
        assert spare == live
        for rel in live:  # the spare holds the live files themselves (hard links), byte for byte
            assert os.path.samefile(site / ".output.spare" / rel, site / "output" / rel), rel
        assert sorted(p.relative_to(site / ".output.spare").as_posix()
                      for p in (site / ".output.spare").rglob("*") if p.is_file()) == sorted(live)
        asked: list[object] = []
        tree_of = builder._cache.tree  # type: ignore[union-attr]
        monkeypatch.setattr(builder._cache, "tree", lambda tree: asked.append(tree) or tree_of(tree))
        assert builder.catch_up(lambda: False) is True  # nothing left to do: not even a manifest read
        assert asked == []
        monkeypatch.undo()
        edit(site, "content/2022/08/15/alpha.md", entry_text("Alpha rises", DAY1, "After catch-up.",
                                                             topic="world", tags='["Energy"]'))
        linked = _recorded_links(monkeypatch)
        assert builder.build().rendered > 0
        assert linked == []  # without the catch-up, every page the template changed and the edit did not
        assert tree(site / "output") == cold(site, tmp_path)
    finally:
        builder.close()


def test_idle_time_warms_the_entries_and_the_story_grouper_for_the_next_addition(
        site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The dev server's idle time unpickles every entry and makes the story grouper once: an
    entry added next is grouped by updating it (no grouping from scratch), and the site equals a
    cold build. Interrupted, the warm-up leaves nothing half made."""
    builder = Builder(site, OPTIONS)
    try:
        builder.build()
        assert builder.catch_up(lambda: True) is False and not builder._grouper.warm
        assert builder.catch_up(lambda: False) is True
        assert builder._grouper.warm
        assert all(row.loaded for row in builder._rows.rows.values())
        made: list[object] = []
        for module in (digest.build, digest.stories.remembered):
            monkeypatch.setattr(module, "group_stories", lambda *a: made.append("group_stories") or [])
        real_grouper = digest.stories.incremental.StoryGrouper
        monkeypatch.setattr(digest.stories.incremental, "StoryGrouper",
                            lambda *a: made.append("StoryGrouper") or real_grouper(*a))
        (site / "content/2022/08/16/delta.md").write_text(
            entry_text("Gamma opens again", DAY2, "Gamma body, later.", topic="world", tags='["Ports"]'))
        assert builder.build().rendered > 0
        assert made == []  # the warmed grouper was updated
        monkeypatch.undo()
        assert tree(site / "output") == cold(site, tmp_path)
    finally:
        builder.close()


def test_a_new_dev_servers_idle_time_brings_the_spare_up_to_the_live_tree(site: Path, tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A dev server starts on a spare tree another process's last build left behind the live one (by
    what that build wrote): its first idle time links the spare to the live files, so its first edit
    replaces only what the edit changed; and it indexes where each entry is in its lists then too."""
    edit(site, "content/2022/08/15/alpha.md", entry_text("Alpha rises", DAY1, "Alpha body, by the CLI.",
                                                         topic="world", tags='["Energy"]'))
    build(site, OPTIONS)  # `digest build`: the spare is the tree before this edit
    builder = Builder(site, OPTIONS)
    try:
        assert builder.build().rendered == 0
        spare, live = _spare_and_live(builder, site)
        assert spare != live
        assert builder.catch_up(lambda: False) is True
        spare, live = _spare_and_live(builder, site)
        assert spare == live
        assert builder._rows._places is not None and builder._published_rows._places is not None
        linked = _recorded_links(monkeypatch)
        edit(site, "content/2022/08/16/gamma.md", entry_text("Gamma opens", DAY2, "Gamma body, edited.",
                                                             topic="world", tags='["Ports"]'))
        assert builder.build([site / "content/2022/08/16/gamma.md"]).rendered > 0
        assert linked == []
        assert tree(site / "output") == cold(site, tmp_path)
    finally:
        builder.close()


def test_idle_time_makes_the_renderers_ready_for_the_first_edit(site: Path, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A dev server started on a built site renders nothing in its first build; its idle time then
    makes the template environment and loads every template of the theme, so the first edit loads
    none. A template with an error does not stop the warm-up (the build reports it when used)."""
    (site / "themes/mine/templates").mkdir(parents=True, exist_ok=True)
    (site / "themes/mine/templates/unused.html").write_text("{% if %}\n")  # no page renders it
    build(site, OPTIONS)  # as `digest build` left it
    builder = Builder(site, OPTIONS)
    try:
        assert builder.build().rendered == 0
        loaded: list[str] = []
        real_load = jinja2.ChoiceLoader.load

        def load(self: jinja2.ChoiceLoader, env: jinja2.Environment, name: str, globals: Any = None) -> Any:
            loaded.append(name)
            return real_load(self, env, name, globals)

        monkeypatch.setattr(jinja2.ChoiceLoader, "load", load)
        assert builder.catch_up(lambda: True) is False  # an edit came in at once: nothing made
        assert loaded == []
        assert builder.catch_up(lambda: False) is True
        assert {"article.html", "base.html", "edition.html", "unused.html"} <= set(loaded)
        loaded.clear()
        assert builder.catch_up(lambda: False) is True  # once only
        assert loaded == []
        edit(site, "content/2022/08/15/alpha.md", entry_text("Alpha rises", DAY1, "Alpha body, edited.",
                                                             topic="world", tags='["Energy"]'))
        assert builder.build().rendered > 0
        assert loaded == []  # every template it rendered with was ready
        monkeypatch.undo()
        assert tree(site / "output") == cold(site, tmp_path)
    finally:
        builder.close()


def test_a_long_lived_builder_fingerprints_only_the_pages_an_addition_changed(
        site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The dev server's idle time plans the site and keeps each page's context and fingerprint
    (KeptUnits): an entry added next walks only the pages whose context changed, the others
    compare equal to their kept context. The site still equals a cold build."""
    import digest.reuse.plan_patch

    for number, word in enumerate(["Copper", "Wheat", "Timber", "Cocoa"]):
        (site / f"content/2022/08/15/market-{number}.md").write_text(
            entry_text(f"{word} prices hold", DAY1, f"{word} body.", topic="business", tags='["Markets"]'))
    build(site, OPTIONS)
    builder = Builder(site, OPTIONS)
    try:
        builder.build()  # nothing changed: no plan made, none kept
        assert builder._units is not None and not builder._units.units
        assert builder.catch_up(lambda: False) is True
        units = len(builder._units.units)
        assert units > 10
        walked: list[str] = []
        real = digest.reuse.plan_patch.Fingerprinter.of

        def counting(self: Any, *values: Any, **options: Any) -> str:
            walked.append(str(values[1]))
            return real(self, *values, **options)

        monkeypatch.setattr(digest.reuse.plan_patch.Fingerprinter, "of", counting)
        (site / "content/2022/08/16/delta.md").write_text(
            entry_text("Delta opens", DAY2, "Delta body.", topic="world", tags='["Ports"]'))
        assert builder.build().rendered > 0
        articles = sum(template == "article.html" for template, *_ in builder._units.units.values())
        # the new article and those whose story or related articles it joined: not every article
        assert 1 <= walked.count("article.html") < articles - 1, walked
        assert len(walked) < units, walked  # nor every page
        monkeypatch.undo()
        assert tree(site / "output") == cold(site, tmp_path)
    finally:
        builder.close()


def test_a_long_lived_builder_fingerprints_after_a_template_edit_only_the_pages_made_with_it(
        site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The kept plan's fingerprints (KeptUnits) are per template salt, as the pages' are: after an
    edit to tag.html the dev server walks the tag pages again, not every page (0.5-1 s at 10,000
    entries). The site still equals a cold build."""
    import digest.reuse.plan_patch

    builder = Builder(site, OPTIONS)
    try:
        builder.build()
        assert builder.catch_up(lambda: False) is True  # the kept plan made
        walked: list[str] = []
        real = digest.reuse.plan_patch.Fingerprinter.of

        def counting(self: Any, *values: Any, **options: Any) -> str:
            if len(values) == 3:  # (salt, template, context): a unit's, not a salt's own hash
                walked.append(str(values[1]))  # (an e-mail's salt is three values too: not a template)
            return real(self, *values, **options)

        monkeypatch.setattr(digest.reuse.plan_patch.Fingerprinter, "of", counting)
        (site / "themes/mine/templates").mkdir(parents=True)
        edit(site, "themes/mine/templates/tag.html",
             '{% extends "default:tag.html" %}{% block title %}TAGGED{% endblock %}')
        assert builder.build().rendered > 0
        templates = {unit[0] for unit in builder._units.units.values()}
        assert set(walked) & templates == {"tag.html"}, set(walked) & templates
        monkeypatch.undo()
        assert "TAGGED" in (site / "output/tags/energy/index.html").read_text()
        assert tree(site / "output") == cold(site, tmp_path)
    finally:
        builder.close()


def test_a_long_lived_builder_keeps_what_it_holds_out_of_the_collectors_way_during_a_build(
        site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The kept plan, entries and grouper live between builds: a build freezes them (gc.freeze) so
    that a collection does not walk them, and lets them go back after it."""
    import gc

    builder = Builder(site, OPTIONS)
    try:
        builder.build()
        assert builder.catch_up(lambda: False) is True  # the kept plan made
        frozen: list[int] = []
        real = digest.build.load_config
        monkeypatch.setattr(digest.build, "load_config", lambda *a, **k: frozen.append(gc.get_freeze_count())
                            or real(*a, **k))
        (site / "content/2022/08/16/delta.md").write_text(entry_text("Delta opens", DAY2, "Delta body."))
        builder.build()
        assert frozen and frozen[0] > len(builder._units.units)  # at the start, all it kept was frozen
        assert gc.get_freeze_count() == 0  # and let go after
    finally:
        builder.close()


def test_kept_units_reuse_a_fingerprint_only_for_an_equal_context_under_the_same_salt() -> None:
    from digest.model import Page
    from digest.reuse.fingerprint import Salts
    from digest.reuse.plan_patch import KeptUnits

    kept = KeptUnits()
    entry = Entry(path=PurePosixPath("content/a.md"), title="A", published=datetime(2022, 8, 15, tzinfo=UTC),
                  slug="a", body="Body.", content_hash="1")
    assert kept.warm([Page("a/index.html", "article.html", {"entry": entry, "n": 1})], [], Salts("salt"), lambda: False)
    value, found = kept.units["a/index.html"][2:]
    assert found == (entry.path,)
    same_entry = Entry(path=entry.path, title="A", published=entry.published, slug="a", body="Body.", content_hash="1")
    assert kept.same(Salts("salt"), "a/index.html", "article.html", {"entry": same_entry, "n": 1}) == (value, found)
    assert kept.same(Salts("other salt"), "a/index.html", "article.html", {"entry": same_entry, "n": 1}) is None
    assert kept.same(Salts("salt"), "a/index.html", "tag.html", {"entry": same_entry, "n": 1}) is None
    assert kept.same(Salts("salt"), "a/index.html", "article.html", {"entry": same_entry, "n": 2}) is None
    edited = Entry(path=entry.path, title="A", published=entry.published, slug="a", body="Body.", content_hash="2")
    assert kept.same(Salts("salt"), "a/index.html", "article.html", {"entry": edited, "n": 1}) is None
    assert not kept.warm([Page("b/index.html", "article.html", {})], [], Salts("salt"), lambda: True)  # stopped
    # Per template: under another whole salt, a unit whose template's salt is the same keeps its print
    kept = KeptUnits()
    salts = Salts("one", {"article.html": "article one", "tag.html": "tag one"})
    assert kept.warm([Page("a/index.html", "article.html", {"entry": entry}),
                      Page("t/index.html", "tag.html", {"entry": entry})], [], salts, lambda: False)
    tag_edited = Salts("two", {"article.html": "article one", "tag.html": "tag two"})
    assert kept.same(tag_edited, "a/index.html", "article.html", {"entry": same_entry}) is not None
    assert kept.same(tag_edited, "t/index.html", "tag.html", {"entry": same_entry}) is None
    assert kept.same(Salts("three"), "a/index.html", "article.html", {"entry": same_entry}) is None  # not known: whole
    assert kept.warm([], [], tag_edited, lambda: False) and set(kept.units) == {"a/index.html"}


@pytest.mark.parametrize("reads", ["one by one", "by paths", "the whole table"])
def test_a_one_shot_build_plans_with_heads_and_reads_whole_entries_only_for_the_pages_it_renders(
        make_site, tmp_path: Path, monkeypatch, reads: str) -> None:  # type: ignore[no-untyped-def]
    """Over a live site, the CLI plans with the entries' heads (EntryHead: no body) and reads the
    whole entries of the pages it renders only, however the cache fetches them (BuildCache.fill:
    a row a query, a few hundred paths a query, or the whole table read); the site still equals a
    cold build."""
    import digest.reuse.cache

    if reads != "one by one":
        monkeypatch.setattr(digest.reuse.cache, "ROWS_ONE_BY_ONE", 0)
        monkeypatch.setattr(digest.reuse.cache, "PATHS_READ", 10**6 if reads == "by paths" else 0)
    words = ["Copper", "Wheat", "Timber", "Cocoa", "Nickel", "Barley", "Cotton", "Sugar"]
    files = {f"content/2022/{month:02d}/{day:02d}/old-{month}-{day}.md": entry_text(
        f"{words[day % 8]} story {month} {day}", f"2022-{month:02d}-{day:02d}T09:00:00+01:00",
        f"Body of {month} {day}, long enough to count.", topic="world") for month in (6, 7) for day in range(1, 21)}
    root = make_site(files, config=BASIC_CONFIG.replace("[site]\n", "[site]\nitems_per_page = 5\n")
                     + "\n[feeds]\nitems = 5\n")
    build(root, OPTIONS)
    (root / "content/2022/08/15").mkdir(parents=True)
    (root / "content/2022/08/15/new.md").write_text(entry_text("A new story", DAY1, "New body.", topic="world"))
    builder = Builder(root, OPTIONS, once=True)
    one_by_one: list[str] = []
    real_blobs = digest.reuse.cache.BuildCache.entry_blobs
    monkeypatch.setattr(digest.reuse.cache.BuildCache, "entry_blobs",
                        lambda cache, path, *args: one_by_one.append((path, *args)) or real_blobs(cache, path, *args))
    try:
        report = builder.build()
        whole = [rel for rel, row in builder._rows.rows.items() if row.loaded]
        # The whole entries read from the cache (the new one was parsed), a query each or in a few
        read = set(whole) - {"content/2022/08/15/new.md"}
        fetched_alone = {path for path, _, heads in one_by_one if not heads}  # heads: a ListedHead completed
        assert read and (read <= fetched_alone if reads == "one by one" else not read & fetched_alone), one_by_one
        assert report.rendered > 0
        assert "content/2022/08/15/new.md" in whole
        assert len(whole) < len(files) / 2, whole  # not every entry: those the rendered pages show
    finally:
        builder.close()
    assert tree(root / "output") == cold(root, tmp_path)


def test_a_head_counts_as_its_entry_for_fingerprints_and_story_leads() -> None:
    from digest.model import EntryHead
    from digest.reuse.fingerprint import fingerprint
    from digest.stories import make_story

    when = datetime(2022, 8, 15, 8, tzinfo=UTC)
    short = Entry(path=PurePosixPath("content/a.md"), title="A", published=when, slug="a", body="Short.",
                  content_hash="1")
    long = Entry(path=PurePosixPath("content/b.md"), title="B", published=when, slug="b",
                 body="A much longer body.\n", content_hash="2")
    heads = [EntryHead.of(short), EntryHead.of(long)]
    assert heads[1].body == "" and heads[1].body_chars == len("A much longer body.")
    assert EntryHead.of(heads[1]) is heads[1]
    assert fingerprint({"entries": heads}) == fingerprint({"entries": [short, long]})
    assert fingerprint({"entries": heads}) != fingerprint({"entries": [long, short]})
    # a tie in time: the lead is the member with the most text, heads or not
    assert make_story("k", heads, 0.5, "similar").lead.path == make_story("k", [short, long], 0.5, "similar").lead.path
    assert make_story("k", heads, 0.5, "similar").lead.path == long.path


def test_catch_up_interrupted_leaves_a_spare_the_next_build_can_trust(site: Path, tmp_path: Path) -> None:
    builder = Builder(site, OPTIONS)
    try:
        builder.build()
        _rendered_anew_template(site, 2)
        builder.build()
        spare_before, _ = _spare_and_live(builder, site)
        assert builder.catch_up(lambda: True) is False  # an edit came in at once: nothing touched
        assert _spare_and_live(builder, site)[0] == spare_before
        calls = iter([False, True])
        assert builder.catch_up(lambda: next(calls), batch=1) is False  # one file, then an edit
        spare, live = _spare_and_live(builder, site)
        assert sum(spare.get(rel) != spare_before.get(rel) for rel in live) == 1
        for rel, value in spare.items():  # what the cache says the spare holds, it holds
            if value == live.get(rel):
                assert (site / ".output.spare" / rel).read_bytes() == (site / "output" / rel).read_bytes()
        edit(site, "content/2022/08/16/gamma.md", entry_text("Gamma opens", DAY2, "Interrupted catch-up.",
                                                             topic="world", tags='["Ports"]'))
        builder.build()
        assert tree(site / "output") == cold(site, tmp_path)
    finally:
        builder.close()


def test_catch_up_after_a_config_change_makes_the_spare_afresh_and_empties_the_trash(
        site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A config change that parsing reads (here a topic's aliases) starts a new cache, so the
    spare's content is unknown: it goes to the trash (deleted in later idle time) and a spare of
    links to the live files takes its place."""
    builder = Builder(site, OPTIONS)
    try:
        builder.build()
        config = site / "digest.toml"
        config.write_text(config.read_text().replace('aliases = ["World News"]', 'aliases = ["World News", "Global"]'))
        assert '"Global"' in config.read_text()
        assert builder.build().parsed == len(FILES)
        assert _spare_unknown(builder, site)
        assert builder.catch_up(lambda: False, batch=3) is True
        assert not (site / ".output.trash").exists()
        spare, live = _spare_and_live(builder, site)
        assert spare == live
        for rel in live:
            assert os.path.samefile(site / ".output.spare" / rel, site / "output" / rel), rel
        linked = _recorded_links(monkeypatch)
        edit(site, "content/2022/08/15/beta.md", entry_text("Beta falls", DAY1, "After the config change.",
                                                            topic="business", tags='["Energy"]'))
        assert builder.build().rendered > 0
        assert linked == []
        assert tree(site / "output") == cold(site, tmp_path)
    finally:
        builder.close()


def test_a_second_build_on_the_site_waits_for_the_first(site: Path) -> None:
    """`digest build` while `digest serve` builds: the second waits for the lock, never writes the
    same spare tree at the same time."""
    import fcntl
    import threading

    holder = open(site / ".digest" / "build.lock", "a")  # noqa: SIM115 - as another process's build
    fcntl.flock(holder, fcntl.LOCK_EX)
    finished = threading.Event()
    edit(site, "content/2022/08/15/alpha.md", entry_text("Alpha waits", DAY1, "Body.", topic="world"))
    worker = threading.Thread(target=lambda: (build(site, OPTIONS), finished.set()))
    worker.start()
    try:
        assert not finished.wait(1.5), "built while another build held the site"
        assert "Alpha waits" not in (site / ARTICLE).read_text()
    finally:
        holder.close()  # the other build is done
    assert finished.wait(60)
    worker.join()
    assert "Alpha waits" in (site / ARTICLE).read_text()


def test_unit_prints_kept_in_memory_follow_changes_by_this_and_another_process(tmp_path: Path) -> None:
    from digest.reuse.cache import BuildCache

    def fresh() -> dict[str, str]:
        return BuildCache(tmp_path, "salt").unit_prints()

    server = BuildCache(tmp_path, "salt")  # a long-lived builder's
    server.store_units([("a.html", "p1", "t", b"", {"content/a.md"}), ("b.html", "p2", "t", b"", set())], [])
    assert server.unit_prints() == fresh() == {"a.html": "p1", "b.html": "p2"}
    server.store_units([("a.html", "p3", "t", b"", set())], ["b.html"])  # its own change: the memory follows
    assert server.unit_prints() == fresh() == {"a.html": "p3"}
    cli = BuildCache(tmp_path, "salt")  # another process changes the units meanwhile
    cli.store_units([("c.html", "p4", "t", b"", set())], [])
    assert server.unit_prints() == fresh() == {"a.html": "p3", "c.html": "p4"}
    kept = server.unit_prints()
    kept["a.html"] = "changed by the caller"  # a copy: what is kept is not the caller's to change
    assert server.unit_prints()["a.html"] == "p3"


def test_the_dev_servers_warm_up_goes_on_after_an_edit_instead_of_planning_again(
        make_site, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """Idle time fingerprints the site's units once (Builder._warm_plan). Planning the whole site
    for it cannot be interrupted: when an edit comes in meanwhile, the plan is kept and the next
    idle time goes on from where the fingerprinting stopped."""
    files = {f"content/e{i}.md": entry_text(f"Entry number {i} about {word}", date=f"2022-08-{10 + i:02d}T09:00:00Z")
             for i, word in enumerate(["copper", "wheat", "timber", "cocoa", "nickel"])}
    root = make_site(files)
    options = BuildOptions(now=NOW, jobs=1, search=False)
    build(root, options)  # the site exists: the server's first build finds nothing changed
    builder = Builder(root, options)
    try:
        builder.build()
        planned: list[int] = []
        real = digest.build.plan_entries

        def counting(*args: Any, **kwargs: Any) -> Any:
            planned.append(1)
            return real(*args, **kwargs)

        monkeypatch.setattr(digest.build, "plan_entries", counting)
        assert not builder.catch_up(lambda: bool(planned))  # an edit arrives while the site is planned
        assert planned == [1] and builder._warming is not None and builder._warming[2] == 0
        assert builder.catch_up(lambda: False)  # the next idle time: no planning again, the rest done
        assert planned == [1] and builder._warming is None
        units = builder._units
        assert units is not None and units.salt == builder._planned[1]  # type: ignore[index]
        pages = {rel for rel in units.units if not rel.startswith("feed ")}
        assert {f"2022/08/{10 + i:02d}/e{i}/index.html" for i in range(5)} <= pages
    finally:
        builder.close()


def _stories_of(site: Any) -> list[tuple[str, list[str], str, str]]:
    return [(s.key, [str(m.path) for m in s.members], s.lead.title, s.reason) for s in site.stories]


def test_digest_stories_reads_the_build_cache_and_parses_only_what_changed(
        make_site, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """`digest stories` on a site (a folder with digest.toml) groups what pipeline.group_site
    groups, drafts too, but parses an entry file only when no earlier build or run parsed its bytes."""
    files = {f"content/e{i}.md": entry_text(f"Tram line {i} reopens after {word} repairs",
                                             date=f"2022-08-{10 + i % 3:02d}T09:00:00Z")
             for i, word in enumerate(["track", "signal", "bridge", "tunnel", "depot", "power"])}
    files["content/d.md"] = entry_text("Tram line reopens after track repairs", draft="true")
    files["content/k.md"] = entry_text("Harbour ferry timetable", story="ferry")
    root = make_site(files)
    parsed: list[str] = []
    real = digest.reuse.entry_rows.parse_files

    def counting(config: Any, items: Any) -> Any:
        parsed.extend(rel for rel, _, _ in items)
        return real(config, items)

    monkeypatch.setattr(digest.reuse.entry_rows, "parse_files", counting)
    assert _stories_of(digest.build.grouped_site(root)) == _stories_of(digest.pipeline.group_site(root))
    assert sorted(parsed) == sorted(files)
    parsed.clear()
    build(root, OPTIONS)  # a build after it parses nothing again either
    assert parsed == []
    edited = root / "content/e2.md"
    edited.write_text(entry_text("Harbour ferry timetable changes", story="ferry"), encoding="utf-8")
    site = digest.build.grouped_site(root)
    assert parsed == ["content/e2.md"]
    assert _stories_of(site) == _stories_of(digest.pipeline.group_site(root))
    assert ["content/e2.md", "content/k.md"] in [sorted(members) for _, members, _, _ in _stories_of(site)]


def test_digest_stories_writes_nothing_into_a_folder_that_is_not_a_site(make_site) -> None:  # type: ignore[no-untyped-def]
    root = make_site({"content/a.md": entry_text("Tram line reopens"),
                      "content/b.md": entry_text("Tram line reopens after repairs")}, config=None)
    site = digest.build.grouped_site(root)
    assert sorted(str(e.path) for e in site.entries) == ["content/a.md", "content/b.md"]
    assert sorted(p.name for p in root.iterdir()) == ["content"]


def test_digest_stories_reads_afresh_when_the_cache_cannot_be_written(
        make_site, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    root = make_site({"content/a.md": entry_text("Tram line reopens"),
                      "content/b.md": entry_text("Harbour ferry timetable")})

    def refused(*args: Any) -> None:
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(digest.build.BuildCache, "update_entries", refused)
    monkeypatch.setattr(digest.reuse.entry_rows, "store_entries", refused)
    assert _stories_of(digest.build.grouped_site(root)) == _stories_of(digest.pipeline.group_site(root))


def test_entries_and_heads_pickle_to_equal_values_their_paths_as_strings() -> None:
    from zoneinfo import ZoneInfo

    from digest.model import EntryHead

    entry = Entry(path=PurePosixPath("content/2022/08/15/tram.md"), title="Tram line reopens",
                  published=datetime(2022, 8, 15, 9, tzinfo=ZoneInfo("Europe/London")), slug="tram",
                  body="Body text.\n", topic="city", tags=("transport", "city"), authors=("A. Writer",),
                  source="Gazette", summary="It reopens.", draft=True, story="tram", lead=True,
                  extra={"note": ["kept", 1]}, content_hash="abc")
    for value in (entry, EntryHead.of(entry)):
        data = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
        back = pickle.loads(data)
        assert type(back) is type(value) and back == value and vars(back) == vars(value)
        assert list(vars(back)) == list(vars(value))  # the fields in their order, as the class makes them
        assert b"PurePosixPath" not in data  # (a path made again from its parts was slow)


def test_digest_stories_lets_a_build_go_on_while_it_groups(
        make_site, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """The site's build lock is held while the cache is read and written, not while grouping (seconds on
    a large site): `digest serve` beside it rebuilds meanwhile."""
    import fcntl

    root = make_site({"content/a.md": entry_text("Tram line reopens"),
                      "content/b.md": entry_text("Tram line reopens after repairs")})
    free: list[bool] = []
    real = digest.build.group_stories

    def grouping(*args: Any) -> Any:
        with open(root / ".digest/build.lock", "a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                free.append(True)
                fcntl.flock(handle, fcntl.LOCK_UN)
            except BlockingIOError:
                free.append(False)
        return real(*args)

    monkeypatch.setattr(digest.build, "group_stories", grouping)
    assert len(digest.build.grouped_site(root).stories) == 1
    assert free == [True]


def test_one_shot_builds_group_stories_near_what_changed(site: Path, tmp_path: Path, monkeypatch) -> None:
    """After an addition, a deletion and a title edit, `digest build` groups stories from the
    ledger of its last grouping (stories.nearby), with the features of what changed or went kept
    in the cache (not every entry's words counted again), and the output equals a cold build's."""
    import digest.stories.nearby as nearby

    calls: list[tuple[bool, int, int]] = []  # (grouped near, entries that went read back, words counted)
    counted: list[int] = []
    monkeypatch.setattr(nearby, "word_counts", lambda features: counted.append(1) or Counter(
        t for f in features for t in f.terms))

    def watched(regroup: Any) -> Any:
        def grouped(*args: Any, **options: Any) -> Any:
            asked: list[int] = []
            departed = options["departed"]
            options["departed"] = lambda wanted: asked.append(len(wanted)) or departed(wanted)
            before = len(counted)
            found = regroup(*args, **options)
            calls.append((found is not None, sum(asked), len(counted) - before))
            return found
        return grouped

    # An addition is grouped for a plan of the recent entries (forms_near), the others as before
    monkeypatch.setattr(nearby, "regroup_near", watched(nearby.regroup_near))
    monkeypatch.setattr(nearby, "forms_near", watched(nearby.forms_near))
    written: list[tuple[int, int, bool]] = []  # the ledger's rows written, removed, and whether whole
    write_ledger = BuildCache.write_ledger

    def watched_ledger(cache: BuildCache, rows: Any, removed: Any, whole: bool = False) -> None:
        rows, removed = list(rows), list(removed)
        written.append((len(rows), len(removed), whole))
        write_ledger(cache, rows, removed, whole)

    monkeypatch.setattr(BuildCache, "write_ledger", watched_ledger)
    (site / "content/2022/08/16/delta.md").write_text(entry_text("Gamma opens again", DAY2, "Delta.", topic="world"))
    rebuild_equals_cold(site, tmp_path)
    (site / "content/2022/08/15/beta.md").unlink()
    rebuild_equals_cold(site, tmp_path)
    edit(site, "content/2022/08/15/alpha.md", entry_text("Gamma opens wider", DAY1, "Alpha body.", topic="world"))
    rebuild_equals_cold(site, tmp_path)
    # Each grouped near the change, what went read back by its token, no entry's words counted again.
    assert calls == [(True, 0, 0), (True, 1, 0), (True, 1, 0)]
    # The ledger written by entry: the one that came, the one that went, the edited one's old and new rows
    # (the cold builds beside write theirs whole, in caches of their own)
    assert [w for w in written if not w[2]] == [(1, 0, False), (0, 1, False), (1, 1, False)]
    with sqlite3.connect(cache_path(site)) as db:
        assert db.execute("SELECT count(*) FROM departed").fetchone()[0] == 0  # forgotten with a new ledger
        ledger = sorted(db.execute("SELECT token, path FROM ledger"))
        assert ledger == sorted(db.execute("SELECT grouping, path FROM entries"))  # every entry as it is now


def test_the_build_after_a_dev_server_groups_near_what_changed(site: Path, tmp_path: Path, monkeypatch) -> None:
    """A dev server groups in memory (KeptGrouping) and keeps no ledger; before its grouping replaces
    the stories of the ledger it keeps them aside. So the `digest build` after it (an entry added
    once the dev server stopped) groups near every entry changed since the ledger, as after another
    `digest build`: without, it found the ledger of other entries' stories and grouped every entry
    again (at 100,000 entries 8.4 s and 1.3 GB)."""
    import digest.stories.nearby as nearby

    (site / "content/2022/08/15/beta.md").unlink()  # changed while no dev server ran: its first build groups
    server = Builder(site, OPTIONS)
    server.build()
    (site / "content/2022/08/16/delta.md").write_text(entry_text("Delta lands", DAY2, "Delta.", topic="business"))
    server.build([site / "content/2022/08/16/delta.md"])
    server.close()
    grouped: list[str] = []
    regroup, ledger_of = nearby.regroup_near, nearby.ledger_of
    monkeypatch.setattr(nearby, "regroup_near", lambda *a, **k: grouped.append(
        "near" if (found := regroup(*a, **k)) is not None else "near: no ledger") or found)
    # Made only when every entry is grouped again (or by the dev server's idle time)
    monkeypatch.setattr(nearby, "ledger_of", lambda *a, **k: grouped.append("every entry") or ledger_of(*a, **k))
    (site / "content/2022/08/16/epsilon.md").write_text(entry_text("Epsilon rises", DAY2, "Epsilon.", topic="world"))
    report = build(site, OPTIONS)
    assert "stories" in stages(report) and grouped == ["near"]
    assert tree(site / "output") == cold(site, tmp_path)


def test_a_build_grouping_everything_again_keeps_the_ledger_and_its_index(site: Path, tmp_path: Path,
                                                                          monkeypatch) -> None:
    """When a one-shot build cannot group near the change (regroup_near gives up) and groups every
    entry, the ledger's stored lines are read in one go to tell which rows changed (not a query a
    line), and the ledger and its full-text index are those of the entries as they are now."""
    import digest.stories.nearby as nearby

    monkeypatch.setattr(nearby, "regroup_near", lambda *args, **options: None)
    read: list[int] = []
    ledger_lines = BuildCache.ledger_lines

    def counted(cache: BuildCache, tokens: Any) -> dict[str, str]:
        read.append(1)
        return ledger_lines(cache, tokens)

    monkeypatch.setattr(BuildCache, "ledger_lines", counted)
    (site / "content/2022/08/16/delta.md").write_text(
        entry_text("Quillfeather opens again", DAY2, "Delta.", topic="world"))
    rebuild_equals_cold(site, tmp_path)
    assert read == [1]
    with sqlite3.connect(cache_path(site)) as db:
        ledger = sorted(db.execute("SELECT token, path FROM ledger"))
        assert ledger == sorted(db.execute("SELECT grouping, path FROM entries"))
        found = db.execute("SELECT ledger.path FROM ledger_words JOIN ledger ON ledger.rowid = ledger_words.rowid "
                           "WHERE ledger_words MATCH '\"quillfeather\"'").fetchall()
        assert [path for path, in found] == ["content/2022/08/16/delta.md"]
        rows = db.execute("SELECT count(*) FROM ledger WHERE title IS NOT NULL").fetchone()[0]
        assert db.execute("SELECT count(*) FROM ledger_words WHERE ledger_words MATCH '\"opens\"'").fetchone()[0] \
            <= rows


def test_feed_bodies_are_made_once_while_a_feed_shows_them(site: Path, tmp_path: Path, monkeypatch) -> None:
    """The feeds' item bodies as HTML are kept in the cache: an addition renders the feeds again
    but makes only the new entry's body; an edited body is made again (its content changed); the
    output equals a cold build's each time, and bodies no feed shows any more are let go."""
    import digest.build

    made: list[str] = []
    real = digest.build.entry_html
    monkeypatch.setattr(digest.build, "entry_html",
                        lambda entry, config: made.append(entry.title) or real(entry, config))
    (site / "content/2022/08/16/delta.md").write_text(entry_text("Delta", DAY2, "Delta body.", topic="world"))
    build(site, OPTIONS)
    assert made == ["Delta"]
    assert tree(site / "output") == cold(site, tmp_path)
    made.clear()
    edit(site, "content/2022/08/15/alpha.md", entry_text("Alpha rises", DAY1, "Alpha body, edited.", topic="world",
                                                         tags='["Energy"]'))
    build(site, OPTIONS)
    assert made == ["Alpha rises"]
    assert "Alpha body, edited." in (site / "output" / "feed.xml").read_text()
    assert tree(site / "output") == cold(site, tmp_path)
    with sqlite3.connect(cache_path(site)) as db:
        kept = [key.split(" ", 1)[1] for (key,) in db.execute("SELECT key FROM bodies")]
    assert sorted(url.rstrip("/").rsplit("/", 1)[1] for url in kept) == ["alpha", "beta", "delta", "gamma"]


def test_a_one_shot_body_edit_lets_the_remembered_stories_go_after_patching(site: Path, tmp_path: Path) -> None:
    """A body edit is patched from the stored plan with the remembered stories; a one-shot build then
    lets them go (55 MB at 100,000 entries, held to the end of the build before); the output is a cold
    build's."""
    from digest.stories.features import BODY_WORDS_READ
    from digest.stories.remembered import STORIES

    opening = "Alpha body. " + "Words of the opening. " * BODY_WORDS_READ  # grouping reads no further
    rel = "content/2022/08/15/alpha.md"
    edit(site, rel, entry_text("Alpha rises", DAY1, opening, topic="world", tags='["Energy"]'))
    build(site, OPTIONS)
    edit(site, rel, entry_text("Alpha rises", DAY1, opening + "\n\nA last paragraph.", topic="world",
                               tags='["Energy"]'))
    builder = Builder(site, OPTIONS, once=True)
    try:
        report = builder.build()
        assert report.rendered > 0 and "patch plan" in dict(report.stages)
        assert builder._cache is not None and STORIES not in builder._cache._values
    finally:
        builder.close()
    assert tree(site / "output") == cold(site, tmp_path)


def test_nothing_changed_is_known_from_the_entry_files_alone(make_site, monkeypatch) -> None:
    """A one-shot build whose entry files (paths, mtimes, sizes), theme, config and static files
    are those the live site was built from reads no entry row; nor does one of an entry touched
    (its row alone: see test_a_body_edit_reads_the_edited_rows_alone); anything else reads them: a
    template changed, an entry dated later coming due, the live site replaced."""
    root = make_site({"content/a.md": entry_text(), "content/b.md": entry_text("Later", date="2022-08-20T09:00Z")})
    before_due = BuildOptions(now=datetime(2022, 8, 18, tzinfo=UTC))
    first = build(root, before_due)
    assert first.entries == 1  # b is dated after `now`
    reads: list[int] = []
    real_read = digest.reuse.entry_rows.EntryRows.read
    monkeypatch.setattr(digest.reuse.entry_rows.EntryRows, "read",
                        lambda self, cache: reads.append(1) or real_read(self, cache))
    again = build(root, before_due)
    assert reads == [] and (again.entries, again.pages, again.feeds, again.rendered) == \
        (first.entries, first.pages, first.feeds, 0)
    os.utime(root / "content/a.md", ns=(1, 1))  # touched, not changed: nothing rendered
    assert build(root, before_due).rendered == 0 and reads == []
    assert build(root, before_due).rendered == 0 and reads == []
    due = build(root, BuildOptions(now=datetime(2022, 8, 21, tzinfo=UTC)))
    assert due.entries == 2 and due.rendered > 0 and reads == [1]
    assert "Later" in (root / "output/index.html").read_text()
    (root / "output/notes.txt").write_text("by hand")  # the look for strays is still made
    assert build(root, BuildOptions(now=datetime(2022, 8, 21, tzinfo=UTC))).rendered == 0 and reads == [1]
    assert not (root / "output/notes.txt").exists()
    shutil.rmtree(root / "output")
    assert build(root, BuildOptions(now=datetime(2022, 8, 21, tzinfo=UTC))).rendered > 0 and reads == [1, 1]
    assert (root / "output/index.html").is_file()
    (root / "digest.toml").write_text((root / "digest.toml").read_text().replace('title = "', 'title = "New ', 1))
    rebuilt = build(root, BuildOptions(now=datetime(2022, 8, 21, tzinfo=UTC)))
    assert rebuilt.rendered > 0 and len(reads) == 3 and "New " in (root / "output/index.html").read_text()


def test_a_body_edit_reads_the_edited_rows_alone(site: Path, tmp_path: Path, monkeypatch) -> None:
    """A one-shot build of entries whose bodies alone were edited in place, past what story grouping
    reads (the walk's process found them against the cache's rows), reads their rows and those of the
    entries on the pages it renders, never every row; what it cannot patch goes the whole way (a
    headline, a draft, rows written by a build that failed or by a dev server in between): the output
    is a cold build's each time."""
    from digest.stories.features import BODY_WORDS_READ

    reads: list[int] = []
    real_read = BuildCache.entries
    monkeypatch.setattr(BuildCache, "entries", lambda self: reads.append(1) or real_read(self))

    def read_all_rows(report: Any) -> bool:
        """Whether the build read every row; then the output is checked against a cold build's."""
        done = bool(reads)
        assert tree(site / "output") == cold(site, tmp_path)
        reads.clear()
        return done

    opening = "Words of the opening. " * BODY_WORDS_READ  # grouping reads no further

    def write(rel: str, title: str, day: str, body: str, draft: bool = False) -> None:
        text = entry_text(title, day, opening + "\n\n" + body, topic="world", tags='["Energy"]')
        edit(site, rel, text.replace("title:", "draft: true\ntitle:", 1) if draft else text)

    alpha, gamma = "content/2022/08/15/alpha.md", "content/2022/08/16/gamma.md"
    write(alpha, "Alpha rises", DAY1, "Alpha body.")
    write(gamma, "Gamma opens", DAY2, "Gamma body.")
    read_all_rows(build(site, OPTIONS))
    write(alpha, "Alpha rises", DAY1, "Alpha body, with news.")
    report = build(site, OPTIONS)
    assert report.rendered > 0 and "patch plan" in dict(report.stages) and not read_all_rows(report)
    assert "Alpha body, with news." in (site / "output/2022/08/15/alpha/index.html").read_text()
    assert build(site, OPTIONS).rendered == 0 and not reads  # nothing changed since
    # A page deleted by hand: the look for strays finds it missing, and the build makes it again
    for touch_only in (False, True):
        (site / "output/2022/08/16/gamma/index.html").unlink()
        if touch_only:
            os.utime(site / alpha)
        else:
            write(alpha, "Alpha rises", DAY1, f"Alpha body, with news {touch_only}.")
        read_all_rows(build(site, OPTIONS))
        assert (site / "output/2022/08/16/gamma/index.html").is_file()
    write(gamma, "Gamma opens", DAY2, "Gamma body, later.")
    os.utime(site / alpha)  # touched too
    report = build(site, OPTIONS)
    assert report.rendered > 0 and not read_all_rows(report)
    # A headline: the stories may change, so the whole way, from the rows as the live site has them
    write(alpha, "Alpha soars", DAY1, "Alpha body, with news.")
    report = build(site, OPTIONS)
    stages = [name for name, _ in report.stages]
    assert stages[:3] == ["config", "load", "inputs"] and len(stages) == len(set(stages))  # each stage once
    assert read_all_rows(report)
    # An entry made a draft: one fewer published
    write(gamma, "Gamma opens", DAY2, "Gamma body, later.", draft=True)
    report = build(site, OPTIONS)
    assert report.entries == 2 and read_all_rows(report)
    # A build that failed: the next is told nothing of what it read
    edit(site, alpha, "---\ntitle: [unclosed\n---\nBody.\n")
    with pytest.raises(DigestError):
        build(site, OPTIONS)
    write(alpha, "Alpha soars", DAY1, "Alpha body, fixed.")
    read_all_rows(build(site, OPTIONS))
    # A dev server's build writes the rows and publishes: a one-shot build after it goes the whole way
    write(alpha, "Alpha soars", DAY1, "Alpha body, served.")
    server = Builder(site, OPTIONS)
    try:
        server.build()
    finally:
        server.close()
    reads.clear()
    write(alpha, "Alpha soars", DAY1, "Alpha body, after the server.")
    report = build(site, OPTIONS)
    assert "after the server" in (site / "output/2022/08/15/alpha/index.html").read_text()
    assert read_all_rows(report)
    write(alpha, "Alpha soars", DAY1, "Alpha body, last.")  # and the next, as before
    report = build(site, OPTIONS)
    assert report.rendered > 0 and not read_all_rows(report)


def test_the_walk_tells_the_files_edited_in_place_against_the_cache_rows(make_site) -> None:
    """entry_walk.against_rows: the files whose mtime or size is not their row's, whether or not the
    rows' order (the paths' code points: "x-b.md" before "x/a.md") is the walk's ("x" before "x-b.md");
    None when a file came or went, or when no build has recorded what it published from."""
    from digest.entry_walk import walk_entry_files

    root = make_site({"content/x/a.md": entry_text(), "content/x-b.md": entry_text("Other", date="2022-08-16T09:00Z"),
                      "content/y.md": entry_text("Third", date="2022-08-17T09:00Z")})
    assert walk_entry_files(root / "content", root)[1] is None  # no cache yet
    build(root, OPTIONS)
    listed, edits = walk_entry_files(root / "content", root)
    assert [rel for rel, _, _ in listed] == ["content/x/a.md", "content/x-b.md", "content/y.md"]
    assert edits is not None and edits[1] == []
    for rel in ("content/x/a.md", "content/y.md"):
        edit(root, rel, (root / rel).read_text() + "\nMore.\n")
    edits = walk_entry_files(root / "content", root)[1]
    assert edits is not None and [rel for rel, *_ in edits[1]] == ["content/x/a.md", "content/y.md"]
    rel, mtime_ns, size, row_mtime_ns, row_size = edits[1][1]
    assert (mtime_ns, size) == ((info := (root / rel).stat()).st_mtime_ns, info.st_size)
    assert row_size == size - len("\nMore.\n") and row_mtime_ns != mtime_ns
    (root / "content/z.md").write_text(entry_text("Fourth", date="2022-08-17T10:00Z"))
    assert walk_entry_files(root / "content", root)[1] is None


def test_every_write_of_the_entry_rows_forgets_what_was_published_from(tmp_path: Path) -> None:
    """While the cache's record of what a one-shot build published from is there, the rows are those
    it tells: any write of them (the main process's, a parsing worker's, a deletion) deletes it."""
    from digest.entry_walk import PUBLISHED_FROM
    from digest.reuse.cache import store_entries
    from digest.reuse.cached_entry import CachedEntry

    entry = Entry(path=PurePosixPath("content/a.md"), title="A", published=datetime(2022, 8, 15, 8, tzinfo=UTC),
                  slug="a", body="Body.", topic="world", content_hash="hash")
    cache = BuildCache(tmp_path, "salt")
    try:
        row = CachedEntry.of(1, 2, entry, None, "token")
        for write in (lambda: cache.update_entries([("content/a.md", row)], []),
                      lambda: store_entries(cache.path, [("content/b.md", row)]),
                      lambda: cache.update_entries([], ["content/a.md"])):
            cache.put(PUBLISHED_FROM, ("salt", "inputs", 1, None, 0))
            write()
            assert cache.value_bytes(PUBLISHED_FROM) is None
    finally:
        cache.close()


def test_writes_made_atomically_commit_together_or_not_at_all(tmp_path: Path) -> None:
    """BuildCache.atomically: the puts inside are one transaction (one commit); an error inside
    leaves none of them; a put outside commits on its own as before."""
    from digest.reuse.cache import BuildCache

    cache = BuildCache(tmp_path, "salt")
    try:
        commits: list[str] = []
        cache._db.set_trace_callback(lambda sql: sql.strip().upper() == "COMMIT" and commits.append(sql))
        with cache.atomically():
            cache.put("a", 1)
            cache.put("b", 2)
        assert (cache.get("a"), cache.get("b"), len(commits)) == (1, 2, 1)
        with pytest.raises(KeyError), cache.atomically():
            cache.put("a", 10)
            cache.put("c", 3)
            raise KeyError("a build that failed in between")
        assert (cache.get("a"), cache.get("c")) == (1, None)
        cache.put("c", 4)
        assert cache.get("c") == 4 and len(commits) == 2
    finally:
        cache.close()
    reopened = BuildCache(tmp_path, "salt")
    try:
        assert (reopened.get("a"), reopened.get("b"), reopened.get("c")) == (1, 2, 4)
    finally:
        reopened.close()


def test_features_asked_for_together_are_fetched_in_one_query(make_site) -> None:
    """LazyFeatures.fetch (a regrouping's holders, a round of pairs): the features of these entries
    in one query of the cache, the others left there; the features are those stored."""
    from digest.reuse.cache import BuildCache
    from digest.reuse.entry_rows import LazyFeatures

    root = make_site(FILES, config=BASIC_CONFIG)
    build(root, OPTIONS)
    config = digest.build.load_config(root)
    cache = BuildCache(root, digest.build.cache_salt(config))
    try:
        rows = sorted(cache.entries().items())
        assert len(rows) >= 3
        stored = {path: data for path, data in cache._db.execute("SELECT path, features FROM entries")}
        queries: list[str] = []
        cache._db.set_trace_callback(queries.append)
        wanted = [PurePosixPath(rows[0][0]), PurePosixPath(rows[2][0]), PurePosixPath("content/not-an-entry.md")]
        LazyFeatures(rows, cache).fetch(wanted)
        cache._db.set_trace_callback(None)
        assert len([q for q in queries if q.lstrip().upper().startswith("SELECT")]) == 1, queries
        assert [row.features_pickle for _, row in rows[:3]] == [stored[rows[0][0]], None, stored[rows[2][0]]]
    finally:
        cache.close()


def test_the_cache_finds_the_features_that_hold_a_word_without_fetching_them(make_site) -> None:
    """BuildCache.features_holding: the rows whose features pickle holds one of the words as
    nearby.pickled_str writes them are those whose unpickled features hold the word; a row
    without features, or with another kind of pickle, is always among them."""
    import pickle as pickle_module

    from digest.reuse.cache import BuildCache
    from digest.stories.nearby import pickled_str

    root = make_site(FILES, config=BASIC_CONFIG)
    build(root, OPTIONS)
    config = digest.build.load_config(root)
    cache = BuildCache(root, digest.build.cache_salt(config))
    try:
        rows = {path: pickle_module.loads(data) for path, data in
                cache._db.execute("SELECT path, features FROM entries")}
        words = sorted({t for f in rows.values() for t in f.terms})
        assert len(words) > 5
        for word in [*words, "a word no entry holds", "é" * 300]:
            holding = {path for path, _ in cache.features_holding([pickled_str(word)])}
            assert holding == {path for path, f in rows.items() if word in f.terms}, word
        both = {path for path, _ in cache.features_holding([pickled_str(words[0]), pickled_str(words[-1])])}
        assert both == {path for path, f in rows.items() if words[0] in f.terms or words[-1] in f.terms}
        gamma = "content/2022/08/16/gamma.md"
        older = pickle_module.dumps(rows[gamma], 2)  # another kind of pickle: its bytes tell nothing
        cache._db.execute("UPDATE entries SET features = ? WHERE path = ?", (older, gamma))
        assert gamma in {path for path, _ in cache.features_holding([pickled_str("a word no entry holds")])}
        cache._db.execute("UPDATE entries SET features = NULL WHERE path = ?", (gamma,))
        assert gamma in {path for path, _ in cache.features_holding([pickled_str("a word no entry holds")])}
    finally:
        cache.close()


def test_a_listed_head_reads_the_rest_of_its_head_from_the_cache_once_and_counts_as_the_head(
        tmp_path: Path) -> None:
    """An addition organises the whole site from each entry's listing (ListedHead: its path and
    LISTING_FIELDS): a field beyond it reads the head from the cache row, once; for fingerprints,
    story leads and pickles it is the head."""
    from digest.model import EntryHead
    from digest.reuse.cache import BuildCache
    from digest.reuse.cached_entry import CachedEntry, ListedHead
    from digest.reuse.fingerprint import fingerprint
    from digest.stories import make_story

    when = datetime(2022, 8, 15, 8, tzinfo=UTC)
    entries = [Entry(path=PurePosixPath(f"content/{name}.md"), title=name.upper(), published=when, slug=name,
                     body=body, topic="world", tags=("Copper",), summary="S.", authors=("Ann",),
                     content_hash=name) for name, body in (("a", "Short."), ("b", "A much longer body."))]
    cache = BuildCache(tmp_path, "salt")
    try:
        cache.update_entries([(str(e.path), CachedEntry.of(1, 1, e, None, "token")) for e in entries], [])
        rows = [(rel, row.stored_in(cache, rel)) for rel, row in cache.entries().items()]
        cache.fill_listings(rows)
        fetched: list[str] = []
        real = cache.entry_blobs
        cache.entry_blobs = lambda path, *args: fetched.append(path) or real(path, *args)  # type: ignore[method-assign]
        listed = [row.listed(rel) for rel, row in rows]
        assert all(type(head) is ListedHead for head in listed) and listed[0] is rows[0][1].listed(rows[0][0])
        a, b = listed
        assert (a.published, a.slug, a.topic, a.tags, a.content_hash) == (when, "a", "world", ("Copper",), "a")
        assert fetched == []  # the listing alone, so far
        heads = [EntryHead.of(e) for e in entries]
        assert fingerprint({"entries": listed}) == fingerprint({"entries": heads})
        assert fetched == []  # a fingerprint reads the path and content hash
        assert a.title == "A" and a.authors == ("Ann",) and a.summary == "S." and a.body_chars == len("Short.")
        assert fetched == ["content/a.md"]
        assert a.summary == "S." and a.image is None and fetched == ["content/a.md"]  # read once
        assert make_story("k", listed, 0.5, "similar").lead.path == b.path  # the longer body on a tie
        assert pickle.loads(pickle.dumps(b)) == heads[1]  # pickled as the head it stands for
        assert type(pickle.loads(pickle.dumps(b))) is EntryHead
    finally:
        cache.close()


def _spare_recorded_as_live(root: Path) -> bool:
    """Whether the cache records the spare tree with the live tree's files, and every one of them is
    a link to the live file (brought up to date). Read without the build lock, while the process of
    its own may be at work: a record replaced between reading a tree's chunk names and its chunks
    (MissingChunk), or a file linked meanwhile, counts as not yet."""
    from digest.reuse.cache import stored_salt
    from digest.reuse.manifest import MissingChunk

    salt = stored_salt(root)
    assert salt is not None
    cache = BuildCache(root, salt)
    try:
        spare, live = cache.tree(tree_id(root / ".output.spare")), cache.tree(tree_id(root / "output"))
        if spare is None or live is None or dict(spare.manifest.items()) != dict(live.manifest.items()):
            return False
        return all(os.path.samefile(root / ".output.spare" / rel, root / "output" / rel) for rel in live.manifest)
    except (MissingChunk, FileNotFoundError):
        return False
    finally:
        cache.close()


def test_a_build_that_wrote_much_of_the_site_leaves_the_spare_to_a_process_of_its_own(
        site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After `digest build` rendered most pages again (a template changed), the spare held the old
    version of each, and the next one-entry edit first linked every page of the live site into it
    (12-19 s at 100,000 entries): a process of its own does that after the command returns, and the
    next build links nothing it did not change. Fails where the build leaves the spare as it is."""
    import time

    monkeypatch.setattr(digest.build, "CATCH_UP_APART", 1)  # the test site is small
    _rendered_anew_template(site, 1)
    assert build(site, OPTIONS).rendered > 0
    deadline = time.monotonic() + 60
    while not _spare_recorded_as_live(site) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _spare_recorded_as_live(site)
    linked = _recorded_links(monkeypatch)
    edit(site, "content/2022/08/16/gamma.md", entry_text("Gamma opens", DAY2, "After the template change.",
                                                        topic="world", tags='["Ports"]'))
    assert rebuild_equals_cold(site, tmp_path) > 0
    assert linked == []  # the spare was up to date: only the pages the edit changed were written


def test_a_build_from_nothing_leaves_no_spare_to_catch_up(make_site, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build from nothing makes the spare as a copy of the live tree: no process is started to
    bring it up to date (it would only compete with the next build); a build that rendered the
    pages again over the live site does start one."""
    started: list[Path] = []
    monkeypatch.setattr(digest.build, "CATCH_UP_APART", 1)
    monkeypatch.setattr(digest.build, "catch_up_apart", lambda root, output, salt: started.append(root) or True)
    root = make_site({**FILES, **THEME}, config=CONFIG)
    assert build(root, OPTIONS).rendered > 0
    assert started == []
    _rendered_anew_template(root, 4)
    assert build(root, OPTIONS).rendered > 0
    assert started == [root]


def test_the_spare_catch_up_apart_stops_for_a_waiting_build_and_never_uses_another_cache(site: Path) -> None:
    """The process that brings the spare up to date (reuse.spare.catch_up) works a batch at a time
    under the build lock, stops as soon as a build waits for it, and does nothing with a cache of
    another salt (opening it would start it afresh: every parse lost)."""
    import digest.reuse.spare
    from digest.reuse.cache import stored_salt

    _rendered_anew_template(site, 2)
    digest.build._left_apart(site, site / "output", 0, None)  # as a build that wrote little: no catch-up
    assert build(site, OPTIONS).rendered > 0
    salt = stored_salt(site)
    assert salt is not None and not _spare_recorded_as_live(site)
    assert digest.reuse.spare.catch_up(site, site / "output", "another salt") is False
    assert stored_salt(site) == salt and not _spare_recorded_as_live(site)
    (site / ".digest" / f"{digest.output.WANTED}{os.getpid()}").touch()  # a build waits for the lock
    assert digest.reuse.spare.catch_up(site, site / "output", salt) is False
    assert not _spare_recorded_as_live(site)
    (site / ".digest" / f"{digest.output.WANTED}{os.getpid()}").unlink()
    import threading

    caught_up: list[bool] = []
    with digest.output.build_lock(site):  # a build at work: the catch-up waits for it to end
        worker = threading.Thread(target=lambda: caught_up.append(
            digest.reuse.spare.catch_up(site, site / "output", salt)))
        worker.start()
        worker.join(1.0)
        assert worker.is_alive() and not _spare_recorded_as_live(site)
    worker.join(60)
    assert caught_up == [True] and _spare_recorded_as_live(site)


def test_the_spare_catch_up_apart_goes_on_after_the_build_it_stopped_for(
        site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Stopped for a build (`digest build` run again, finding nothing changed), the process waits for
    it to end and goes on: it no longer left the spare half done for the next edit to finish."""
    import digest.reuse.spare
    from digest.reuse.cache import stored_salt

    _rendered_anew_template(site, 5)
    assert build(site, OPTIONS).rendered > 0  # small: no process of its own
    salt = stored_salt(site)
    assert salt is not None and not _spare_recorded_as_live(site)
    asked: list[bool] = []
    monkeypatch.setattr(digest.reuse.spare, "lock_wanted", lambda root: asked.append(True) or len(asked) == 1)
    assert digest.reuse.spare.catch_up(site, site / "output", salt) is True
    assert len(asked) >= 2 and _spare_recorded_as_live(site)


def test_a_build_that_waits_for_the_lock_says_so(site: Path, monkeypatch) -> None:
    """A build that finds the site's lock taken leaves .digest/build.wanted.PID while it waits (what
    the background catch-up looks for between batches) and removes it once it holds the lock; after
    WAIT_NOTICE seconds it is told which process holds the lock (the holder wrote its id in it)."""
    import threading
    import time

    monkeypatch.setattr(digest.output, "WAIT_NOTICE", 0.05)
    wanted = site / ".digest" / f"{digest.output.WANTED}{os.getpid()}"
    holding, done = threading.Event(), threading.Event()
    told: list[str] = []

    def waiting_build() -> None:
        with digest.output.build_lock(site, told.append):
            holding.set()
            done.wait(30)

    with digest.output.build_lock(site, told.append):
        assert (site / ".digest" / digest.output.LOCK).read_text() == f"{os.getpid()}\n"
        with digest.output.background_lock(site) as free:
            assert free is False
        assert not digest.output.lock_wanted(site)
        waiter = threading.Thread(target=waiting_build)
        waiter.start()
        deadline = time.monotonic() + 30
        while not (wanted.exists() and told) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert digest.output.lock_wanted(site) and not holding.is_set()
        assert len(told) == 1 and told[0].startswith(f"process {os.getpid()} (")  # this process, as it was started
    assert holding.wait(30)
    assert len(told) == 1  # a lock free at once is no wait
    assert not wanted.exists() and not digest.output.lock_wanted(site)
    done.set()
    waiter.join(30)
    with digest.output.background_lock(site) as free:
        assert free is True


def test_digest_build_waiting_for_another_build_says_which_process_holds_the_site(site: Path) -> None:
    """`digest build` while another process builds the site (here: this one holds its lock) says, after
    a second, who it waits for, then builds once the lock is free."""
    import subprocess
    import sys
    import time

    with digest.output.build_lock(site):
        command = subprocess.Popen([sys.executable, "-m", "digest", "--site", str(site), "build"],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert command.stderr is not None
        line = command.stderr.readline()
        while line and not line.startswith("waiting:"):  # a warning about the site's config, if any
            line = command.stderr.readline()
        time.sleep(0.2)
        assert command.poll() is None  # still waiting
    out, err = command.communicate(timeout=120)
    assert command.returncode == 0, line + err
    assert line.startswith(f"waiting: process {os.getpid()} (") and "is building this site" in line, line
    assert "built" in out


def test_the_command_shown_for_the_lock_holder_is_the_one_its_user_typed(tmp_path: Path) -> None:
    lock = tmp_path / "build.lock"
    assert digest.output.lock_holder(lock) == "another process"  # no file
    lock.write_text("not a process id\n")
    assert digest.output.lock_holder(lock) == "another process"
    lock.write_text("999999999\n")  # no such process: its id only
    assert digest.output.lock_holder(lock) == "process 999999999"
    shown = digest.output._command_shown
    assert shown(["/site/.venv/bin/python", "/site/.venv/bin/digest", "serve", "--watch"]) == "digest serve --watch"
    assert shown(["/usr/bin/python3", "-m", "digest", "build", "-v"]) == "digest build -v"
    assert shown(["python", "-P", "-m", "digest.reuse.spare", "/site"]) == "digest.reuse.spare /site"
    assert shown(["/usr/bin/python3", "-m", "pytest", "-q"]) == "python3 -m pytest -q"
    script = "import os\n\x1b[2Jx = 1" + "1" * 99  # a newline, a terminal escape, too long
    assert shown(["python", "-c", script]) == "python -c import os ?[2Jx = " + "1" * 51 + "…"


def test_the_dev_servers_catch_up_stops_for_a_build_of_another_process(site: Path) -> None:
    """The dev server's idle-time catch-up holds the build lock: a `digest build` run meanwhile waits
    for the batch under way, not for the whole catch-up (at 100,000 entries 12-19 s)."""
    builder = Builder(site, OPTIONS)
    try:
        builder.build()
        _rendered_anew_template(site, 3)
        assert builder.build().rendered > 0
        (site / ".digest" / f"{digest.output.WANTED}{os.getpid()}").touch()  # a build of another process waits
        assert builder.catch_up(lambda: False, batch=1) is False
        (site / ".digest" / f"{digest.output.WANTED}{os.getpid()}").unlink()
        assert builder.catch_up(lambda: False, batch=1) is True
        spare, live = _spare_and_live(builder, site)
        assert spare == live
    finally:
        builder.close()


def test_a_mark_left_by_a_build_killed_as_it_waited_is_no_build_waiting(site: Path) -> None:
    """A build killed while it waited for the lock leaves its mark: the process is gone, so no one
    waits (the catch-up would otherwise stop at once, for ever), and the mark is removed."""
    import subprocess
    import sys

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True)
    mark = site / ".digest" / f"{digest.output.WANTED}{gone.stdout.strip()}"
    mark.touch()
    assert digest.output.lock_wanted(site) is False
    assert not mark.exists()


def test_the_spare_catch_up_apart_records_the_folders_it_wrote(site: Path) -> None:
    """The process of its own records the spare's folders it wrote into as they are: the edit after it
    publishes that tree, and the build after the edit finds every folder of the live tree as recorded
    (its look for stray files stats them, lists none). Before, the catch-up's folders were new to the
    record, and the second edit after a full render walked the whole tree (1.5-2 s at 100,000 entries)."""
    import digest.reuse.spare
    from digest.reuse.cache import stored_salt
    from digest.reuse.trees import folders_record
    from digest.site_static import folders_as_recorded

    _rendered_anew_template(site, 6)
    digest.build._left_apart(site, site / "output", 0, None)  # as a build that wrote little: no catch-up
    assert build(site, OPTIONS).rendered > 0
    salt = stored_salt(site)
    assert salt is not None and digest.reuse.spare.catch_up(site, site / "output", salt) is True
    edit(site, "content/2022/08/16/gamma.md", entry_text("Gamma opens", DAY2, "After the catch-up.",
                                                        topic="world", tags='["Ports"]'))
    assert build(site, OPTIONS).rendered > 0  # publishes the tree the catch-up brought up to date
    assert folders_as_recorded(site / "output", folders_record(site), tree_id(site / "output"))


@pytest.mark.parametrize("search", [False, True])
def test_the_trees_of_a_build_from_nothing_are_recorded_as_a_walk_of_their_folders_records_them(
        make_site, tmp_path: Path, search: bool) -> None:
    """A build from nothing records the folders of both trees it made (the live one and its twin,
    the next spare) from its manifest and a stat of each folder, not a walk of them: the record is
    the one a walk of every folder makes (the search's folder left out), and the next build finds
    both trees as recorded."""
    from digest.reuse.trees import folders_record
    from digest.search import BUNDLE
    from digest.site_static import _read_record, folders_as_recorded, sweep_tree

    site = make_site({**FILES, **THEME}, config=CONFIG)
    assert build(site, replace(OPTIONS, search=search)).rendered > 0
    assert (site / "output" / BUNDLE).is_dir() == search
    for path in (site / "output", site / ".output.spare"):
        tree = tree_id(path)
        assert tree is not None
        made = _read_record(folders_record(site), tree)
        files = {os.path.relpath(os.path.join(folder, name), path).replace(os.sep, "/")
                 for folder, _, names in os.walk(path) for name in names}
        walked = tmp_path / f"walked-{path.name}.marshal"
        assert sweep_tree(path, files, keep=[BUNDLE], record=walked, tree_key=tree).removed == []
        assert isinstance(made, tuple) and made == _read_record(walked, tree)
        assert len(made[0].split("\0")) >= 10  # the root, the years, months, days, articles...
        assert folders_as_recorded(path, folders_record(site), tree)


def test_the_spare_catch_up_apart_records_every_folder_of_a_spare_made_afresh(site: Path) -> None:
    """After a change that starts a new cache (here the config's topic aliases; a new version of
    digest does the same), the spare's content is unknown and the catch-up makes it afresh: a tree
    the record knows nothing of. It lists and records every folder of it, so the second build after
    the change stats them instead of listing them all (15 s at 100,000 entries before)."""
    import digest.reuse.spare
    from digest.reuse.cache import stored_salt
    from digest.reuse.trees import folders_record
    from digest.site_static import folders_as_recorded, recorded_folders

    config = site / "digest.toml"
    config.write_text(config.read_text().replace('aliases = ["World News"]', 'aliases = ["World News", "Global"]'))
    assert '"Global"' in config.read_text()
    digest.build._left_apart(site, site / "output", 0, None)  # the catch-up is run below, not forked
    assert build(site, OPTIONS).parsed == len(FILES)
    salt = stored_salt(site)
    assert salt is not None and digest.reuse.spare.catch_up(site, site / "output", salt) is True
    spare = tree_id(site / ".output.spare")
    assert spare is not None
    assert recorded_folders(folders_record(site), spare) is not None
    assert folders_as_recorded(site / ".output.spare", folders_record(site), spare)
    edit(site, "content/2022/08/16/gamma.md", entry_text("Gamma opens", DAY2, "After the catch-up.",
                                                        topic="world", tags='["Ports"]'))
    assert build(site, OPTIONS).rendered > 0  # publishes the tree the catch-up made
    assert folders_as_recorded(site / "output", folders_record(site), tree_id(site / "output"))


def test_a_dev_server_tells_the_ledger_of_stories_by_its_key_alone(site: Path, tmp_path: Path, monkeypatch) -> None:
    """Before its grouping replaces the stories, a dev server asks whether they are the ledger's (to
    keep them aside for the `digest build` after it): it reads the ledger's key, not the ledger's word
    counts (several MB at 100,000 entries, read at each of its groupings). The build after it still
    groups near what changed, from the stories kept aside."""
    import digest.stories.nearby as nearby
    from digest.stories.remembered import LEDGER

    build(site, OPTIONS)  # a one-shot build: its ledger
    read: list[str] = []
    real_get = BuildCache.get
    monkeypatch.setattr(BuildCache, "get", lambda cache, key: read.append(key) or real_get(cache, key))
    server = Builder(site, OPTIONS)
    server.build()
    for name in ("delta", "zeta"):  # an addition, then its deletion: a grouping each
        (site / "content/2022/08/16/delta.md").write_text(entry_text("Delta lands", DAY2, "Delta.", topic="business"))
        if name == "zeta":
            (site / "content/2022/08/16/delta.md").unlink()
        server.build([site / "content/2022/08/16/delta.md"])
    server.close()
    assert LEDGER not in read
    monkeypatch.setattr(BuildCache, "get", real_get)
    grouped: list[str] = []
    regroup = nearby.regroup_near
    monkeypatch.setattr(nearby, "regroup_near", lambda *a, **k: grouped.append(
        "near" if (found := regroup(*a, **k)) is not None else "no ledger") or found)
    (site / "content/2022/08/16/epsilon.md").write_text(entry_text("Epsilon rises", DAY2, "Epsilon.", topic="world"))
    build(site, OPTIONS)
    assert grouped == ["near"]
    assert tree(site / "output") == cold(site, tmp_path)
