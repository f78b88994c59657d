"""feeds.py: RSS and Atom that a browser shows as a page (an XSL stylesheet), that feed readers
still read without complaint, with nothing relative in their content and each other source's
headline, publisher and time in a story's item."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser
import html5lib
import pytest
from lxml import etree

from digest.build import BuildOptions, build
from digest.feeds import with_stylesheet

from .conftest import NOW
from .theme_site import build_demo, chromium, serve

PI = b'<?xml-stylesheet type="text/xsl" href="'
OPTIONS = BuildOptions(now=NOW, jobs=1)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo(tmp_path_factory.mktemp("feeds") / "demo")


def xml_feeds(output: Path) -> list[Path]:
    return sorted([*output.rglob("feed.xml"), *output.rglob("atom.xml")])


def contents(output: Path) -> Iterator[tuple[str, str, str]]:
    """(feed file, item link, item content HTML) for every item of every feed, in all three formats."""
    for path in xml_feeds(output):
        for item in feedparser.parse(path.read_bytes()).entries:
            for content in item.get("content", []):
                yield path.relative_to(output).as_posix(), item.link, content.value
    for path in sorted(output.rglob("feed.json")):
        for item in json.loads(path.read_text(encoding="utf-8"))["items"]:
            yield path.relative_to(output).as_posix(), item["url"], item["content_html"]


def test_rss_and_atom_name_the_stylesheet_and_stay_valid(demo: Path) -> None:
    feeds = xml_feeds(demo)
    assert len(feeds) == 12  # the site's and one per topic, RSS and Atom
    for path in feeds:
        data = path.read_bytes()
        first, second = data.split(b"\n")[:2]
        assert first.startswith(b"<?xml version=") and second.startswith(PI), path
        href = second[len(PI):].split(b'"')[0].decode()
        assert not urlsplit(href).scheme and not href.startswith("/")  # relative: any host, any base path
        target = (path.parent / href).resolve()
        assert target == (demo / "static" / "feed.xsl").resolve() and target.is_file(), (path, href)
        parsed = feedparser.parse(data)
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        assert parsed.entries and parsed.feed.title
        etree.fromstring(data)  # well-formed XML, the instruction included


def test_with_stylesheet_puts_the_instruction_after_the_declaration() -> None:
    out = with_stylesheet(b"<?xml version='1.0' encoding='UTF-8'?>\n<rss/>\n", "../../static/feed.xsl")
    assert out == (b"<?xml version='1.0' encoding='UTF-8'?>\n"
                   b'<?xml-stylesheet type="text/xsl" href="../../static/feed.xsl"?>\n<rss/>\n')
    with pytest.raises(ValueError):
        with_stylesheet(b"<rss/>", "feed.xsl")


def test_no_relative_link_is_left_in_feed_content(demo: Path) -> None:
    seen = 0
    for feed, link, html in contents(demo):
        doc = html5lib.parse(html, namespaceHTMLElements=False)
        for element in doc.iter():
            for attribute in ("href", "src"):
                value = element.get(attribute)
                if value is None:
                    continue
                seen += 1
                assert urlsplit(value).scheme in ("http", "https", "mailto"), (feed, link, attribute, value)
    assert seen
    # The Rhine article's heading anchor now leads to the heading on the article's page.
    kaub = [html for _, link, html in contents(demo) if link.endswith("/rhine-water-levels-fall-near-kaub/")]
    assert kaub and all('href="https://digest.example.org/2022/08/14/rhine-water-levels-fall-near-kaub/'
                        '#why-kaub-matters"' in html for html in kaub)


def test_a_relative_source_url_is_made_absolute_in_every_feed(make_site: Any) -> None:
    """source_url may be relative (README, front matter): on the article's page it resolves against
    the page; a feed reader would resolve it against the feed, or not at all (JSON Feed)."""
    root = make_site({
        "content/a.md": "---\ntitle: From our archive\ndate: 2022-08-15T09:00:00+01:00\nsource: Our archive\n"
                        "source_url: ../../14/b/\n---\n\nBody.\n",
        "content/c.md": "---\ntitle: From elsewhere\ndate: 2022-08-16T09:00:00+01:00\nsource: Elsewhere\n"
                        "source_url: //other.example/story\n---\n\nBody.\n",
    })
    build(root, OPTIONS)
    output = root / "output"
    for name in ("feed.xml", "atom.xml", "feed.json"):
        text = (output / name).read_text()
        assert "https://news.example.org/2022/08/14/b/" in text and "https://other.example/story" in text, name
        assert "../../14" not in text and '"//other' not in text, name
    items = json.loads((output / "feed.json").read_text())["items"]
    assert {item["external_url"] for item in items} == {"https://news.example.org/2022/08/14/b/",
                                                         "https://other.example/story"}
    for _, _, html in contents(output):
        for value in html5lib.parse(html, namespaceHTMLElements=False).iter():
            href = value.get("href")
            assert href is None or urlsplit(href).scheme in ("http", "https"), href


def test_a_storys_item_lists_each_other_sources_headline_publisher_and_time(demo: Path) -> None:
    items = [html for feed, link, html in contents(demo) if feed == "feed.json"
             and link.endswith("/shunned-by-the-west-vladimir-putin-turns-to-north-koreas-kim-jong-un-as-an-ally/")]
    assert len(items) == 1
    doc = html5lib.parse(items[0], namespaceHTMLElements=False)
    covered = [" ".join("".join(li.itertext()).split()) for li in doc.findall(".//ul/li")
               if li.find("a") is not None]
    assert covered == ["Business Insider: Putin and Kim Jong Un pledge closer relations as Russia courts "
                       "non-Western allies in the wake of its Ukraine invasion (15 Aug 2022)"]
    timed = [html for feed, link, html in contents(demo) if feed == "feed.json"
             and link.endswith("/2022/08/16/inflation-reduction-act-signed/")]
    assert "(16 Aug 2022, 23:40 BST)" in timed[0]
    # A later development's item lists the story's other days, dated, not as "also covered by".
    later = [html for feed, link, html in contents(demo) if feed == "feed.json"
             and link.endswith("/2022/08/18/inflation-reduction-act-what-changes/")]
    assert len(later) == 1 and "Also covered by" not in later[0]
    developments = later[0].split("<p>Other developments of this story:</p>")[1]
    assert developments.index("(16 Aug 2022, 22:10 BST)") < developments.index("(16 Aug 2022, 23:40 BST)")


def transform(output: Path, feed: str) -> Any:
    xsl = etree.XSLT(etree.parse(str(output / "static" / "feed.xsl")))
    return xsl(etree.parse(str(output / feed)))


@pytest.mark.parametrize("feed", ["feed.xml", "atom.xml", "topics/world/atom.xml"])
def test_the_stylesheet_makes_a_page_that_says_how_to_subscribe(demo: Path, feed: str) -> None:
    page = transform(demo, feed)
    html = etree.tostring(page, method="html", encoding="unicode")
    doc = html5lib.parse(html, namespaceHTMLElements=False)
    parsed = feedparser.parse((demo / feed).read_bytes())
    assert "".join(doc.find(".//h1").itertext()) == parsed.feed.title
    assert doc.get("lang") == "en"
    about = " ".join("".join(doc.find(".//section").itertext()).split())
    assert "This is a web feed." in about and "copy this address into your feed reader" in about
    assert "".join(doc.find(".//code").itertext()) == "https://digest.example.org/" + feed
    titles = ["".join(a.itertext()) for a in doc.findall(".//li/h3/a")]
    assert titles == [e.title for e in parsed.entries]
    links = [a.get("href") for a in doc.findall(".//li/h3/a")]
    assert links == [e.link for e in parsed.entries]
    summaries = ["".join(p.itertext()) for p in doc.findall(".//li/p[@class='summary']")]
    assert summaries and all("&amp;" not in s and "&#x27;" not in s for s in summaries)


def test_a_summary_with_markup_characters_reads_as_text(make_site: Any) -> None:
    from digest.build import BuildOptions, build

    from .conftest import NOW, entry_text
    root = make_site({"content/a.md": entry_text("A", summary="\"Tom's <b>bold</b> & 'quoted' plan\"",
                                                 topic="world")})
    build(root, BuildOptions(now=NOW, jobs=1))
    for feed in ("feed.xml", "atom.xml"):
        page = transform(root / "output", feed)
        doc = html5lib.parse(etree.tostring(page, method="html", encoding="unicode"), namespaceHTMLElements=False)
        assert ["".join(p.itertext()) for p in doc.findall(".//li/p[@class='summary']")] == [
            "Tom's <b>bold</b> & 'quoted' plan"]


def test_a_browser_shows_a_feed_as_a_page(demo: Path) -> None:
    with serve(demo) as base, chromium() as browser:
        page = browser.new_page()
        for feed in ("feed.xml", "topics/world/atom.xml"):
            page.goto(urljoin(base, feed))
            heading = page.text_content("h1")
            assert heading == feedparser.parse((demo / feed).read_bytes()).feed.title
            assert "This is a web feed." in (page.text_content("main") or "")
            assert page.eval_on_selector_all("main li h3 a", "links => links.length") >= 1
        page.close()


def test_the_feed_page_is_valid_html(demo: Path, tmp_path: Path) -> None:
    from .test_html_valid import vnu_messages

    pages = []
    for feed in ("feed.xml", "atom.xml"):
        pages.append(tmp_path / f"{feed}.html")
        pages[-1].write_bytes(bytes(transform(demo, feed)))
    problems = [f"{m.get('url')}:{m.get('lastLine')}: {m.get('message')}" for m in vnu_messages(pages)
                if m.get("type") != "info" or m.get("subType") == "warning"]
    assert not problems, "\n".join(problems)


def test_feeds_have_absolute_links_and_proper_dates(demo_site: Path) -> None:
    build(demo_site, OPTIONS)
    rss = feedparser.parse((demo_site / "output/feed.xml").read_bytes())
    assert rss.feed.link.startswith("https://digest.example.org/")
    assert any(link.rel == "self" for link in rss.feed.links)
    for item in rss.entries:
        assert item.link.startswith("https://digest.example.org/20")
        assert item.id == item.link
        assert item.published_parsed is not None
        assert 'href="/' not in item.content[0].value and 'href="../' not in item.content[0].value
    raw = (demo_site / "output/feed.xml").read_text()
    assert "+0100</pubDate>" in raw or "+0000</pubDate>" in raw


def test_json_feeds_have_the_required_fields_of_json_feed_1_1(demo: Path) -> None:
    feeds = sorted(demo.rglob("feed.json"))
    assert len(feeds) == 6  # the site's and one per topic
    for path in feeds:
        feed = json.loads(path.read_text(encoding="utf-8"))
        assert feed["version"] == "https://jsonfeed.org/version/1.1"
        assert isinstance(feed["title"], str) and feed["title"]
        assert isinstance(feed["items"], list) and feed["items"]
        for key in ("home_page_url", "feed_url"):
            assert feed[key].startswith("https://digest.example.org/")
        assert feed["feed_url"].endswith(path.relative_to(demo).as_posix())
        ids = [item["id"] for item in feed["items"]]
        assert len(ids) == len(set(ids))
        for item in feed["items"]:
            assert isinstance(item["id"], str) and item["id"]
            assert isinstance(item.get("content_html") or item.get("content_text"), str)
            assert item["url"].startswith("https://")
            datetime.fromisoformat(item["date_published"])  # RFC 3339
            for author in item.get("authors", []):
                assert set(author) <= {"name", "url", "avatar"} and author
            assert "author" not in item  # 1.0's singular field is deprecated in 1.1
            assert all(isinstance(tag, str) for tag in item.get("tags", []))


def test_feed_items_are_the_newest_leads_and_later_days_reports_of_each_topic(make_site: Any) -> None:
    """plan_feeds reads the entries newest first and stops once every feed is full: it must give
    what sorting every story's items gives (the reference below), ties in time by path."""
    import random
    from dataclasses import replace as with_
    from datetime import timedelta
    from pathlib import PurePosixPath

    from digest.config import load_config
    from digest.feeds import FeedItem, plan_feeds
    from digest.model import Entry
    from digest.organise import organise
    from digest.stories import make_story

    rng = random.Random(7)
    config = with_(load_config(make_site()), feed_items=5)  # topics world, business
    start = datetime.fromisoformat("2022-08-01T08:00:00+00:00")
    entries = [Entry(path=PurePosixPath(f"content/e{k:03}.md"), title=f"E{k}", slug=f"e{k:03}", body="",
                     published=start + timedelta(hours=rng.choice([0, 0, 5, 13, 30]) + 7 * (k // 3)),
                     topic=rng.choice(["world", "business", "sport", None]), content_hash=str(k)) for k in range(90)]
    pool = entries[:]
    rng.shuffle(pool)
    stories = []
    while pool:
        size = rng.choice([1, 1, 2, 3, 5])
        group, pool = pool[:size], pool[size:]
        stories.append(make_story(f"s{len(stories)}", group, 1.0, "test"))
    site = organise(entries, stories, config)

    # The reference: every story's items made and sorted, newest first.
    first_day = {s.key: min(site.edition_day[m.path] for m in s.members) for s in site.stories}
    items = [FeedItem(s.lead, s, False) for s in site.stories]
    items += [FeedItem(m, s, True) for s in site.stories for m in s.members
              if m is not s.lead and site.edition_day[m.path] != first_day[s.key]]
    items.sort(key=lambda i: (-i.entry.published.timestamp(), str(i.entry.path)))

    def newest(topic: str | None) -> list[tuple[str, bool]]:
        chosen = [i for i in items if topic is None or (i.entry.topic or config.default_topic) == topic]
        return [(str(i.entry.path), i.is_followup) for i in chosen[:5]]

    plans = plan_feeds(site, config)
    assert [(str(i.entry.path), i.is_followup) for i in plans[0].items] == newest(None)
    for topic, plan in zip(site.topics, plans[1:], strict=True):
        assert [(str(i.entry.path), i.is_followup) for i in plan.items] == newest(topic.slug)
    assert any(i.is_followup for plan in plans for i in plan.items)  # the case is exercised


def test_the_feed_page_shows_summaries_as_text_and_never_a_body(make_site: Any) -> None:
    # An RSS item without a summary has its body's HTML as <description>: the feed page showed it as text
    # ('<p dir="auto">...</p>'). And the stylesheet unescapes a summary one '&' a call: a summary of
    # thousands of '&' stopped the transform (a browser left the whole page blank from about 900).
    from digest.build import BuildOptions, build

    from .conftest import NOW, entry_text
    root = make_site({"content/a.md": entry_text("A", body="The body, said to be \"long\".", topic="world"),
                      "content/b.md": entry_text("B", "2022-08-16T09:00:00+01:00", summary='"' + "R&D " * 4000 + '"',
                                                 topic="world")})
    build(root, BuildOptions(now=NOW, jobs=1))
    for feed in ("feed.xml", "atom.xml"):
        page = transform(root / "output", feed)
        doc = html5lib.parse(etree.tostring(page, method="html", encoding="unicode"), namespaceHTMLElements=False)
        assert ["".join(a.itertext()) for a in doc.findall(".//li/h3/a")] == ["B", "A"]
        [summary] = ["".join(p.itertext()) for p in doc.findall(".//li/p[@class='summary']")]
        assert summary.startswith("R&D R&D ") and summary.endswith("R&D \u2026") and "&amp;" not in summary
        assert len(summary) <= 601, len(summary)
