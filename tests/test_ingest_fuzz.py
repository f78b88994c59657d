"""ingest_paths never raises and never invents a field, whatever bytes it is given."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import frontmatter
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.ingest import IngestResult, ingest_paths
from digest.ingest.dates import find_date
from digest.ingest.text import read_text
from digest.model import Topic

TOPICS = [Topic("world", "World", ("World News",))]
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Lines that look like pieces of a page, so the examples reach the readers' inner rules.
PIECES = st.sampled_from([
    "", "Home > World > News", "Advertisement", "Share", "Related", "Comments", "By", "Published",
    "Updated", "date", "  • a list item", "  1. Item", "[image alt]", "Photo: Reuters",
    "A headline about something that happened today", "<html>", "<p>text</p>", "<rss>",
    "The minister said on Monday that the plan would go ahead despite the protests outside.",
    "x" * 120, "\u00a0", "\ufeff", "—", "|", "#", "---", "title: x", "🙂", "日本語の文章です。",
])
TEXT = st.lists(st.one_of(PIECES, st.text(max_size=80)), max_size=30).map("\n".join)
_DATE_LIKE = re.compile(r"(19|20)\d\d")
_BY_LINE = re.compile(r"\b(by|von|por|par|door|di|av)\b", re.IGNORECASE)


def _ingest(data: bytes, name: str = "input.txt") -> tuple[list[IngestResult], list[frontmatter.Post]]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        path = root / name
        path.write_bytes(data)
        results = ingest_paths([path], root / "out", site_root=root, topics=TOPICS)
        posts = [frontmatter.load(p) for r in results for p in r.entries if p.exists()]
        return results, posts


@FUZZ
@given(st.binary(max_size=3000))
def test_any_bytes_give_a_result(data: bytes) -> None:
    for name in ("input.txt", "input.html", "input.xml"):
        [result], _ = _ingest(data, name)
        assert result.status in {"written", "error", "duplicate"}
        if result.status == "error":
            assert name in result.message


@FUZZ
@given(TEXT)
def test_any_text_gives_a_result_and_invents_nothing(text: str) -> None:
    [result], posts = _ingest(text.encode("utf-8", "surrogatepass"))
    if result.status == "error":
        assert "input.txt" in result.message
        return
    for post in posts:
        if not _DATE_LIKE.search(text):
            assert "date" not in post.metadata and post.get("draft") is True
        if not _BY_LINE.search(text):
            assert "authors" not in post.metadata


@FUZZ
@given(TEXT)
def test_reader_dates_are_stated_in_the_text(text: str) -> None:
    article = read_text(text)
    if article.date is not None:
        assert any(find_date(line) for line in text.splitlines())


def test_edge_inputs_are_errors_naming_the_file(tmp_path: Path) -> None:
    cases = {
        "empty.txt": b"",
        "blank.txt": b" \n\t\n",
        "binary.bin": bytes(range(256)) * 40,
        "png.txt": b"\x89PNG\r\n\x1a\n" + b"\x00\x01\x02" * 500,
        "nofeed.xml": b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>',
        "noarticle.html": b"<html><head></head><body><nav><a href='/'>Home</a></nav></body></html>",
    }
    paths = []
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        paths.append(tmp_path / name)
    results = ingest_paths(paths, tmp_path / "out", site_root=tmp_path)
    for path, result in zip(paths, results, strict=True):
        assert result.status == "error", (path.name, result)
        assert path.name in result.message
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_huge_file_is_an_error_not_a_hang(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import digest.ingest.run as run

    path = tmp_path / "huge.txt"
    path.write_bytes(b"word " * 300_000)
    monkeypatch.setattr(run, "MAX_INPUT_BYTES", 1_000_000)
    [result] = ingest_paths([path], tmp_path / "out", site_root=tmp_path)
    assert result.status == "error" and "huge.txt" in result.message and "too large" in result.message


def test_long_single_line_is_read(tmp_path: Path) -> None:
    path = tmp_path / "line.txt"
    path.write_text("The council said it would review the plan. " * 20_000, encoding="utf-8")
    [result] = ingest_paths([path], tmp_path / "out", site_root=tmp_path)
    assert result.status in {"written", "error"}
