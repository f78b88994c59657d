"""links.py: links from an entry's Markdown to the site's own pages, named by file and line; a build
warns about broken ones, `digest check` fails on them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .conftest import entry_text


def digest(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """As a user runs it: python -m digest."""
    return subprocess.run([sys.executable, "-m", "digest", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_broken_links_in_entries_are_named_by_their_markdown_file_and_line(make_site) -> None:
    body = ("Fine: [archive](https://news.example.org/archive/) and [relative](../../../../archive/).\n\n"
            "Also fine: [folder without slash](/2022/08/15/a) and `[code](/nothing/)`.\n\n"
            "Gone: [old story](https://news.example.org/2099/01/01/nothing/).\n\n"
            "Elsewhere: [another site](https://elsewhere.example.org/x/).\n\n"
            "[ref]: /tags/nothing-here/\n")
    root = make_site({"content/a.md": entry_text(body=body)})
    built = digest("build", cwd=root)
    assert built.returncode == 0, built.stderr
    assert ("warning: content/a.md:10: broken internal link 'https://news.example.org/2099/01/01/nothing/': the "
            "site has no page at /2099/01/01/nothing/") in built.stderr
    assert "warning: content/a.md:14: broken internal link '/tags/nothing-here/'" in built.stderr
    assert "archive" not in built.stderr and "elsewhere" not in built.stderr and "/nothing/)" not in built.stderr
    assert built.stderr.count("broken internal link") == 2
    checked = digest("check", cwd=root)
    assert checked.returncode == 1
    assert "error: content/a.md:10: broken internal link" in checked.stderr
    assert "error: content/a.md:14: broken internal link" in checked.stderr
    assert "output/" not in checked.stderr  # named by the source, not by the page it ends up in
    assert checked.stderr.count("broken internal link") == 2


def test_links_are_checked_under_a_non_ascii_base_path_however_written(make_site) -> None:
    """base_url is written percent-encoded (https://news.example.org/%C3%A9t%C3%A9/); a link written
    with the path as people type it (/été/...) is still one of the site's own and is checked."""
    body = ("Gone: [typed](https://news.example.org/été/2099/01/01/nothing/).\n\n"
            "Gone too: [root](/été/2099/01/02/nothing/).\n\n"
            "Fine: [archive](/été/archive/) and [encoded](https://news.example.org/%C3%A9t%C3%A9/archive/).\n")
    root = make_site({"content/a.md": entry_text(body=body)},
                     config='[site]\nbase_url = "https://news.example.org/été/"\n')
    built = digest("build", cwd=root)
    assert built.returncode == 0, built.stderr
    assert "content/a.md:6: broken internal link 'https://news.example.org/été/2099/01/01/nothing/'" in built.stderr
    assert "content/a.md:8: broken internal link '/été/2099/01/02/nothing/'" in built.stderr
    assert built.stderr.count("broken internal link") == 2, built.stderr


def test_a_build_that_parses_very_many_entries_says_their_links_were_left_to_check(make_site, monkeypatch) -> None:
    import digest.build
    from digest.build import BuildOptions, build

    root = make_site({"content/a.md": entry_text(body="[gone](/2099/01/01/nothing/)"),
                      "content/b.md": entry_text("Other")})
    monkeypatch.setattr(digest.build, "LINK_CHECK_LIMIT", 1)
    report = build(root, BuildOptions())
    assert [str(w) for w in report.warnings] == [
        "the links of 2 entries parsed anew were not checked\n  hint: digest check checks every entry's links"]
    (root / "content/a.md").write_text(entry_text(body="[gone](/2099/01/02/nothing/)"))
    assert "content/a.md:6: broken internal link" in str(build(root, BuildOptions()).warnings[0])


def test_an_articles_links_to_the_site_are_relative_on_its_page_and_whole_in_its_feed(make_site) -> None:
    """A body's links to the site's own pages work wherever the site is served (digest serve on
    another port, a copy opened from disk), as the theme's do; the feed keeps them whole."""
    import re
    import xml.etree.ElementTree as ET

    from digest.build import BuildOptions, build

    from .conftest import NOW

    body = ("See [the archive](/archive/), [the first](https://news.example.org/2022/08/15/a/#part), "
            "[elsewhere](https://example.com/x) and [home](https://news.example.org/).")
    root = make_site({"content/a.md": entry_text("First"),
                      "content/b.md": entry_text("Second", body=body, date="2022-08-15T12:00:00Z")})
    build(root, BuildOptions(now=NOW, jobs=1))
    page = root / "output/2022/08/15/b/index.html"
    html = page.read_text(encoding="utf-8")
    body_html = html[html.index("See <a"):html.index("home</a>")]
    links = re.findall(r'href="([^"]*)"', body_html + "home</a>")
    assert links[2] == "https://example.com/x"
    own = [links[0], links[1], links[3]]
    assert all(not link.startswith("http") for link in own), own
    for link in own:
        target = (page.parent / link.split("#")[0]).resolve()
        assert (target / "index.html").is_file(), link
    feed = ET.parse(root / "output/feed.xml").getroot()
    described = " ".join(item.findtext("description") or "" for item in feed.iter("item"))
    assert 'href="https://news.example.org/archive/"' in described


def test_a_link_from_the_hosts_root_outside_a_sub_path_site_is_named(make_site) -> None:
    """A site under https://example.org/news/ (a project site on GitHub Pages): '/2022/08/15/a/' is the
    host's, not the site's, and 404s there. A root link that names one of the site's pages is reported
    with the address it should have; one to another part of the host is left alone."""
    body = ("Broken: [story](/2022/08/15/a/).\n\n"
            "Fine: [story](/news/2022/08/15/a/), [relative](../a/) and [the shop](/shop/).\n")
    root = make_site({"content/a.md": entry_text(body=body)},
                     config='[site]\nbase_url = "https://example.org/news/"\n')
    built = digest("build", cwd=root)
    assert built.returncode == 0, built.stderr
    assert ("warning: content/a.md:6: broken internal link '/2022/08/15/a/': the site lives under /news/, so this "
            "address is outside it") in built.stderr
    assert "hint: link to /news/2022/08/15/a/ (or relatively)" in built.stderr
    assert built.stderr.count("broken internal link") == 1, built.stderr
    checked = digest("check", cwd=root)
    assert checked.returncode == 1 and checked.stderr.count("broken internal link") == 1, checked.stderr
