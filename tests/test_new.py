"""`digest new`: a draft by default, its flags, its dates, and names for any headline."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import frontmatter

from digest.build import BuildOptions, build
from digest.cli import main
from digest.new import entry_slug

from .conftest import entry_text


def new(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "digest", "-C", str(root), "new", *args], capture_output=True,
                          text=True, timeout=120)


def test_a_new_entry_is_a_draft_that_is_not_published(make_site) -> None:
    root = make_site({"content/2022/08/15/real.md": entry_text("A real story", date="2022-08-15T09:00:00Z")})
    result = new(root, "Placeholder headline")
    assert result.returncode == 0, result.stderr
    assert "a draft" in result.stdout
    path = next(p for p in (root / "content").rglob("*.md") if p.name == "placeholder-headline.md")
    post = frontmatter.load(path)
    assert post["draft"] is True and "summary" not in post.metadata  # the summary is a comment to fill in
    assert "# summary:" in path.read_text()
    report = build(root, BuildOptions())
    assert report.entries == 1
    assert "Placeholder" not in (root / "output/feed.json").read_text()
    assert "Placeholder" not in (root / "output/index.html").read_text()
    assert "A real story" in (root / "output/index.html").read_text()
    # With --drafts it can be previewed; with --no-draft it is published at once.
    assert build(root, BuildOptions(drafts=True)).entries == 2
    assert new(root, "Ready now", "--no-draft").returncode == 0
    assert build(root, BuildOptions()).entries == 2


def test_slug_tags_and_topic(make_site) -> None:
    root = make_site()
    assert main(["-C", str(root), "new", "Markets rally", "--slug", "rally", "--tags", "Markets, Energy ,,markets",
                 "--topic", "World News", "--date", "2022-08-15"]) == 0
    post = frontmatter.load(root / "content/2022/08/15/rally.md")
    assert post["tags"] == ["Markets", "Energy", "markets"] and post["topic"] == "world"
    assert post["date"] == date(2022, 8, 15)  # a plain date stays one: midnight in the site's timezone
    assert main(["-C", str(root), "build"]) == 0
    bad = new(root, "x", "--slug", "Not A Slug")
    assert bad.returncode == 2 and "usage:" in bad.stderr and "not-a-slug" in bad.stderr


def test_dates_the_readme_names_and_bad_ones(make_site) -> None:
    root = make_site()
    london = ZoneInfo("Europe/London")
    for word, days in (("today", 0), ("yesterday", 1)):
        before = datetime.now(london).date() - timedelta(days=days)
        result = new(root, f"Story of {word}", "--date", word)
        assert result.returncode == 0, result.stderr
        after = datetime.now(london).date() - timedelta(days=days)
        folder = {f"content/{d:%Y/%m/%d}" for d in (before, after)}
        assert any((root / f / f"story-of-{word}.md").is_file() for f in folder)
    assert new(root, "Timed", "--date", "2022-08-15T10:00").returncode == 0
    post = frontmatter.load(root / "content/2022/08/15/timed.md")
    assert post["date"] == datetime(2022, 8, 15, 10, tzinfo=london)
    assert new(root, "Offset", "--date", "2022-08-15T10:00:00+02:00").returncode == 0
    # (datetime.fromisoformat takes the last two, which the README does not name)
    for bad in ("yesterdy", "15/08/2022", "2022-13-01", "", "20220815", "2022-W33"):
        result = new(root, "Bad", "--date", bad)
        assert result.returncode == 2, bad
        assert "usage: digest new" in result.stderr and "YYYY-MM-DD" in result.stderr and "Traceback" not in \
            result.stderr


def test_non_latin_headlines_get_names_of_their_own(make_site) -> None:
    assert entry_slug("Путин и Ким Чен Ын") == "putin-i-kim-chen-yn"
    assert entry_slug("北京奥运会开幕") == "beijingaoyunhuikaimu"
    assert entry_slug("Ελλάδα: εκλογές") == "ellada-ekloges"
    one, two = entry_slug("🎉🎉"), entry_slug("🎆")
    assert one.startswith("tada") and one != two
    assert entry_slug("⸻") == entry_slug("⸻") != entry_slug("⁂")  # nothing to transliterate: a stable hash
    assert entry_slug("🎉") == "tada"  # an emoji has a name (README: its example said an emoji got a hash)
    root = make_site()
    for title in ("Путин и Ким", "Путин и Лавров"):
        assert main(["-C", str(root), "new", title, "--date", "2022-08-15"]) == 0
    assert sorted(p.name for p in (root / "content/2022/08/15").iterdir()) == ["putin-i-kim.md", "putin-i-lavrov.md"]
    assert main(["-C", str(root), "new", "Путин и Ким", "--date", "2022-08-15"]) == 1  # the same: edit that one


def test_the_old_flags_still_work(make_site) -> None:
    root = make_site()
    assert main(["-C", str(root), "new", "Markets rally: stocks up", "--topic", "World News", "--source",
                 "Reuters", "--url", "https://example.com/x", "--date", "2022-08-15T10:00:00+01:00"]) == 0
    post = frontmatter.load(root / "content/2022/08/15/markets-rally-stocks-up.md")
    assert post["source"] == "Reuters" and post["source_url"] == "https://example.com/x"
    assert main(["-C", str(root), "new", "x", "--topic", "nope"]) == 1
    assert main(["-C", str(root), "new", "x", "--url", "javascript:alert(1)"]) == 1


def test_new_writes_an_entry_that_builds(make_site) -> None:
    root = make_site()
    assert main(["-C", str(root), "new", "Markets rally: stocks up", "--topic", "World News", "--source",
                 "Reuters", "--url", "https://example.com/x", "--date", "2022-08-15T10:00:00+01:00"]) == 0
    path = root / "content/2022/08/15/markets-rally-stocks-up.md"
    post = frontmatter.load(path)
    assert post["title"] == "Markets rally: stocks up" and post["topic"] == "world" and post["source"] == "Reuters"
    assert main(["-C", str(root), "new", "Markets rally: stocks up", "--date", "2022-08-15T10:00:00+01:00"]) == 1
    assert main(["-C", str(root), "new", "x", "--topic", "nope"]) == 1
    assert main(["-C", str(root), "new", "x", "--url", "javascript:alert(1)"]) == 1
    assert main(["-C", str(root), "build"]) == 0


def test_a_slug_the_site_keeps_is_a_usage_error(make_site) -> None:
    # --slug index wrote index.md, which was published at /2022/08/15/index-<hash>/, not the name asked for.
    root = make_site()
    result = new(root, "Front", "--slug", "index", "--date", "2022-08-15")
    assert result.returncode == 2 and "keeps for itself" in result.stderr, result.stderr
    assert not (root / "content").exists()


def test_a_headline_in_nfd_gets_the_slug_of_its_nfc_form() -> None:
    """A headline pasted from a macOS file name (NFD) was transliterated letter and mark apart: 'Йошкар-Ола'
    made ioshkar-ola, not yoshkar-ola, and 'がっこう' ka-tkou, not gatkou."""
    import unicodedata
    for title, slug in (("Йошкар-Ола", "yoshkar-ola"), ("がっこう", "gatkou"), ("★", entry_slug("★"))):
        assert entry_slug(title) == slug
        assert entry_slug(unicodedata.normalize("NFD", title)) == slug
    assert entry_slug(unicodedata.normalize("NFD", "\u1100\u1161")) == entry_slug("가")
