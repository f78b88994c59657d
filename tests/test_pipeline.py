"""The pipeline without reuse (pipeline.py): what it plans, and that the Builder, with every reuse
it makes, writes exactly the files it writes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from digest.build import build
from digest.errors import ContentError, OutputError
from digest.pipeline import BuildOptions, group_site, plan_site, write_site
from tests.conftest import NOW, SiteMaker, entry_text, tree_bytes


def test_plan_site_plans_every_page_and_writes_nothing(make_site: SiteMaker) -> None:
    root = make_site({"content/a.md": entry_text("Tram line reopens", topic="world", tags="[Transport]"),
                      "content/b.md": entry_text("Draft piece", draft="true")})
    planned = plan_site(root, BuildOptions(now=NOW))
    assert [str(e.path) for e in planned.entries] == ["content/a.md", "content/b.md"]
    assert [str(e.path) for e in planned.site.entries] == ["content/a.md"]  # the draft is not published
    paths = planned.output_paths()
    assert {"index.html", "2022/08/15/a/index.html", "topics/world/index.html", "feed.xml", "sitemap.xml"} <= paths
    assert not any("/b/" in path for path in paths)
    assert not (root / "output").exists()


def test_plan_site_names_the_two_entries_that_would_share_a_page(make_site: SiteMaker) -> None:
    root = make_site({"content/a.md": entry_text("One", slug="same"),
                      "content/b.md": entry_text("Two", slug="same")})
    with pytest.raises(ContentError, match="content/b.md and content/a.md"):
        plan_site(root, BuildOptions(now=NOW))


def test_plan_site_names_a_static_file_that_would_replace_a_page(make_site: SiteMaker) -> None:
    root = make_site({"content/a.md": entry_text("One"), "static/feed.xml": "<rss/>"})
    with pytest.raises(OutputError, match="static/feed.xml would replace the page the build makes at feed.xml"):
        plan_site(root, BuildOptions(now=NOW))


def test_group_site_groups_drafts_too(make_site: SiteMaker) -> None:
    root = make_site({"content/a.md": entry_text("Tram line reopens", story="tram"),
                      "content/b.md": entry_text("Tram line opens again", story="tram", draft="true")})
    site = group_site(root)
    assert [sorted(str(m.path) for m in s.members) for s in site.stories] == [["content/a.md", "content/b.md"]]


def test_the_builder_writes_what_the_pipeline_writes(tmp_path: Path, demo_site: Path) -> None:
    """The same files, byte for byte: a cold build, and a build after edits that the Builder makes
    by reusing its cache, stored plan and spare tree."""
    options = BuildOptions(now=NOW, jobs=1)
    build(demo_site, options)  # cold
    entries = sorted((demo_site / "content").rglob("*.md"))
    first = entries[0]
    first.write_text(first.read_text(encoding="utf-8") + "\nOne more paragraph.\n", encoding="utf-8")
    entries[-1].unlink()
    build(demo_site, options)  # reuses what the first build made
    plain = tmp_path / "plain"
    shutil.copytree(demo_site, plain, ignore=shutil.ignore_patterns("output", ".output*", ".digest"), symlinks=True)
    write_site(plan_site(plain, options))
    assert tree_bytes(demo_site / "output") == tree_bytes(plain / "output")


def test_the_sitemap_is_an_index_of_the_site_s_own_pages_and_one_sitemap_a_month(make_site: SiteMaker) -> None:
    """sitemap.xml lists its parts (a sitemap holds 50,000 addresses at most); together they list
    every edition, every article and the site's own pages once each, a month's in that month's."""
    from xml.etree import ElementTree

    root = make_site({"content/a.md": entry_text("Tram line reopens", date="2022-07-30T09:00:00+01:00"),
                      "content/b.md": entry_text("Bridge repairs begin", date="2022-08-02T09:00:00+01:00"),
                      "content/c.md": entry_text("Ferry fares rise", date="2022-08-02T15:00:00+01:00",
                                                 topic="business")})
    build(root, BuildOptions(now=NOW, search=False))
    output = root / "output"
    space = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    index = ElementTree.fromstring((output / "sitemap.xml").read_bytes())
    assert index.tag == f"{space}sitemapindex"
    base = "https://news.example.org/"
    parts = [loc.text.removeprefix(base) for loc in index.iter(f"{space}loc") if loc.text]
    assert parts == ["sitemaps/pages.xml", "sitemaps/2022-08.xml", "sitemaps/2022-07.xml"]
    listed: dict[str, list[str]] = {}
    for part in parts:
        urlset = ElementTree.fromstring((output / part).read_bytes())
        assert urlset.tag == f"{space}urlset"
        listed[part] = [loc.text.removeprefix(base) for loc in urlset.iter(f"{space}loc") if loc.text]
    assert listed["sitemaps/2022-07.xml"] == ["2022/07/30/", "2022/07/30/a/"]
    assert sorted(listed["sitemaps/2022-08.xml"]) == ["2022/08/02/", "2022/08/02/b/", "2022/08/02/c/"]
    assert sorted(listed["sitemaps/pages.xml"]) == ["", "archive/", "topics/business/", "topics/general/"]


def test_a_month_of_more_addresses_than_a_sitemap_holds_has_several(make_site: SiteMaker,
                                                                    monkeypatch: pytest.MonkeyPatch,
                                                                    tmp_path: Path) -> None:
    """The protocol's limit (50,000 addresses a sitemap, here 3): a month over it was one sitemap
    that search engines refuse. Every address is listed once; an addition elsewhere keeps the big
    month's parts as they are, and the result equals a cold build."""
    from xml.etree import ElementTree

    from digest import pages

    monkeypatch.setattr(pages, "SITEMAP_URLS", 3)
    files = {f"content/a{n}.md": entry_text(f"Story number {n} of the day",
                                            date=f"2022-08-0{1 + n % 3}T0{n}:00:00+01:00")
             for n in range(7)}
    root = make_site(files)
    build(root, BuildOptions(now=NOW, search=False, jobs=1))
    space = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    base = "https://news.example.org/"

    def listed(output: Path) -> dict[str, list[str]]:
        index = ElementTree.fromstring((output / "sitemap.xml").read_bytes())
        parts = [loc.text.removeprefix(base) for loc in index.iter(f"{space}loc") if loc.text]
        return {part: [loc.text.removeprefix(base) for loc in
                       ElementTree.fromstring((output / part).read_bytes()).iter(f"{space}loc") if loc.text]
                for part in parts}

    found = listed(root / "output")
    august = {part: urls for part, urls in found.items() if part.startswith("sitemaps/2022-08")}
    assert list(august) == ["sitemaps/2022-08.xml", "sitemaps/2022-08-2.xml", "sitemaps/2022-08-3.xml",
                            "sitemaps/2022-08-4.xml"]
    assert all(len(urls) <= 3 for urls in found.values())
    addresses = [url for urls in august.values() for url in urls]
    assert len(addresses) == len(set(addresses)) == 3 + 7  # three editions, seven articles
    (root / "content/later.md").write_text(entry_text("A story of September", date="2022-09-01T09:00:00+01:00"))
    build(root, BuildOptions(now=NOW, search=False, jobs=1))
    again = listed(root / "output")
    assert {part: urls for part, urls in again.items() if part.startswith("sitemaps/2022-08")} == august
    cold = tmp_path / "cold"
    shutil.copytree(root, cold, ignore=shutil.ignore_patterns("output", ".output*", ".digest"))
    build(cold, BuildOptions(now=NOW, search=False, jobs=1))
    assert tree_bytes(root / "output") == tree_bytes(cold / "output")
