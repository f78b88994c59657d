"""reuse/article_memo.py: `digest ingest` reads an input again only when its bytes, or the code
that reads them, changed; what it then does with the articles is decided anew each run."""

from __future__ import annotations

from pathlib import Path

import pytest

import digest.ingest
import digest.reuse.article_memo as article_memo
from digest.cli import main
from digest.ingest import Article

from .test_ingest_save import ARTICLE


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The inputs read_articles was given, by name, as `digest ingest` calls it."""
    seen: list[str] = []
    real = digest.ingest.read_articles

    def counted(path: Path, data: bytes) -> list[Article]:
        seen.append(path.name)
        return real(path, data)

    monkeypatch.setattr(digest.ingest, "read_articles", counted)
    return seen


def ingest(site: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["ingest", "-C", str(site)])
    return code, capsys.readouterr().out


def test_an_input_is_read_again_only_when_its_bytes_changed(tmp_path: Path, reads: list[str],
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (seeds / "b.txt").write_text(ARTICLE.replace("Leaders", "Ministers"), encoding="utf-8")
    (seeds / "junk.bin").write_bytes(b"\x00\x01binary\x00" * 50)
    code, first = ingest(tmp_path, capsys)
    assert code == 1 and sorted(reads) == ["a.txt", "b.txt", "junk.bin"] and first.count("written") == 2
    entry = next((tmp_path / "content").glob("ministers*.md"))

    reads.clear()
    code, again = ingest(tmp_path, capsys)
    assert code == 1 and reads == ["junk.bin"]  # an input that cannot be read is not kept: its error again
    assert again.count("unchanged\n") == 2

    entry.write_text(entry.read_text(encoding="utf-8") + "\nThe curator's line.\n", encoding="utf-8")
    (seeds / "a.txt").write_text(ARTICLE.replace("officials", "diplomats"), encoding="utf-8")
    reads.clear()
    _, third = ingest(tmp_path, capsys)
    assert sorted(reads) == ["a.txt", "junk.bin"]
    assert "was edited since ingest; kept" in third and "updated" in third  # decided anew, as before
    assert "The curator's line." in entry.read_text(encoding="utf-8")


def test_what_was_read_is_kept_per_version_and_a_damaged_copy_is_read_again(
        tmp_path: Path, reads: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds/a.txt").write_text(ARTICLE, encoding="utf-8")
    ingest(tmp_path, capsys)
    [kept] = [p for p in (tmp_path / article_memo.FOLDER).rglob("*") if p.is_file()]
    kept.write_bytes(b"not a pickle")
    reads.clear()
    code, out = ingest(tmp_path, capsys)
    assert code == 0 and reads == ["a.txt"] and out.startswith("unchanged")
    assert kept.read_bytes() != b"not a pickle"  # kept again

    monkeypatch.setattr(article_memo, "reading_version", lambda: "another-version")  # an upgrade
    reads.clear()
    ingest(tmp_path, capsys)
    assert reads == ["a.txt"]
    assert [p.name for p in (tmp_path / article_memo.FOLDER).iterdir()] == ["another-version"]  # the old one went


def test_the_reading_version_covers_the_models(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A retrained model (a data file of digest/ingest, not code) is another version."""
    models = tmp_path / "ingest"
    models.mkdir()
    (models / "headline.json").write_text("{}")
    monkeypatch.setattr(article_memo, "_INGEST", models)
    article_memo.reading_version.cache_clear()
    try:
        before = article_memo.reading_version()
        (models / "headline.json").write_text('{"retrained": true}')
        article_memo.reading_version.cache_clear()
        assert article_memo.reading_version() != before
    finally:
        article_memo.reading_version.cache_clear()
