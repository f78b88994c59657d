"""The default theme: what each page shows, its metadata, what it loads, search."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import html5lib
import pytest

from digest.build import BuildOptions, build

from .conftest import BASIC_CONFIG, NOW, entry_text
from .theme_site import REPO, build_demo, build_edge, chromium, html_pages, require, serve

CSS = REPO / "themes" / "default" / "static" / "style.css"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo(tmp_path_factory.mktemp("theme") / "demo")


@pytest.fixture(scope="module")
def edge(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_edge(tmp_path_factory.mktemp("theme") / "edge")


def parse(path: Path) -> Any:
    return html5lib.parse(path.read_bytes(), namespaceHTMLElements=False)


def text(node: Any) -> str:
    return " ".join("".join(node.itertext()).split())


def meta(doc: Any, key: str) -> str | None:
    for element in doc.iter("meta"):
        if key in (element.get("property"), element.get("name")):
            return str(element.get("content"))
    return None


def test_front_page_shows_the_latest_edition_by_topic(demo: Path) -> None:
    doc = parse(demo / "index.html")
    dateline = doc.find(".//h1[@class='dateline']/time")
    assert dateline is not None and dateline.get("datetime") == "2022-08-18"
    assert text(dateline) == "Thursday 18 August 2022"
    configured = ["world", "politics", "business", "technology", "science"]
    shown = [s.get("aria-labelledby").removeprefix("topic-") for s in doc.iter("section")
             if (s.get("class") or "") == "topic-section" and s.get("aria-labelledby").startswith("topic-")]
    assert shown and shown == [t for t in configured if t in shown]
    stories = [a for a in doc.iter("article") if a.get("class") == "story"]
    assert stories
    for story in stories:
        link = story.find(".//h3/a") if story.find(".//h3/a") is not None else story.find(".//h4/a")
        assert link is not None and link.get("href")
        assert story.find(".//*[@class='source']") is not None
        assert story.find(".//time") is not None
        assert story.find(".//p[@class='summary']") is not None
    nav = doc.find(".//nav[@class='edition-nav']")
    assert nav.find(".//a[@rel='prev']").get("href") == "./2022/08/17/"
    assert "All editions" in text(nav)
    topics = [text(a) for a in doc.find(".//nav[@aria-label='Topics']").iter("a")]
    assert topics == ["Front page", "World", "Politics", "Business", "Technology", "Science", "Archive"]


def test_edition_pages_link_to_their_neighbours(demo: Path) -> None:
    doc = parse(demo / "2022/08/16/index.html")
    nav = doc.find(".//nav[@aria-label='Editions']")
    assert nav.find(".//a[@rel='prev']").get("href") == "../../../2022/08/15/"
    assert nav.find(".//a[@rel='next']").get("href") == "../../../2022/08/17/"
    first = parse(demo / "2022/08/14/index.html").find(".//nav[@aria-label='Editions']")
    assert first.find(".//a[@rel='prev']") is None and "First edition" in text(first)


def test_article_page_has_byline_source_key_points_and_context(edge: Path) -> None:
    doc = parse(edge / "2022/08/15/everything/index.html")
    article = doc.find(".//article[@class='article']")
    assert article.get("data-pagefind-body") is not None
    assert text(article.find(".//h1")) == 'Rocket </script><b>rolls</b> & "out"'
    byline = text(article.find(".//div[@class='byline']"))
    for part in ("Orbit Review", "by Ana Ruiz, Bo Li", "15 Aug 2022, 09:00", "1 min read", "Read the original"):
        assert part in byline
    assert article.find(".//p[@class='original']/a").get("href") == "https://orbit.example.com/rocket"
    assert [text(li) for li in article.findall(".//section[@class='key-points']//li")] == ["One </script>",
                                                                                          "Two & three"]
    eyebrow = article.find(".//p[@class='eyebrow']")
    assert [a.get("href") for a in eyebrow.iter("a")] == ["../../../../topics/world/", "../../../../2022/08/15/"]
    related = parse(edge / "2022/08/16/second/index.html").find(".//section[@class='related']")
    assert related is not None and "Rocket" in text(related)


def test_images_have_alt_text_empty_when_decorative(edge: Path) -> None:
    lead = parse(edge / "2022/08/15/everything/index.html").find(".//img[@class='lead-image']")
    assert lead.get("alt") == "The rocket on its pad at dawn"
    bare = parse(edge / "2022/08/16/bare/index.html").find(".//img[@class='lead-image']")
    assert bare.get("alt") == ""
    for page in html_pages(edge):
        assert all(img.get("alt") is not None for img in parse(page).iter("img")), page


def test_social_and_search_metadata(edge: Path, demo: Path) -> None:
    doc = parse(edge / "2022/08/15/everything/index.html")
    url = "https://news.example.org/2022/08/15/everything/"
    assert doc.find(".//link[@rel='canonical']").get("href") == url
    assert meta(doc, "og:url") == url and meta(doc, "og:type") == "article"
    assert meta(doc, "og:title") == meta(doc, "twitter:title") == 'Rocket </script><b>rolls</b> & "out"'
    assert meta(doc, "og:description") == "A </script> summary & more"
    assert meta(doc, "twitter:card") == "summary_large_image"
    assert meta(doc, "og:image") == url + "lead.jpg"
    assert meta(doc, "article:published_time") == "2022-08-15T09:00:00+01:00"
    front = parse(demo / "index.html")
    assert front.find(".//link[@rel='canonical']").get("href") == "https://digest.example.org/"
    assert meta(front, "og:type") == "website" and meta(front, "twitter:card") == "summary"
    assert parse(demo / "404.html").find(".//link[@rel='canonical']") is None
    assert meta(parse(demo / "404.html"), "robots") == "noindex"


def test_nothing_is_loaded_from_other_hosts(demo: Path, edge: Path) -> None:
    """Stylesheets, scripts and fonts come from the site itself (links to sources are fine)."""
    for page in [*html_pages(demo), *html_pages(edge)]:
        doc = parse(page)
        loaded = [s.get("src") for s in doc.iter("script") if s.get("src")]
        loaded += [link.get("href") for link in doc.iter("link") if link.get("rel") in ("stylesheet", "preload",
                                                                                       "icon", "modulepreload")]
        assert all(not re.match(r"(?i)([a-z]+:)?//", url) for url in loaded), (page, loaded)
    css = CSS.read_text(encoding="utf-8")
    assert "@import" not in css and "@font-face" not in css and "url(" not in css


def test_stylesheet_has_dark_mode_print_styles_and_visible_focus() -> None:
    css = CSS.read_text(encoding="utf-8")
    assert "@media (prefers-color-scheme: dark)" in css
    assert "@media print" in css
    assert re.search(r":focus-visible\s*\{[^}]*outline:\s*3px solid", css)


def test_every_page_declares_its_language_and_landmarks(demo: Path) -> None:
    for page in html_pages(demo):
        doc = parse(page)
        assert doc.get("lang") == "en", page
        assert doc.find(".//main[@id='main']") is not None, page
        assert doc.find(".//a[@class='skip-link']").get("href") == "#main", page
        assert len(list(doc.iter("h1"))) == 1, page


def test_a_site_without_pagefind_is_built_without_search(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import digest.build

    monkeypatch.setattr(digest.build, "pagefind_executable", lambda: None)
    (tmp_path / "digest.toml").write_text(BASIC_CONFIG, encoding="utf-8")
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "a.md").write_text(entry_text("A"), encoding="utf-8")
    build(tmp_path, BuildOptions(now=NOW, search=True))
    assert (tmp_path / "output" / "search" / "index.html").is_file()
    assert not (tmp_path / "output" / "pagefind").exists()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as browser:
        yield browser


def search(browser: Any, base: str, query: str) -> tuple[str, list[str]]:
    page = browser.new_page()
    page.goto(f"{base}search/?q={query}")
    page.wait_for_function("!/Searching|JavaScript/.test(document.getElementById('search-status').textContent)")
    status = page.text_content("#search-status") or ""
    links = page.eval_on_selector_all("#search-results a", "links => links.map(a => a.href)")
    page.close()
    return status, links


def test_search_finds_a_word_from_an_article_body(demo: Path, browser: Any) -> None:
    require((demo / "pagefind" / "pagefind.js").is_file(), "Pagefind (pip install pagefind-bin)")
    article = "2022/08/15/putin-and-kim-jong-un-pledge-closer-relations-as-russia-courts-non-western/"
    body = (demo / article / "index.html").read_text(encoding="utf-8")
    assert "monthslong" in body.split('class="body"')[1]  # in the body, not the headline or summary
    with serve(demo) as base:
        status, links = search(browser, base, "monthslong")
        assert status.startswith("1 article matches"), status
        assert links == [base + article]
        status, links = search(browser, base, "zzyzxnotaword")
        assert status.startswith("No articles match") and not links


def test_search_page_says_so_when_the_site_has_no_index(edge: Path, browser: Any) -> None:
    assert not (edge / "pagefind").exists()
    with serve(edge) as base:
        status, links = search(browser, base, "rocket")
    assert "not available" in status and not links


def test_a_missing_theme_folder_is_named_with_its_line_in_digest_toml(make_site: Any) -> None:
    """The error named digest.toml but no line, unlike every other mistake in it."""
    from digest.errors import DigestError

    config = BASIC_CONFIG.replace("[site]\n", "[site]\ntheme = \"nosuch\"\n")
    root = make_site({"content/a.md": entry_text()}, config=config)
    with pytest.raises(DigestError) as caught:
        build(root, BuildOptions(now=NOW))
    assert "themes/nosuch/" in caught.value.message
    assert caught.value.path == root / "digest.toml" and caught.value.line == 2


def test_an_arabic_sites_description_ends_at_its_left(tmp_path: Path, browser: Any) -> None:
    """The site's description in the header and footer stood in the theme's left-to-right paragraph: an
    Arabic or Hebrew one showed its closing full stop at its right, where the sentence begins. Isolated,
    it reads right to left (in the page's right-to-left layout now; in an English site's too)."""
    config = BASIC_CONFIG.replace('title = "Test Digest"\ndescription = "A digest for tests."',
                                  'title = "الموجز الإخباري"\ndescription = "أخبار مختارة كل يوم."\nlanguage = "ar"')
    assert config != BASIC_CONFIG
    (tmp_path / "digest.toml").write_text(config, encoding="utf-8")
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "a.md").write_text(entry_text("الحكومة تعلن عن خطة جديدة"), encoding="utf-8")
    build(tmp_path, BuildOptions(now=NOW, search=False))
    with serve(tmp_path / "output") as base:
        page = browser.new_page()
        page.goto(base)
        for selector in (".tagline", ".site-footer p:nth-of-type(2)"):
            first, stop = page.evaluate("""selector => {
                const p = document.querySelector(selector);
                const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
                const node = walker.nextNode();
                const at = i => { const r = document.createRange(); r.setStart(node, i); r.setEnd(node, i + 1);
                                  return r.getBoundingClientRect().left; };
                return [at(0), at(node.data.length - 1)];
            }""", selector)
            assert stop < first, selector  # the full stop left of the first word
        page.close()


def test_the_direction_of_a_language_is_cldrs() -> None:
    """<html dir> comes from [site] language: every locale Babel (CLDR) knows, by its language alone and
    with its script and region, is written in the direction Babel says."""
    babel = pytest.importorskip("babel")
    from babel import localedata

    from digest.characters import direction

    assert [direction(tag) for tag in ("ar", "he-IL", "fa", "ur-PK", "pa-Arab", "ks-Deva", "en", "zh-TW", "AR")] == [
        "rtl", "rtl", "rtl", "rtl", "rtl", "ltr", "ltr", "ltr", "rtl"]
    for identifier in localedata.locale_identifiers():
        locale = babel.Locale.parse(identifier)
        tag = "-".join(part for part in (locale.language, locale.script, locale.territory) if part)
        expected = "rtl" if locale.character_order == "right-to-left" else "ltr"
        assert direction(tag) == expected, tag
        if not locale.script:
            assert direction(locale.language) == expected, locale.language


def test_an_arabic_site_is_laid_out_right_to_left(tmp_path: Path, browser: Any) -> None:
    """An Arabic, Hebrew or Persian site kept the theme's left-to-right layout: its name at the left, the
    key points' bar at their left, the older edition at the left. <html dir="rtl"> mirrors it, the theme's
    CSS in logical properties; the theme's English times and counts still read "1 min read", not "min read 1"."""
    config = BASIC_CONFIG.replace('title = "Test Digest"\ndescription = "A digest for tests."',
                                  'title = "الموجز الإخباري"\ndescription = "أخبار مختارة كل يوم."\nlanguage = "ar"')
    (tmp_path / "digest.toml").write_text(config, encoding="utf-8")
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "a.md").write_text(entry_text("الحكومة تعلن عن خطة جديدة", key_points="[نقطة أولى]",
                                                          date="2022-08-14T09:00:00Z"), encoding="utf-8")
    (tmp_path / "content" / "b.md").write_text(entry_text("فريق كرة القدم يفوز بالبطولة"), encoding="utf-8")
    build(tmp_path, BuildOptions(now=NOW, search=False))
    assert '<html lang="ar" dir="rtl">' in (tmp_path / "output" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="ar" dir="rtl">' in (tmp_path / "output/2022/08/15/email.html").read_text(encoding="utf-8")
    with serve(tmp_path / "output") as base:
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        page.goto(base)
        right = "selector => document.querySelector(selector).getBoundingClientRect().right"
        search = ".masthead form, .masthead a[href$='search/']"
        assert page.evaluate(right, ".site-title") > page.evaluate(right, search)
        page.goto(base + "2022/08/14/a/")
        assert page.evaluate("getComputedStyle(document.querySelector('.key-points')).borderRightWidth") == "4px"
        one, minutes = page.evaluate("""() => {
            const node = document.querySelector('.reading-time').firstChild;
            const at = i => { const r = document.createRange(); r.setStart(node, i); r.setEnd(node, i + 1);
                              return r.getBoundingClientRect().left; };
            return [at(node.data.indexOf('1')), at(node.data.indexOf('min'))];
        }""")
        assert one < minutes  # "1 min read", left to right
        page.goto(base + "2022/08/15/")
        assert page.evaluate(right, ".edition-prev") > page.evaluate(right, ".edition-all")
        page.close()
