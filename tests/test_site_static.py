"""The site's own static/ folder at the output's root, and --base-url (publishing)."""

from __future__ import annotations

import json

import pytest

from digest.build import BuildOptions, build
from digest.errors import DigestError

from .conftest import NOW, entry_text


def test_site_static_files_reach_the_output_root(make_site) -> None:
    root = make_site({"content/a.md": entry_text(), "static/CNAME": "news.example.org\n",
                      "static/.nojekyll": "", "static/favicon.ico": b"\x00\x01ico",
                      "static/.well-known/security.txt": "Contact: mailto:a@example.org\n",
                      "static/.DS_Store": "junk", "static/notes.txt~": "editor backup"})
    build(root, BuildOptions(now=NOW))
    output = root / "output"
    assert (output / "CNAME").read_text() == "news.example.org\n"
    assert (output / ".nojekyll").is_file() and (output / "favicon.ico").read_bytes() == b"\x00\x01ico"
    assert (output / ".well-known/security.txt").is_file()
    assert not (output / ".DS_Store").exists() and not (output / "notes.txt~").exists()
    # Changed, then removed: the next builds follow.
    (root / "static/CNAME").write_text("digest.example.org\n")
    (root / "static/favicon.ico").unlink()
    report = build(root, BuildOptions(now=NOW))
    assert (output / "CNAME").read_text() == "digest.example.org\n"
    assert not (output / "favicon.ico").exists() and report.removed == 1


def test_a_site_static_file_may_replace_a_theme_file_but_not_a_page(make_site) -> None:
    root = make_site({"content/a.md": entry_text(), "static/static/style.css": "body { color: red }"})
    build(root, BuildOptions(now=NOW))
    assert (root / "output/static/style.css").read_text() == "body { color: red }"
    (root / "static/index.html").write_text("<p>mine</p>")
    (root / "static/feed.json").write_text("{}")
    with pytest.raises(DigestError) as caught:
        build(root, BuildOptions(now=NOW))
    text = str(caught.value)
    assert "static/index.html would replace the page the build makes at index.html" in text
    assert "static/feed.json" in text and "hint:" in text
    assert "<p>mine</p>" not in (root / "output/index.html").read_text()  # the last good site stays


def test_base_url_option_moves_feeds_and_canonical_links(make_site) -> None:
    root = make_site({"content/a.md": entry_text("Harbour plan approved")})
    build(root, BuildOptions(now=NOW))
    assert "https://news.example.org/2022/08/15/a/" in (root / "output/feed.json").read_text()
    build(root, BuildOptions(now=NOW, base_url="https://example.org/news"))
    feed = json.loads((root / "output/feed.json").read_text())
    assert feed["items"][0]["url"] == "https://example.org/news/2022/08/15/a/"
    assert "news.example.org" not in (root / "output/feed.json").read_text()
    page = (root / "output/2022/08/15/a/index.html").read_text()
    assert '<link rel="canonical" href="https://example.org/news/2022/08/15/a/">' in page
    assert "https://example.org/news/" in (root / "output/feed.xml").read_text()
    with pytest.raises(DigestError, match="--base-url is not an absolute"):
        build(root, BuildOptions(now=NOW, base_url="example.org/news"))
