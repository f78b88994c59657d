"""`digest ingest FILE --out DIR` as the command line runs it: one entry per out folder."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import frontmatter
import pytest

from .test_ingest_save import ARTICLE

DIGEST = Path(sys.executable).parent / "digest"

pytestmark = pytest.mark.skipif(not DIGEST.exists(), reason="the digest command is not installed")


def ingest(site: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(DIGEST), "ingest", *map(str, args)], cwd=site,
                          capture_output=True, text=True, timeout=120)


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.md"))


def test_each_out_folder_gets_its_entry(tmp_path: Path) -> None:
    source = tmp_path / "article.txt"
    source.write_text(ARTICLE, encoding="utf-8")
    first, second = tmp_path / "a", tmp_path / "b"
    second.mkdir()

    run = ingest(tmp_path, source, "--out", first)
    assert run.returncode == 0 and run.stdout.startswith("written"), run.stdout + run.stderr
    run = ingest(tmp_path, source, "--out", second)
    assert run.returncode == 0 and run.stdout.startswith("written"), run.stdout + run.stderr
    [in_a], [in_b] = entries(first), entries(second)
    assert in_a.name == in_b.name  # the same slug in each folder, not "-2"
    assert in_a.read_bytes() == in_b.read_bytes()
    assert frontmatter.load(in_b)["authors"] == ["Jane Doe"]

    # Again on the same file: nothing new, still one entry.
    run = ingest(tmp_path, source, "--out", second)
    assert run.stdout.startswith("unchanged"), run.stdout
    assert entries(second) == [in_b]


def test_rerun_into_a_fresh_empty_folder_of_the_same_name(tmp_path: Path) -> None:
    source = tmp_path / "article.txt"
    source.write_text(ARTICLE, encoding="utf-8")
    out = tmp_path / "out"
    for _ in range(3):
        out.mkdir()
        run = ingest(tmp_path, source, "--out", out)
        assert run.returncode == 0, run.stderr
        assert len(entries(out)) == 1, run.stdout
        for path in out.iterdir():
            path.unlink()
        out.rmdir()


def test_kept_when_edited_unchanged_when_not(tmp_path: Path) -> None:
    source = tmp_path / "article.txt"
    source.write_text(ARTICLE, encoding="utf-8")
    out = tmp_path / "out"
    ingest(tmp_path, source, "--out", out)
    assert ingest(tmp_path, source, "--out", out).stdout.startswith("unchanged")
    [entry] = entries(out)
    entry.write_text(entry.read_text(encoding="utf-8").replace("officials", "OFFICIALS"),
                     encoding="utf-8")
    run = ingest(tmp_path, source, "--out", out)
    assert run.stdout.startswith("kept"), run.stdout
    assert "OFFICIALS" in entry.read_text(encoding="utf-8")


def test_error_names_the_file_and_exits_1(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    run = ingest(tmp_path, empty, "--out", tmp_path / "out")
    assert run.returncode == 1
    assert "empty.txt" in run.stderr and "Traceback" not in run.stderr
    assert run.stderr.count("empty.txt") == 1, run.stderr  # named once, not "x: x: the file is empty"


def test_curated_seed_entries_stay_as_curated(tmp_path: Path) -> None:
    """`make build` ingests seeds/ again: the committed state says the entries were curated."""
    repo = Path(__file__).resolve().parent.parent
    if not (repo / ".digest" / "ingest.json").exists():
        pytest.skip("no committed ingest state")
    for name in ("seeds", "content", ".digest"):
        shutil.copytree(repo / name, tmp_path / name, ignore=shutil.ignore_patterns("cache"))
    cache = tmp_path / ".digest" / "cache"  # digest's own scratch (what ingest read is kept there)

    def files() -> dict[Path, bytes]:
        return {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file() and not p.is_relative_to(cache)}

    before = files()
    run = ingest(tmp_path)
    assert run.returncode == 0, run.stderr
    statuses = {line.split()[0] for line in run.stdout.splitlines()}
    assert statuses <= {"kept", "unchanged"}, run.stdout
    assert files() == before


def test_out_is_in_the_site_that_dash_c_names(tmp_path: Path) -> None:
    # --out content/inbox was taken from the current folder: the entry landed outside the site.
    site, elsewhere = tmp_path / "site", tmp_path / "elsewhere"
    site.mkdir()
    elsewhere.mkdir()
    source = tmp_path / "article.txt"
    source.write_text(ARTICLE, encoding="utf-8")
    run = ingest(elsewhere, "-C", site, source, "--out", "content/inbox")
    assert run.returncode == 0 and run.stdout.startswith("written"), run.stdout + run.stderr
    assert len(entries(site / "content" / "inbox")) == 1
    assert not list(elsewhere.iterdir())
    assert ": content/inbox/" in run.stdout  # named relative to the site, as everywhere else


def test_seeds_in_subfolders_are_ingested(tmp_path: Path) -> None:
    # `digest ingest` said "nothing to ingest" for seeds/2022-08/a.txt, which the dev server ingests.
    (tmp_path / "seeds" / "2022-08").mkdir(parents=True)
    (tmp_path / "seeds" / "2022-08" / "article.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "seeds" / ".hidden").mkdir()
    (tmp_path / "seeds" / ".hidden" / "article.txt").write_text(ARTICLE, encoding="utf-8")
    run = ingest(tmp_path)
    assert run.returncode == 0 and run.stdout.startswith("written   seeds/2022-08/article.txt"), run.stdout
    assert len(entries(tmp_path / "content")) == 1


def test_an_entry_the_curator_deleted_is_not_written_again(tmp_path: Path) -> None:
    """A curator rejects an ingested article by deleting its entry: a re-run of the same input
    (as `make build` re-ingests seeds/) leaves it deleted and says so; --force writes it again;
    a changed input is read afresh."""
    source, other = tmp_path / "article.txt", tmp_path / "other.txt"
    source.write_text(ARTICLE, encoding="utf-8")
    other.write_text(ARTICLE.replace('Leaders: agree on "a new pact" at summit', "Storm closes the harbour for a week")
                     .replace("officials", "harbour masters"), encoding="utf-8")
    out = tmp_path / "out"
    assert ingest(tmp_path, source, other, "--out", out).returncode == 0
    first, second = sorted(entries(out))
    rejected = next(p for p in (first, second) if "officials" in p.read_text(encoding="utf-8"))
    rejected.unlink()
    run = ingest(tmp_path, source, other, "--out", out)
    assert run.returncode == 0, run.stderr
    assert "deleted since ingest" in run.stdout and "--force" in run.stdout
    assert not rejected.exists() and len(entries(out)) == 1
    run = ingest(tmp_path, source, "--out", out, "--force")
    assert run.returncode == 0 and rejected.exists() and len(entries(out)) == 2


PAGE = ("<!doctype html><html><head><title>Harbour reopens</title>"
        '<script src="Harbour%20reopens_files/app.js"></script></head><body><article><h1>Harbour reopens</h1>'
        "<p>The harbour reopened on Monday after three weeks of repairs to the sea wall, officials said.</p>"
        "<p>Ferries resumed their timetable in the afternoon and fishing boats returned to the quay.</p>"
        "</article></body></html>")


def test_a_page_saved_complete_and_the_folders_litter_are_not_inputs(tmp_path: Path) -> None:
    # A browser's "Save Page As... Web Page, complete" puts the page's scripts, styles and pictures in
    # "<name>_files/" beside it: each script and style sheet became a junk entry, each picture an error
    # (exit 1); so did Windows' Thumbs.db and desktop.ini and an editor's backup (article.txt~).
    seeds = tmp_path / "seeds"
    files = seeds / "Harbour reopens_files"
    files.mkdir(parents=True)
    (seeds / "Harbour reopens.html").write_text(PAGE, encoding="utf-8")
    (files / "app.js").write_text('(function(){var a=document.createElement("script");a.src="x.js"})();\n'
                                  "// analytics for the page, loaded after the article text\n", encoding="utf-8")
    (files / "style.css").write_text("body { font-family: Georgia, serif; color: #222; margin: 0 auto; }\n"
                                     ".article p { line-height: 1.5; } /* the article text */\n", encoding="utf-8")
    (files / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (seeds / "Thumbs.db").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64)
    (seeds / "desktop.ini").write_text("[.ShellClassInfo]\r\nIconResource=C:\\Windows\\system32\\imageres.dll,-3\r\n")
    (seeds / "article.txt~").write_text(ARTICLE, encoding="utf-8")
    run = ingest(tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    [line] = run.stdout.splitlines()
    assert line.startswith("written   seeds/Harbour reopens.html: content/harbour-reopens.md"), run.stdout
    # Named on the command line, such a file is still read.
    run = ingest(tmp_path, seeds / "article.txt~")
    assert run.stdout.startswith("written"), run.stdout + run.stderr


def test_a_site_without_seeds_says_where_articles_go(tmp_path: Path) -> None:
    # `digest init` makes no seeds/, and `digest ingest` there said "error     seeds: cannot read: No such
    # file or directory" (exit 1) with no word of what to do.
    run = ingest(tmp_path)
    assert run.returncode == 0, run.stderr
    assert "nothing to ingest" in run.stdout and "seeds/" in run.stdout, run.stdout
    assert "digest ingest FILE" in run.stdout


def test_an_out_folder_the_build_does_not_read_is_named(tmp_path: Path) -> None:
    # `--out inbox` (meant: content/inbox) wrote entries the build never reads, and said only "written".
    source = tmp_path / "article.txt"
    source.write_text(ARTICLE, encoding="utf-8")
    run = ingest(tmp_path, source, "--out", "inbox")
    assert run.returncode == 0 and run.stdout.startswith("written   article.txt: inbox/"), run.stdout
    assert "note: inbox/ is outside content/" in run.stderr and "--out content/inbox" in run.stderr, run.stderr
    run = ingest(tmp_path, source, "--out", "content/inbox")
    assert "note" not in run.stderr, run.stderr


def test_an_error_is_printed_as_file_line_message_and_hint(tmp_path: Path) -> None:
    (tmp_path / "cut.xml").write_text('<?xml version="1.0"?>\n<rss version="2.0"><channel><title>x</title>\n<foo>\n')
    run = ingest(tmp_path, "cut.xml")
    assert run.returncode == 1
    assert run.stderr.splitlines() == [
        "error     cut.xml:4: cannot understand this feed file: no element found",
        "  hint: is it a whole RSS, Atom or JSON feed? save or fetch it again"], run.stderr


def test_a_seed_whose_name_is_not_utf8_is_ingested(tmp_path: Path) -> None:
    # A Latin-1 file name (from a zip made on Windows) stopped digest ingest with a UnicodeEncodeError
    # traceback when it wrote .digest/ingest.json, after writing the entry: every later run the same,
    # and the seeds after it never ingested.
    import os

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    with open(os.fsencode(seeds) + b"/\xdcber den Hafen.txt", "wb") as odd:
        odd.write(ARTICLE.encode("utf-8"))
    (seeds / "zz-other.txt").write_text(ARTICLE.replace("Leaders: agree", "Ministers: agree"), encoding="utf-8")
    run = ingest(tmp_path)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr and len(entries(tmp_path / "content")) == 2, run.stdout + run.stderr
    assert "seeds/\\xdcber den Hafen.txt" in run.stdout, run.stdout
    run = ingest(tmp_path)
    assert run.returncode == 0 and {line.split()[0] for line in run.stdout.splitlines()} == {"unchanged"}, run.stdout
